// Connection registration: CAP, PASS, NICK, USER, plus PING/PONG and QUIT.
#include <algorithm>
#include <sstream>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/login.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

// The sts value for this connection (ircv3.net sts): plaintext clients learn the TLS port to
// upgrade to, TLS clients the duration of the policy.
std::string sts_value(const Engine& e, const User& u) {
  const StsPolicy& sts = e.config().sts;
  std::string value =
      u.secure ? "duration=" + std::to_string(sts.duration.count()) : "port=" + std::to_string(sts.port);
  if (sts.preload) value += ",preload";
  return value;
}

namespace {

// Sends CAP LS or CAP LIST. A list that does not fit one line is split, every line but the last
// marked with "*" (IRCv3 capability negotiation 302); older clients get one line, as they expect.
void send_cap_list(Engine& e, User& u, std::string_view sub, bool enabled_only) {
  constexpr std::size_t kMaxList = 400;  // leaves room for ":server CAP nick LS * :" in 512
  bool values = u.cap_version >= 302 && !enabled_only;
  std::vector<std::string> lines(1);
  for (const auto& info : kCaps) {
    if (enabled_only && !u.caps.has(info.cap)) continue;
    if (!e.cap_offered(info.cap)) continue;
    std::string item(info.name);
    if (info.cap == Cap::kSts) {
      if (values) item += "=" + sts_value(e, u);
    } else if (std::string_view value = e.cap_value(info.cap); values && !value.empty()) {
      item += "=" + std::string(value);
    }
    if (u.cap_version >= 302 && !lines.back().empty() && lines.back().size() + 1 + item.size() > kMaxList) {
      lines.emplace_back();
    }
    if (!lines.back().empty()) lines.back() += ' ';
    lines.back() += item;
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i + 1 < lines.size()) {
      e.server_message(u, "CAP", {u.target_name(), sub, "*", lines[i]});
    } else {
      e.server_message(u, "CAP", {u.target_name(), sub, lines[i]});
    }
  }
}

// Applies "cap -cap ..." atomically: all of it, or nothing when any item is unknown.
bool apply_cap_request(const Engine& e, User& u, std::string_view request) {
  CapSet updated = u.caps;
  std::istringstream words{std::string(request)};
  std::string word;
  while (words >> word) {
    bool remove = word.front() == '-';
    auto cap = cap_from_name(remove ? std::string_view(word).substr(1) : std::string_view(word));
    // sts is a policy announcement, never requested (ircv3.net sts: servers MAY NAK it).
    if (!cap || *cap == Cap::kSts || !e.cap_offered(*cap)) return false;
    // A CAP LS 302 client has cap-notify implicitly and may not turn it off (IRCv3 cap-notify).
    if (remove && *cap == Cap::kCapNotify && u.cap_version >= 302) return false;
    updated.set(*cap, !remove);
  }
  u.caps = updated;
  return true;
}

}  // namespace

// CAP LS [version] | CAP LIST | CAP REQ :<caps> | CAP END
void cap(Engine& e, User& u, const proto::Message& m) {
  std::string sub = ascii_upper(m.param(0));
  if (sub == "LS") {
    if (!u.registered) u.cap_negotiating = true;
    if (m.size() > 1) {
      int version = std::atoi(std::string(m.param(1)).c_str());
      if (version >= 302) {
        u.cap_version = 302;
        u.caps.set(Cap::kCapNotify);  // implied by CAP LS 302
      }
    }
    send_cap_list(e, u, "LS", false);
  } else if (sub == "LIST") {
    send_cap_list(e, u, "LIST", true);
  } else if (sub == "REQ") {
    if (!u.registered) u.cap_negotiating = true;
    std::string_view request = m.param(1);
    bool ok = apply_cap_request(e, u, request);
    e.server_message(u, "CAP", {u.target_name(), ok ? "ACK" : "NAK", request});
  } else if (sub == "END") {
    if (!u.registered) {
      if (u.sasl) {  // IRCv3 sasl: registration ends an unfinished exchange
        u.sasl.reset();
        e.reply(u, ERR_SASLABORTED, {"SASL authentication aborted"});
      }
      u.cap_negotiating = false;
      e.complete_registration_if_ready(u);
    }
  } else {
    e.reply(u, ERR_INVALIDCAPCMD, {m.param(0).substr(0, 32), "Invalid CAP command"});
  }
}

// PASS <password>
void pass(Engine& e, User& u, const proto::Message& m) {
  if (u.registered) {
    e.reply(u, ERR_ALREADYREGISTERED, {"You may not reregister"});
    return;
  }
  u.set_pending_password(std::string(m.param(0)));
}

// NICK <nickname>
void nick(Engine& e, User& u, const proto::Message& m) {
  std::string_view wanted = m.param(0);
  if (wanted.empty()) {
    e.reply(u, ERR_NONICKNAMEGIVEN, {"No nickname given"});
    return;
  }
  if (!proto::is_valid_nick(wanted, e.limits().nick_length)) {
    e.reply(u, ERR_ERRONEUSNICKNAME, {wanted.substr(0, 64), "Erroneous nickname"});
    return;
  }
  if (wanted == u.nick) return;
  if (is_nickserv(e, wanted) || is_chanserv(e, wanted)) {
    e.reply(u, ERR_ERRONEUSNICKNAME, {wanted, "Nickname is reserved by a service"});
    return;
  }
  User* holder = e.find_nick(wanted);
  if (holder && holder != &u) {
    e.reply(u, ERR_NICKNAMEINUSE, {wanted, "Nickname is already in use"});
    if (!u.registered) u.set_requested_nick(std::string(wanted));
    return;
  }
  if (!u.requested_nick().empty()) u.set_requested_nick({});
  e.change_nick(u, wanted);
  if (u.registered) check_nick_protection(e, u);
  e.complete_registration_if_ready(u);
}

// USER <username> <mode> <unused> :<realname>
void user(Engine& e, User& u, const proto::Message& m) {
  if (u.registered || u.user_received) {
    e.reply(u, ERR_ALREADYREGISTERED, {"You may not reregister"});
    return;
  }
  std::string name;
  for (char c : m.param(0)) {
    if (c != '@' && c != '!' && static_cast<unsigned char>(c) > ' ') name += c;
  }
  name = name.substr(0, e.limits().user_length - 1);
  if (name.empty()) {
    e.reply(u, ERR_NEEDMOREPARAMS, {"USER", "Not enough parameters"});
    return;
  }
  if (m.param(3).empty()) {  // an empty realname is a missing parameter (modern.ircdocs USER)
    e.reply(u, ERR_NEEDMOREPARAMS, {"USER", "Not enough parameters"});
    return;
  }
  u.username = "~" + name;
  u.update_prefix();
  u.realname = limit_utf8(m.param(3), e.limits().realname_length);
  u.user_received = true;
  e.complete_registration_if_ready(u);
}

// PING <token>
void ping(Engine& e, User& u, const proto::Message& m) {
  e.server_message(u, "PONG", {e.config().server_name, m.param(0)});
}

// PONG [server] <token>: receiving any line already counts as activity.
void pong(Engine&, User&, const proto::Message&) {}

// QUIT [:reason]
void quit(Engine& e, User& u, const proto::Message& m) {
  std::string reason = m.size() ? "Quit: " + limit_utf8(m.param(0), e.limits().kick_length) : "Client Quit";
  e.quit(u, reason);
}

}  // namespace parley::core::commands
