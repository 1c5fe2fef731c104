// The server tree and the network-wide ids (core/network.h).
#include "core/network.h"

#include <algorithm>

#include "core/channel.h"
#include "core/command_table.h"
#include "core/engine.h"
#include "core/user.h"

namespace parley::core {

namespace {

constexpr std::string_view kUidDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

bool sid_char(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }

}  // namespace

bool valid_sid(std::string_view sid) {
  return sid.size() == 3 && sid[0] >= '0' && sid[0] <= '9' && sid_char(sid[1]) && sid_char(sid[2]);
}

bool valid_uid(std::string_view uid) {
  return uid.size() == 9 && valid_sid(uid.substr(0, 3)) &&
         std::all_of(uid.begin() + 3, uid.end(), [](char c) { return sid_char(c); });
}

std::string sid_from_name(std::string_view name) {
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  constexpr std::string_view kChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string sid(1, static_cast<char>('0' + h % 10));
  h /= 10;
  sid += kChars[h % 36];
  sid += kChars[(h / 36) % 36];
  return sid;
}

std::string uid_suffix(std::uint64_t n) {
  std::string out(6, 'A');
  for (int i = 5; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kUidDigits[n % kUidDigits.size()];
    n /= kUidDigits.size();
  }
  return out;
}

// ---- Engine: the server tree and remote users ---------------------------------------------------

ServerInfo* Engine::find_server(std::string_view sid) {
  if (sid == local_server_.sid) return &local_server_;
  auto it = servers_.find(std::string(sid));
  return it == servers_.end() ? nullptr : it->second.get();
}

ServerInfo* Engine::find_server_by_name(std::string_view name) {
  auto same = [&](const std::string& n) { return proto::equal_folded(n, name, proto::Casemapping::kAscii); };
  if (same(local_server_.name)) return &local_server_;
  for (auto& [sid, s] : servers_) {
    if (same(s->name)) return s.get();
  }
  return nullptr;
}

ServerInfo& Engine::add_server(ServerInfo& parent, std::string sid, std::string name, std::string description,
                               std::uint64_t route) {
  auto s = std::make_unique<ServerInfo>();
  s->sid = std::move(sid);
  s->name = std::move(name);
  s->description = std::move(description);
  s->parent = &parent;
  s->hops = parent.hops + 1;
  s->route = route;
  ServerInfo& added = *s;
  parent.children.push_back(&added);
  servers_.emplace(added.sid, std::move(s));
  return added;
}

void Engine::split_server(ServerInfo& s) {
  if (&s == &local_server_) return;
  // Every server behind `s`, `s` first.
  std::vector<ServerInfo*> lost{&s};
  for (std::size_t i = 0; i < lost.size(); ++i) {
    for (ServerInfo* child : lost[i]->children) lost.push_back(child);
  }
  const std::string reason = s.parent->name + " " + s.name;
  std::vector<User*> quitting;
  for (auto& [uid, u] : remote_users_) {
    if (std::find(lost.begin(), lost.end(), u->server) != lost.end()) quitting.push_back(u.get());
  }
  splitting_ = true;
  for (User* u : quitting) quit(*u, reason, {}, false);
  splitting_ = false;
  std::erase(s.parent->children, &s);
  for (ServerInfo* gone : lost) servers_.erase(gone->sid);  // destroys `s` too
}

bool Engine::answer_remote_query(User& u, const proto::Message& m,
                                 const std::function<void(const SharedLine&)>& out) {
  static constexpr std::string_view kQueries[] = {"ADMIN", "INFO", "MOTD", "STATS", "TIME", "VERSION"};
  const CommandSpec* spec = find_command(m.command);
  if (!spec || std::find(std::begin(kQueries), std::end(kQueries), spec->name) == std::end(kQueries))
    return false;
  if (m.size() < spec->min_params) return false;
  remote_query_ = {&u, &out};
  spec->handler(*this, u, m);
  remote_query_ = {};
  return true;
}

User* Engine::find_uid(std::string_view uid) {
  auto it = uids_.find(std::string(uid));
  return it == uids_.end() ? nullptr : it->second;
}

void Engine::set_remote_invisible(User& u, bool on) {
  if (!u.remote || u.invisible == on) return;
  u.invisible = on;
  on ? ++remote_invisible_ : --remote_invisible_;
}

void Engine::set_remote_oper(User& u, std::string oper_name) {
  if (!u.remote) return;
  const bool was = u.is_oper();
  u.set_oper_name(std::move(oper_name));
  if (was != u.is_oper()) u.is_oper() ? ++remote_opers_ : --remote_opers_;
}

User& Engine::add_remote_user(ServerInfo& on, std::unique_ptr<User> u) {
  User& added = *u;
  if (added.invisible) ++remote_invisible_;
  if (added.is_oper()) ++remote_opers_;
  added.remote = true;
  added.registered = true;
  added.server = &on;
  added.id = kRemoteSessionBit | ++remote_ids_issued_;
  added.nick_folded = fold(added.nick);
  added.update_prefix();
  if (added.cloak.empty()) added.cloak = added.host;
  nicks_.emplace(added.nick_folded, &added);
  uids_.emplace(added.uid, &added);
  ++on.users;
  remote_users_.emplace(added.uid, std::move(u));
  peak_global_users_ = std::max(peak_global_users_, global_user_count());
  announce_online(added);
  return added;
}

}  // namespace parley::core
