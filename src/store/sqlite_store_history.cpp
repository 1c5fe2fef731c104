// SqliteStore: history, read markers and registered channels (schema version 2, docs/storage.md).
// The query semantics come from store/history_rules.h, shared with MemoryStore.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

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

// SEARCH, with (text) or without an FTS5 match on history_text.
std::string search_sql(bool text) {
  return std::string("SELECT ") + kEntryColumns + " FROM history WHERE " +
         (text ? "id IN (SELECT rowid FROM history_text WHERE history_text MATCH ?1) AND " : "") +
         "target IN (SELECT target FROM temp.search_targets) AND (?2 = '' OR sender_folded = ?2)"
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

struct SqliteStore::HistoryStatements {
  sqlite3_stmt* insert_entry = nullptr;
  sqlite3_stmt* insert_conversation = nullptr;
  sqlite3_stmt* find_msgid = nullptr;
  sqlite3_stmt* range_oldest = nullptr;
  sqlite3_stmt* range_newest = nullptr;
  sqlite3_stmt* latest_between = nullptr;
  sqlite3_stmt* conversations_of = nullptr;
  sqlite3_stmt* clear_search_targets = nullptr;
  sqlite3_stmt* add_search_target = nullptr;
  sqlite3_stmt* search_text = nullptr;
  sqlite3_stmt* search_plain = nullptr;
  sqlite3_stmt* next_target = nullptr;
  sqlite3_stmt* nth_newest = nullptr;
  sqlite3_stmt* delete_oldest = nullptr;
  sqlite3_stmt* delete_target = nullptr;
  sqlite3_stmt* delete_target_conversations = nullptr;
  sqlite3_stmt* get_marker = nullptr;
  sqlite3_stmt* set_marker = nullptr;
  sqlite3_stmt* delete_channel = nullptr;
  sqlite3_stmt* insert_channel = nullptr;
  sqlite3_stmt* insert_ban = nullptr;
  sqlite3_stmt* insert_access = nullptr;
  sqlite3_stmt* all_channels = nullptr;
  sqlite3_stmt* all_bans = nullptr;
  sqlite3_stmt* all_access = nullptr;

  ~HistoryStatements() {
    for (sqlite3_stmt* s :
         {insert_entry,      insert_conversation, find_msgid,       range_oldest,
          range_newest,      latest_between,      conversations_of, clear_search_targets,
          add_search_target, search_text,         search_plain,     next_target,
          nth_newest,        delete_oldest,       delete_target,    delete_target_conversations,
          get_marker,        set_marker,          delete_channel,   insert_channel,
          insert_ban,        insert_access,       all_channels,     all_bans,
          all_access})
      sqlite3_finalize(s);
  }
};

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
      {&h.find_msgid, "SELECT target, time_ms, id FROM history WHERE msgid = ?1"},
      {&h.range_oldest, range_sql(false)},
      {&h.range_newest, range_sql(true)},
      {&h.latest_between,
       "SELECT time_ms FROM history WHERE target = ?1 AND time_ms > ?2 AND time_ms < ?3 "
       "ORDER BY time_ms DESC LIMIT 1"},
      {&h.conversations_of, "SELECT target FROM conversations WHERE account_folded = ?1"},
      {&h.clear_search_targets, "DELETE FROM temp.search_targets"},
      {&h.add_search_target, "INSERT OR IGNORE INTO temp.search_targets (target) VALUES (?1)"},
      {&h.search_text, search_sql(true)},
      {&h.search_plain, search_sql(false)},
      {&h.next_target, "SELECT target FROM history WHERE target > ?1 ORDER BY target LIMIT 1"},
      {&h.nth_newest,
       "SELECT time_ms, id FROM history WHERE target = ?1 ORDER BY time_ms DESC, id DESC LIMIT 1 OFFSET ?2"},
      {&h.delete_oldest,
       "DELETE FROM history WHERE id IN (SELECT id FROM history WHERE target = ?1 AND (time_ms, id) < (?2, "
       "?3) "
       "ORDER BY time_ms, id LIMIT ?4)"},
      {&h.delete_target, "DELETE FROM history WHERE target = ?1"},
      {&h.delete_target_conversations, "DELETE FROM conversations WHERE target = ?1"},
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
  // One transaction for the whole batch: the group commit.
  return transaction(true, "append history", [&]() -> Status {
    for (const auto& entry : entries) {
      if (Status s = insert_entry(entry); !s.is_ok()) return s;
    }
    return Status::ok();
  });
}

// ---- CHATHISTORY ----

