// What only the SQLite store's history has (src/store/sqlite_store_history.cpp): schema versions 2
// and 3 and the migrations to them, history that outlives the object, an FTS5 index kept in step
// with the table, and the group commit's all-or-nothing. The shared semantics are tested in
// history_contract_test.cpp and history_search_contract_test.cpp.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "store/sqlite_store.h"
#include "store/temp_dir.h"

namespace parley::store {
namespace {

// Version 1 of the schema exactly as released (sqlite_store.cpp's first migration).
constexpr const char* kSchemaVersion1 = R"sql(
CREATE TABLE accounts (
  name_folded      TEXT    NOT NULL PRIMARY KEY,
  name             TEXT    NOT NULL,
  password_hash    TEXT    NOT NULL,
  scram_salt       BLOB    NOT NULL,
  scram_iterations INTEGER NOT NULL CHECK (scram_iterations BETWEEN 0 AND 4294967295),
  scram_stored_key BLOB    NOT NULL CHECK (length(scram_stored_key) = 32),
  scram_server_key BLOB    NOT NULL CHECK (length(scram_server_key) = 32),
  email            TEXT    NOT NULL,
  verified         INTEGER NOT NULL CHECK (verified IN (0, 1)),
  enforce          INTEGER NOT NULL CHECK (enforce IN (0, 1)),
  registered_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX accounts_by_email ON accounts (email COLLATE NOCASE);
CREATE TABLE account_certfps (
  certfp  TEXT NOT NULL PRIMARY KEY,
  account TEXT NOT NULL REFERENCES accounts (name_folded) ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;
CREATE INDEX account_certfps_by_account ON account_certfps (account);
PRAGMA user_version = 1;
)sql";

void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK) << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

// Every row of a one-column query, as text.
std::vector<std::string> raw_column(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> out;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        out.emplace_back(text ? text : "NULL");
      }
    } else {
      out.push_back(std::string("error: ") + sqlite3_errmsg(db));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

std::unique_ptr<SqliteStore> open_ok(const std::string& path) {
  auto opened = SqliteStore::open(path);
  EXPECT_TRUE(opened.is_ok()) << opened.status().to_string();
  return opened.is_ok() ? std::move(opened).value() : nullptr;
}

core::HistoryEntry entry(const std::string& target, const std::string& msgid, std::int64_t time_ms,
                         const std::string& text) {
  core::HistoryEntry e;
  e.target = target;
  e.msgid = msgid;
  e.time_ms = time_ms;
  e.source = "alice!a@host";
  e.sender_folded = "alice";
  e.account = "alice";
  e.command = "PRIVMSG";
  e.params = target + " :" + text;
  e.text = text;
  return e;
}

std::vector<std::string> latest_ids(SqliteStore& store, const std::string& target) {
  core::HistoryQuery q;
  q.kind = core::HistoryQuery::Kind::kLatest;
  q.target = target;
  q.limit = 100;
  auto got = store.query_history(q);
  if (!got.is_ok()) return {"error: " + got.status().to_string()};
  std::vector<std::string> out;
  for (const auto& e : got.value()) out.push_back(e.msgid);
  return out;
}

std::vector<std::string> search_ids(SqliteStore& store, const std::string& text) {
  core::SearchQuery q;
  q.targets = {"#c", "#d"};
  q.text = text;
  q.limit = 100;
  auto got = store.search_history(q);
  if (!got.is_ok()) return {"error: " + got.status().to_string()};
  std::vector<std::string> out;
  for (const auto& e : got.value()) out.push_back(e.msgid);
  return out;
}

using Ids = std::vector<std::string>;

TEST(SqliteStoreHistory, SqliteHasFts5CompiledIn) {
  testing::TempDir dir;
  const auto options = raw_column(dir.file("x.db"), "PRAGMA compile_options");
  EXPECT_NE(std::find(options.begin(), options.end(), "ENABLE_FTS5"), options.end());
}

TEST(SqliteStoreHistory, AVersion1FileIsMigratedInPlaceKeepingItsAccounts) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  raw_exec(path, kSchemaVersion1);
  raw_exec(path,
           "INSERT INTO accounts VALUES ('alice', 'Alice', '', x'', 0, zeroblob(32), zeroblob(32), "
           "'alice@example.org', 1, 1, 1796000000)");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->stored_schema_version().value(), SqliteStore::schema_version());
  auto alice = store->find_account("alice");
  ASSERT_TRUE(alice.is_ok()) << alice.status().to_string();
  EXPECT_EQ(alice.value().email, "alice@example.org");
  ASSERT_TRUE(store->append_history({entry("#c", "m1", 1000, "after the upgrade")}).is_ok());
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{"m1"}));
  EXPECT_EQ(search_ids(*store, "upgrade"), (Ids{"m1"}));
  EXPECT_EQ(raw_column(path, "PRAGMA user_version"), (Ids{std::to_string(SqliteStore::schema_version())}));
}

