// Channel membership commands: JOIN, PART, TOPIC, NAMES, LIST, KICK, INVITE.
#include <algorithm>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

// Why `u` may not join `c`, or an empty code when it may. An invitation lifts +i, +k and +l.
std::string_view join_refusal(Engine& e, const User& u, const Channel& c, std::string_view key) {
  bool invited = c.invited.count(u.id) != 0;
  if (c.is_banned(u, e.casemapping()) && !invited) return ERR_BANNEDFROMCHAN;
  if (invited) return {};
  if (c.invite_only) return ERR_INVITEONLYCHAN;
  if (!c.key.empty() && key != c.key) return ERR_BADCHANNELKEY;
  if (c.user_limit && c.members.size() >= c.user_limit) return ERR_CHANNELISFULL;
  return {};
}

std::string_view refusal_text(std::string_view code) {
  if (code == ERR_BANNEDFROMCHAN) return "Cannot join channel (+b)";
  if (code == ERR_INVITEONLYCHAN) return "Cannot join channel (+i)";
  if (code == ERR_BADCHANNELKEY) return "Cannot join channel (+k)";
  return "Cannot join channel (+l)";
}

void part_all(Engine& e, User& u) {
  while (!u.channels.empty()) {
    Channel& c = *u.channels.front();
    Engine::Broadcast(e, u.prefix(), "PART", {c.name, "Left all channels"}).to_channel(c);
    e.leave_channel(u, c);
  }
}

}  // namespace

// JOIN <channel>{,<channel>} [<key>{,<key>}] | JOIN 0
void join(Engine& e, User& u, const proto::Message& m) {
  if (m.param(0) == "0") {
    part_all(e, u);
    return;
  }
  auto names = split_list(m.param(0));
  auto keys = split_list(m.param(1));
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string_view name = names[i];
    if (!proto::is_valid_channel_name(name, e.limits().channel_length)) {
      e.reply(u, ERR_NOSUCHCHANNEL, {name.substr(0, 64), "No such channel"});
      continue;
    }
    Channel* c = e.find_channel(name);
    if (c && c->has(u)) continue;
    if (u.channels.size() >= e.limits().max_channels_per_user) {
      e.reply(u, ERR_TOOMANYCHANNELS, {name, "You have joined too many channels"});
      continue;
    }
    if (c) {
      if (auto code = join_refusal(e, u, *c, i < keys.size() ? keys[i] : std::string_view{}); !code.empty()) {
        e.reply(u, code, {c->name, refusal_text(code)});
        continue;
      }
    }
    e.join_channel(u, name, c);
  }
}

// PART <channel>{,<channel>} [<reason>]
void part(Engine& e, User& u, const proto::Message& m) {
  for (std::string_view name : split_list(m.param(0))) {
    Channel* c = e.find_channel(name);
    if (!c) {
      e.reply(u, ERR_NOSUCHCHANNEL, {name.substr(0, 64), "No such channel"});
    } else if (!c->has(u)) {
      e.reply(u, ERR_NOTONCHANNEL, {c->name, "You're not on that channel"});
    } else {
      if (m.size() > 1) {
        Engine::Broadcast(e, u.prefix(), "PART", {c->name, limit_utf8(m.param(1), e.limits().kick_length)}).to_channel(*c);
      } else {
        Engine::Broadcast(e, u.prefix(), "PART", {c->name}).to_channel(*c);
      }
      e.leave_channel(u, *c);
    }
  }
}

// TOPIC <channel> [<topic>]
void topic(Engine& e, User& u, const proto::Message& m) {
  Channel* c = e.find_channel(m.param(0));
  if (!c || (c->secret && !c->has(u))) {
    e.reply(u, ERR_NOSUCHCHANNEL, {m.param(0).substr(0, 64), "No such channel"});
    return;
  }
  if (m.size() < 2) {
    e.send_topic(u, *c);
    return;
  }
  if (!c->has(u)) {
    e.reply(u, ERR_NOTONCHANNEL, {c->name, "You're not on that channel"});
  } else if (c->topic_protected && !c->is_op(u)) {
    e.reply(u, ERR_CHANOPRIVSNEEDED, {c->name, "You're not channel operator"});
  } else {
    c->topic = limit_utf8(m.param(1), e.limits().topic_length);
    c->topic_set_by = u.prefix();
    c->topic_set_at = e.now();
    Engine::Broadcast(e, u.prefix(), "TOPIC", {c->name, c->topic}).to_channel(*c);
  }
}