Result<std::vector<core::HistoryEntry>> SqliteStore::read_entries(sqlite3_stmt* stmt,
                                                                  std::string_view doing) {
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

Result<std::vector<core::HistoryEntry>> SqliteStore::search_history(const core::SearchQuery& query) {
  const std::vector<std::string> words = history::words(query.text);
  if ((!query.text.empty() && words.empty()) || query.targets.empty() || query.limit == 0)
    return std::vector<core::HistoryEntry>{};
  std::lock_guard lock(mutex_);
  Result<std::vector<core::HistoryEntry>> result = std::vector<core::HistoryEntry>{};
  // A write transaction only for the temp table's sake would block writers: temp tables need none.
  Status s = transaction(false, "search", [&]() -> Status {
    if (Status filled = fill_search_targets(query.targets); !filled.is_ok()) return filled;
    Use search(words.empty() ? history_->search_plain : history_->search_text);
    int rc = words.empty() ? SQLITE_OK : bind_text(*search, 1, fts_query(words));
    if (rc == SQLITE_OK) rc = bind_text(*search, 2, query.from_folded);
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_int64(
          *search, 3, query.after_ms == 0 ? std::numeric_limits<std::int64_t>::min() : query.after_ms);
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_int64(
          *search, 4, query.before_ms == 0 ? std::numeric_limits<std::int64_t>::max() : query.before_ms);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*search, 5, as_limit(query.limit));
    if (rc != SQLITE_OK) return error(rc, "search");
    result = read_entries(*search, "search");
    return result.status();
  });
  if (!s.is_ok()) return s;
  return result;
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

// ---- Read markers ----

Result<std::int64_t> SqliteStore::read_marker(std::string_view account_folded, std::string_view target) {
  std::lock_guard lock(mutex_);
  Use get(history_->get_marker);
  int rc = bind_text(*get, 1, account_folded);
  if (rc == SQLITE_OK) rc = bind_text(*get, 2, target);
  if (rc == SQLITE_OK) rc = sqlite3_step(*get);
  if (rc == SQLITE_DONE) return std::int64_t{0};
  if (rc != SQLITE_ROW) return error(rc, "read marker");
  return static_cast<std::int64_t>(sqlite3_column_int64(*get, 0));
}

Result<std::int64_t> SqliteStore::set_read_marker(std::string_view account_folded, std::string_view target,
                                                  std::int64_t time_ms) {
  std::lock_guard lock(mutex_);
  std::int64_t stored = 0;
  Status s = transaction(true, "set read marker", [&]() -> Status {
    Use set(history_->set_marker);
    int rc = bind_text(*set, 1, account_folded);
    if (rc == SQLITE_OK) rc = bind_text(*set, 2, target);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*set, 3, time_ms);
    if (rc == SQLITE_OK) rc = sqlite3_step(*set);
    if (rc != SQLITE_ROW) return error(rc, "set read marker");
    stored = sqlite3_column_int64(*set, 0);
    if (rc = sqlite3_step(*set); rc != SQLITE_DONE) return error(rc, "set read marker");
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  return stored;
}

// ---- Registered channels ----

Status SqliteStore::insert_channel(const core::RegisteredChannel& c) {
  {
    Use insert(history_->insert_channel);
    int rc = SQLITE_OK;
    const std::pair<int, std::string_view> texts[] = {{1, c.name_folded}, {2, c.name},         {3, c.founder},
                                                      {6, c.topic},       {7, c.topic_setter}, {9, c.modes}};
    for (const auto& [i, text] : texts) {
      if (rc == SQLITE_OK) rc = bind_text(*insert, i, text);
    }
    const std::pair<int, std::int64_t> numbers[] = {
        {4, c.registered_at}, {5, c.created_at}, {8, c.topic_time}};
    for (const auto& [i, number] : numbers) {
      if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*insert, i, number);
    }
    if (rc == SQLITE_OK) rc = sqlite3_step(*insert);
    if (rc != SQLITE_DONE) return error(rc, "save channel " + c.name);
  }
  for (std::size_t position = 0; position < c.bans.size(); ++position) {
    const core::ChannelBan& ban = c.bans[position];
    Use insert(history_->insert_ban);
    int rc = bind_text(*insert, 1, c.name_folded);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*insert, 2, static_cast<sqlite3_int64>(position));
    if (rc == SQLITE_OK) rc = bind_text(*insert, 3, std::string(1, ban.list));
    if (rc == SQLITE_OK) rc = bind_text(*insert, 4, ban.mask);
    if (rc == SQLITE_OK) rc = bind_text(*insert, 5, ban.setter);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*insert, 6, ban.set_at);
    if (rc == SQLITE_OK) rc = sqlite3_step(*insert);
    if (rc != SQLITE_DONE) return error(rc, "save bans of " + c.name);
  }
  for (const core::ChannelAccess& access : c.access) {
    Use insert(history_->insert_access);
    int rc = bind_text(*insert, 1, c.name_folded);
    if (rc == SQLITE_OK) rc = bind_text(*insert, 2, access.account_folded);
    if (rc == SQLITE_OK) rc = bind_text(*insert, 3, std::string(1, access.level));
    if (rc == SQLITE_OK) rc = bind_text(*insert, 4, access.setter);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*insert, 5, access.set_at);
    if (rc == SQLITE_OK) rc = sqlite3_step(*insert);
    if (rc != SQLITE_DONE) return error(rc, "save access list of " + c.name);
  }
  return Status::ok();
}

