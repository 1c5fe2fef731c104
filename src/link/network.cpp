// The Network's links, output and the engine's changes as lines (link/network.h).
#include "link/network.h"

#include <algorithm>
#include <charconv>

#include "core/channel.h"
#include "core/remote.h"
#include "core/snomask.h"
#include "core/text.h"
#include "core/user.h"
#include "link/account_relay.h"
#include "link/link_state.h"

namespace parley::link {

Network::Network(core::Engine& engine, LinkTransport& transport, NetworkConfig config)
    : engine_(engine), transport_(transport), config_(std::move(config)) {
  engine_.set_network(this);
}

Network::~Network() { engine_.set_network(nullptr); }

// ---- entry points -------------------------------------------------------------------------------

void Network::link_connected(LinkId id, bool outbound, std::string_view block, TimePoint now) {
  engine_.apply(now, [&] {
    auto l = std::make_unique<Link>();
    l->id = id;
    l->outbound = outbound;
    l->block = std::string(block);
    l->since = l->last_rx = now;
    Link& link = *l;
    links_.emplace(id, std::move(l));
    send_capab(link);
  });
}

void Network::link_secured(LinkId id, std::string certfp) {
  if (Link* l = find_link(id)) {
    l->secure = true;
    l->certfp = std::move(certfp);
  }
}

void Network::link_line(LinkId id, std::string_view line, TimePoint now) {
  engine_.apply(now, [&] {
    Link* l = find_link(id);
    if (!l) return;
    l->last_rx = now;
    l->ping_sent = {};
    ++l->lines_in;
    if (line.find('\0') != std::string_view::npos) return drop(*l, "Protocol violation: NUL byte in a line");
    auto parsed = proto::parse_message(line);
    if (!parsed.message) {
      if (parsed.error == proto::ParseError::kEmpty) return;
      return drop(*l,
                  "Protocol violation: malformed line (" + std::string(proto::to_string(parsed.error)) + ")");
    }
    applying_ = l;
    dispatch(*l, *parsed.message, line);
    applying_ = nullptr;
  });
}

void Network::link_closed(LinkId id, std::string_view reason, TimePoint now) {
  engine_.apply(now, [&] {
    if (Link* l = find_link(id)) forget(*l, reason);
  });
}

void Network::tick(TimePoint now) {
  engine_.apply(now, [&] {
    std::vector<std::pair<Link*, std::string>> dead;
    for (auto& [id, l] : links_) {
      if (l->state == LinkState::kCapab || l->state == LinkState::kWaitBurst) {
        if (now - l->since >= config_.handshake_timeout) dead.emplace_back(l.get(), "Handshake timed out");
      } else if (l->ping_sent != TimePoint{}) {
        if (now - l->ping_sent >= config_.ping_timeout) dead.emplace_back(l.get(), "Ping timeout");
      } else if (now - l->last_rx >= config_.ping_interval) {
        send(*l, line_from(engine_.local_server().sid, "PING", {l->server->sid}, false));
        l->ping_sent = now;
      }
    }
    for (auto& [l, why] : dead) drop(*l, why);
  });
}

void Network::shutdown(std::string_view reason) {
  engine_.apply(engine_.now(), [&] {
    while (!links_.empty()) drop(*links_.begin()->second, reason);
  });
}

std::string Network::connect_server(std::string_view name) {
  if (!find_block(name)) return "no [[link]] block names " + std::string(name);
  if (linked_to(name)) return "already linked to " + std::string(name);
  if (!dialer_) return "this server cannot dial out";
  return dialer_(name);
}

std::string Network::squit_server(std::string_view name, std::string_view reason) {
  for (auto& [id, l] : links_) {
    if (l->server && proto::equal_folded(l->server->name, name, proto::Casemapping::kAscii)) {
      std::string peer = l->server->name;
      drop(*l, reason);
      return "link to " + peer + " closed";
    }
  }
  if (engine_.find_server_by_name(name)) return std::string(name) + " is not linked to this server directly";
  return "not linked to " + std::string(name);
}

std::vector<std::string> Network::reconfigure(NetworkConfig config, std::string_view reason) {
  config_ = std::move(config);
  std::vector<LinkId> gone;
  std::vector<std::string> names;
  for (const auto& [id, l] : links_) {
    // An inbound link that has not named itself yet meets the new blocks at its SERVER line.
    const std::string& name = l->server ? l->server->name : l->block;
    if (!name.empty() && !find_block(name)) {
      gone.push_back(id);
      names.push_back(name);
    }
  }
  for (LinkId id : gone) {
    if (Link* l = find_link(id)) drop(*l, reason);
  }
  return names;
}

bool Network::configured(std::string_view server) const { return find_block(server) != nullptr; }

bool Network::linked_to(std::string_view server) const {
  return std::any_of(links_.begin(), links_.end(), [&](const auto& p) {
    const std::string& name = p.second->server ? p.second->server->name : p.second->block;
    return proto::equal_folded(name, server, proto::Casemapping::kAscii);
  });
}

std::vector<LinkStatus> Network::links() const {
  std::vector<LinkStatus> out;
  for (const auto& [id, l] : links_) {
    out.push_back(LinkStatus{id, l->server ? l->server->name : l->block, l->state, l->outbound, l->since,
                             l->lines_in, l->lines_out});
  }
  return out;
}

const LinkBlock* Network::find_block(std::string_view name) const {
  for (const LinkBlock& b : config_.links) {
    if (proto::equal_folded(b.name, name, proto::Casemapping::kAscii)) return &b;
  }
  return nullptr;
}

// ---- ending links -------------------------------------------------------------------------------

void Network::event(const Link& l, std::string_view what) {
  transport_.link_event(l.id, what);
  engine_.notify_opers(core::snomask::kLink, "Link: " + std::string(what));
}

void Network::drop(Link& l, std::string_view reason) {
  event(l, (l.server ? "closing the link to " + l.server->name : std::string("refusing a link")) + ": " +
               std::string(reason));
  send(l, "ERROR :" + std::string(reason) + "\r\n");
  LinkId id = l.id;
  forget(l, reason);
  transport_.close(id, reason);
}

void Network::forget(Link& l, std::string_view reason) {
  (void)reason;
  core::ServerInfo* server = l.server;
  if (server) event(l, "lost the link to " + server->name + ": " + std::string(reason));
  auto node = links_.extract(l.id);  // `l` lives until the end of this function
  if (applying_ == &l) applying_ = nullptr;
  if (!server) return;
  // One SQUIT for the whole subtree travels; each server quits the users behind it itself.
  broadcast(line_from(engine_.local_server().sid, "SQUIT", {server->sid, reason}), nullptr);
  engine_.split_server(*server);
  fail_orphaned_requests();
}

// ---- accounts held by another server ------------------------------------------------------------

bool Network::relay_account_request(std::string_view authority, core::RequestId id,
                                    const core::AccountRequest& request) {
  // Called from inside the engine (its AccountBackend's submit), so not through Engine::apply.
  core::ServerInfo* s = engine_.find_server_by_name(authority);
  Link* next = s && s->route ? find_link(s->route) : nullptr;
  if (!next) return false;
  std::string line = line_from(engine_.local_server().sid, "ENCAP",
                               {s->sid, "PARLEYACCT", std::to_string(id), encode_account_request(request)});
  if (line.size() > proto::kMaxLineBytes) return false;
  send(*next, std::move(line));
  relayed_.emplace(id, s->sid);
  return true;
}

void Network::fail_orphaned_requests() {
  std::vector<core::RequestId> orphans;
  for (const auto& [id, sid] : relayed_) {
    if (!engine_.find_server(sid)) orphans.push_back(id);
  }
  for (core::RequestId id : orphans) {
    relayed_.erase(id);
    core::AccountAnswer failed;
    failed.outcome = core::AccountAnswer::Outcome::kFailed;
    failed.detail = "the account server left the network";
    if (account_answers_) account_answers_(id, std::move(failed));
  }
}

// :<origin> ENCAP <our SID> PARLEYACCT <id> :<fields>
void Network::on_account_request(Link& l, const proto::Message& m, std::string_view origin) {
  (void)l;
  std::string id(m.param(2));
  auto fields = core::split_words(m.param(3));
  auto request = decode_account_request(fields);
  auto reply = [this, origin = std::string(origin), id](const core::AccountAnswer& answer) {
    core::ServerInfo* s = engine_.find_server(origin);
    Link* next = s && s->route ? find_link(s->route) : nullptr;
    if (!next) return;  // it left: its requests were failed there
    send(*next, line_from(engine_.local_server().sid, "ENCAP",
                          {origin, "PARLEYACCTA", id, encode_account_answer(answer)}));
  };
  core::AccountAnswer refused;
  refused.outcome = core::AccountAnswer::Outcome::kFailed;
  if (!request) {
    refused.detail = "malformed account request";
    return reply(refused);
  }
  if (!account_server_) {
    refused.detail = engine_.local_server().name + " is not an account server";
    return reply(refused);
  }
  account_server_(std::move(*request), reply);
}

// :<authority> ENCAP <our SID> PARLEYACCTA <id> :<fields>
void Network::on_account_answer(const proto::Message& m) {
  core::RequestId id = 0;
  std::string_view text = m.param(2);
  std::from_chars(text.data(), text.data() + text.size(), id);
  auto it = relayed_.find(id);
  if (it == relayed_.end()) return;  // answered already (failed on a split) or never asked
  relayed_.erase(it);
  auto fields = core::split_words(m.param(3));
  auto answer = decode_account_answer(fields);
  if (!answer) {
    answer.emplace();
    answer->outcome = core::AccountAnswer::Outcome::kFailed;
    answer->detail = "malformed account answer";
  }
  if (account_answers_) account_answers_(id, std::move(*answer));
}

// ---- output -------------------------------------------------------------------------------------

void Network::send(Link& l, std::string line) { send(l, proto::make_line(std::move(line))); }

void Network::send(Link& l, const core::SharedLine& line) {
  ++l.lines_out;
  transport_.send(l.id, line);
}

void Network::broadcast(const std::string& line, const Link* except) {
  core::SharedLine shared;
  for (auto& [id, l] : links_) {
    if (l.get() == except || !l->burst_sent) continue;
    if (!shared) shared = proto::make_line(line);
    send(*l, shared);
  }
}

void Network::to_channel_links(const core::Channel& c, const std::string& line, const Link* except) {
  // Per link (a server has few), whether any remote member is behind it: the scan over the
  // remote members (membership_ids holds exactly them) usually stops at the first one.
  core::SharedLine shared;
  for (auto& [id, l] : links_) {
    if (l.get() == except || !l->burst_sent) continue;
    for (const auto& [member, membership] : c.membership_ids) {
      if (member->server->route != l->id) continue;
      if (!shared) shared = proto::make_line(line);
      send(*l, shared);
      break;
    }
  }
}

void Network::to_user_link(const core::User& u, const std::string& line, const Link* except) {
  if (!u.remote) return;
  Link* l = find_link(u.server->route);
  if (l && l != except && l->burst_sent) send(*l, line);
}

Network::Link* Network::find_link(LinkId id) {
  auto it = links_.find(id);
  return it == links_.end() ? nullptr : it->second.get();
}

std::string Network::line_from(std::string_view source, std::string_view command,
                               std::initializer_list<std::string_view> params, bool trailing) const {
  std::string line;
  proto::LineBuilder b(line);
  if (!source.empty()) b.source(source);
  b.command(command);
  std::size_t i = 0;
  for (std::string_view p : params) {
    if (++i == params.size()) {
      trailing ? b.trailing(p) : b.last(p);
    } else {
      b.param(p);
    }
  }
  b.finish();
  return line;
}

// ---- the engine's changes, as lines -------------------------------------------------------------

void Network::user_introduced(const core::User& u) {
  if (applying_ || links_.empty()) return;
  broadcast(uid_line(u), nullptr);
  if (!u.account().empty()) {
    broadcast(line_from(engine_.local_server().sid, "METADATA", {u.uid, "accountname", u.account()}),
              nullptr);
  }
  if (u.is_oper()) broadcast(line_from(u.uid, "OPERTYPE", {u.oper_name()}), nullptr);
}

void Network::nick_changed(const core::User& u) {
  if (applying_ || links_.empty()) return;
  broadcast(line_from(u.uid, "NICK", {u.nick, std::to_string(u.nick_ts)}, false), nullptr);
}

void Network::user_quit(const core::User& u, std::string_view reason) {
  if (u.uid == killed_uid_) {
    killed_uid_.clear();
    return;
  }
  if (applying_ || links_.empty()) return;
  broadcast(line_from(u.uid, "QUIT", {reason}), nullptr);
}

void Network::user_killed(const core::User& by, const core::User& victim, std::string_view reason) {
  if (applying_ || links_.empty()) return;
  killed_uid_ = victim.uid;
  broadcast(line_from(by.uid, "KILL", {victim.uid, reason}), nullptr);
}

void Network::joined(const core::User& u, const core::Channel& c, bool created) {
  if (applying_ || links_.empty()) return;
  const std::string ts = std::to_string(core::remote::channel_ts(c));
  if (created) {
    // A new channel travels with its timestamp, modes and its first member, an operator.
    std::string modes = c.mode_string(true);
    std::string line = ":" + engine_.local_server().sid + " FJOIN " + c.name + " " + ts + " " + modes +
                       " :o," + u.uid + ":" + std::to_string(++membership_ids_) + "\r\n";
    broadcast(line, nullptr);
  } else {
    broadcast(line_from(u.uid, "IJOIN", {c.name, std::to_string(++membership_ids_)}, false), nullptr);
  }
}

void Network::parted(const core::User& u, const core::Channel& c, std::string_view reason) {
  if (applying_ || links_.empty()) return;
  broadcast(line_from(u.uid, "PART", {c.name, reason}), nullptr);
}

void Network::kicked(const core::User& by, const core::Channel& c, const core::User& victim,
                     std::string_view reason) {
  if (applying_ || links_.empty()) return;
  if (auto it = c.membership_ids.find(&victim); it != c.membership_ids.end()) {
    broadcast(line_from(by.uid, "KICK", {c.name, victim.uid, std::to_string(it->second), reason}), nullptr);
  } else {
    broadcast(line_from(by.uid, "KICK", {c.name, victim.uid, reason}), nullptr);
  }
}

void Network::topic_changed(const core::User* by, const core::Channel& c) {
  if (applying_ || links_.empty()) return;
  if (by) {
    broadcast(line_from(by->uid, "FTOPIC",
                        {c.name, std::to_string(core::remote::channel_ts(c)),
                         core::unix_seconds(c.topic_set_at), c.topic}),
              nullptr);
  } else {
    broadcast(line_from(engine_.local_server().sid, "FTOPIC",
                        {c.name, std::to_string(core::remote::channel_ts(c)),
                         core::unix_seconds(c.topic_set_at), c.topic_set_by, c.topic}),
              nullptr);
  }
}

void Network::channel_modes(const core::User* by, const core::Channel& c, const core::ModeChange& change) {
  if (applying_ || links_.empty()) return;
  std::string line = ":" + (by ? by->uid : engine_.local_server().sid) + " FMODE " + c.name + " " +
                     std::to_string(core::remote::channel_ts(c)) + " " + change.modes;
  for (const std::string& p : change.params) line += " " + p;
  line += "\r\n";
  broadcast(line, nullptr);
}

namespace {

// The tags a message carries across links: its msgid and time, and the sender's client tags.
std::string s2s_tags(std::string_view msgid, TimePoint time, std::string_view client_tags) {
  std::string tags = "msgid=" + std::string(msgid) + ";time=" + core::format_server_time(time);
  if (!client_tags.empty()) {
    tags += ';';
    tags += client_tags;
  }
  return tags;
}

}  // namespace

void Network::channel_message(const core::User& from, const core::Channel& c, std::string_view command,
                              std::string_view status, std::string_view text, std::string_view msgid,
                              std::string_view client_tags) {
  if (applying_ || c.remote_members == 0) return;
  std::string line;
  proto::LineBuilder b(line);
  b.tags(s2s_tags(msgid, engine_.now(), client_tags)).source(from.uid).command(command);
  if (command == "TAGMSG") {
    b.last(std::string(status) + c.name);
  } else {
    b.param(std::string(status) + c.name).trailing(text);
  }
  b.finish();
  to_channel_links(c, line, nullptr);
}

void Network::private_message(const core::User& from, const core::User& to, std::string_view command,
                              std::string_view text, std::string_view msgid, std::string_view client_tags) {
  if (applying_) return;
  std::string line;
  proto::LineBuilder b(line);
  b.tags(s2s_tags(msgid, engine_.now(), client_tags)).source(from.uid).command(command);
  if (command == "TAGMSG") {
    b.last(to.uid);
  } else {
    b.param(to.uid).trailing(text);
  }
  b.finish();
  to_user_link(to, line, nullptr);
}

void Network::invited(const core::User& by, const core::User& to, const core::Channel& c) {
  if (applying_) return;
  to_user_link(
      to,
      line_from(by.uid, "INVITE", {to.uid, c.name, std::to_string(core::remote::channel_ts(c)), "0"}, false),
      nullptr);
}

void Network::wallops(const core::User& from, std::string_view text) {
  if (applying_ || links_.empty()) return;
  broadcast(line_from(from.uid, "WALLOPS", {text}), nullptr);
}

void Network::away_changed(const core::User& u) {
  if (applying_ || links_.empty()) return;
  if (u.away.empty()) {
    broadcast(":" + u.uid + " AWAY\r\n", nullptr);
  } else {
    broadcast(line_from(u.uid, "AWAY", {core::unix_seconds(engine_.now()), u.away}), nullptr);
  }
}

void Network::account_changed(const core::User& u) {
  if (applying_ || links_.empty()) return;
  broadcast(line_from(engine_.local_server().sid, "METADATA", {u.uid, "accountname", u.account()}), nullptr);
}

void Network::oper_changed(const core::User& u) {
  if (applying_ || links_.empty()) return;
  if (u.is_oper()) {
    broadcast(line_from(u.uid, "OPERTYPE", {u.oper_name()}), nullptr);
  } else {
    broadcast(line_from(u.uid, "MODE", {u.uid, "-o"}, false), nullptr);
  }
}

void Network::user_modes_changed(const core::User& u, std::string_view modes) {
  if (applying_ || links_.empty()) return;
  // Without o (dropping operator status travels as oper_changed's own MODE) and s (server notices
  // are this server's: InspIRCd's +s carries a snomask this server does not send).
  std::string wire;
  char sign = 0, current = '+';
  for (char c : modes) {
    if (c == '+' || c == '-') {
      current = c;
    } else if (c != 'o' && c != 's') {
      if (sign != current) wire += sign = current;
      wire += c;
    }
  }
  if (!wire.empty()) broadcast(line_from(u.uid, "MODE", {u.uid, wire}, false), nullptr);
}

void Network::host_changed(const core::User& u) {
  if (applying_ || links_.empty()) return;
  broadcast(line_from(u.uid, "FHOST", {u.host}, false), nullptr);
}

void Network::realname_changed(const core::User& u) {
  if (applying_ || links_.empty()) return;
  broadcast(line_from(u.uid, "FNAME", {u.realname}), nullptr);
}

}  // namespace parley::link