TEST(SqliteStoreHistory, ReopenKeepsHistoryMarkersAndChannels) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  core::RegisteredChannel channel;
  channel.name = "#C";
  channel.name_folded = "#c";
  channel.founder = "alice";
  channel.bans = {{'b', "*!*@bad", "alice", 5}};
  channel.access = {{"bob", 'o', "alice", 6}};
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(
        store->append_history({entry("#c", "m1", 1000, "one"), entry("#c", "m2", 1000, "two")}).is_ok());
    ASSERT_TRUE(store->set_read_marker("alice", "#c", 1000).is_ok());
    ASSERT_TRUE(store->save_channel(channel).is_ok());
  }
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{"m1", "m2"}));
  EXPECT_EQ(search_ids(*store, "two"), (Ids{"m2"}));
  EXPECT_EQ(store->read_marker("alice", "#c").value(), 1000);
  EXPECT_EQ(store->list_channels().value(), std::vector{channel});
  // The append order of equal times survives too, and new entries go after the old ones.
  ASSERT_TRUE(store->append_history({entry("#c", "m3", 1000, "three")}).is_ok());
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{"m1", "m2", "m3"}));
}

TEST(SqliteStoreHistory, AnEntryFailingMidBatchLeavesNothingOfTheBatch) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->append_history({entry("#c", "before", 1, "kept")}).is_ok());
  // The database refuses the third entry, as a full disk or an I/O error would mid-transaction.
  raw_exec(path,
           "CREATE TRIGGER poison BEFORE INSERT ON history WHEN new.msgid = 'poison' "
           "BEGIN SELECT RAISE (ABORT, 'refused'); END");
  const Status s = store->append_history(
      {entry("#c", "a", 2, "first"), entry("#d", "b", 3, "second"), entry("#c", "poison", 4, "third")});
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("poison"), std::string::npos) << s.to_string();
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{"before"}));
  EXPECT_EQ(latest_ids(*store, "#d"), Ids{});
  EXPECT_EQ(search_ids(*store, "first"), Ids{});
  raw_exec(path, "DROP TRIGGER poison");
  ASSERT_TRUE(store->append_history({entry("#c", "a", 2, "first")}).is_ok());  // the store still works
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{"before", "a"}));
}

TEST(SqliteStoreHistory, TheSearchIndexFollowsDeletions) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(
        store->append_history({entry(i % 2 ? "#c" : "#d", "m" + std::to_string(i), i, "word")}).is_ok());
  RetentionPolicy policy;
  policy.all.max_count = 3;
  EXPECT_EQ(store->expire_history(policy, 100, 0).value(), 14u);
  ASSERT_TRUE(store->forget_history("#d").is_ok());
  ASSERT_TRUE(store->delete_history_entry("#c", "m15").is_ok());
  EXPECT_EQ(search_ids(*store, "word"), (Ids{"m19", "m17"}));
  EXPECT_EQ(raw_column(path, "SELECT count(*) FROM history_text WHERE history_text MATCH 'word'"),
            (Ids{"2"}));
  // FTS5's own check that the index matches its content table.
  raw_exec(path, "INSERT INTO history_text (history_text) VALUES ('integrity-check')");
}

TEST(SqliteStoreHistory, AVersion2FileLosesItsIndexTriggerAndEveryTextIsIndexedOnce) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->append_history({entry("#c", "old", 1, "word before")}).is_ok());
  }
  // Back to version 2 as released: the per-row trigger that filled the index, and no version 4
  // server_bans table (so the migrations from 2 run in turn).
  raw_exec(path,
           "DROP TABLE server_bans; "
           "CREATE TRIGGER history_text_insert AFTER INSERT ON history WHEN new.text <> '' BEGIN "
           "INSERT INTO history_text (rowid, text) VALUES (new.id, new.text); END; PRAGMA user_version = 2;");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(raw_column(path, "SELECT count(*) FROM sqlite_master WHERE name = 'history_text_insert'"),
            (Ids{"0"}));
  EXPECT_TRUE(store->list_server_bans().is_ok()) << "version 4 created server_bans";
  ASSERT_TRUE(store
                  ->append_history({entry("#c", "new", 2, "word after"), entry("#c", "old", 1, "word before"),
                                    entry("#d", "tag", 3, "")})
                  .is_ok());
  EXPECT_EQ(search_ids(*store, "word"), (Ids{"new", "old"}));
  EXPECT_EQ(raw_column(path, "SELECT count(*) FROM history_text WHERE history_text MATCH 'word'"),
            (Ids{"2"}));
  raw_exec(path, "INSERT INTO history_text (history_text) VALUES ('integrity-check')");
}

TEST(SqliteStoreHistory, HistoryRowsCannotBeRewritten) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->append_history({entry("#c", "m1", 1, "original")}).is_ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE history SET text = 'forged'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(search_ids(*store, "original"), (Ids{"m1"}));
}

}  // namespace
}  // namespace parley::store
