// Engine::reconfigure: a configuration re-read while the server runs (docs/operations.md
// "Reloading"). Everything here changes what the engine does from now on; nobody is disconnected
// and nothing already said is taken back. Users are told of what they can see change: ISUPPORT
// tokens (a 005 with the changed ones) and offered capabilities (cap-notify's CAP NEW / DEL).
#include <algorithm>
#include <bitset>
#include <map>
#include <utility>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"

namespace parley::core {

using namespace numeric;

namespace {

// ISUPPORT tokens by name ("NICKLEN=30" under "NICKLEN").
std::map<std::string, std::string> tokens_by_name(const std::vector<std::vector<std::string>>& lines) {
  std::map<std::string, std::string> out;
  for (const auto& line : lines) {
    for (const std::string& token : line) out.emplace(token.substr(0, token.find('=')), token);
  }
  return out;
}

// The capability list of a CAP NEW/DEL line, each "name" or "name=value".
void send_cap_change(Engine& e, User& u, std::string_view sub, const std::vector<std::string>& items) {
  if (items.empty()) return;
  std::string list;
  for (const std::string& item : items) list += (list.empty() ? "" : " ") + item;
  e.server_message(u, "CAP", {u.target_name(), sub, list});
}

}  // namespace

std::vector<std::string> Engine::reconfigure(EngineConfig next) {
  std::vector<std::string> changed;
  auto note = [&](bool differs, const char* what) {
    if (differs) changed.emplace_back(what);
  };
  // The key decides every cloak: changing it would split existing cloaks from new ones.
  if (!config_.cloaks.secret.empty()) next.cloaks.secret = config_.cloaks.secret;
  // Only what may change is assigned: what identifies this server (the caller has refused a
  // reload that changes it) is never touched, so nothing that refers to it is disturbed.
  HistoryPolicy history = config_.history;
  history.max_query = next.history.max_query;
  history.public_channels = next.history.public_channels;
  const EngineConfig& c = config_;
  note(c.motd != next.motd, "server.motd");
  note(c.admin_info != next.admin_info, "server.admin");
  note(c.password_hash != next.password_hash, "server.password_hash");
  note(c.utf8_only != next.utf8_only, "server.utf8_only");
  note(c.operators != next.operators, "operator");
  note(c.operator_classes != next.operator_classes, "operator_class");
  note(c.limits != next.limits, "limits");
  note(c.flood != next.flood, "flood");
  note(c.timeouts != next.timeouts, "timeouts");
  note(c.accounts != next.accounts, "accounts");
  note(c.cloaks != next.cloaks, "cloaks");
  note(c.sts != next.sts, "sts");
  note(c.history != history, "history");

  const auto isupport_before = isupport_lines_;
  const auto cap_values_before = cap_values_;
  const EngineConfig before = config_;
  config_.config_file = std::move(next.config_file);
  config_.motd = std::move(next.motd);
  config_.admin_info = std::move(next.admin_info);
  config_.password_hash = std::move(next.password_hash);
  config_.utf8_only = next.utf8_only;
  config_.operators = std::move(next.operators);
  // Operators keep +o; what they may do follows their block's class from now on (oper_may).
  config_.operator_classes = std::move(next.operator_classes);
  config_.limits = next.limits;
  config_.flood = next.flood;
  config_.timeouts = next.timeouts;
  config_.accounts = next.accounts;
  config_.cloaks = std::move(next.cloaks);
  config_.sts = next.sts;
  config_.history = history;
  build_isupport();
  build_cap_values();
  announce_isupport_changes(isupport_before);
  announce_cap_changes(before, cap_values_before);
  return changed;
}

void Engine::announce_isupport_changes(const std::vector<std::vector<std::string>>& before) {
  const auto old_tokens = tokens_by_name(before), new_tokens = tokens_by_name(isupport_lines_);
  std::vector<std::string> tokens;
  for (const auto& [name, token] : new_tokens) {
    auto it = old_tokens.find(name);
    if (it == old_tokens.end() || it->second != token) tokens.push_back(token);
  }
  for (const auto& [name, token] : old_tokens) {
    if (!new_tokens.contains(name)) tokens.push_back("-" + name);  // modern.ircdocs.horse: negated
  }
  if (tokens.empty()) return;
  constexpr std::size_t kPerLine = 13;
  for (const auto& [id, u] : users_) {
    if (!u->registered || u->quitting) continue;
    for (std::size_t i = 0; i < tokens.size(); i += kPerLine) {
      std::string line;
      proto::LineBuilder b(line);
      b.source(config_.server_name).command(RPL_ISUPPORT).param(u->target_name());
      for (std::size_t j = i; j < std::min(tokens.size(), i + kPerLine); ++j) b.param(tokens[j]);
      b.trailing("are supported by this server").finish();
      send(*u, std::move(line));
    }
  }
}

void Engine::announce_cap_changes(
    const EngineConfig& before_config,
    const std::array<std::string, static_cast<std::size_t>(Cap::kCount)>& before_values) {
  // Which caps were offered under the old configuration, as cap_offered() decides: sts when
  // configured (whether history is kept cannot change on reload).
  std::bitset<static_cast<std::size_t>(Cap::kCount)> offered_before;
  for (const auto& info : kCaps) {
    offered_before[static_cast<std::size_t>(info.cap)] =
        info.cap == Cap::kSts ? before_config.sts.enabled : cap_offered(info.cap);
  }
  std::vector<const CapInfo*> added, removed, revalued;  // in CAP LS order
  for (const auto& info : kCaps) {
    const auto i = static_cast<std::size_t>(info.cap);
    const bool was = offered_before[i], is = cap_offered(info.cap);
    if (!was && is) {
      added.push_back(&info);
    } else if (was && !is) {
      removed.push_back(&info);
    } else if (is && (info.cap == Cap::kSts ? before_config.sts != config_.sts
                                            : before_values[i] != cap_values_[i])) {
      revalued.push_back(&info);
    }
  }
  if (added.empty() && removed.empty() && revalued.empty()) return;
  for (const auto& entry : users_) {
    User* u = entry.second.get();  // not a structured binding: the lambda below captures it
    if (u->quitting || !u->caps.has(Cap::kCapNotify)) continue;
    const bool values = u->cap_version >= 302;
    auto item = [&](const CapInfo* cap) {
      std::string text(cap->name);
      std::string value =
          cap->cap == Cap::kSts ? commands::sts_value(*this, *u) : std::string(cap_value(cap->cap));
      if (values && !value.empty()) text += "=" + value;
      return text;
    };
    std::vector<std::string> del, add;
    for (const CapInfo* cap : removed) {
      del.push_back(item(cap));
      u->caps.set(cap->cap, false);  // a deleted capability is no longer enabled (IRCv3 cap-notify)
    }
    for (const CapInfo* cap : added) add.push_back(item(cap));
    if (values) {  // only CAP LS 302 clients saw the values, so only they learn of new ones
      for (const CapInfo* cap : revalued) add.push_back(item(cap));
    }
    send_cap_change(*this, *u, "DEL", del);
    send_cap_change(*this, *u, "NEW", add);
  }
}

}  // namespace parley::core
