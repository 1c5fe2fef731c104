// REDACT (ircv3.net draft message-redaction) and the index of recent messages it consults
// (core/recent_messages.h). Within Limits::redact_window seconds a message may be redacted by
// its author, or in a channel by a channel operator; members with draft/message-redaction see
// the REDACT, others nothing. A redacted message is deleted from history too (CHATHISTORY no
// longer returns it).
#include <array>
#include <chrono>
#include <memory>
#include <span>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/history_recording.h"
#include "core/text.h"

namespace parley::core::commands {

namespace {

constexpr std::string_view kCommand = "REDACT";

// The sender's answer when REDACT cannot be done; `msgid` is left out for INVALID_TARGET.
struct Refusal {
  Engine& e;
  User& u;
  std::string_view target, msgid;

  void invalid_target() {
    e.fail(u, kCommand, "INVALID_TARGET", {target, "You cannot delete messages from " + std::string(target)});
  }
  void unknown() {
    e.fail(u, kCommand, "UNKNOWN_MSGID", {target, msgid, "This message does not exist or is too old"});
  }
  void forbidden() {
    e.fail(u, kCommand, "REDACT_FORBIDDEN", {target, msgid, "You are not authorised to delete this message"});
  }
  void expired() {
    e.fail(
        u, kCommand, "REDACT_WINDOW_EXPIRED",
        {target, msgid, std::to_string(e.limits().redact_window), "You can no longer delete this message"});
  }
};

bool window_passed(Engine& e, const RecentMessage& m) {
  return e.now() - m.at > std::chrono::seconds(e.limits().redact_window);
}

// The REDACT line as it is relayed, with a msgid of its own.
Engine::Broadcast redact_line(Engine& e, User& u, std::string_view target, std::string_view msgid,
                              const std::string& reason) {
  std::array<std::string_view, 3> params{target, msgid, reason};
  Engine::Broadcast out(e, u.prefix(), kCommand, std::span(params.data(), reason.empty() ? 2 : 3));
  out.with_msgid();
  return out;
}

void redact_in_channel(Engine& e, User& u, Refusal& no, const std::string& reason) {
  Channel* c = e.find_channel(no.target);
  if (!c || !c->has(u)) return no.invalid_target();
  RecentMessage* m = c->recent ? c->recent->find(no.msgid) : nullptr;
  if (!m) return no.unknown();
  if (m->author != u.id && !c->is_op(u)) return no.forbidden();
  if (window_passed(e, *m)) return no.expired();
  m->redacted = true;
  forget_redacted(e, c, u, nullptr, no.msgid);
  Engine::Broadcast out = redact_line(e, u, c->name, no.msgid, reason);
  for (auto& [member, flags] : c->members) {
    if (member->caps.has(Cap::kMessageRedaction)) out.to(*member);
  }
}

void redact_private(Engine& e, User& u, Refusal& no, const std::string& reason) {
  User* peer = e.find_nick(no.target);
  if (!peer) return no.invalid_target();
  auto find = [&](User& author, const User& to) -> RecentMessage* {
    RecentMessage* m = author.sent_private ? author.sent_private->find(no.msgid) : nullptr;
    return m && m->peer == to.id ? m : nullptr;
  };
  RecentMessage* m = find(u, *peer);
  if (!m) return find(*peer, u) ? no.forbidden() : no.unknown();
  if (window_passed(e, *m)) return no.expired();
  m->redacted = true;
  forget_redacted(e, nullptr, u, peer, no.msgid);
  Engine::Broadcast out = redact_line(e, u, no.target, no.msgid, reason);
  if (u.caps.has(Cap::kMessageRedaction)) out.to(u);
  if (peer != &u && peer->caps.has(Cap::kMessageRedaction)) out.to(*peer);
}

}  // namespace

void remember_message(Engine& e, User& from, Channel* c, User* to, std::string_view msgid) {
  if (c) {
    if (!c->recent) c->recent = std::make_unique<RecentMessages>(e.limits().redact_messages);
    c->recent->record(msgid, from.id, 0, e.now());
  } else if (to) {
    if (!from.sent_private) from.sent_private = std::make_unique<RecentMessages>(e.limits().redact_messages);
    from.sent_private->record(msgid, from.id, to->id, e.now());
  }
}

// REDACT <target> <msgid> [:<reason>]
void redact(Engine& e, User& u, const proto::Message& m) {
  Refusal no{e, u, proto::safe_middle_param(m.param(0)), proto::safe_middle_param(m.param(1))};
  std::string reason = m.size() > 2 ? limit_utf8(m.param(2), e.limits().kick_length) : std::string();
  if (proto::is_channel_name(no.target)) {
    redact_in_channel(e, u, no, reason);
  } else {
    redact_private(e, u, no, reason);
  }
}

}  // namespace parley::core::commands
