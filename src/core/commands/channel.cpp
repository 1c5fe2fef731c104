// Channel membership commands: JOIN, PART, TOPIC, NAMES, KICK. (INVITE and KNOCK are in
// invitation.cpp, LIST in list.cpp, RENAME in rename.cpp.)
#include <array>
#include <span>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/history_recording.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

// Why `u` may not join `c`, or an empty code when it may. An invitation lifts +b, +i, +k and
// +l; a ban exception (+e) lifts +b and an invite exception (+I) lifts +i.
std::string_view join_refusal(Engine& e, const User& u, const Channel& c, std::string_view key) {
  bool invited = c.invited.count(u.id) != 0;
  if (invited) return {};
  if (c.is_banned(u, e.casemapping())) return ERR_BANNEDFROMCHAN;
  if (c.invite_only && !c.is_invite_excepted(u, e.casemapping())) return ERR_INVITEONLYCHAN;
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
    Engine::Broadcast out(e, u.prefix(), "PART", {c.name, "Left all channels"});
    record_event(e, u, c, "PART", {c.name, "Left all channels"}, &out);
    out.to_channel(c);
    e.network().parted(u, c, "Left all channels");
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
      std::string reason = limit_utf8(m.param(1), e.limits().kick_length);
      std::array<std::string_view, 2> params{c->name, reason};
      std::span<const std::string_view> used(params.data(), m.size() > 1 ? 2 : 1);
      Engine::Broadcast out(e, u.prefix(), "PART", used);
      record_event(e, u, *c, "PART", used, &out);
      out.to_channel(*c);
      e.network().parted(u, *c, reason);
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
    Engine::Broadcast out(e, u.prefix(), "TOPIC", {c->name, c->topic});
    record_event(e, u, *c, "TOPIC", {c->name, c->topic}, &out);
    out.to_channel(*c);
    e.network().topic_changed(&u, *c);
    registered_channel_changed(e, *c);  // ChanServ: a registered channel's topic is saved
  }
}

// NAMES [<channel>{,<channel>}]: the 353s of every channel asked for (up to TARGMAX NAMES), then
// one 366 naming the whole list (modern.ircdocs; RFC 2812 3.2.5).
void names(Engine& e, User& u, const proto::Message& m) {
  std::string_view list = proto::safe_middle_param(m.param(0).substr(0, 200));
  if (m.size() == 0) list = "*";
  auto names = split_list(list);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i >= e.limits().max_targets) {
      e.reply(u, ERR_TOOMANYTARGETS, {names[i].substr(0, 64), "Too many targets"});
    } else if (Channel* c = e.find_channel(names[i])) {
      e.send_names(u, *c, false);
    }
  }
  e.reply(u, RPL_ENDOFNAMES, {list, "End of /NAMES list"});
}

namespace {

// The channel `name` when `u` may kick from it; otherwise answers 403, 442 or 482 and returns
// nullptr.
Channel* kick_channel(Engine& e, User& u, std::string_view name) {
  Channel* c = e.find_channel(name);
  if (!c) {
    e.reply(u, ERR_NOSUCHCHANNEL, {name.substr(0, 64), "No such channel"});
  } else if (!c->has(u)) {
    e.reply(u, ERR_NOTONCHANNEL, {c->name, "You're not on that channel"});
  } else if (!c->is_op(u)) {
    e.reply(u, ERR_CHANOPRIVSNEEDED, {c->name, "You're not channel operator"});
  } else {
    return c;
  }
  return nullptr;
}

}  // namespace

// KICK <channel> <user>{,<user>} [<comment>]
// KICK <channel>{,<channel>} <user>{,<user>} [<comment>]: as many channels as users, paired
// (RFC 2812). Either way every kicked user is announced by a KICK line of their own.
void kick(Engine& e, User& u, const proto::Message& m) {
  auto channels = split_list(m.param(0));
  auto targets = split_list(m.param(1));
  if (channels.empty() || targets.empty() || (channels.size() > 1 && channels.size() != targets.size())) {
    e.reply(u, ERR_NEEDMOREPARAMS, {"KICK", "Give one channel, or one channel per user"});
    return;
  }
  bool paired = channels.size() > 1;
  std::string reason = m.size() > 2 ? limit_utf8(m.param(2), e.limits().kick_length) : u.nick;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (i >= e.limits().max_targets) {
      e.reply(u, ERR_TOOMANYTARGETS, {targets[i].substr(0, 64), "Too many targets"});
      continue;
    }
    // Looked up each time: the previous kick may have emptied (and so deleted) the channel.
    Channel* c = kick_channel(e, u, paired ? channels[i] : channels[0]);
    if (!c) {
      if (paired) continue;
      return;
    }
    User* victim = e.find_nick(targets[i]);
    if (!victim) {
      e.reply(u, ERR_NOSUCHNICK, {targets[i].substr(0, 64), "No such nick/channel"});
    } else if (!c->has(*victim)) {
      e.reply(u, ERR_USERNOTINCHANNEL, {victim->nick, c->name, "They aren't on that channel"});
    } else {
      Engine::Broadcast out(e, u.prefix(), "KICK", {c->name, victim->nick, reason});
      record_event(e, u, *c, "KICK", {c->name, victim->nick, reason}, &out);
      out.to_channel(*c);
      e.network().kicked(u, *c, *victim, reason);
      e.leave_channel(*victim, *c);
    }
  }
}

}  // namespace parley::core::commands