// NAMES [<channel>{,<channel>}]
void names(Engine& e, User& u, const proto::Message& m) {
  if (m.size() == 0) {
    e.reply(u, RPL_ENDOFNAMES, {"*", "End of /NAMES list"});
    return;
  }
  for (std::string_view name : split_list(m.param(0))) {
    if (Channel* c = e.find_channel(name)) {
      e.send_names(u, *c);
    } else {
      e.reply(u, RPL_ENDOFNAMES, {name.substr(0, 64), "End of /NAMES list"});
    }
  }
}

// LIST [<channel>{,<channel>}]
void list(Engine& e, User& u, const proto::Message& m) {
  e.reply(u, RPL_LISTSTART, {"Channel", "Users  Name"});
  auto show = [&](Channel& c) {
    if (c.secret && !c.has(u) && !u.is_oper()) return;
    e.reply(u, RPL_LIST, {c.name, std::to_string(c.members.size()), "[" + c.mode_string(false) + "] " + c.topic});
  };
  if (m.size() > 0 && !m.param(0).empty()) {
    for (std::string_view name : split_list(m.param(0))) {
      if (Channel* c = e.find_channel(name)) show(*c);
    }
  } else {
    std::vector<Channel*> all;
    for (auto& [key, c] : e.channels()) all.push_back(c.get());
    std::sort(all.begin(), all.end(), [](Channel* a, Channel* b) { return a->folded < b->folded; });
    if (all.size() > e.limits().list_max) all.resize(e.limits().list_max);
    for (Channel* c : all) show(*c);
  }
  e.reply(u, RPL_LISTEND, {"End of /LIST"});
}

// KICK <channel> <user>{,<user>} [<comment>]
void kick(Engine& e, User& u, const proto::Message& m) {
  std::string channel_name(m.param(0));
  Channel* c = e.find_channel(channel_name);
  if (!c) {
    e.reply(u, ERR_NOSUCHCHANNEL, {m.param(0).substr(0, 64), "No such channel"});
    return;
  }
  if (!c->has(u)) {
    e.reply(u, ERR_NOTONCHANNEL, {c->name, "You're not on that channel"});
    return;
  }
  if (!c->is_op(u)) {
    e.reply(u, ERR_CHANOPRIVSNEEDED, {c->name, "You're not channel operator"});
    return;
  }
  std::string reason = m.size() > 2 ? limit_utf8(m.param(2), e.limits().kick_length) : u.nick;
  auto targets = split_list(m.param(1));
  for (std::size_t i = 0; i < targets.size(); ++i) {
    c = e.find_channel(channel_name);  // the previous kick may have emptied it
    if (!c) break;
    if (i >= e.limits().max_targets) {
      e.reply(u, ERR_TOOMANYTARGETS, {targets[i], "Too many targets"});
      continue;
    }
    User* victim = e.find_nick(targets[i]);
    if (!victim) {
      e.reply(u, ERR_NOSUCHNICK, {targets[i].substr(0, 64), "No such nick/channel"});
    } else if (!c->has(*victim)) {
      e.reply(u, ERR_USERNOTINCHANNEL, {victim->nick, c->name, "They aren't on that channel"});
    } else {
      Engine::Broadcast(e, u.prefix(), "KICK", {c->name, victim->nick, reason}).to_channel(*c);
      e.leave_channel(*victim, *c);
    }
  }
}

// INVITE <nickname> <channel>
void invite(Engine& e, User& u, const proto::Message& m) {
  User* target = e.find_nick(m.param(0));
  if (!target) {
    e.reply(u, ERR_NOSUCHNICK, {m.param(0).substr(0, 64), "No such nick/channel"});
    return;
  }
  Channel* c = e.find_channel(m.param(1));
  if (!c) {
    e.reply(u, ERR_NOSUCHCHANNEL, {m.param(1).substr(0, 64), "No such channel"});
  } else if (!c->has(u)) {
    e.reply(u, ERR_NOTONCHANNEL, {c->name, "You're not on that channel"});
  } else if (c->has(*target)) {
    e.reply(u, ERR_USERONCHANNEL, {target->nick, c->name, "is already on channel"});
  } else if (c->invite_only && !c->is_op(u)) {
    e.reply(u, ERR_CHANOPRIVSNEEDED, {c->name, "You're not channel operator"});
  } else {
    bool wanted = !silenced(*target, u, e.casemapping());  // SILENCE: dropped, the sender is not told
    if (wanted) c->invited.insert(target->id);
    e.reply(u, RPL_INVITING, {target->nick, c->name});
    if (!target->away.empty()) e.reply(u, RPL_AWAY, {target->nick, target->away});
    if (wanted) Engine::Broadcast(e, u.prefix(), "INVITE", {target->nick, c->name}).to(*target);
  }
}

}  // namespace parley::core::commands
