// Operator commands: OPER and KILL.
#include <algorithm>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

// OPER <name> <password>
void oper(Engine& e, User& u, const proto::Message& m) {
  const auto& blocks = e.config().operators;
  auto block = std::find_if(blocks.begin(), blocks.end(), [&](const OperatorBlock& b) { return b.name == m.param(0); });
  // The block's host may name the displayed host (a cloak) or the real IP.
  auto from = [&](std::string_view host) {
    return proto::match_mask(block->host_mask, u.username + "@" + std::string(host),
                             proto::Casemapping::kAscii);
  };
  if (block == blocks.end() || !(from(u.host) || from(u.ip()))) {
    e.reply(u, ERR_NOOPERHOST, {"No O-lines for your host"});
    return;
  }
  // The hash check runs off the engine thread; the answer (labeled, if the command was) follows.
  AccountRequest check;
  check.kind = AccountRequest::Kind::kVerifyPassword;
  check.hash = block->password_hash;
  check.password = std::string(m.param(1));
  e.request(u, std::move(check), [name = block->name](Engine& e, User& u, const AccountAnswer& answer) {
    if (answer.outcome != AccountAnswer::Outcome::kOk) {
      e.reply(u, ERR_PASSWDMISMATCH, {"Password incorrect"});
      return;
    }
    bool was_oper = u.is_oper();
    u.set_oper_name(name);
    e.reply(u, RPL_YOUREOPER, {"You are now an IRC operator"});
    if (!was_oper) Engine::Broadcast(e, u.prefix(), "MODE", {u.nick, "+o"}).to(u);
  });
}

// KILL <nickname> <comment>
void kill(Engine& e, User& u, const proto::Message& m) {
  User* victim = e.find_nick(m.param(0));
  if (!victim || !victim->registered) {
    e.reply(u, ERR_NOSUCHNICK, {m.param(0).substr(0, 64), "No such nick/channel"});
    return;
  }
  std::string comment = limit_utf8(m.param(1), e.limits().kick_length);
  Engine::Broadcast(e, u.prefix(), "KILL", {victim->nick, comment}).to(*victim);
  e.quit(*victim, "Killed (" + u.nick + " (" + comment + "))");
}

}  // namespace parley::core::commands
