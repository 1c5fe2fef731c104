// RENAME, from the IRCv3 draft/channel-rename specification: a channel operator gives the
// channel a new name, keeping its members, modes, lists, topic and invitations.
#include <algorithm>
#include <array>
#include <span>
#include <string>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

// Why `c` may not become `to`, as a FAIL code and description; an empty code when it may.
std::pair<std::string_view, std::string_view> rename_refusal(Engine& e, const Channel& c,
                                                             std::string_view to) {
  if (!proto::is_valid_channel_name(to, e.limits().channel_length)) {
    return {"CANNOT_RENAME", "That is not a valid channel name"};
  }
  if (to.front() != c.name.front()) return {"CANNOT_RENAME", "A rename cannot change the channel type"};
  if (to == c.name) return {"CANNOT_RENAME", "The channel already has that name"};
  if (e.registered_channels().find(c.folded)) {
    return {"CANNOT_RENAME", "A registered channel keeps its name (ChanServ DROP it first)"};
  }
  if (const Channel* other = e.find_channel(to); other && other != &c) {
    return {"CHANNEL_NAME_IN_USE", "A channel with that name already exists"};
  }
  return {};
}

// What a member without draft/channel-rename sees: it leaves the old channel and joins the new
// one, with the topic and names a JOIN brings.
void rejoin(Engine& e, User& member, Channel& c, std::string_view old_name, std::string_view part_reason) {
  // ":prefix PART old :reason\r\n" stays within 512 bytes.
  std::size_t room =
      proto::kMaxLineBytes - std::min(proto::kMaxLineBytes, member.prefix().size() + old_name.size() + 12);
  Engine::Broadcast(e, member.prefix(), "PART", {old_name, limit_utf8(part_reason, room)}).to(member);
  if (member.caps.has(Cap::kExtendedJoin)) {
    Engine::Broadcast(e, member.prefix(), "JOIN", {c.name, "*", member.realname}).to(member);
  } else {
    Engine::Broadcast(e, member.prefix(), "JOIN", {c.name}).to(member);
  }
  if (!c.topic.empty()) e.send_topic(member, c);
  if (!member.caps.has(Cap::kNoImplicitNames)) e.send_names(member, c);
}

}  // namespace

// RENAME <channel> <new channel> [<reason>]
void rename(Engine& e, User& u, const proto::Message& m) {
  Channel* c = e.find_channel(m.param(0));
  if (!c || (c->secret && !c->has(u))) {
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
  std::string_view to = m.param(1);
  if (auto [code, why] = rename_refusal(e, *c, to); !code.empty()) {
    e.fail(u, "RENAME", code, {c->name, to.substr(0, 64), why});
    return;
  }
  std::string old_name = c->name;
  // ":prefix RENAME old new :reason\r\n" stays within 512 bytes.
  std::size_t overhead = u.prefix().size() + old_name.size() + to.size() + 14;
  std::size_t room =
      std::min(e.limits().kick_length, proto::kMaxLineBytes - std::min(proto::kMaxLineBytes, overhead));
  std::string reason = m.size() > 2 ? limit_utf8(m.param(2), room) : std::string();
  e.rename_channel(*c, to);
  std::string part_reason = "Channel renamed to " + c->name + (reason.empty() ? "" : ": " + reason);
  const std::array<std::string_view, 3> params{old_name, c->name, reason};
  Engine::Broadcast renamed(e, u.prefix(), "RENAME", std::span(params.data(), reason.empty() ? 2 : 3));
  for (auto& [member, flags] : c->members) {
    if (member->caps.has(Cap::kChannelRename)) {
      renamed.to(*member);
    } else {
      rejoin(e, *member, *c, old_name, part_reason);
    }
  }
}

}  // namespace parley::core::commands