Status SqliteStore::save_channel(const core::RegisteredChannel& channel) {
  auto normal = history::normalised(channel);
  if (!normal.is_ok()) return normal.status();
  std::lock_guard lock(mutex_);
  return transaction(true, "save channel", [&]() -> Status {
    Use remove(history_->delete_channel);  // its bans and access list go with it (ON DELETE CASCADE)
    int rc = bind_text(*remove, 1, channel.name_folded);
    if (rc == SQLITE_OK) rc = sqlite3_step(*remove);
    if (rc != SQLITE_DONE) return error(rc, "save channel " + channel.name);
    return insert_channel(normal.value());
  });
}

Status SqliteStore::drop_channel(std::string_view name_folded) {
  std::lock_guard lock(mutex_);
  return transaction(true, "drop channel", [&]() -> Status {
    Use remove(history_->delete_channel);
    int rc = bind_text(*remove, 1, name_folded);
    if (rc == SQLITE_OK) rc = sqlite3_step(*remove);
    if (rc != SQLITE_DONE) return error(rc, "drop channel " + std::string(name_folded));
    if (sqlite3_changes(db_) == 0) return Status::not_found("channel " + std::string(name_folded));
    return Status::ok();
  });
}

namespace {

// The channel in `channels` (ordered by name_folded) that a child row names, advancing `at`.
core::RegisteredChannel* owner(std::vector<core::RegisteredChannel>& channels,
                               std::vector<core::RegisteredChannel>::iterator& at, const std::string& name) {
  while (at != channels.end() && at->name_folded < name) ++at;
  return at != channels.end() && at->name_folded == name ? &*at : nullptr;
}

char one_char(const std::string& text) { return text.size() == 1 ? text[0] : '?'; }

}  // namespace

Result<std::vector<core::RegisteredChannel>> SqliteStore::list_channels() {
  std::lock_guard lock(mutex_);
  std::vector<core::RegisteredChannel> channels;
  Status s = transaction(false, "list channels", [&]() -> Status {
    int rc;
    {
      Use all(history_->all_channels);
      while ((rc = sqlite3_step(*all)) == SQLITE_ROW) {
        core::RegisteredChannel c;
        c.name_folded = column_text(*all, 0);
        c.name = column_text(*all, 1);
        c.founder = column_text(*all, 2);
        c.registered_at = sqlite3_column_int64(*all, 3);
        c.created_at = sqlite3_column_int64(*all, 4);
        c.topic = column_text(*all, 5);
        c.topic_setter = column_text(*all, 6);
        c.topic_time = sqlite3_column_int64(*all, 7);
        c.modes = column_text(*all, 8);
        channels.push_back(std::move(c));
      }
      if (rc != SQLITE_DONE) return error(rc, "list channels");
    }
    {
      Use bans(history_->all_bans);
      auto at = channels.begin();
      while ((rc = sqlite3_step(*bans)) == SQLITE_ROW) {
        core::RegisteredChannel* c = owner(channels, at, column_text(*bans, 0));
        if (c == nullptr) return Status::corrupt(path_ + ": a ban belongs to a missing channel");
        c->bans.push_back({one_char(column_text(*bans, 1)), column_text(*bans, 2), column_text(*bans, 3),
                           sqlite3_column_int64(*bans, 4)});
      }
      if (rc != SQLITE_DONE) return error(rc, "list channel bans");
    }
    Use access(history_->all_access);
    auto at = channels.begin();
    while ((rc = sqlite3_step(*access)) == SQLITE_ROW) {
      core::RegisteredChannel* c = owner(channels, at, column_text(*access, 0));
      if (c == nullptr) return Status::corrupt(path_ + ": an access entry belongs to a missing channel");
      c->access.push_back({column_text(*access, 1), one_char(column_text(*access, 2)),
                           column_text(*access, 3), sqlite3_column_int64(*access, 4)});
    }
    if (rc != SQLITE_DONE) return error(rc, "list channel access");
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  return channels;
}

}  // namespace parley::store
