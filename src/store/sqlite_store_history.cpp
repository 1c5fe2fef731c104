// SqliteStore: history (schema version 2, docs/storage.md); read markers and registered channels
// are in sqlite_store_channels.cpp.
// The query semantics come from store/history_rules.h, shared with MemoryStore.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "store/sqlite_history_statements.h"
#include "store/sqlite_store.h"
#include "store/sqlite_support.h"

namespace parley::store {

using history::Position;
using sqlite_support::bind_text;
using sqlite_support::column_text;
using sqlite_support::Use;

namespace {

constexpr const char* kEntryColumns =
    "target, msgid, time_ms, source, sender_folded, account, command, tags, params, text";

// The range read, oldest or newest side first. (time_ms, id) row values keep equal times in
// append order and use history_by_target_time (whose rows end with the rowid, id).
std::string range_sql(bool newest) {
  return std::string("SELECT ") + kEntryColumns +
         " FROM history WHERE target = ?1 AND (time_ms, id) > (?2, ?3) AND (time_ms, id) < (?4, ?5)"
         " AND (?6 OR command IN ('PRIVMSG', 'NOTICE')) ORDER BY time_ms" +
         (newest ? " DESC, id DESC" : ", id") + " LIMIT ?7";
}

// SEARCH with words: FTS5 hands out its matches newest rowid first and the LIMIT stops it early,
// so a common word costs `limit` lookups, not one per match (history_rules.h: the most recently
// appended matches).
std::string search_text_sql() {
  std::string columns;  // kEntryColumns, each as history.<name>: history_text has a "text" too
  for (std::string_view rest = kEntryColumns; !rest.empty();) {
    const std::size_t comma = rest.find(", ");
    columns += "history." + std::string(rest.substr(0, comma)) + ", ";
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
  }
  return "SELECT " + columns + "history.id" +
         " FROM history_text JOIN history ON history.id = history_text.rowid WHERE history_text MATCH ?1"
         " AND target IN (SELECT target FROM temp.search_targets) AND (?2 = '' OR sender_folded = ?2)"
         " AND time_ms > ?3 AND time_ms < ?4 AND command IN ('PRIVMSG', 'NOTICE')"
         " ORDER BY history_text.rowid DESC LIMIT ?5";
}

// SEARCH without words, one target at a time, newest first: from one sender through
// history_by_sender, else through history_by_target_time.
std::string search_target_sql(bool by_sender) {
  return std::string("SELECT ") + kEntryColumns + ", id FROM history WHERE target = ?1 AND " +
         (by_sender ? "sender_folded = ?2" : "?2 = ''") +
         " AND time_ms > ?3 AND time_ms < ?4 AND command IN ('PRIVMSG', 'NOTICE')"
         " ORDER BY time_ms DESC, id DESC LIMIT ?5";
}

// The FTS5 query for `words`: each one an FTS5 string ("..." with any '"' doubled), so nothing a
// user types is ever FTS5 syntax (NEAR, OR, *, -, column filters); juxtaposed strings must all match.
std::string fts_query(const std::vector<std::string>& words) {
  std::string q;
  for (const std::string& word : words) {
    if (!q.empty()) q += ' ';
    q += '"';
    for (const char c : word) {
      if (c == '"') q += '"';
      q += c;
    }
    q += '"';
  }
  return q;
}

sqlite3_int64 as_limit(std::size_t n) {
  return static_cast<sqlite3_int64>(std::min<std::size_t>(n, std::numeric_limits<sqlite3_int64>::max()));
}

}  // namespace

void SqliteStore::FreeHistoryStatements::operator()(HistoryStatements* statements) const {
  delete statements;
}

Status SqliteStore::prepare_history() {
  // SEARCH's target list: per connection, filled inside each search's read transaction.
  const char* temp = "CREATE TEMP TABLE IF NOT EXISTS search_targets (target TEXT PRIMARY KEY) WITHOUT ROWID";
  if (int rc = sqlite3_exec(db_, temp, nullptr, nullptr, nullptr); rc != SQLITE_OK)
    return error(rc, "create the search table");
  history_.reset(new HistoryStatements);
  HistoryStatements& h = *history_;
  const std::string columns = kEntryColumns;
  const std::pair<sqlite3_stmt**, std::string> sources[] = {
      {&h.insert_entry,
       "INSERT INTO history (" + columns +
           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (msgid) DO NOTHING"},
      {&h.insert_conversation,
       "INSERT OR IGNORE INTO conversations (account_folded, target) VALUES (?1, ?2)"},
      {&h.last_id, "SELECT coalesce(max(id), 0) FROM history"},
      // Rows get ids above every existing one (INTEGER PRIMARY KEY, none ever updated), so those
      // above the last id before a batch are exactly the batch's.
      {&h.index_text,
       "INSERT INTO history_text (rowid, text) SELECT id, text FROM history WHERE id > ?1 AND text <> ''"},
      {&h.find_msgid, "SELECT target, time_ms, id FROM history WHERE msgid = ?1"},
      {&h.range_oldest, range_sql(false)},
      {&h.range_newest, range_sql(true)},
      {&h.latest_between,
       "SELECT time_ms FROM history WHERE target = ?1 AND time_ms > ?2 AND time_ms < ?3 "
       "ORDER BY time_ms DESC LIMIT 1"},
      {&h.conversations_of, "SELECT target FROM conversations WHERE account_folded = ?1"},
      {&h.clear_search_targets, "DELETE FROM temp.search_targets"},
      {&h.add_search_target, "INSERT OR IGNORE INTO temp.search_targets (target) VALUES (?1)"},
      {&h.search_text, search_text_sql()},
      {&h.search_plain, search_target_sql(false)},
      {&h.search_sender, search_target_sql(true)},
      {&h.next_target, "SELECT target FROM history WHERE target > ?1 ORDER BY target LIMIT 1"},
      {&h.nth_newest,
       "SELECT time_ms, id FROM history WHERE target = ?1 ORDER BY time_ms DESC, id DESC LIMIT 1 OFFSET ?2"},
      {&h.delete_oldest,
       "DELETE FROM history WHERE id IN (SELECT id FROM history WHERE target = ?1 AND (time_ms, id) < (?2, "
       "?3) "
       "ORDER BY time_ms, id LIMIT ?4)"},
      {&h.delete_target, "DELETE FROM history WHERE target = ?1"},
      {&h.delete_target_conversations, "DELETE FROM conversations WHERE target = ?1"},
      {&h.delete_entry, "DELETE FROM history WHERE target = ?1 AND msgid = ?2"},
      {&h.get_marker, "SELECT time_ms FROM read_markers WHERE account_folded = ?1 AND target = ?2"},
      {&h.set_marker,
       "INSERT INTO read_markers (account_folded, target, time_ms) VALUES (?1, ?2, ?3) "
       "ON CONFLICT (account_folded, target) DO UPDATE SET time_ms = max(time_ms, excluded.time_ms) "
       "RETURNING time_ms"},
      {&h.delete_channel, "DELETE FROM channels WHERE name_folded = ?1"},
      {&h.insert_channel,
       "INSERT INTO channels (name_folded, name, founder, registered_at, created_at, topic, topic_setter, "
       "topic_time, modes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
      {&h.insert_ban,
       "INSERT INTO channel_bans (channel, position, list, mask, setter, set_at) VALUES (?1, ?2, ?3, ?4, ?5, "
       "?6)"},
      {&h.insert_access,
       "INSERT INTO channel_access (channel, account_folded, level, setter, set_at) VALUES (?1, ?2, ?3, ?4, "
       "?5)"},
      {&h.all_channels,
       "SELECT name_folded, name, founder, registered_at, created_at, topic, topic_setter, topic_time, modes "
       "FROM channels ORDER BY name_folded"},
      {&h.all_bans,
       "SELECT channel, list, mask, setter, set_at FROM channel_bans ORDER BY channel, position"},
      {&h.all_access,
       "SELECT channel, account_folded, level, setter, set_at FROM channel_access ORDER BY channel, "
       "account_folded"},
  };
  for (const auto& [slot, sql] : sources) {
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, slot, nullptr);
    if (rc != SQLITE_OK) return error(rc, "prepare \"" + sql.substr(0, 40) + "\"");
  }
  return Status::ok();
}

// ---- Appends ----

Status SqliteStore::insert_entry(const core::HistoryEntry& e) {
  {
    Use insert(history_->insert_entry);
    int rc = SQLITE_OK;
    const std::string_view texts[] = {e.target, e.msgid};
    for (int i = 0; i < 2 && rc == SQLITE_OK; ++i) rc = bind_text(*insert, i + 1, texts[i]);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*insert, 3, e.time_ms);
    const std::string_view rest[] = {e.source, e.sender_folded, e.account, e.command,
                                     e.tags,   e.params,        e.text};
    for (int i = 0; i < 7 && rc == SQLITE_OK; ++i) rc = bind_text(*insert, i + 4, rest[i]);
    if (rc == SQLITE_OK) rc = sqlite3_step(*insert);
    if (rc != SQLITE_DONE) return error(rc, "store history entry " + e.msgid);
    if (sqlite3_changes(db_) == 0) return Status::ok();  // msgid already stored
  }
  const auto accounts = history::conversation_accounts(e.target);
  if (!accounts) return Status::ok();
  for (const std::string_view account : {accounts->first, accounts->second}) {
    Use insert(history_->insert_conversation);
    int rc = bind_text(*insert, 1, account);
    if (rc == SQLITE_OK) rc = bind_text(*insert, 2, e.target);
    if (rc == SQLITE_OK) rc = sqlite3_step(*insert);
    if (rc != SQLITE_DONE) return error(rc, "store conversation " + e.target);
  }
  return Status::ok();
}

Status SqliteStore::append_history(const std::vector<core::HistoryEntry>& entries) {
  for (const auto& entry : entries) {
    if (Status s = history::validate(entry); !s.is_ok()) return s;
  }
  if (entries.empty()) return Status::ok();
  std::lock_guard lock(mutex_);
  // One transaction for the whole batch: the group commit. The batch's texts go into the SEARCH
  // index in one statement at its end, in the same transaction.
  return transaction(true, "append history", [&]() -> Status {
    std::int64_t before = 0;
    {
      Use last(history_->last_id);
      if (int rc = sqlite3_step(*last); rc != SQLITE_ROW) return error(rc, "find the last history id");
      before = sqlite3_column_int64(*last, 0);
    }
    for (const auto& entry : entries) {
      if (Status s = insert_entry(entry); !s.is_ok()) return s;
    }
    Use index(history_->index_text);
    int rc = sqlite3_bind_int64(*index, 1, before);
    if (rc == SQLITE_OK) rc = sqlite3_step(*index);
    if (rc != SQLITE_DONE) return error(rc, "index history text");
    return Status::ok();
  });
}

// ---- CHATHISTORY ----

Result<std::vector<core::HistoryEntry>> SqliteStore::read_entries(sqlite3_stmt* stmt, std::string_view doing,
                                                                  std::vector<std::int64_t>* ids) {
  std::vector<core::HistoryEntry> out;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    core::HistoryEntry e;
    e.target = column_text(stmt, 0);
    e.msgid = column_text(stmt, 1);
    e.time_ms = sqlite3_column_int64(stmt, 2);
    e.source = column_text(stmt, 3);
    e.sender_folded = column_text(stmt, 4);
    e.account = column_text(stmt, 5);
    e.command = column_text(stmt, 6);
    e.tags = column_text(stmt, 7);
    e.params = column_text(stmt, 8);
    e.text = column_text(stmt, 9);
    if (ids != nullptr) ids->push_back(sqlite3_column_int64(stmt, 10));
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return error(rc, doing);
  return out;
}

Result<std::optional<Position>> SqliteStore::find_msgid(std::string_view target, std::string_view msgid) {
  Use find(history_->find_msgid);
  int rc = bind_text(*find, 1, msgid);
  if (rc == SQLITE_OK) rc = sqlite3_step(*find);
  if (rc == SQLITE_DONE) return std::optional<Position>{};
  if (rc != SQLITE_ROW) return error(rc, "find msgid");
  if (column_text(*find, 0) != target) return std::optional<Position>{};
  return std::optional<Position>{Position{sqlite3_column_int64(*find, 1), sqlite3_column_int64(*find, 2)}};
}

Result<std::vector<core::HistoryEntry>> SqliteStore::read_range(std::string_view target,
                                                                const history::Range& range) {
  Use read(range.from_newest ? history_->range_newest : history_->range_oldest);
  int rc = bind_text(*read, 1, target);
  const sqlite3_int64 numbers[] = {range.after.time_ms,          range.after.seq,
                                   range.before.time_ms,         range.before.seq,
                                   range.include_events ? 1 : 0, as_limit(range.limit)};
  for (int i = 0; i < 6 && rc == SQLITE_OK; ++i) rc = sqlite3_bind_int64(*read, i + 2, numbers[i]);
  if (rc != SQLITE_OK) return error(rc, "read history");
  auto entries = read_entries(*read, "read history");
  if (entries.is_ok() && range.from_newest) std::reverse(entries.value().begin(), entries.value().end());
  return entries;
}

Result<std::vector<core::HistoryEntry>> SqliteStore::query_history(const core::HistoryQuery& query) {
  std::lock_guard lock(mutex_);
  Result<std::vector<core::HistoryEntry>> result = std::vector<core::HistoryEntry>{};
  Status s = transaction(false, "read history", [&]() -> Status {
    auto resolve = [&](std::string_view msgid) { return find_msgid(query.target, msgid); };
    auto fetch = [&](const history::Range& range) { return read_range(query.target, range); };
    result = history::run_query(query, resolve, fetch);
    return result.status();
  });
  if (!s.is_ok()) return s;
  return result;
}

Result<std::optional<std::int64_t>> SqliteStore::latest_between(std::string_view target, std::int64_t low,
                                                                std::int64_t high) {
  Use latest(history_->latest_between);
  int rc = bind_text(*latest, 1, target);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*latest, 2, low);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*latest, 3, high);
  if (rc == SQLITE_OK) rc = sqlite3_step(*latest);
  if (rc == SQLITE_DONE) return std::optional<std::int64_t>{};
  if (rc != SQLITE_ROW) return error(rc, "list history targets");
  return std::optional<std::int64_t>{sqlite3_column_int64(*latest, 0)};
}

