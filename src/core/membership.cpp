// Joining, leaving, nick changes and quitting: the state changes several commands share.
#include <algorithm>

#include "core/channel_replay.h"
#include "core/engine.h"
#include "core/history_recording.h"
#include "core/metadata.h"
#include "core/numerics.h"
#include "core/snomask.h"

namespace parley::core {

using namespace numeric;

void Engine::send_topic(User& u, Channel& c) {
  if (c.topic.empty()) {
    reply(u, RPL_NOTOPIC, {c.name, "No topic is set"});
    return;
  }
  reply(u, RPL_TOPIC, {c.name, c.topic});
  reply(u, RPL_TOPICWHOTIME, {c.name, c.topic_set_by, unix_seconds(c.topic_set_at)});
}

void Engine::send_names(User& u, Channel& c, bool end) {
  bool member = c.has(u);
  if (!c.secret || member || u.is_oper()) {
    bool multi = u.caps.has(Cap::kMultiPrefix);
    bool full = u.caps.has(Cap::kUserhostInNames);
    std::string head = ":" + config_.server_name + " " + std::string(RPL_NAMREPLY) + " " + u.target_name() +
                       (c.secret     ? " @ "
                        : c.private_ ? " * "
                                     : " = ") +
                       c.name + " :";
    std::string line = head;
    constexpr std::size_t kMaxLine = 510;
    for (auto& [m, flags] : c.members) {
      if (!member && m->invisible && !u.is_oper()) continue;
      std::string entry = prefix_string(flags, multi) + (full ? m->prefix() : m->nick);
      if (line.size() > head.size() && line.size() + 1 + entry.size() > kMaxLine) {
        send(u, line + "\r\n");
        line = head;
      }
      if (line.size() > head.size()) line += ' ';
      line += entry;
    }
    if (line.size() > head.size()) send(u, line + "\r\n");
  }
  if (end) reply(u, RPL_ENDOFNAMES, {c.name, "End of /NAMES list"});
}

Channel& Engine::add_channel(std::string_view name, TimePoint created) {
  auto channel = std::make_unique<Channel>(std::string(name), fold(name), created);
  Channel& c = *channel;
  channels_.emplace(c.folded, std::move(channel));
  return c;
}

void Engine::join_channel(User& u, std::string_view name, Channel* c) {
  const bool created = !c;
  if (!c) {
    c = &add_channel(name, now_);
    c->members.emplace(&u, kOp);
  } else {
    c->members.emplace(&u, 0);
    c->invited.erase(u.id);
  }
  if (c->remote_members) c->local_members.insert(&u);
  u.channels.push_back(c);
  announce_join(u, *c);
  network_->joined(u, *c, created);
  registered_channel_join(*this, u, *c);  // ChanServ access: +o/+v before topic and names
  if (!c->topic.empty()) send_topic(u, *c);
  finish_join(*this, u, *c);  // read marker, NAMES, metadata, +H replay (core/channel_replay.h)
}

void Engine::announce_join(User& u, Channel& c) {
  Broadcast plain(*this, u.prefix(), "JOIN", {c.name});
  Broadcast extended(*this, u.prefix(), "JOIN",
                     {c.name, u.account().empty() ? "*" : u.account(), u.realname});
  plain.with_account(u);
  extended.with_account(u);
  if (std::string id = record_event(*this, u, c, "JOIN", {c.name}, &plain); !id.empty()) {
    extended.with_tag("msgid=" + id);
  }
  c.for_each_local([&](User& member, std::uint8_t) {
    (member.caps.has(Cap::kExtendedJoin) ? extended : plain).to(member);
  });
  if (!u.away.empty()) {
    Broadcast away(*this, u.prefix(), "AWAY", {u.away});
    c.for_each_local([&](User& member, std::uint8_t) {
      if (&member != &u && member.caps.has(Cap::kAwayNotify)) away.to(member);
    });
  }
}

void Engine::leave_channel(User& u, Channel& c) {
  if (c.members.erase(&u)) {
    if (!u.remote) {
      c.local_members.erase(&u);
    } else if (--c.remote_members == 0) {
      c.local_members = {};
    }
    if (u.remote) c.membership_ids.erase(&u);
  }
  c.invited.erase(u.id);
  std::erase(u.channels, &c);
  discard_if_empty(c);
}

void Engine::discard_if_empty(Channel& c) {
  // A registered channel outlives its members (core/registered_channels.h).
  if (c.members.empty() && !registered_channels_.find(c.folded)) channels_.erase(c.folded);  // destroys c
}

void Engine::rename_channel(Channel& c, std::string_view name) {
  auto node = channels_.extract(c.folded);
  c.name = std::string(name);
  c.folded = fold(name);
  node.key() = c.folded;
  channels_.insert(std::move(node));
}

void Engine::remember_whowas(const User& u) {
  if (u.nick.empty() || !u.registered || config_.limits.whowas_entries == 0) return;
  whowas_.push_front(WhowasEntry{u.nick, u.nick_folded, u.username, u.host, u.realname, now_});
  if (whowas_.size() > config_.limits.whowas_entries) whowas_.pop_back();
}

void Engine::change_nick(User& u, std::string_view nick) {
  std::string folded = fold(nick);
  bool renamed = u.registered && folded != u.nick_folded;  // not just a change of case
  if (u.registered) {
    for (Channel* c : u.channels) record_event(*this, u, *c, "NICK", {nick});
    Broadcast(*this, u.prefix(), "NICK", {nick}).to_common_channels(u, true);
    remember_whowas(u);
  }
  if (renamed) {
    announce_offline(u.nick_folded, u.nick);
    forget_ephemeral_history(*this, u);  // keyed by the old nick: not for its next owner
  }
  if (!u.nick_folded.empty()) nicks_.erase(u.nick_folded);
  u.nick = std::string(nick);
  u.update_prefix();
  u.nick_folded = std::move(folded);
  // A new nick takes a new timestamp (the collision rule's); a change of case keeps it.
  if (!u.remote && (renamed || !u.registered))
    u.nick_ts = std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count();
  nicks_.emplace(u.nick_folded, &u);
  if (renamed) announce_online(u);
  if (u.registered) network_->nick_changed(u);
}

void Engine::quit(User& u, std::string_view reason, std::string_view error_text, bool tell_transport) {
  if (u.quitting) return;
  forget_ephemeral_history(*this, u);
  if (u.registered && !splitting_) network_->user_quit(u, reason);
  if (u.registered) {
    for (Channel* c : u.channels) record_event(*this, u, *c, "QUIT", {reason});
    Broadcast(*this, u.prefix(), "QUIT", {reason}).to_common_channels(u, false);
    remember_whowas(u);
  }
  if (u.remote) tell_transport = false;
  if (tell_transport) {
    std::string why(error_text.empty() ? reason : error_text);
    send(u, "ERROR :Closing Link: " + u.host + " (" + why + ")\r\n");
  }
  u.quitting = true;  // from here the user gets nothing, including the notice below
  if (u.registered && !u.remote && opers_listening())
    notify_opers(snomask::kQuit,
                 "Client exiting: " + u.nick + " (" + u.username + "@" + std::string(u.ip()) + ") [" + std::string(reason) + "]");
  monitors_.clear(u);
  if (u.registered) announce_offline(u.nick_folded, u.nick);
  while (!u.channels.empty()) leave_channel(u, *u.channels.back());
  if (!u.nick_folded.empty()) nicks_.erase(u.nick_folded);
  uids_.erase(u.uid);
  if (u.remote) {
    --u.server->users;
    if (u.invisible) --remote_invisible_;
    if (u.is_oper()) --remote_opers_;
    auto node = remote_users_.extract(u.uid);
    departed_.push_back(std::move(node.mapped()));
    return;
  }
  if (auto it = clients_per_ip_.find(std::string(u.ip())); it != clients_per_ip_.end() && --it->second == 0) {
    clients_per_ip_.erase(it);
  }
  if (u.registered) {
    --registered_count_;
    --local_server_.users;
  }
  auto node = users_.extract(u.id);
  departed_.push_back(std::move(node.mapped()));
  if (tell_transport) close_session(u, reason);
}

}  // namespace parley::core
