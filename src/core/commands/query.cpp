// Information queries: WHO (with WHOX), WHOIS, WHOWAS, ISON, USERHOST, MOTD, LUSERS, VERSION, TIME,
// ADMIN, INFO.
#include <algorithm>
#include <ctime>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/login.h"
#include "core/numerics.h"
#include "core/text.h"
#include "core/whox.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

// Commands that take an optional <server> answer 402 for any server but this one.
bool for_this_server(Engine& e, User& u, const proto::Message& m, std::size_t index) {
  if (m.size() <= index) return true;
  const std::string& name = e.config().server_name;
  if (proto::match_mask(m.param(index), name, proto::Casemapping::kAscii) || e.find_nick(m.param(index)))
    return true;
  e.reply(u, ERR_NOSUCHSERVER, {m.param(index).substr(0, 64), "No such server"});
  return false;
}

// H (here) or G (gone), then * (operator), B (bot), and the channel prefixes.
std::string who_flags(const User& viewer, const User& t, std::uint8_t flags) {
  std::string status = t.away.empty() ? "H" : "G";
  if (t.is_oper()) status += '*';
  if (t.bot) status += 'B';
  status += prefix_string(flags, viewer.caps.has(Cap::kMultiPrefix));
  return status;
}

// The account field of WHOX: "0" while logged out.
std::string_view whox_account(const User& t) {
  return t.account().empty() ? std::string_view("0") : t.account();
}

// One RPL_WHOSPCRPL (354) with exactly the requested fields, in the spec's order.
void whox_reply(Engine& e, User& u, const WhoOptions& o, std::string_view channel, User& t,
                std::uint8_t flags) {
  std::string line;
  proto::LineBuilder b(line);
  b.source(e.config().server_name).command(RPL_WHOSPCRPL).param(u.target_name());
  std::string idle, status;
  for (char field : kWhoxFieldOrder) {
    if (!o.has(field)) continue;
    switch (field) {
      case 't': b.param(o.token.empty() ? std::string_view("0") : o.token); break;
      case 'c': b.param(channel); break;
      case 'u': b.param(t.username); break;
      // The real address only to operators and the user: after CHGHOST the host hides it.
      case 'i': b.param(u.is_oper() || &u == &t || t.host == t.address ? t.ip() : "255.255.255.255"); break;
      case 'h': b.param(t.host); break;
      case 's': b.param(e.config().server_name); break;
      case 'n': b.param(t.nick); break;
      case 'f': b.param(status = who_flags(u, t, flags)); break;
      case 'd': b.param("0"); break;  // hop count: this server
      case 'l':
        idle = std::to_string(std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::seconds>(e.now() - t.last_message).count()));
        b.param(idle);
        break;
      case 'a': b.param(whox_account(t)); break;
      case 'o': b.param("n/a"); break;  // no channel op levels
      case 'r': b.trailing(t.realname); break;
    }
  }
  b.finish();
  e.send(u, std::move(line));
}

void who_reply(Engine& e, User& u, const WhoOptions& o, std::string_view channel, User& t,
               std::uint8_t flags) {
  if (o.whox) {
    whox_reply(e, u, o, channel, t, flags);
    return;
  }
  e.reply(u, RPL_WHOREPLY,
          {channel, t.username, t.host, e.config().server_name, t.nick, who_flags(u, t, flags),
           "0 " + t.realname});
}

// A WHO line for `t` found by nick or mask rather than by channel: the channel field names the
// first channel of theirs `u` may see, "*" when there is none (RFC 2812 3.6.1).
void who_user_reply(Engine& e, User& u, const WhoOptions& o, User& t) {
  auto shared =
      std::find_if(t.channels.begin(), t.channels.end(), [&](Channel* c) { return !c->secret || c->has(u); });
  who_reply(e, u, o, shared == t.channels.end() ? "*" : std::string_view((*shared)->name), t,
            shared == t.channels.end() ? 0 : (*shared)->flags(t));
}

}  // namespace

