// Applying a peer's lines (link/network.h, docs/linking.md "What crosses a link"). Each handler
// checks its line, applies it through core/remote.h and relays the line it received to the
// links that need it. A line whose source is unknown or not behind the link it came on is
// dropped silently (a race with a QUIT or SQUIT, as InspIRCd treats it); a malformed line ends
// the link.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>

#include "core/channel.h"
#include "core/remote.h"
#include "core/user.h"
#include "link/link_state.h"
#include "link/network.h"

namespace parley::link {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

namespace {

std::optional<std::int64_t> number(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

core::TimePoint at(std::int64_t seconds) { return core::TimePoint(std::chrono::seconds(seconds)); }

}  // namespace

std::optional<std::int64_t> parse_timestamp(std::string_view s) {
  auto v = number(s);
  return v && *v > 0 && *v <= kMaxTimestamp ? v : std::nullopt;
}

Network::Handler Network::find_handler(std::string_view command) {
  static const std::pair<std::string_view, Handler> kHandlers[] = {
      {"ADDLINE", &Network::on_relayed},
      {"ADMIN", &Network::on_query},
      {"AWAY", &Network::on_away},
      {"BURST", &Network::on_burst},
      {"DELLINE", &Network::on_relayed},
      {"ENCAP", &Network::on_encap},
      {"ENDBURST", &Network::on_endburst},
      {"ERROR", &Network::on_error},
      {"FHOST", &Network::on_fhost},
      {"FIDENT", &Network::on_fident},
      {"FJOIN", &Network::on_fjoin},
      {"FMODE", &Network::on_fmode},
      {"FNAME", &Network::on_fname},
      {"FTOPIC", &Network::on_ftopic},
      {"IDLE", &Network::on_idle},
      {"IJOIN", &Network::on_ijoin},
      {"INFO", &Network::on_query},
      {"INVITE", &Network::on_invite},
      {"KICK", &Network::on_kick},
      {"KILL", &Network::on_kill},
      {"METADATA", &Network::on_metadata},
      {"MODE", &Network::on_mode},
      {"MOTD", &Network::on_query},
      {"NICK", &Network::on_nick},
      {"NOTICE", &Network::on_message},
      {"NUM", &Network::on_num},
      {"OPERTYPE", &Network::on_opertype},
      {"PART", &Network::on_part},
      {"PING", &Network::on_ping},
      {"PONG", &Network::on_ignored},
      {"PRIVMSG", &Network::on_message},
      {"QUIT", &Network::on_quit},
      {"RCONNECT", &Network::on_rconnect},
      {"SAVE", &Network::on_save},
      {"SERVER", &Network::on_server},
      {"SINFO", &Network::on_ignored},
      {"SNONOTICE", &Network::on_relayed},
      {"SQUIT", &Network::on_squit},
      {"STATS", &Network::on_query},
      {"SVSNICK", &Network::on_svsnick},
      {"TAGMSG", &Network::on_message},
      {"TIME", &Network::on_query},
      {"UID", &Network::on_uid},
      {"VERSION", &Network::on_query},
      {"WALLOPS", &Network::on_wallops},
      // Understood and deliberately not acted on (docs/linking.md "What crosses a link"): an
      // InspIRCd network routes them here; none may cost the link.
      {"KNOCK", &Network::on_ignored},
      {"MODULES", &Network::on_ignored},
      {"PUSH", &Network::on_ignored},
      {"REHASH", &Network::on_ignored},
      {"RSQUIT", &Network::on_ignored},
      {"SAJOIN", &Network::on_ignored},
      {"SAKICK", &Network::on_ignored},
      {"SAMODE", &Network::on_ignored},
      {"SANICK", &Network::on_ignored},
      {"SAPART", &Network::on_ignored},
      {"SATOPIC", &Network::on_ignored},
      {"SVSHOLD", &Network::on_ignored},
      {"SVSJOIN", &Network::on_ignored},
      {"SVSPART", &Network::on_ignored},
  };
  for (const auto& [name, handler] : kHandlers) {
    if (name == command) return handler;
  }
  return nullptr;
}

void Network::dispatch(Link& l, const proto::Message& m, std::string_view raw) {
  const std::string command = upper(m.command);
  if (command == "ERROR") return on_error(l, m);
  if (l.state == LinkState::kCapab) {
    if (command == "CAPAB") return on_capab(l, m);
    if (command == "SERVER") return on_server_handshake(l, m);
    return drop(l, "Invalid command in negotiation phase: " + command.substr(0, 20));
  }
  if (l.state == LinkState::kWaitBurst && command != "BURST") {
    return drop(l, "You may not re-authenticate or commence netburst without sending BURST.");
  }
  Handler h = find_handler(command);
  if (!h) return drop(l, "Protocol violation: Unknown command: " + command.substr(0, 20));
  raw_ = raw;
  (this->*h)(l, m);
  raw_ = {};
}

// ---- sources and relaying -----------------------------------------------------------------------

core::User* Network::source_user(Link& l, const proto::Message& m) {
  core::User* u = engine_.find_uid(m.source);
  if (!u || !u->remote || u->server->route != l.id || u->quitting) return nullptr;
  return u;
}

core::ServerInfo* Network::source_server(Link& l, const proto::Message& m) {
  if (m.source.empty()) return l.server;
  core::ServerInfo* s = engine_.find_server(m.source);
  if (!s) s = engine_.find_server_by_name(m.source);
  if (!s || s->route != l.id) return nullptr;
  return s;
}

void Network::relay(const Link& from) {
  if (raw_.empty()) return;
  broadcast(std::string(raw_) + "\r\n", &from);
}

void Network::on_relayed(Link& l, const proto::Message&) { relay(l); }

bool Network::need(Link& l, const proto::Message& m, std::size_t params) {
  if (m.size() >= params) return true;
  drop(l, "Protocol violation: Insufficient parameters for " + upper(m.command).substr(0, 20));
  return false;
}

// ---- servers ------------------------------------------------------------------------------------

void Network::on_burst(Link& l, const proto::Message&) {
  if (l.state == LinkState::kWaitBurst) {
    l.state = LinkState::kBursting;
    l.burst_started = engine_.now();
    send_burst(l);  // the accepting side bursts once the connector has started
  }
}

void Network::on_endburst(Link& l, const proto::Message& m) {
  if (source_server(l, m) == l.server && l.state == LinkState::kBursting) {
    l.state = LinkState::kLinked;
    ++bursts_.completed;
    bursts_.last = engine_.now() - l.burst_started;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(engine_.now() - l.since).count();
    event(l, l.server->name + " finished its burst, " + std::to_string(ms) + " ms after connecting");
  }
  relay(l);
}

void Network::on_error(Link& l, const proto::Message& m) {
  LinkId id = l.id;
  std::string reason = "Remote error: " + std::string(m.param(0).substr(0, 300));
  forget(l, reason);
  transport_.close(id, reason);
}

void Network::on_ping(Link& l, const proto::Message& m) {
  core::ServerInfo* from = source_server(l, m);
  if (!from) return;
  std::string_view target = m.param(m.size() > 1 ? 1 : 0);
  const std::string& me = engine_.local_server().sid;
  if (target.empty() || target == me || target == engine_.local_server().name) {
    send(l, line_from(me, "PONG", {from->sid}, false));
  } else if (core::ServerInfo* t = engine_.find_server(target); t && t->route != l.id) {
    if (Link* next = find_link(t->route)) send(*next, std::string(raw_) + "\r\n");
  }
}

// :<parent-sid> SERVER <name> <sid> [<key=value>...] :<description>
void Network::on_server(Link& l, const proto::Message& m) {
  if (!need(l, m, 3)) return;
  core::ServerInfo* parent = source_server(l, m);
  if (!parent) return;
  std::string_view name = m.param(0), sid = m.param(1), description = m.param(m.size() - 1);
  if (!l.peer_is_hub)
    return drop(l, "Protocol violation: " + l.server->name + " is a leaf and introduced " +
                       std::string(name.substr(0, 64)));
  if (!core::valid_sid(sid))
    return drop(l, "Invalid format server ID: " + std::string(sid.substr(0, 10)) + "!");
  if (engine_.find_server(sid) || engine_.find_server_by_name(name)) {
    return drop(l, "Server " + std::string(name.substr(0, 64)) + " (" + std::string(sid) +
                       ") already exists: a loop in the tree");
  }
  engine_.add_server(*parent, std::string(sid), std::string(name), std::string(description), l.id);
  relay(l);
}

// :<source> SQUIT <sid-or-name> :<reason>
void Network::on_squit(Link& l, const proto::Message& m) {
  if (!need(l, m, 1)) return;
  core::ServerInfo* s = engine_.find_server(m.param(0));
  if (!s) s = engine_.find_server_by_name(m.param(0));
  if (!s || s->route != l.id) return;
  if (s == l.server) {  // the peer leaves
    LinkId id = l.id;
    forget(l, "Remote SQUIT: " + std::string(m.param(1).substr(0, 300)));
    transport_.close(id, "SQUIT");
    return;
  }
  relay(l);
  engine_.split_server(*s);
  fail_orphaned_requests();
}

// ENCAP <target-sid|*> <command> ...: Parley's account relay (link/account_relay.h) for this
// server; anything else is relayed towards its target, and ignored here.
void Network::on_encap(Link& l, const proto::Message& m) {
  if (!need(l, m, 2)) return;
  std::string_view target = m.param(0);
  if (target.find_first_of("*?") != std::string_view::npos) return relay(l);
  if (target == engine_.local_server().sid) {
    core::ServerInfo* origin = source_server(l, m);
    if (!origin || m.size() < 4) return;
    if (m.param(1) == "PARLEYACCT") on_account_request(l, m, origin->sid);
    if (m.param(1) == "PARLEYACCTA") on_account_answer(m);
    return;
  }
  core::ServerInfo* t = engine_.find_server(target);
  if (t && t->route != l.id && t->route != 0) {
    if (Link* next = find_link(t->route)) send(*next, std::string(raw_) + "\r\n");
  }
}

// ---- users --------------------------------------------------------------------------------------

// :<sid> UID <uuid> <nickTS> <nick> <realhost> <displayedhost> <ident> <ip> <signonTS> +<modes>
//   [<mode params>...] :<realname>
void Network::on_uid(Link& l, const proto::Message& m) {
  if (!need(l, m, 10)) return;
  core::ServerInfo* s = source_server(l, m);
  if (!s) return;
  std::string_view uid = m.param(0), nick = m.param(2);
  auto nick_ts = parse_timestamp(m.param(1)), signon = parse_timestamp(m.param(7));
  if (!core::valid_uid(uid) || uid.substr(0, 3) != s->sid)
    return drop(l, "Protocol violation: Bogus UUID " + std::string(uid.substr(0, 20)));
  if (!nick_ts || !signon) return drop(l, "Protocol violation: Invalid timestamp in UID");
  if (engine_.find_uid(uid))
    return drop(l, "Protocol violation: UUID " + std::string(uid) + " already in use");
  bool saved = nick == uid;
  if (!saved && !proto::is_valid_nick(nick, 64))
    return drop(l, "Protocol violation: Invalid nick " + std::string(nick.substr(0, 64)));

  auto u = std::make_unique<core::User>();
  u->uid = std::string(uid);
  u->nick_ts = *nick_ts;
  u->cloak = std::string(m.param(3));
  u->host = std::string(m.param(4));
  u->username = std::string(m.param(5));
  u->address = std::string(m.param(6));
  if (!u->address.empty() && u->address.front() == ':') u->address.insert(0, "0");
  u->connected_at = u->last_activity = u->last_message = at(*signon);
  u->realname = std::string(m.param(m.size() - 1));
  for (char mode : m.param(8)) {
    if (mode == 'i') u->invisible = true;
    if (mode == 'w') u->wallops = true;
    if (mode == 'B') u->bot = true;
  }
  std::string nick_used(nick);
  if (!saved && !settle_collision(l, nick, *nick_ts, u->username, u->address, uid)) {
    nick_used = std::string(uid);  // the incoming user lost: it arrives renamed, as the SAVE says
    u->nick_ts = kSavedTs;
  }
  u->nick = nick_used;
  core::User& added = engine_.add_remote_user(*s, std::move(u));
  if (nick_used == nick) {
    relay(l);
  } else {
    broadcast(uid_line(added), &l);
  }
}

bool Network::settle_collision(Link& l, std::string_view nick, std::int64_t ts, std::string_view username,
                               std::string_view ip, std::string_view uid) {
  core::User* ours = engine_.find_nick(nick);
  if (!ours || ours->uid == uid) return true;
  if (!ours->registered) {  // a local client still registering just loses the nick
    engine_.change_nick(*ours, ours->uid);
    return true;
  }
  auto loser = core::remote::nick_collision({ours->nick_ts, ours->username, ours->ip()}, {ts, username, ip});
  if (loser != core::remote::CollisionLoser::kTheirs) save_user(*ours);
  if (loser == core::remote::CollisionLoser::kOurs) return true;
  // Theirs changes: its server hears SAVE; every other server gets the user already renamed.
  send(l, line_from(engine_.local_server().sid, "SAVE", {uid, std::to_string(ts)}, false));
  return false;
}

void Network::save_user(core::User& u) {
  const std::string old_ts = std::to_string(u.nick_ts);
  // This server's own doing, so every link hears it, the one being applied included. (The engine's
  // observer calls stay quiet meanwhile: applying_ is set.)
  broadcast(line_from(engine_.local_server().sid, "SAVE", {u.uid, old_ts}, false), nullptr);
  core::remote::nick(engine_, u, u.uid, kSavedTs);
  if (!u.remote) broadcast(line_from(u.uid, "NICK", {u.uid, std::to_string(kSavedTs)}, false), nullptr);
}

// :<uuid> NICK <newnick> <ts>
void Network::on_nick(Link& l, const proto::Message& m) {
  if (!need(l, m, 2)) return;
  core::User* u = source_user(l, m);
  if (!u) return;
  std::string_view nick = m.param(0);
  auto ts = parse_timestamp(m.param(1));
  if (!ts) return drop(l, "Protocol violation: Invalid timestamp in NICK");
  if (nick == u->nick) return relay(l);
  if (nick == u->uid) {
    core::remote::nick(engine_, *u, nick, *ts);
    return relay(l);
  }
  if (!proto::is_valid_nick(nick, 64))
    return drop(l, "Protocol violation: Invalid nick " + std::string(nick.substr(0, 64)));
  if (core::User* other = engine_.find_nick(nick); other && other != u) {
    if (!settle_collision(l, nick, *ts, u->username, u->address, u->uid)) {
      core::remote::nick(engine_, *u, u->uid, kSavedTs);  // it lost: renamed to its UID instead
      broadcast(line_from(u->uid, "NICK", {u->uid, std::to_string(kSavedTs)}, false), &l);
      return;
    }
  }
  core::remote::nick(engine_, *u, nick, *ts);
  relay(l);
}

// :<sid> SAVE <uuid> <ts>: rename the user to its UID if its nick still has that timestamp.
void Network::on_save(Link& l, const proto::Message& m) {
  if (!need(l, m, 2)) return;
  if (!source_server(l, m)) return;
  core::User* u = engine_.find_uid(m.param(0));
  auto ts = parse_timestamp(m.param(1));
  if (!u || !ts || u->nick_ts != *ts || u->nick == u->uid) return;
  relay(l);
  core::remote::nick(engine_, *u, u->uid, kSavedTs);
  if (!u->remote) broadcast(line_from(u->uid, "NICK", {u->uid, std::to_string(kSavedTs)}, false), nullptr);
}

void Network::on_quit(Link& l, const proto::Message& m) {
  core::User* u = source_user(l, m);
  if (!u) return;
  relay(l);
  engine_.quit(*u, m.param(0), {}, false);
}

// :<source> KILL <uuid> :<reason, formatted "Killed (<killer> (<why>))">
void Network::on_kill(Link& l, const proto::Message& m) {
  if (!need(l, m, 2)) return;
  core::User* victim = engine_.find_uid(m.param(0));
  if (!victim || victim->quitting) return;
  if (!source_user(l, m) && !source_server(l, m)) return;
  relay(l);
  engine_.quit(*victim, m.param(1), m.param(1), !victim->remote);
}

void Network::on_opertype(Link& l, const proto::Message& m) {
  core::User* u = source_user(l, m);
  if (!u) return;
  engine_.set_remote_oper(*u, std::string(m.param(0).empty() ? "oper" : m.param(0).substr(0, 64)));
  relay(l);
}

// :<uuid> MODE <uuid> <modes>: user modes. Ours (B i o w) are applied; others are ignored.
void Network::on_mode(Link& l, const proto::Message& m) {
  if (!need(l, m, 2)) return;
  core::User* u = source_user(l, m);
  core::User* target = engine_.find_uid(m.param(0));
  if (!u || target != u) return;
  bool plus = true;
  for (char c : m.param(1)) {
    if (c == '+' || c == '-') plus = c == '+';
    if (c == 'i') engine_.set_remote_invisible(*u, plus);
    if (c == 'w') u->wallops = plus;
    if (c == 'B') u->bot = plus;
    if (c == 'o' && !plus) engine_.set_remote_oper(*u, {});
  }
  relay(l);
}

void Network::on_away(Link& l, const proto::Message& m) {
  core::User* u = source_user(l, m);
  if (!u) return;
  core::remote::away(engine_, *u, m.size() ? m.param(m.size() - 1) : std::string_view{});
  relay(l);
}

// :<sid> METADATA <uuid> <key> :<value> (users); channel and network metadata are relayed only.
void Network::on_metadata(Link& l, const proto::Message& m) {
  if (!need(l, m, 2)) return;
  if (!source_server(l, m) && !source_user(l, m)) return;
  if (core::User* u = engine_.find_uid(m.param(0)); u && u->remote && u->server->route == l.id) {
    if (m.param(1) == "accountname") core::remote::account(engine_, *u, m.size() > 2 ? m.param(2) : "");
  }
  relay(l);
}

void Network::on_fhost(Link& l, const proto::Message& m) {
  core::User* u = source_user(l, m);
  if (!u || !need(l, m, 1)) return;
  core::remote::host(engine_, *u, m.param(0).substr(0, 64));
  relay(l);
}

void Network::on_fident(Link& l, const proto::Message& m) {
  core::User* u = source_user(l, m);
  if (!u || !need(l, m, 1)) return;
  u->username = std::string(m.param(0).substr(0, 16));
  u->update_prefix();
  relay(l);
}

void Network::on_fname(Link& l, const proto::Message& m) {
  core::User* u = source_user(l, m);
  if (!u || !need(l, m, 1)) return;
  core::remote::realname(engine_, *u, m.param(0));
  relay(l);
}

}  // namespace parley::link
