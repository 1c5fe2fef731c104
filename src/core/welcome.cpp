// Registration completion and the informational bursts (welcome, ISUPPORT, LUSERS, MOTD).
#include <algorithm>

#include "core/engine.h"
#include "core/metadata.h"
#include "core/numerics.h"
#include "core/snomask.h"

namespace parley::core {

using namespace numeric;

void Engine::complete_registration_if_ready(User& u) {
  if (u.registered || u.nick.empty() || !u.user_received || u.cap_negotiating || u.quitting) return;
  if (!config_.password_hash.empty() && !u.password_ok) {
    if (u.password_checking) return;  // registration completes when the answer arrives
    if (u.pending_password().empty()) {
      reply(u, ERR_PASSWDMISMATCH, {"Password incorrect"});
      quit(u, "Bad password");
      return;
    }
    // Argon2id costs tens of milliseconds: checked off the engine thread (core/accounts.h).
    AccountRequest check;
    check.kind = AccountRequest::Kind::kVerifyPassword;
    check.hash = config_.password_hash;
    check.password = u.pending_password();
    u.set_pending_password({});
    u.password_checking = true;
    request(u, std::move(check), [](Engine& e, User& u, const AccountAnswer& answer) {
      u.password_checking = false;
      if (answer.outcome != AccountAnswer::Outcome::kOk) {
        e.reply(u, ERR_PASSWDMISMATCH, {"Password incorrect"});
        e.quit(u, "Bad password");
        return;
      }
      u.password_ok = true;
      e.complete_registration_if_ready(u);
    });
    return;
  }
  u.set_pending_password({});
  if (const ServerBan* ban = server_bans_.match_user(u.username, u.host, u.ip(), unix_now())) {
    notify_opers(snomask::kServerBan, "K-line refuses " + u.nick + " (" + u.username + "@" + std::string(u.ip()) +
                                          "): " + ban->mask);
    quit(u, "K-lined: " + ban->reason);
    return;
  }
  u.registered = true;
  ++registered_count_;
  ++local_server_.users;
  peak_users_ = std::max(peak_users_, registered_count_);
  peak_global_users_ = std::max(peak_global_users_, global_user_count());
  send_welcome(u);
  if (opers_listening())
    notify_opers(snomask::kConnect, "Client connecting: " + u.nick + " (" + u.username + "@" + std::string(u.ip()) +
                                        ") [" + u.realname + "]" + (u.secure ? " (TLS)" : ""));
  announce_online(u);
  network_->user_introduced(u);
  check_nick_protection(*this, u);
}

void Engine::send_welcome(User& u) {
  const EngineConfig& c = config_;
  reply(u, RPL_WELCOME, {"Welcome to the " + c.network_name + " IRC Network " + u.prefix()});
  reply(u, RPL_YOURHOST, {"Your host is " + c.server_name + ", running version " + c.version});
  reply(u, RPL_CREATED, {"This server was created " + c.created});
  reply(u, RPL_MYINFO, {c.server_name, c.version, "Biosw", "CIbeiklmnopstv", "Ibeklov"});
  send_isupport(u);
  // Where irctest and InspIRCd put it: after ISUPPORT, before LUSERS.
  if (u.host != u.ip()) reply(u, RPL_VISIBLEHOST, {u.host, "is now your displayed host"});
  send_lusers(u);
  if (u.caps.has(Cap::kMetadata)) send_registration_metadata(*this, u);  // before the MOTD's end
  send_motd(u);
}

void Engine::send_isupport(User& u) {
  for (const auto& tokens : isupport_lines_) {
    std::string line;
    proto::LineBuilder b(line);
    b.source(config_.server_name).command(RPL_ISUPPORT).param(u.target_name());
    for (const auto& token : tokens) b.param(token);
    b.trailing("are supported by this server").finish();
    send(u, std::move(line));
  }
}

void Engine::send_lusers(User& u) {
  const std::size_t invisible = invisible_count() + remote_invisible_;
  const std::size_t global = global_user_count(), servers = servers_.size() + 1;
  reply(u, RPL_LUSERCLIENT,
        {"There are " + std::to_string(global - invisible) + " users and " + std::to_string(invisible) +
         " invisible on " + std::to_string(servers) + " servers"});
  if (std::size_t ops = oper_count() + remote_opers_)
    reply(u, RPL_LUSEROP, {std::to_string(ops), "operator(s) online"});
  if (std::size_t unknown = unregistered_count()) {
    reply(u, RPL_LUSERUNKNOWN, {std::to_string(unknown), "unknown connection(s)"});
  }
  // Sent even when it is 0, unlike 252 and 253: ngIRCd (IRC_Send_LUSERS) and InspIRCd
  // (core_lusers) both always send it, RFC 2812's "only if a non-zero count" notwithstanding.
  reply(u, RPL_LUSERCHANNELS, {std::to_string(channels_.size()), "channels formed"});
  // 255 counts registered clients, as 265 does; connections still registering are 253's.
  reply(u, RPL_LUSERME,
        {"I have " + std::to_string(registered_count_) + " clients and " +
         std::to_string(local_server_.children.size()) + " servers"});
  std::string cur = std::to_string(registered_count_), max = std::to_string(peak_users_);
  reply(u, RPL_LOCALUSERS, {cur, max, "Current local users " + cur + ", max " + max});
  std::string gcur = std::to_string(global), gmax = std::to_string(std::max(peak_global_users_, global));
  reply(u, RPL_GLOBALUSERS, {gcur, gmax, "Current global users " + gcur + ", max " + gmax});
}

void Engine::send_motd(User& u) {
  if (config_.motd.empty()) {
    reply(u, ERR_NOMOTD, {"MOTD File is missing"});
    return;
  }
  reply(u, RPL_MOTDSTART, {"- " + config_.server_name + " Message of the day - "});
  for (const auto& line : config_.motd) reply(u, RPL_MOTD, {"- " + line});
  reply(u, RPL_ENDOFMOTD, {"End of /MOTD command."});
}

}  // namespace parley::core
