// Server bans (core/server_bans.h): KLINE, DLINE, UNKLINE, UNDLINE, and their STATS lists.
//   KLINE <user@host | nick> <duration> [<reason>]   duration: 0 (permanent), 3600, 1d12h, ...
//   DLINE <address[/prefix] | nick> <duration> [<reason>]
//   UNKLINE <user@host>   UNDLINE <address[/prefix]>
// A nick stands for that user's address: *@<ip> for a K-line, <ip> for a D-line. A ban that
// would match the operator setting it is refused.
#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

void add_ban(Engine& e, User& u, const proto::Message& m, ServerBan::Kind kind) {
  const std::string_view command = ban_command(kind);
  std::string_view given = m.param(0);
  std::string from_nick;
  if (User* t = e.find_nick(given); t && t->registered && given.find_first_of("@.:*?/") == std::string_view::npos) {
    from_nick = kind == ServerBan::Kind::kUserHost ? "*@" + std::string(t->ip()) : std::string(t->ip());
    given = from_nick;
  }
  std::string why;
  auto mask = kind == ServerBan::Kind::kUserHost ? normalise_kline_mask(given, why) : normalise_dline_mask(given, why);
  if (!mask) {
    e.fail(u, command, "INVALID_MASK", {given.substr(0, 64), why});
    return;
  }
  auto duration = parse_duration(m.param(1));
  if (!duration) {
    e.fail(u, command, "INVALID_DURATION",
           {m.param(1).substr(0, 32), "a duration is 0 (permanent), seconds, or units such as 1d12h (y w d h m s)"});
    return;
  }
  ServerBan ban;
  ban.kind = kind;
  ban.mask = *mask;
  ban.reason = m.size() > 2 && !m.param(2).empty() ? limit_utf8(m.param(2), e.limits().kick_length)
                                                    : std::string("No reason given");
  ban.set_by = u.prefix();
  ban.set_at = e.unix_now();
  ban.expires_at = *duration ? ban.set_at + *duration : 0;
  // Never lock out the operator who is setting it (a typo in a mask would otherwise end the session
  // and, stored, every later one).
  ServerBanList self_check;
  self_check.add(ban);
  const bool hits_self = kind == ServerBan::Kind::kUserHost
                             ? self_check.match_user(u.username, u.host, u.ip(), ban.set_at) != nullptr
                             : self_check.match_address(u.ip(), ban.set_at) != nullptr;
  if (hits_self) {
    e.fail(u, command, "WOULD_BAN_SELF", {ban.mask, "the " + std::string(command) + " on " + ban.mask +
                                                         " would match you; it was not added"});
    return;
  }
  const bool replaced = e.server_bans().find(kind, ban.mask) != nullptr;
  const std::string shown = ban.mask, expiry = ban.expires_at ? "for " + format_duration(*duration) : "permanently";
  const std::size_t removed = e.add_server_ban(std::move(ban), u);
  e.server_message(u, "NOTICE", {u.nick, "*** " + std::string(command) + (replaced ? " updated on " : " added on ") +
                                             shown + " " + expiry + "; " + std::to_string(removed) +
                                             (removed == 1 ? " user" : " users") + " disconnected"});
}

void remove_ban(Engine& e, User& u, const proto::Message& m, ServerBan::Kind kind) {
  const std::string_view command = kind == ServerBan::Kind::kUserHost ? "UNKLINE" : "UNDLINE";
  std::string why;
  // The mask as it was stored: "host" means "*@host", a plain address its /32 or /128 block.
  auto mask = kind == ServerBan::Kind::kUserHost ? normalise_kline_mask(m.param(0), why)
                                                 : normalise_dline_mask(m.param(0), why);
  const std::string wanted = mask ? *mask : std::string(m.param(0));
  if (!e.remove_server_ban(kind, wanted, u)) {
    e.fail(u, command, "NO_SUCH_BAN",
           {wanted.substr(0, 64), "there is no " + std::string(ban_command(kind)) + " on " + wanted.substr(0, 64)});
    return;
  }
  e.server_message(u, "NOTICE", {u.nick, "*** " + std::string(ban_command(kind)) + " on " + wanted + " removed"});
}

}  // namespace

void kline(Engine& e, User& u, const proto::Message& m) { add_ban(e, u, m, ServerBan::Kind::kUserHost); }
void dline(Engine& e, User& u, const proto::Message& m) { add_ban(e, u, m, ServerBan::Kind::kAddress); }
void unkline(Engine& e, User& u, const proto::Message& m) { remove_ban(e, u, m, ServerBan::Kind::kUserHost); }
void undline(Engine& e, User& u, const proto::Message& m) { remove_ban(e, u, m, ServerBan::Kind::kAddress); }

void stats_server_bans(Engine& e, User& u, ServerBan::Kind kind) {
  const std::int64_t now = e.unix_now();
  for (const ServerBan& b : e.server_bans().all()) {
    if (b.kind != kind || b.expired(now)) continue;
    const std::string left = b.expires_at ? std::to_string(b.expires_at - now) : "0";
    if (kind == ServerBan::Kind::kUserHost) {
      e.reply(u, RPL_STATSKLINE, {"K", b.mask, left, b.set_by, b.reason});
    } else {
      e.reply(u, RPL_STATSDLINE, {"D", b.mask, left, b.set_by, b.reason});
    }
  }
}

}  // namespace parley::core::commands
