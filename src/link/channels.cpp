// Applying a peer's channel lines and messages (link/network.h): FJOIN, IJOIN, PART, KICK,
// FMODE, FTOPIC, INVITE, PRIVMSG, NOTICE, TAGMSG.
#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>

#include "core/channel.h"
#include "core/command_table.h"
#include "core/history_params.h"
#include "core/remote.h"
#include "core/text.h"
#include "core/user.h"
#include "link/link_state.h"
#include "link/network.h"

namespace parley::link {

namespace {

std::uint64_t membership_id(std::string_view s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Status letters of FJOIN/IJOIN ("o", "v", "ov") as member flags; nullopt for an unknown letter.
std::optional<std::uint8_t> status_flags(std::string_view letters) {
  std::uint8_t flags = 0;
  for (char c : letters) {
    if (c == 'o') {
      flags |= core::kOp;
    } else if (c == 'v') {
      flags |= core::kVoice;
    } else {
      return std::nullopt;
    }
  }
  return flags;
}

// The IRCv3 `time` tag of a line, if it has a valid one.
std::optional<core::TimePoint> server_time(const proto::Message& m) {
  auto v = m.tag("time");
  auto ms = v ? core::parse_server_time(*v) : std::nullopt;
  if (!ms || *ms > kMaxTimestamp * 1000) return std::nullopt;  // else the origin's time is ours
  return core::TimePoint(std::chrono::milliseconds(*ms));
}

}  // namespace

// :<sid> FJOIN <chan> <ts> +<modes> [<mode params>...] :[<status>,]<uuid>[:<membid>] ...
void Network::on_fjoin(Link& l, const proto::Message& m) {
  if (!need(l, m, 3)) return;
  core::ServerInfo* from = source_server(l, m);
  if (!from) return;
  std::string_view name = m.param(0);
  auto ts = parse_timestamp(m.param(1));
  if (!ts) return drop(l, "Protocol violation: Invalid channel timestamp in FJOIN");
  if (!proto::is_valid_channel_name(name, 64))
    return drop(l, "Protocol violation: Invalid channel name in FJOIN");
  const bool has_members = m.size() >= 4;
  std::string_view modes = m.param(2);
  std::vector<std::string_view> mode_params(m.params.begin() + 3,
                                            m.params.begin() + (has_members ? m.size() - 1 : m.size()));
  std::string_view members = has_members ? m.param(m.size() - 1) : std::string_view{};

  core::Channel* c = engine_.find_channel(name);
  auto outcome = c ? core::remote::compare_channel_ts(core::remote::channel_ts(*c), *ts)
                   : core::remote::ChannelTs::kTheirsWin;
  const std::string& server_name = from->name;
  if (!c) {
    c = &engine_.add_channel(name, core::TimePoint(std::chrono::seconds(*ts)));
    c->no_external = c->topic_protected = false;  // exactly the modes the FJOIN gives, not our +nt
  } else if (outcome == core::remote::ChannelTs::kTheirsWin) {
    engine_.rename_channel(*c, name);  // the winner's case of the name
    core::remote::drop_channel_modes(engine_, server_name, *c);
    core::remote::topic(engine_, server_name, nullptr, *c, "", "", {});
    c->created = core::TimePoint(std::chrono::seconds(*ts));
  }
  const bool theirs_count = outcome != core::remote::ChannelTs::kOursWin;
  if (theirs_count) core::remote::channel_modes(engine_, server_name, nullptr, *c, modes, mode_params);

  std::string forwarded_members;
  for (std::string_view entry : core::split_words(members)) {
    std::string_view status, uid = entry;
    if (auto comma = entry.find(','); comma != std::string_view::npos) {
      status = entry.substr(0, comma);
      uid = entry.substr(comma + 1);
    }
    std::uint64_t membid = 0;
    if (auto colon = uid.find(':'); colon != std::string_view::npos) {
      membid = membership_id(uid.substr(colon + 1));
      uid = uid.substr(0, colon);
    }
    auto flags = status_flags(status);
    if (!flags)
      return drop(
          l, "Protocol violation: Unrecognised status '" + std::string(status.substr(0, 10)) + "' in FJOIN");
    core::User* u = engine_.find_uid(uid);
    if (!u || !u->remote || u->server->route != l.id) continue;  // unknown or from elsewhere: skipped
    std::uint8_t applied = theirs_count ? *flags : 0;
    core::remote::join(engine_, *u, c->name, core::remote::channel_ts(*c), applied, membid);
    if (!forwarded_members.empty()) forwarded_members += ' ';
    forwarded_members += (applied & core::kOp ? "o" : "") + std::string(applied & core::kVoice ? "v" : "") +
                         "," + std::string(uid) + ":" + std::to_string(membid);
  }
  if (outcome == core::remote::ChannelTs::kOursWin) {
    // Relayed with this channel's timestamp and modes, and without the statuses we refused.
    broadcast(":" + from->sid + " FJOIN " + c->name + " " + std::to_string(core::remote::channel_ts(*c)) +
                  " " + c->mode_string(true) + " :" + forwarded_members + "\r\n",
              &l);
  } else {
    relay(l);
  }
  engine_.discard_if_empty(*c);
}

// :<uuid> IJOIN <chan> <membid> [<ts> <status>]
void Network::on_ijoin(Link& l, const proto::Message& m) {
  if (!need(l, m, 1)) return;
  core::User* u = source_user(l, m);
  if (!u) return;
  std::string_view name = m.param(0);
  if (!proto::is_valid_channel_name(name, 64))
    return drop(l, "Protocol violation: Invalid channel name in IJOIN");
  core::Channel* c = engine_.find_channel(name);
  std::uint8_t flags = 0;
  std::int64_t ts =
      std::chrono::duration_cast<std::chrono::seconds>(engine_.now().time_since_epoch()).count();
  if (m.size() >= 4) {
    auto their_ts = parse_timestamp(m.param(2));
    auto their_flags = status_flags(m.param(3));
    if (!their_ts || !their_flags) return drop(l, "Protocol violation: Invalid IJOIN");
    if (!c || *their_ts <= core::remote::channel_ts(*c)) flags = *their_flags;
    ts = *their_ts;
  }
  core::remote::join(engine_, *u, name, c ? core::remote::channel_ts(*c) : ts, flags,
                     membership_id(m.param(1)));
  relay(l);
}

void Network::on_part(Link& l, const proto::Message& m) {
  if (!need(l, m, 1)) return;
  core::User* u = source_user(l, m);
  if (!u) return;
  relay(l);
  for (std::string_view name : core::split_list(m.param(0))) {
    if (core::Channel* c = engine_.find_channel(name); c && c->has(*u))
      core::remote::part(engine_, *u, *c, m.param(1));
  }
}

// :<source> KICK <chan> <uuid> [<membid>] :<reason>
void Network::on_kick(Link& l, const proto::Message& m) {
  if (!need(l, m, 2)) return;
  core::User* by = source_user(l, m);
  core::ServerInfo* server = by ? nullptr : source_server(l, m);
  if (!by && !server) return;
  core::Channel* c = engine_.find_channel(m.param(0));
  core::User* victim = engine_.find_uid(m.param(1));
  if (!c || !victim || !c->has(*victim)) return;
  if (m.size() >= 4 && victim->remote) {
    auto it = c->membership_ids.find(victim);
    if (it != c->membership_ids.end() && it->second != membership_id(m.param(2)))
      return;  // an earlier membership
  }
  std::string_view reason =
      m.size() >= 3 ? m.param(m.size() - 1) : std::string_view(by ? by->nick : server->name);
  relay(l);
  core::remote::kick(engine_, by ? std::string_view(by->prefix()) : std::string_view(server->name), by, *c,
                     *victim, reason);
}

// :<source> FMODE <chan> <ts> <modes> [<params>...]
void Network::on_fmode(Link& l, const proto::Message& m) {
  if (!need(l, m, 3)) return;
  core::User* by = source_user(l, m);
  core::ServerInfo* server = by ? nullptr : source_server(l, m);
  if (!by && !server) return;
  core::Channel* c = engine_.find_channel(m.param(0));
  auto ts = parse_timestamp(m.param(1));
  if (!ts) return drop(l, "Protocol violation: Invalid channel timestamp in FMODE");
  if (!c || *ts > core::remote::channel_ts(*c)) return;  // for an older incarnation of the channel
  std::vector<std::string_view> params(m.params.begin() + 3, m.params.begin() + m.size());
  relay(l);
  core::remote::channel_modes(engine_, by ? std::string_view(by->prefix()) : std::string_view(server->name),
                              by, *c, m.param(2), params);
}

// Live: :<uuid> FTOPIC <chan> <chanTS> <topicTS> :<topic>
// Burst: :<sid> FTOPIC <chan> <chanTS> <topicTS> <setter> :<topic>
void Network::on_ftopic(Link& l, const proto::Message& m) {
  if (!need(l, m, 4)) return;
  core::User* by = source_user(l, m);
  core::ServerInfo* server = by ? nullptr : source_server(l, m);
  if (!by && !server) return;
  core::Channel* c = engine_.find_channel(m.param(0));
  auto chan_ts = parse_timestamp(m.param(1)), topic_ts = parse_timestamp(m.param(2));
  if (!chan_ts || !topic_ts) return drop(l, "Protocol violation: Invalid timestamp in FTOPIC");
  if (!c || *chan_ts > core::remote::channel_ts(*c)) return;
  std::string_view text = m.param(m.size() - 1);
  std::string_view setter =
      m.size() >= 5 ? m.param(3) : (by ? std::string_view(by->prefix()) : std::string_view(server->name));
  auto set_at = core::TimePoint(std::chrono::seconds(*topic_ts));
  if (!c->topic.empty() && set_at < c->topic_set_at) return;  // ours is newer
  if (set_at == c->topic_set_at && !c->topic.empty() && text < std::string_view(c->topic)) return;
  relay(l);
  core::remote::topic(engine_, by ? std::string_view(by->prefix()) : std::string_view(server->name), by, *c,
                      text.substr(0, engine_.limits().topic_length), setter, set_at);
}

// :<uuid> INVITE <uuid> <chan> <chanTS> [<expiry>]
void Network::on_invite(Link& l, const proto::Message& m) {
  if (!need(l, m, 2)) return;
  core::User* by = source_user(l, m);
  core::User* target = engine_.find_uid(m.param(0));
  core::Channel* c = engine_.find_channel(m.param(1));
  if (!by || !target || !c) return;
  if (target->remote) {
    if (target->server->route != l.id) to_user_link(*target, std::string(raw_) + "\r\n", &l);
    return;
  }
  c->invited.insert(target->id);
  core::Engine::Broadcast(engine_, by->prefix(), "INVITE", {target->nick, c->name}).to(*target);
  relay(l);
}

// @msgid=…;time=…;+tags :<uuid> PRIVMSG|NOTICE|TAGMSG <#chan|@#chan|uuid> [:<text>]
void Network::on_message(Link& l, const proto::Message& m) {
  const std::string command = upper(m.command);
  if (!need(l, m, command == "TAGMSG" ? 1 : 2)) return;
  core::User* from = source_user(l, m);
  if (!from) {
    // A server's notice to a user (or a line whose sender already left): delivered as the server's.
    core::ServerInfo* server = source_server(l, m);
    core::User* to = server ? engine_.find_uid(m.param(0)) : nullptr;
    if (!to) return;
    if (to->remote) return to_user_link(*to, std::string(raw_) + "\r\n", &l);
    core::Engine::Broadcast(engine_, server->name, command, {to->nick, m.param(1)}).to(*to);
    return;
  }
  std::string_view target = m.param(0);
  std::string msgid_storage;
  std::string_view msgid = m.tag("msgid").value_or(std::string_view{});
  if (msgid.empty() || msgid.size() > 64) {
    msgid_storage = engine_.new_msgid();  // a peer without message ids: this server names it
    msgid = msgid_storage;
  }
  std::string client_tags = core::commands::client_tags(m);
  core::remote::RemoteMessage msg{command, command == "TAGMSG" ? std::string_view{} : m.param(1), msgid,
                                  client_tags, server_time(m).value_or(engine_.now())};
  if (!target.empty() && target.front() == '$') {
    // A server mask ("$*", "$*.example.net"): every local user when it matches this server.
    relay(l);
    if (!proto::match_mask(target.substr(1), engine_.local_server().name, proto::Casemapping::kAscii)) return;
    const std::array<std::string_view, 2> params{target, msg.text};
    core::Engine::Broadcast out(engine_, from->prefix(), command,
                                std::span(params.data(), command == "TAGMSG" ? 1 : 2), client_tags);
    out.with_origin(msgid, msg.time);
    for (const auto& [id, u] : engine_.users()) {
      if (u->registered && (command != "TAGMSG" || u->caps.has(core::Cap::kMessageTags))) out.to(*u);
    }
    return;
  }
  std::string_view status;
  if (!target.empty() && (target.front() == '@' || target.front() == '+') &&
      proto::is_channel_name(target.substr(1))) {
    status = target.substr(0, 1);
    target.remove_prefix(1);
  }
  if (proto::is_channel_name(target)) {
    core::Channel* c = engine_.find_channel(target);
    if (!c) return;
    to_channel_links(*c, std::string(raw_) + "\r\n", &l);
    core::remote::channel_message(engine_, *from, *c, status, msg);
    return;
  }
  core::User* to = engine_.find_uid(target);
  if (!to) to = engine_.find_nick(target);
  if (!to) return;
  if (to->remote) return to_user_link(*to, std::string(raw_) + "\r\n", &l);
  core::remote::private_message(engine_, *from, *to, msg);
}

}  // namespace parley::link
