// Asking into and being asked into channels: INVITE (with the IRCv3 invite-notify capability
// and the invitation list) and KNOCK.
#include <algorithm>
#include <string>
#include <vector>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

// The channels `u` holds an invitation to: 336 each, then 337.
void send_invitations(Engine& e, User& u) {
  std::vector<const std::string*> names;
  for (const auto& [folded, c] : e.channels()) {
    if (c->invited.count(u.id)) names.push_back(&c->name);
  }
  std::sort(names.begin(), names.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  for (const std::string* name : names) e.reply(u, RPL_INVITELIST, {*name});
  e.reply(u, RPL_ENDOFINVITELIST, {"End of /INVITE list"});
}

// invite-notify: members with the capability who could invite themselves see the INVITE (on a
// +i channel only its operators may invite, so only they are told).
void notify_members(Channel& c, const User& inviter, Engine::Broadcast& invite) {
  for (auto& [member, flags] : c.members) {
    if (member == &inviter || !member->caps.has(Cap::kInviteNotify)) continue;
    if (c.invite_only && !(flags & kOp)) continue;
    invite.to(*member);
  }
}

// Whether KNOCK has a point: something keeps the user out that an invitation would lift.
bool is_closed(const Channel& c) {
  return c.invite_only || !c.key.empty() || (c.user_limit && c.members.size() >= c.user_limit);
}

}  // namespace

// INVITE <nickname> <channel> | INVITE (lists the caller's invitations)
void invite(Engine& e, User& u, const proto::Message& m) {
  if (m.size() == 0) {
    send_invitations(e, u);
    return;
  }
  if (m.size() < 2) {
    e.reply(u, ERR_NEEDMOREPARAMS, {"INVITE", "Not enough parameters"});
    return;
  }
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
    e.reply(u, RPL_INVITING, {target->nick, c->name});
    if (!target->away.empty()) e.reply(u, RPL_AWAY, {target->nick, target->away});
    // SILENCE: a target who silenced the sender is neither invited nor told, and the sender is
    // not told either (as for PRIVMSG); so there is nothing for invite-notify to report.
    if (silenced(*target, u, e.casemapping())) return;
    c->invited.insert(target->id);
    Engine::Broadcast out(e, u.prefix(), "INVITE", {target->nick, c->name});
    out.with_account(u);
    out.to(*target);
    if (target->remote) e.network().invited(u, *target, *c);
    notify_members(*c, u, out);
  }
}

// KNOCK <channel> [<message>]
void knock(Engine& e, User& u, const proto::Message& m) {
  Channel* c = e.find_channel(m.param(0));
  if (!c || (c->secret && !c->has(u))) {  // a secret channel does not exist for outsiders
    e.reply(u, ERR_NOSUCHCHANNEL, {m.param(0).substr(0, 64), "No such channel"});
    return;
  }
  if (c->has(u)) {
    e.reply(u, ERR_KNOCKONCHAN, {c->name, "You're already on that channel"});
    return;
  }
  if (!is_closed(*c)) {
    e.reply(u, ERR_CHANOPEN, {c->name, "Channel is open, just join it"});
    return;
  }
  if (c->is_banned(u, e.casemapping())) {
    e.reply(u, ERR_BANNEDFROMCHAN, {c->name, "Cannot knock on channel (+b)"});
    return;
  }
  // One KNOCK per user per interval: channel operators cannot be flooded through it.
  auto interval = std::chrono::seconds(e.limits().knock_interval_seconds);
  if (u.last_knock != TimePoint{} && e.now() < u.last_knock + interval) {
    e.reply(u, ERR_TOOMANYKNOCK, {c->name, "Too many KNOCKs (user), try again later"});
    return;
  }
  u.last_knock = e.now();
  // ":server 710 <op> <chan> <nick!user@host> :text\r\n" stays within 512 bytes.
  std::size_t overhead =
      e.config().server_name.size() + e.limits().nick_length + c->name.size() + u.prefix().size() + 14;
  std::size_t room =
      std::min(e.limits().kick_length, proto::kMaxLineBytes - std::min(proto::kMaxLineBytes, overhead));
  std::string text = m.size() > 1 && !m.param(1).empty() ? limit_utf8(m.param(1), room)
                                                         : std::string("has asked for an invite");
  for (auto& [member, flags] : c->members) {
    if (flags & kOp) e.reply(*member, RPL_KNOCK, {c->name, u.prefix(), text});
  }
  e.reply(u, RPL_KNOCKDLVR, {c->name, "Your KNOCK has been delivered"});
}

}  // namespace parley::core::commands
