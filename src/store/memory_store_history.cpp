// MemoryStore: history, read markers and registered channels (the reference implementation of the
// semantics in core/history.h and store/history_rules.h).
#include <algorithm>
#include <set>

#include "store/memory_store.h"

namespace parley::store {

namespace {

using history::Position;

}  // namespace

Status MemoryStore::append_history(std::span<const core::HistoryEntry> entries) {
  for (const auto& entry : entries) {
    if (Status s = history::validate(entry); !s.is_ok()) return s;  // all or nothing: check first
  }
  std::lock_guard lock(mutex_);
  for (const auto& entry : entries) {
    if (msgids_.contains(entry.msgid)) continue;  // already stored (this batch or before)
    const Position at{entry.time_ms, next_seq_++};
    history_[entry.target].emplace(at, entry);
    msgids_.emplace(entry.msgid, std::make_pair(entry.target, at));
  }
  return Status::ok();
}

std::vector<core::HistoryEntry> MemoryStore::read_range(const Log& log, const history::Range& range) const {
  std::vector<core::HistoryEntry> out;
  if (!(range.after < range.before)) return out;
  auto first = log.upper_bound(range.after);
  auto last = log.lower_bound(range.before);
  auto wanted = [&](const core::HistoryEntry& e) {
    return range.include_events || history::is_plain_message(e.command);
  };
  if (range.from_newest) {
    for (auto it = last; it != first && out.size() < range.limit;) {
      --it;
      if (wanted(it->second)) out.push_back(it->second);
    }
    std::reverse(out.begin(), out.end());
  } else {
    for (auto it = first; it != last && out.size() < range.limit; ++it) {
      if (wanted(it->second)) out.push_back(it->second);
    }
  }
  return out;
}

Result<std::vector<core::HistoryEntry>> MemoryStore::query_history(const core::HistoryQuery& query) {
  std::lock_guard lock(mutex_);
  static const Log kEmpty;
  auto it = history_.find(query.target);
  const Log& log = it == history_.end() ? kEmpty : it->second;
  auto resolve = [&](std::string_view msgid) -> Result<std::optional<Position>> {
    auto found = msgids_.find(std::string(msgid));
    if (found == msgids_.end() || found->second.first != query.target) return std::optional<Position>{};
    return std::optional<Position>{found->second.second};
  };
  auto fetch = [&](const history::Range& range) -> Result<std::vector<core::HistoryEntry>> {
    return read_range(log, range);
  };
  return history::run_query(query, resolve, fetch);
}

Result<std::vector<core::TargetActivity>> MemoryStore::history_targets(const core::TargetsQuery& query) {
  const std::int64_t low = std::min(query.from_ms, query.to_ms), high = std::max(query.from_ms, query.to_ms);
  std::lock_guard lock(mutex_);
  std::set<std::string, std::less<>> candidates(query.channels.begin(), query.channels.end());
  for (const auto& [target, log] : history_) {
    if (history::is_conversation_of(target, query.account_folded)) candidates.insert(target);
  }
  std::vector<core::TargetActivity> out;
  for (const std::string& target : candidates) {
    auto it = history_.find(target);
    if (it == history_.end()) continue;
    auto newest = it->second.lower_bound(Position{high, 0});  // first entry at or after `high`
    if (newest == it->second.begin()) continue;
    --newest;
    if (newest->first.time_ms > low) out.push_back({target, newest->first.time_ms});
  }
  std::sort(out.begin(), out.end(), [](const core::TargetActivity& a, const core::TargetActivity& b) {
    return a.latest_ms != b.latest_ms ? a.latest_ms > b.latest_ms : a.target < b.target;
  });
  if (out.size() > query.limit) out.resize(query.limit);
  return out;
}

Result<std::vector<core::HistoryEntry>> MemoryStore::search_history(const core::SearchQuery& query) {
  const std::vector<std::string> wanted = history::words(query.text);
  if (!query.text.empty() && wanted.empty()) return std::vector<core::HistoryEntry>{};  // no word to find
  std::lock_guard lock(mutex_);
  std::vector<std::pair<Position, const core::HistoryEntry*>> found;
  const std::set<std::string, std::less<>> targets(query.targets.begin(), query.targets.end());
  for (const std::string& target : targets) {
    auto it = history_.find(target);
    if (it == history_.end()) continue;
    for (const auto& [at, entry] : it->second) {
      if (!history::is_searchable(entry.command)) continue;
      if (!query.from_folded.empty() && entry.sender_folded != query.from_folded) continue;
      if (query.after_ms != 0 && at.time_ms <= query.after_ms) continue;
      if (query.before_ms != 0 && at.time_ms >= query.before_ms) continue;
      if (history::has_all_words(entry.text, wanted)) found.emplace_back(at, &entry);
    }
  }
  auto newest = [](const auto& a, const auto& b) { return a.first > b.first; };
  if (!wanted.empty()) {
    // With words: the `limit` most recently appended matches (history_rules.h), then by time.
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.first.seq > b.first.seq; });
    if (found.size() > query.limit) found.resize(query.limit);
  }
  std::sort(found.begin(), found.end(), newest);
  std::vector<core::HistoryEntry> out;
  for (std::size_t i = 0; i < found.size() && i < query.limit; ++i) out.push_back(*found[i].second);
  return out;
}