Result<std::vector<core::TargetActivity>> SqliteStore::history_targets(const core::TargetsQuery& query) {
  const std::int64_t low = std::min(query.from_ms, query.to_ms), high = std::max(query.from_ms, query.to_ms);
  std::lock_guard lock(mutex_);
  std::vector<core::TargetActivity> out;
  Status s = transaction(false, "list history targets", [&]() -> Status {
    std::vector<std::string> candidates(query.channels.begin(), query.channels.end());
    if (!query.account_folded.empty()) {
      Use list(history_->conversations_of);
      int rc = bind_text(*list, 1, query.account_folded);
      if (rc != SQLITE_OK) return error(rc, "list conversations");
      while ((rc = sqlite3_step(*list)) == SQLITE_ROW) candidates.push_back(column_text(*list, 0));
      if (rc != SQLITE_DONE) return error(rc, "list conversations");
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    for (const std::string& target : candidates) {
      auto latest = latest_between(target, low, high);
      if (!latest.is_ok()) return latest.status();
      if (latest.value()) out.push_back({target, *latest.value()});
    }
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  std::sort(out.begin(), out.end(), [](const core::TargetActivity& a, const core::TargetActivity& b) {
    return a.latest_ms != b.latest_ms ? a.latest_ms > b.latest_ms : a.target < b.target;
  });
  if (out.size() > query.limit) out.resize(query.limit);
  return out;
}

// ---- SEARCH ----

Status SqliteStore::fill_search_targets(const std::vector<std::string>& targets) {
  {
    Use clear(history_->clear_search_targets);
    if (int rc = sqlite3_step(*clear); rc != SQLITE_DONE) return error(rc, "search");
  }
  for (const std::string& target : targets) {
    Use add(history_->add_search_target);
    int rc = bind_text(*add, 1, target);
    if (rc == SQLITE_OK) rc = sqlite3_step(*add);
    if (rc != SQLITE_DONE) return error(rc, "search");
  }
  return Status::ok();
}

namespace {

// Binds SEARCH's filters, ?2 to ?5 of both search statements.
int bind_search_filters(sqlite3_stmt* stmt, const core::SearchQuery& query) {
  int rc = bind_text(stmt, 2, query.from_folded);
  const sqlite3_int64 numbers[] = {
      query.after_ms == 0 ? std::numeric_limits<std::int64_t>::min() : query.after_ms,
      query.before_ms == 0 ? std::numeric_limits<std::int64_t>::max() : query.before_ms,
      as_limit(query.limit)};
  for (int i = 0; i < 3 && rc == SQLITE_OK; ++i) rc = sqlite3_bind_int64(stmt, i + 3, numbers[i]);
  return rc;
}

}  // namespace

Result<std::vector<core::HistoryEntry>> SqliteStore::search_history(const core::SearchQuery& query) {
  const std::vector<std::string> words = history::words(query.text);
  if ((!query.text.empty() && words.empty()) || query.targets.empty() || query.limit == 0)
    return std::vector<core::HistoryEntry>{};
  std::lock_guard lock(mutex_);
  std::vector<std::pair<Position, core::HistoryEntry>> found;
  // One statement with the given first parameter (the FTS5 query, or a target); adds to `found`.
  auto run = [&](sqlite3_stmt* stmt, const std::string& first) -> Status {
    Use search(stmt);
    int rc = bind_text(*search, 1, first);
    if (rc == SQLITE_OK) rc = bind_search_filters(*search, query);
    if (rc != SQLITE_OK) return error(rc, "search");
    std::vector<std::int64_t> ids;
    auto entries = read_entries(*search, "search", &ids);
    if (!entries.is_ok()) return entries.status();
    for (std::size_t i = 0; i < ids.size(); ++i)
      found.emplace_back(Position{entries.value()[i].time_ms, ids[i]}, std::move(entries.value()[i]));
    return Status::ok();
  };
  // Reads only (the temp table needs no write lock), so searching never blocks the group commit.
  Status s = transaction(false, "search", [&]() -> Status {
    if (!words.empty()) {
      if (Status filled = fill_search_targets(query.targets); !filled.is_ok()) return filled;
      return run(history_->search_text, fts_query(words));
    }
    std::vector<std::string> targets = query.targets;
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    for (const std::string& target : targets) {
      sqlite3_stmt* stmt = query.from_folded.empty() ? history_->search_plain : history_->search_sender;
      if (Status one = run(stmt, target); !one.is_ok()) return one;
    }
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<core::HistoryEntry> out;
  for (std::size_t i = 0; i < found.size() && i < query.limit; ++i) out.push_back(std::move(found[i].second));
  return out;
}

// ---- Retention ----

Result<std::size_t> SqliteStore::expire_target(std::string_view target, const RetentionRule& rule,
                                               std::int64_t now_ms, std::size_t budget) {
  // Everything below `upto` goes: older than the age bound, or beyond the newest max_count.
  Position upto = history::kFirst;
  if (rule.max_age_ms != 0) upto = Position{now_ms - rule.max_age_ms, 0};
  if (rule.max_count != 0) {
    Use nth(history_->nth_newest);
    int rc = bind_text(*nth, 1, target);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*nth, 2, as_limit(rule.max_count));
    if (rc == SQLITE_OK) rc = sqlite3_step(*nth);
    if (rc == SQLITE_ROW) {
      const Position newest_gone{sqlite3_column_int64(*nth, 0), sqlite3_column_int64(*nth, 1)};
      upto = std::max(upto, Position{newest_gone.time_ms, newest_gone.seq + 1});
    } else if (rc != SQLITE_DONE) {
      return error(rc, "expire history");
    }
  }
  if (upto == history::kFirst) return std::size_t{0};
  Use remove(history_->delete_oldest);
  int rc = bind_text(*remove, 1, target);
  const sqlite3_int64 numbers[] = {upto.time_ms, upto.seq, as_limit(budget)};
  for (int i = 0; i < 3 && rc == SQLITE_OK; ++i) rc = sqlite3_bind_int64(*remove, i + 2, numbers[i]);
  if (rc == SQLITE_OK) rc = sqlite3_step(*remove);
  if (rc != SQLITE_DONE) return error(rc, "expire history");
  return static_cast<std::size_t>(sqlite3_changes(db_));
}

Result<std::size_t> SqliteStore::expire_history(const RetentionPolicy& policy, std::int64_t now_ms,
                                                std::size_t max_rows) {
  const std::size_t budget = max_rows == 0 ? std::numeric_limits<std::size_t>::max() : max_rows;
  std::lock_guard lock(mutex_);
  std::size_t deleted = 0;
  Status s = transaction(true, "expire history", [&]() -> Status {
    std::string target;  // walks the distinct targets through the index, one seek each
    while (deleted < budget) {
      {
        Use next(history_->next_target);
        int rc = bind_text(*next, 1, target);
        if (rc == SQLITE_OK) rc = sqlite3_step(*next);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) return error(rc, "expire history");
        target = column_text(*next, 0);
      }
      const RetentionRule& rule = history::rule_for(policy, target);
      if (history::keeps_everything(rule)) continue;
      auto gone = expire_target(target, rule, now_ms, budget - deleted);
      if (!gone.is_ok()) return gone.status();
      deleted += gone.value();
    }
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  return deleted;
}

Status SqliteStore::forget_history(std::string_view target) {
  std::lock_guard lock(mutex_);
  return transaction(true, "forget history", [&]() -> Status {
    for (sqlite3_stmt* stmt : {history_->delete_target, history_->delete_target_conversations}) {
      Use remove(stmt);
      int rc = bind_text(*remove, 1, target);
      if (rc == SQLITE_OK) rc = sqlite3_step(*remove);
      if (rc != SQLITE_DONE) return error(rc, "forget history of " + std::string(target));
    }
    return Status::ok();
  });
}

Status SqliteStore::delete_history_entry(std::string_view target, std::string_view msgid) {
  std::lock_guard lock(mutex_);
  return transaction(true, "delete a history entry", [&]() -> Status {
    Use remove(history_->delete_entry);
    int rc = bind_text(*remove, 1, target);
    if (rc == SQLITE_OK) rc = bind_text(*remove, 2, msgid);
    if (rc == SQLITE_OK) rc = sqlite3_step(*remove);
    if (rc != SQLITE_DONE) return error(rc, "delete message " + std::string(msgid));
    if (sqlite3_changes(db_) == 0) return Status::not_found("message " + std::string(msgid));
    return Status::ok();
  });
}

}  // namespace parley::store
