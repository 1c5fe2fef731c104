// Operator commands: OPER, KILL, the SA* commands that act on another user (SAJOIN, SAPART,
// SANICK), GLOBOPS, DIE and RESTART. Which operator may use which is the dispatcher's check
// (Engine::oper_may, the operator's class); every action is told to the operators (snomask a).
#include <algorithm>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/snomask.h"
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
    const OperatorBlock* block = nullptr;
    for (const OperatorBlock& b : e.config().operators)
      if (b.name == name) block = &b;
    if (!named || !block || answer.outcome != AccountAnswer::Outcome::kOk) {
      e.reply(u, ERR_PASSWDMISMATCH, {"Password incorrect"});
      e.notify_opers(snomask::kOper, "Failed OPER attempt by " + u.nick + " (" + u.username + "@" +
                                         std::string(u.ip()) + ")");
      return;
    }
    e.oper_up(u, *block);
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
  e.notify_opers(snomask::kKill, u.nick + " killed " + victim->nick + " (" + comment + ")");
  e.network().user_killed(u, *victim, reason);  // a KILL crosses the links, not a QUIT
  e.quit(*victim, reason);
}

namespace {

// The local user an SA* command names, or null after telling `u` why not. Users on other servers
// are theirs to change: these commands act on this server's users only.
User* sa_target(Engine& e, User& u, std::string_view command, std::string_view nick) {
  User* t = e.find_nick(nick);
  if (!t || !t->registered) {
    e.reply(u, ERR_NOSUCHNICK, {nick.substr(0, 64), "No such nick/channel"});
    return nullptr;
  }
  if (t->remote) {
    e.fail(u, command, "REMOTE_USER", {t->nick, t->nick + " is on " + t->server->name + "; use " +
                                                    std::string(command) + " there"});
    return nullptr;
  }
  return t;
}

void announce_action(Engine& e, const User& by, std::string_view what) {
  e.notify_opers(snomask::kOperAction, by.nick + " used " + std::string(what));
}

}  // namespace

// SAJOIN <nick> <channel>: joins the user to the channel whatever its modes (key, limit, bans,
// invite-only) and however many channels the user is in.
void sajoin(Engine& e, User& u, const proto::Message& m) {
  User* t = sa_target(e, u, "SAJOIN", m.param(0));
  if (!t) return;
  std::string_view name = m.param(1);
  if (!proto::is_valid_channel_name(name, e.limits().channel_length)) {
    e.reply(u, ERR_NOSUCHCHANNEL, {name.substr(0, 64), "No such channel"});
    return;
  }
  Channel* c = e.find_channel(name);
  if (c && c->has(*t)) {
    e.reply(u, ERR_USERONCHANNEL, {t->nick, c->name, "is already on channel"});
    return;
  }
  announce_action(e, u, "SAJOIN to join " + t->nick + " to " + std::string(name));
  e.join_channel(*t, name, c);
}

// SAPART <nick> <channel> [<reason>]: parts the user as if it had sent PART.
void sapart(Engine& e, User& u, const proto::Message& m) {
  User* t = sa_target(e, u, "SAPART", m.param(0));
  if (!t) return;
  Channel* c = e.find_channel(m.param(1));
  if (!c) {
    e.reply(u, ERR_NOSUCHCHANNEL, {m.param(1).substr(0, 64), "No such channel"});
    return;
  }
  if (!c->has(*t)) {
    e.reply(u, ERR_USERNOTINCHANNEL, {t->nick, c->name, "They aren't on that channel"});
    return;
  }
  announce_action(e, u, "SAPART to part " + t->nick + " from " + c->name);
  std::string line = "PART " + c->name + (m.size() > 2 ? " :" + std::string(m.param(2)) : "");
  proto::ParseResult part_line = proto::parse_message(line);
  if (part_line.message) part(e, *t, *part_line.message);
}

// SANICK <nick> <new nick>: renames the user (a nick registered to an account is allowed: the
// operator decides; nick protection then applies as to any user on that nick).
void sanick(Engine& e, User& u, const proto::Message& m) {
  User* t = sa_target(e, u, "SANICK", m.param(0));
  if (!t) return;
  std::string_view wanted = m.param(1);
  if (!proto::is_valid_nick(wanted, e.limits().nick_length)) {
    e.reply(u, ERR_ERRONEUSNICKNAME, {wanted.substr(0, 64), "Erroneous nickname"});
    return;
  }
  if (User* holder = e.find_nick(wanted); holder && holder != t) {
    e.reply(u, ERR_NICKNAMEINUSE, {wanted, "Nickname is already in use"});
    return;
  }
  announce_action(e, u, "SANICK to change " + t->nick + "'s nick to " + std::string(wanted));
  e.change_nick(*t, wanted);
}

// GLOBOPS <text>: a message to every operator of this server who gets snomask g.
void globops(Engine& e, User& u, const proto::Message& m) {
  e.notify_opers(snomask::kGlobops, "Global -- from " + u.nick + ": " + std::string(m.param(0)));
}

namespace {

void stop_server(Engine& e, User& u, std::string_view command, const proto::Message& m, bool restart) {
  std::string reason = m.size() ? std::string(m.param(0)) : std::string(restart ? "Restarting" : "Shutting down");
  reason = limit_utf8(reason, e.limits().kick_length);
  // Told before the server goes, so it is on record whatever happens next.
  announce_action(e, u, std::string(command) + " (" + reason + ")");
  const std::string said = "Server " + std::string(restart ? "restarting" : "terminating") + " by " + u.nick +
                           ": " + reason;
  if (!(restart ? e.control().restart(said) : e.control().die(said)))
    e.fail(u, command, "CANNOT_DO", {"This server cannot " + std::string(restart ? "restart" : "shut down") +
                                     " itself"});
}

}  // namespace

// DIE [<reason>]: a graceful shutdown; every client is told the reason.
void die(Engine& e, User& u, const proto::Message& m) { stop_server(e, u, "DIE", m, false); }

// RESTART [<reason>]: the same, then the server starts again with the same arguments.
void restart(Engine& e, User& u, const proto::Message& m) { stop_server(e, u, "RESTART", m, true); }

}  // namespace parley::core::commands