MemoryStore::Log::iterator MemoryStore::erase_entry(Log& log, Log::iterator it) {
  msgids_.erase(it->second.msgid);
  return log.erase(it);
}

Result<std::size_t> MemoryStore::expire_history(const RetentionPolicy& policy, std::int64_t now_ms,
                                                std::size_t max_rows) {
  std::lock_guard lock(mutex_);
  std::size_t deleted = 0;
  auto budget_left = [&] { return max_rows == 0 || deleted < max_rows; };
  for (auto target = history_.begin(); target != history_.end() && budget_left();) {
    const RetentionRule& rule = history::rule_for(policy, target->first);
    Log& log = target->second;
    for (auto it = log.begin(); it != log.end() && budget_left();) {
      const bool too_old = rule.max_age_ms != 0 && it->first.time_ms < now_ms - rule.max_age_ms;
      const bool too_many = rule.max_count != 0 && log.size() > rule.max_count;
      if (!too_old && !too_many) break;  // entries are oldest first: the rest are kept
      it = erase_entry(log, it);
      ++deleted;
    }
    target = log.empty() ? history_.erase(target) : std::next(target);
  }
  return deleted;
}

Status MemoryStore::forget_history(std::string_view target) {
  std::lock_guard lock(mutex_);
  auto it = history_.find(target);
  if (it == history_.end()) return Status::ok();
  for (const auto& [at, entry] : it->second) msgids_.erase(entry.msgid);
  history_.erase(it);
  return Status::ok();
}

Status MemoryStore::delete_history_entry(std::string_view target, std::string_view msgid) {
  std::lock_guard lock(mutex_);
  auto where = msgids_.find(std::string(msgid));
  if (where == msgids_.end() || where->second.first != target) {
    return Status::not_found("message " + std::string(msgid));
  }
  auto log = history_.find(target);
  erase_entry(log->second, log->second.find(where->second.second));  // forgets the msgid too
  if (log->second.empty()) history_.erase(log);
  return Status::ok();
}

Result<std::int64_t> MemoryStore::read_marker(std::string_view account_folded, std::string_view target) {
  std::lock_guard lock(mutex_);
  auto it = markers_.find({std::string(account_folded), std::string(target)});
  return it == markers_.end() ? std::int64_t{0} : it->second;
}

Result<std::int64_t> MemoryStore::set_read_marker(std::string_view account_folded, std::string_view target,
                                                  std::int64_t time_ms) {
  std::lock_guard lock(mutex_);
  std::int64_t& stored = markers_[{std::string(account_folded), std::string(target)}];
  stored = std::max(stored, time_ms);
  return stored;
}

Status MemoryStore::save_channel(const core::RegisteredChannel& channel) {
  auto normal = history::normalised(channel);
  if (!normal.is_ok()) return normal.status();
  std::lock_guard lock(mutex_);
  channels_.insert_or_assign(channel.name_folded, std::move(normal).value());
  return Status::ok();
}

Status MemoryStore::drop_channel(std::string_view name_folded) {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(name_folded);
  if (it == channels_.end()) return Status::not_found("channel " + std::string(name_folded));
  channels_.erase(it);
  return Status::ok();
}

Result<std::vector<core::RegisteredChannel>> MemoryStore::list_channels() {
  std::lock_guard lock(mutex_);
  std::vector<core::RegisteredChannel> out;
  out.reserve(channels_.size());
  for (const auto& [name, channel] : channels_) out.push_back(channel);
  return out;
}

Status MemoryStore::save_server_ban(const core::ServerBan& ban) {
  if (ban.mask.empty()) return Status::invalid("a server ban needs a mask");
  std::lock_guard lock(mutex_);
  server_bans_.insert_or_assign({ban.kind, ban.mask}, ban);
  return Status::ok();
}

Status MemoryStore::delete_server_ban(core::ServerBan::Kind kind, std::string_view mask) {
  std::lock_guard lock(mutex_);
  if (server_bans_.erase({kind, std::string(mask)}) == 0)
    return Status::not_found("server ban " + std::string(mask));
  return Status::ok();
}

Result<std::vector<core::ServerBan>> MemoryStore::list_server_bans() {
  std::lock_guard lock(mutex_);
  std::vector<core::ServerBan> out;
  out.reserve(server_bans_.size());
  for (const auto& [key, ban] : server_bans_) out.push_back(ban);
  return out;
}

}  // namespace parley::store
