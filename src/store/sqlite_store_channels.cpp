// SqliteStore: read markers and registered channels (schema version 2, docs/storage.md).
#include <sqlite3.h>

#include <string>
#include <utility>
#include <vector>

#include "store/history_rules.h"
#include "store/sqlite_history_statements.h"
#include "store/sqlite_store.h"
#include "store/sqlite_support.h"

namespace parley::store {

using sqlite_support::bind_text;
using sqlite_support::column_text;
using sqlite_support::Use;

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
