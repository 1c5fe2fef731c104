// The engine's operator toolkit: classes (what an operator may do), server notices (snomasks) and
// server bans (K-lines, D-lines). The commands that use it are in commands/oper.cpp and
// commands/server_bans.cpp.
#include <algorithm>

#include "core/engine.h"
#include "core/numerics.h"
#include "core/snomask.h"

namespace parley::core {

using namespace numeric;

namespace {

const OperatorBlock* block_named(const EngineConfig& config, std::string_view name) {
  for (const OperatorBlock& b : config.operators)
    if (b.name == name) return &b;
  return nullptr;
}

const OperatorClass* class_named(const EngineConfig& config, std::string_view name) {
  for (const OperatorClass& c : config.operator_classes)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

bool Engine::oper_may(const User& u, std::string_view command) const {
  if (!u.is_oper() || u.remote) return false;
  const OperatorBlock* block = block_named(config_, u.oper_name());
  if (!block) return false;  // a reload removed it: the user keeps +o and nothing else
  if (block->class_name.empty()) return true;
  const OperatorClass* cls = class_named(config_, block->class_name);
  if (!cls) return false;
  return std::any_of(cls->commands.begin(), cls->commands.end(),
                     [&](const std::string& c) { return c == "*" || c == command; });
}

void Engine::oper_up(User& u, const OperatorBlock& block) {
  const bool was_oper = u.is_oper();
  // The other operators hear of it; this one is told by 381 below (and is added back to the list).
  std::erase(oper_sessions_, u.id);
  notify_opers(snomask::kOper, u.nick + " (" + u.username + "@" + std::string(u.ip()) + ") is now an operator (" +
                                   block.name + (block.class_name.empty() ? "" : ", class " + block.class_name) +
                                   ")");
  u.set_oper_name(block.name);
  const OperatorClass* cls = block.class_name.empty() ? nullptr : class_named(config_, block.class_name);
  const bool had_snomask = !u.snomask().empty();
  u.set_snomask(cls ? cls->snomask : std::string(snomask::kAll));
  if (std::find(oper_sessions_.begin(), oper_sessions_.end(), u.id) == oper_sessions_.end())
    oper_sessions_.push_back(u.id);
  reply(u, RPL_YOUREOPER, {"You are now an IRC operator"});
  if (!u.snomask().empty()) reply(u, RPL_SNOMASK, {"+" + u.snomask(), "Server notice mask"});
  const bool has_snomask = !u.snomask().empty();
  std::string modes;
  if (!was_oper || (!had_snomask && has_snomask))
    modes = std::string("+") + (was_oper ? "" : "o") + (!had_snomask && has_snomask ? "s" : "");
  if (had_snomask && !has_snomask) modes += "-s";
  if (!modes.empty()) Broadcast(*this, u.prefix(), "MODE", {u.nick, modes}).to(u);
  if (!was_oper) network_->oper_changed(u);
}

void Engine::notify_opers(char category, std::string_view text) {
  control_->log_notice(category, text);
  if (oper_sessions_.empty()) return;
  std::erase_if(oper_sessions_, [&](SessionId id) {
    User* u = find_user(id);
    if (!u || u->quitting || !u->is_oper()) return true;
    if (u->snomask().find(category) == std::string::npos) return false;
    // ":server NOTICE nick :*** text": the nick differs per operator, so one line each.
    server_message(*u, "NOTICE", {u->nick, "*** " + std::string(text)});
    return false;
  });
}

void Engine::restore_server_bans(std::vector<ServerBan> bans) {
  for (ServerBan& b : bans) server_bans_.add(std::move(b));
}

std::size_t Engine::add_server_ban(ServerBan ban, const User& by) {
  const ServerBan::Kind kind = ban.kind;
  const std::string word(ban_command(kind));
  const std::string expiry = ban.expires_at ? "expires in " + format_duration(ban.expires_at - ban.set_at) : "permanent";
  notify_opers(snomask::kServerBan, by.nick + " added a " + (kind == ServerBan::Kind::kUserHost ? "K" : "D") +
                                        "-line on " + ban.mask + " (" + expiry + "): " + ban.reason);
  HistoryRequest save;
  save.kind = HistoryRequest::Kind::kSaveServerBan;
  save.ban = ban;
  history_request(nullptr, std::move(save), {});
  const std::string reason = (kind == ServerBan::Kind::kUserHost ? "K-lined: " : "D-lined: ") + ban.reason;
  server_bans_.add(std::move(ban));
  // Everyone connected whom the ban now refuses leaves, as they would have been refused.
  std::vector<User*> hit;
  const std::int64_t now = unix_now();
  for (auto& [id, u] : users_) {
    if (u->quitting) continue;
    const bool matches = kind == ServerBan::Kind::kAddress
                             ? server_bans_.match_address(u->ip(), now) != nullptr
                             : u->registered && server_bans_.match_user(u->username, u->host, u->ip(), now);
    if (matches) hit.push_back(u.get());
  }
  for (User* u : hit) {
    notify_opers(snomask::kServerBan, word + " disconnects " + u->target_name() + " (" + u->username + "@" +
                                          std::string(u->ip()) + ")");
    quit(*u, reason);
  }
  return hit.size();
}

bool Engine::remove_server_ban(ServerBan::Kind kind, std::string_view mask, const User& by) {
  if (!server_bans_.remove(kind, mask)) return false;
  HistoryRequest drop;
  drop.kind = HistoryRequest::Kind::kDeleteServerBan;
  drop.ban.kind = kind;
  drop.ban.mask = std::string(mask);
  history_request(nullptr, std::move(drop), {});
  notify_opers(snomask::kServerBan, by.nick + " removed the " + (kind == ServerBan::Kind::kUserHost ? "K" : "D") +
                                        "-line on " + std::string(mask));
  return true;
}

void Engine::expire_server_bans() {
  for (ServerBan& gone : server_bans_.take_expired(unix_now())) {
    notify_opers(snomask::kServerBan, std::string("The ") + (gone.kind == ServerBan::Kind::kUserHost ? "K" : "D") +
                                          "-line on " + gone.mask + " set by " + gone.set_by + " has expired");
    HistoryRequest drop;
    drop.kind = HistoryRequest::Kind::kDeleteServerBan;
    drop.ban = std::move(gone);
    history_request(nullptr, std::move(drop), {});
  }
}

}  // namespace parley::core
