// MONITOR lists and the engine's online/offline notices (RPL_MONONLINE 730, RPL_MONOFFLINE 731).
#include "core/monitor.h"

#include <algorithm>

#include "core/engine.h"
#include "core/numerics.h"

namespace parley::core {

MonitorRegistry::Added MonitorRegistry::add(User& watcher, std::string_view nick, std::string folded,
                                            std::size_t limit) {
  std::vector<Entry>& list = by_watcher_[&watcher];
  if (std::any_of(list.begin(), list.end(), [&](const Entry& e) { return e.folded == folded; })) {
    return Added::kAlreadyThere;
  }
  if (list.size() >= limit) {
    if (list.empty()) by_watcher_.erase(&watcher);
    return Added::kListFull;
  }
  by_nick_[folded].push_back(&watcher);
  list.push_back(Entry{std::move(folded), std::string(nick)});
  return Added::kAdded;
}

void MonitorRegistry::remove(User& watcher, const std::string& folded) {
  auto list = by_watcher_.find(&watcher);
  if (list == by_watcher_.end()) return;
  auto n = std::erase_if(list->second, [&](const Entry& e) { return e.folded == folded; });
  if (list->second.empty()) by_watcher_.erase(list);
  if (n == 0) return;
  auto it = by_nick_.find(folded);
  std::erase(it->second, &watcher);
  if (it->second.empty()) by_nick_.erase(it);
}

void MonitorRegistry::clear(User& watcher) {
  auto list = by_watcher_.find(&watcher);
  if (list == by_watcher_.end()) return;
  for (const Entry& e : list->second) {
    auto it = by_nick_.find(e.folded);
    std::erase(it->second, &watcher);
    if (it->second.empty()) by_nick_.erase(it);
  }
  by_watcher_.erase(list);
}

const std::vector<User*>* MonitorRegistry::watchers(const std::string& folded) const {
  auto it = by_nick_.find(folded);
  return it == by_nick_.end() ? nullptr : &it->second;
}

const std::vector<MonitorRegistry::Entry>* MonitorRegistry::list(const User& watcher) const {
  auto it = by_watcher_.find(&watcher);
  return it == by_watcher_.end() ? nullptr : &it->second;
}

void Engine::announce_online(User& u) {
  if (monitors_.empty()) return;
  const auto* watchers = monitors_.watchers(u.nick_folded);
  if (!watchers) return;
  for (User* w : *watchers) reply(*w, numeric::RPL_MONONLINE, {u.prefix()});
}

void Engine::announce_offline(const std::string& folded, std::string_view nick) {
  if (monitors_.empty()) return;
  const auto* watchers = monitors_.watchers(folded);
  if (!watchers) return;
  for (User* w : *watchers) reply(*w, numeric::RPL_MONOFFLINE, {nick});
}

Engine::Broadcast& Engine::Broadcast::to_monitors(User& about, Cap required) {
  if (engine_.monitors_.empty()) return *this;
  const auto* watchers = engine_.monitors_.watchers(about.nick_folded);
  if (!watchers) return *this;
  std::uint64_t epoch = engine_.visit_epoch_;  // the one to_common_channels just used
  for (User* w : *watchers) {
    if (w == &about || w->visit_mark == epoch || !w->caps.has(Cap::kExtendedMonitor)) continue;
    if (required != Cap::kCount && !w->caps.has(required)) continue;
    w->visit_mark = epoch;
    to(*w);
  }
  return *this;
}

}  // namespace parley::core
