// One connected client as the engine sees it. Owned by the Engine; handlers get references
// that are valid for the duration of one engine call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/caps.h"
#include "core/types.h"

namespace parley::core {

class Channel;

struct User {
  SessionId id = 0;
  std::string nick;         // "*"-free; empty until NICK is accepted
  std::string nick_folded;  // key in the engine's nick index
  std::string username;     // from USER, prefixed with '~' (no ident lookup)
  std::string realname;
  std::string host;         // the IP (no reverse DNS on the engine thread)
  std::string ip;
  std::string away;         // empty when present
  std::string oper_name;    // operator block used, empty when not an operator
  std::string pending_password;

  bool registered = false;
  bool user_received = false;
  bool cap_negotiating = false;  // CAP LS/REQ seen, CAP END not yet
  bool invisible = false;        // +i
  bool exempt = false;           // no flood/per-IP limits
  bool quitting = false;         // being removed; send nothing more
  std::uint16_t cap_version = 0;  // 302 after CAP LS 302
  CapSet caps;

  TimePoint connected_at{};
  TimePoint last_activity{};  // last line received, for PING scheduling
  TimePoint last_message{};   // last PRIVMSG/NOTICE sent, for WHOIS idle
  TimePoint ping_sent{};      // when an unanswered PING went out; epoch if none
  double flood_tokens = 0;
  TimePoint flood_at{};

  std::string prefix_;
  std::vector<Channel*> channels;  // memberships, in join order
  std::uint64_t visit_mark = 0;    // Engine-private: de-duplicates fan-out to common channels

  bool is_oper() const { return !oper_name.empty(); }
  // nick!user@host, the message source for everything this user does. Cached: call
  // update_prefix() after changing nick, username or host.
  const std::string& prefix() const { return prefix_; }
  void update_prefix() { prefix_ = nick + "!" + username + "@" + host; }
  // The name numerics address this user by: the nick, or "*" before one is set.
  const std::string& target_name() const {
    static const std::string star = "*";
    return nick.empty() ? star : nick;
  }
};

}  // namespace parley::core
