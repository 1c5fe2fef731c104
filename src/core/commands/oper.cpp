// Operator commands: OPER and KILL.
#include <algorithm>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

// OPER <name> <password>
// A failure must not tell a stranger which operator names exist (as ngIRCd, which answers 464
// to every failure): an unknown name, a wrong password and a named block whose host does not
// match all answer 464, after the same password check. 491 is sent only when no block at all
// accepts this user's host, which is true whatever name was tried and so reveals no name.
void oper(Engine& e, User& u, const proto::Message& m) {
  const auto& blocks = e.config().operators;
  // The block's host may name the displayed host (a cloak) or the real IP.
  auto accepts_host = [&](const OperatorBlock& b) {
    auto from = [&](std::string_view host) {
      return proto::match_mask(b.host_mask, u.username + "@" + std::string(host), proto::Casemapping::kAscii);
    };
    return from(u.host) || from(u.ip());
  };
  auto usable =
      std::find_if(blocks.begin(), blocks.end(), [&](const OperatorBlock& b) { return accepts_host(b); });
  if (usable == blocks.end()) {
    e.reply(u, ERR_NOOPERHOST, {"No O-lines for your host"});
    return;
  }
  auto block = std::find_if(blocks.begin(), blocks.end(),
                            [&](const OperatorBlock& b) { return b.name == m.param(0) && accepts_host(b); });
  // Without a matching block the password is checked against a host-matching block anyway, so a
  // wrong name takes as long as a wrong password; its outcome is then ignored.
  bool named = block != blocks.end();
  AccountRequest check;
  check.kind = AccountRequest::Kind::kVerifyPassword;
  check.hash = named ? block->password_hash : usable->password_hash;
  check.password = std::string(m.param(1));
  // The hash check runs off the engine thread; the answer (labeled, if the command was) follows.
  std::string name = named ? block->name : std::string();
  e.request(u, std::move(check), [named, name](Engine& e, User& u, const AccountAnswer& answer) {
    if (!named || answer.outcome != AccountAnswer::Outcome::kOk) {
      e.reply(u, ERR_PASSWDMISMATCH, {"Password incorrect"});
      return;
    }
    bool was_oper = u.is_oper();
    u.set_oper_name(name);
    e.reply(u, RPL_YOUREOPER, {"You are now an IRC operator"});
    if (!was_oper) {
      Engine::Broadcast(e, u.prefix(), "MODE", {u.nick, "+o"}).to(u);
      e.network().oper_changed(u);
    }
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
  std::string reason = "Killed (" + u.nick + " (" + comment + "))";
  e.network().user_killed(u, *victim, reason);  // a KILL crosses the links, not a QUIT
  e.quit(*victim, reason);
}

}  // namespace parley::core::commands
