// Who sent which recent message, for REDACT (ircv3.net message-redaction): one bounded ring per
// channel (Channel::recent) and one per user for the private messages they sent
// (User::sent_private). It is the seam history storage will replace: messaging records through
// remember_message() and REDACT looks up through find(), nothing else reads it.
//
// Bounded by count (Limits::redact_messages per target, oldest overwritten first); an entry older
// than Limits::redact_window is still found, so that REDACT can answer REDACT_WINDOW_EXPIRED
// rather than UNKNOWN_MSGID. Appending copies one small entry and allocates only while a ring
// grows towards its capacity.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include "core/msgid.h"
#include "core/types.h"

namespace parley::core {

struct RecentMessage {
  std::array<char, MsgIdGenerator::kLength> msgid{};
  SessionId author = 0;
  SessionId peer = 0;  // a private message's recipient; 0 in a channel's ring
  TimePoint at{};
  bool redacted = false;

  std::string_view id() const { return {msgid.data(), msgid.size()}; }
};

class RecentMessages {
 public:
  explicit RecentMessages(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  void record(std::string_view msgid, SessionId author, SessionId peer, TimePoint at) {
    if (msgid.size() != MsgIdGenerator::kLength) return;
    RecentMessage entry;
    msgid.copy(entry.msgid.data(), entry.msgid.size());
    entry.author = author;
    entry.peer = peer;
    entry.at = at;
    if (ring_.size() < capacity_) {
      ring_.push_back(entry);
    } else {
      ring_[next_] = entry;
      next_ = (next_ + 1) % capacity_;
    }
  }

  // The entry with `msgid`, or nullptr: never recorded here, already overwritten, or redacted.
  RecentMessage* find(std::string_view msgid) {
    for (RecentMessage& m : ring_) {
      if (!m.redacted && m.id() == msgid) return &m;
    }
    return nullptr;
  }

  std::size_t size() const { return ring_.size(); }

 private:
  std::vector<RecentMessage> ring_;
  std::size_t next_ = 0;  // the oldest entry once the ring is full
  std::size_t capacity_;
};

}  // namespace parley::core