// WHO <mask> [o][%<fields>[,<token>]]
void who(Engine& e, User& u, const proto::Message& m) {
  std::string_view mask = m.size() ? m.param(0) : std::string_view{"*"};
  WhoOptions o = parse_who_options(m.param(1));
  bool opers_only = o.opers_only;
  if (proto::is_channel_name(mask)) {
    Channel* c = e.find_channel(mask);
    if (c && (!c->secret || c->has(u) || u.is_oper())) {
      bool member = c->has(u);
      for (auto& [t, flags] : c->members) {
        if ((!member && !e.sees_user(u, *t)) || (opers_only && !t->is_oper())) continue;
        who_reply(e, u, o, c->name, *t, flags);
      }
    }
  } else if (User* exact = mask.find_first_of("*?") == std::string_view::npos ? e.find_nick(mask) : nullptr;
             exact && exact->registered) {
    // An exact nick is an explicit question about one user: answered even when +i hides them.
    if (!opers_only || exact->is_oper()) who_user_reply(e, u, o, *exact);
  } else {
    bool all = mask == "*" || mask == "0" || mask.empty();
    for (auto& [id, t] : e.users()) {
      if (!t->registered || !e.sees_user(u, *t) || (opers_only && !t->is_oper())) continue;
      auto cm = e.casemapping();
      // Operators may also look users up by real IP; others only by what they are shown.
      if (!all && !proto::match_mask(mask, t->nick, cm) && !proto::match_mask(mask, t->host, cm) &&
          !proto::match_mask(mask, t->realname, cm) && !proto::match_mask(mask, t->username, cm) &&
          !(u.is_oper() && proto::match_mask(mask, t->ip(), cm))) {
        continue;
      }
      who_user_reply(e, u, o, *t);
    }
  }
  e.reply(u, RPL_ENDOFWHO, {mask.substr(0, 64), "End of WHO list"});
}

// WHOIS [<server>] <nick>
void whois(Engine& e, User& u, const proto::Message& m) {
  std::string_view nick = m.size() > 1 ? m.param(1) : m.param(0);
  auto list = split_list(nick);
  nick = list.empty() ? nick : list.front();
  User* t = e.find_nick(nick);
  if (!t && (is_nickserv(e, nick) || is_chanserv(e, nick))) {  // the services, pseudo-users
    const std::string& server = e.config().server_name;
    const bool ns = is_nickserv(e, nick);
    std::string_view name = ns ? kNickServ : kChanServ;
    e.reply(u, RPL_WHOISUSER,
            {name, name, "services." + server, "*", ns ? "Account service" : "Channel service"});
    e.reply(u, RPL_WHOISSERVER, {name, server, e.config().server_description});
    e.reply(u, RPL_ENDOFWHOIS, {name, "End of /WHOIS list"});
    return;
  }
  if (!t || !t->registered) {
    e.reply(u, ERR_NOSUCHNICK, {nick.substr(0, 64), "No such nick/channel"});
    e.reply(u, RPL_ENDOFWHOIS, {nick.substr(0, 64), "End of /WHOIS list"});
    return;
  }
  e.reply(u, RPL_WHOISUSER, {t->nick, t->username, t->host, "*", t->realname});
  std::string chans;
  for (Channel* c : t->channels) {
    if ((c->secret || c->private_) && !c->has(u) && !u.is_oper()) continue;
    std::string entry = prefix_string(c->flags(*t), u.caps.has(Cap::kMultiPrefix)) + c->name;
    if (chans.size() + entry.size() > 400) {
      e.reply(u, RPL_WHOISCHANNELS, {t->nick, chans});
      chans.clear();
    }
    if (!chans.empty()) chans += ' ';
    chans += entry;
  }
  if (!chans.empty()) e.reply(u, RPL_WHOISCHANNELS, {t->nick, chans});
  e.reply(u, RPL_WHOISSERVER, {t->nick, t->server->name, t->server->description});
  // The real address, when the host hides it (a cloak, an account host, CHGHOST): only to the
  // user and to operators.
  if ((&u == t || u.is_oper()) && t->host != t->ip()) {
    std::string ip(t->ip());
    e.reply(u, RPL_WHOISHOST, {t->nick, "is connecting from *@" + ip + " " + ip});
  }
  if (t->secure) e.reply(u, RPL_WHOISSECURE, {t->nick, "is using a secure connection"});
  if ((&u == t || u.is_oper()) && !t->certfp().empty())
    e.reply(u, RPL_WHOISCERTFP, {t->nick, "has client certificate fingerprint " + t->certfp()});
  if (!t->away.empty()) e.reply(u, RPL_AWAY, {t->nick, t->away});
  if (t->is_oper()) e.reply(u, RPL_WHOISOPERATOR, {t->nick, "is an IRC operator"});
  if (t->bot) e.reply(u, RPL_WHOISBOT, {t->nick, "is a bot on " + e.config().network_name});
  if (!t->account().empty()) e.reply(u, RPL_WHOISACCOUNT, {t->nick, t->account(), "is logged in as"});
  auto idle = std::chrono::duration_cast<std::chrono::seconds>(e.now() - t->last_message).count();
  e.reply(u, RPL_WHOISIDLE,
          {t->nick, std::to_string(std::max<long long>(0, idle)), unix_seconds(t->connected_at),
           "seconds idle, signon time"});
  send_whois_metadata(e, u, *t);
  e.reply(u, RPL_ENDOFWHOIS, {t->nick, "End of /WHOIS list"});
}

// WHOWAS <nick> [<count>]
void whowas(Engine& e, User& u, const proto::Message& m) {
  std::string_view nick = m.param(0);
  long count = m.size() > 1 ? std::atol(std::string(m.param(1)).c_str()) : 0;
  std::string folded = e.fold(nick);
  long found = 0;
  for (const WhowasEntry& w : e.whowas()) {
    if (w.nick_folded != folded) continue;
    e.reply(u, RPL_WHOWASUSER, {w.nick, w.username, w.host, "*", w.realname});
    e.reply(u, RPL_WHOISSERVER, {w.nick, e.config().server_name, format_server_time(w.when)});
    if (++found == count && count > 0) break;
  }
  if (found == 0) e.reply(u, ERR_WASNOSUCHNICK, {nick.substr(0, 64), "There was no such nickname"});
  e.reply(u, RPL_ENDOFWHOWAS, {nick.substr(0, 64), "End of WHOWAS"});
}

// ISON <nick>{ <nick>}
void ison(Engine& e, User& u, const proto::Message& m) {
  std::string online;
  for (std::size_t i = 0; i < m.size(); ++i) {
    for (std::string_view nick : split_words(m.param(i))) {
      User* t = e.find_nick(nick);
      if (!t || !t->registered) continue;
      if (!online.empty()) online += ' ';
      online += t->nick;
      if (online.size() > 400) break;
    }
  }
  e.reply(u, RPL_ISON, {online});
}

// USERHOST <nick>{ <nick>} (at most 5)
void userhost(Engine& e, User& u, const proto::Message& m) {
  std::string out;
  for (std::size_t i = 0; i < m.size() && i < 5; ++i) {
    User* t = e.find_nick(m.param(i));
    if (!t || !t->registered) continue;
    if (!out.empty()) out += ' ';
    out += t->nick + (t->is_oper() ? "*" : "") + "=" + (t->away.empty() ? "+" : "-") + t->username + "@" +
           t->host;
  }
  e.reply(u, RPL_USERHOST, {out});
}

// MOTD [<server>]
void motd(Engine& e, User& u, const proto::Message& m) {
  if (for_this_server(e, u, m, 0)) e.send_motd(u);
}

// LUSERS
void lusers(Engine& e, User& u, const proto::Message&) { e.send_lusers(u); }

// VERSION [<server>]
void version(Engine& e, User& u, const proto::Message& m) {
  if (!for_this_server(e, u, m, 0)) return;
  e.reply(u, RPL_VERSION, {e.config().version, e.config().server_name, "Parley IRC server"});
  e.send_isupport(u);
}

// TIME [<server>]
void time(Engine& e, User& u, const proto::Message& m) {
  if (!for_this_server(e, u, m, 0)) return;
  std::time_t t = Clock::to_time_t(e.now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%A %B %d %Y -- %H:%M:%S +00:00", &tm);
  e.reply(u, RPL_TIME, {e.config().server_name, text});
}

// ADMIN [<server>]
void admin(Engine& e, User& u, const proto::Message& m) {
  if (!for_this_server(e, u, m, 0)) return;
  const auto& info = e.config().admin_info;
  e.reply(u, RPL_ADMINME, {e.config().server_name, "Administrative info"});
  e.reply(u, RPL_ADMINLOC1, {info.size() > 0 ? info[0] : ""});
  e.reply(u, RPL_ADMINLOC2, {info.size() > 1 ? info[1] : ""});
  e.reply(u, RPL_ADMINEMAIL, {info.size() > 2 ? info[2] : ""});
}

// INFO [<server>]
void info(Engine& e, User& u, const proto::Message& m) {
  if (!for_this_server(e, u, m, 0)) return;
  const std::string lines[] = {
      e.config().version,
      "Parley: an IRC server, terminal client, peer-to-peer and talk chat in one program.",
      "Speaks the modern IRC client protocol and IRCv3 capabilities.",
      "Server started " + e.config().created,
  };
  for (const auto& line : lines) e.reply(u, RPL_INFO, {line});
  e.reply(u, RPL_ENDOFINFO, {"End of /INFO list"});
}

}  // namespace parley::core::commands
