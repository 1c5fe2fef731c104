// What only the SQLite store's history has (src/store/sqlite_store_history.cpp): its blocks and
// the move of version 2's rows into them, history that outlives the object, SEARCH's index
// (store/search_index.h) kept in step with the blocks, and the group commit's all-or-nothing. The shared
// semantics are tested in history_contract_test.cpp and history_search_contract_test.cpp.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/msgid.h"
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

// The msgids a read returned, or one "error: ..." line.
std::vector<std::string> ids_of(const Result<std::vector<core::HistoryEntry>>& got) {
  if (!got.is_ok()) return {"error: " + got.status().to_string()};
  std::vector<std::string> out;
  for (const auto& e : got.value()) out.push_back(e.msgid);
  return out;
}

std::vector<std::string> latest_ids(SqliteStore& store, const std::string& target) {
  core::HistoryQuery q;
  q.kind = core::HistoryQuery::Kind::kLatest;
  q.target = target;
  q.limit = 100;
  return ids_of(store.query_history(q));
}

std::vector<std::string> search_ids(SqliteStore& store, const std::string& text) {
  core::SearchQuery q;
  q.targets = {"#c", "#d"};
  q.text = text;
  q.limit = 100;
  return ids_of(store.search_history(q));
}

using Ids = std::vector<std::string>;

// Migrations 2 and 5 create FTS5 tables (7 drops the last): a file from before version 7 opens
// only with FTS5 there.
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
           "CREATE TRIGGER poison BEFORE INSERT ON history_msgids WHEN new.msgid = 'poison' "
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

TEST(SqliteStoreHistory, ACommitIsOneBlockPerTargetAndOneMsgidRowPerForeignEntry) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store
                  ->append_history({entry("#c", "a", 1, "one"), entry("#d", "b", 2, "two"),
                                    entry("#c", "c", 3, "three"), entry("#c", "a", 4, "a repeat")})
                  .is_ok());
  EXPECT_EQ(raw_column(path, "SELECT target || ':' || count FROM history_blocks ORDER BY id"),
            (Ids{"#c:2", "#d:1"}));
  EXPECT_EQ(raw_column(path, "SELECT count(*) FROM history_msgids"), (Ids{"3"}));
  // Entries more than a second apart never share a block, which keeps time-range reads to an
  // index seek.
  ASSERT_TRUE(store->append_history({entry("#c", "d", 10'000, "later"), entry("#c", "e", 10'500, "soon"),
                                     entry("#c", "f", 11'001, "past the span")})
                  .is_ok());
  EXPECT_EQ(raw_column(path, "SELECT count FROM history_blocks WHERE target = '#c' ORDER BY id"),
            (Ids{"2", "2", "1"}));
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{"a", "c", "d", "e", "f"}));
}

TEST(SqliteStoreHistory, ANewFileHas16KiBPagesAndAnOlderFileKeepsItsOwn) {
  testing::TempDir dir;
  const std::string fresh = dir.file("fresh.db"), older = dir.file("older.db");
  ASSERT_TRUE(open_ok(fresh));
  EXPECT_EQ(raw_column(fresh, "PRAGMA page_size"), (Ids{"16384"}));
  ASSERT_TRUE(open_ok(older));  // then rewritten with 4 KiB pages, as releases before made them
  raw_exec(older, "PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM;");
  ASSERT_EQ(raw_column(older, "PRAGMA page_size"), (Ids{"4096"}));
  auto store = open_ok(older);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->append_history({entry("#c", "a", 1, "one")}).is_ok());
  EXPECT_EQ(raw_column(older, "PRAGMA page_size"), (Ids{"4096"}));
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{"a"}));
}

// Oldest-first reads seek the one index, on (target, max_ms): a block that ends later but starts
// earlier than another still gives its early entries.
TEST(SqliteStoreHistory, OldestFirstReadsFindEarlyEntriesOfABlockThatEndsLater) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  // Block 1 spans 160..950, block 2 (a later commit) 200..300: by max_ms, block 2 comes first.
  ASSERT_TRUE(store->append_history({entry("#c", "early", 160, "x"), entry("#c", "late", 950, "x")}).is_ok());
  ASSERT_TRUE(store->append_history({entry("#c", "mid1", 200, "x"), entry("#c", "mid2", 300, "x")}).is_ok());
  // And one far later, beyond the longest span of a block.
  ASSERT_TRUE(store->append_history({entry("#c", "much later", 60'000, "x")}).is_ok());
  EXPECT_EQ(raw_column(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                             "tbl_name = 'history_blocks'"),
            (Ids{"1"}));
  auto after = [&](std::int64_t t, std::size_t limit) {
    core::HistoryQuery q;
    q.kind = core::HistoryQuery::Kind::kAfter;
    q.target = "#c";
    q.from.kind = core::HistoryRef::Kind::kTime;
    q.from.time_ms = t;
    q.limit = limit;
    return ids_of(store->query_history(q));
  };
  EXPECT_EQ(after(150, 1), (Ids{"early"}));
  EXPECT_EQ(after(150, 2), (Ids{"early", "mid1"}));
  EXPECT_EQ(after(150, 10), (Ids{"early", "mid1", "mid2", "late", "much later"}));
  EXPECT_EQ(after(160, 2), (Ids{"mid1", "mid2"}));
  EXPECT_EQ(after(300, 1), (Ids{"late"}));
  EXPECT_EQ(after(950, 5), (Ids{"much later"}));
}

TEST(SqliteStoreHistory, TheSearchIndexTakesEntriesInBatchesAndSearchSeesTheRestToo) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  store->set_history_tuning({.index_batch = 3, .max_block_entries = 512});
  ASSERT_TRUE(store->append_history({entry("#c", "m1", 1, "word one"), entry("#d", "m2", 2, "word two")}).is_ok());
  EXPECT_EQ(raw_column(path, "SELECT value FROM history_state WHERE key = 'indexed_upto'"), (Ids{"0"}));
  EXPECT_EQ(search_ids(*store, "word"), (Ids{"m2", "m1"}));
  ASSERT_TRUE(store->append_history({entry("#c", "m3", 3, "word three")}).is_ok());
  EXPECT_EQ(raw_column(path, "SELECT value FROM history_state WHERE key = 'indexed_upto'"), (Ids{"3"}));
  EXPECT_EQ(raw_column(path, "SELECT level, first_block, last_block FROM history_index_segments"),
            (Ids{"0"}));  // one segment, level 0 (the first column only)
  ASSERT_TRUE(store->append_history({entry("#c", "m4", 4, "word four")}).is_ok());
  // Two indexed blocks and one not yet indexed, newest first.
  EXPECT_EQ(search_ids(*store, "word"), (Ids{"m4", "m3", "m2", "m1"}));
  core::SearchQuery q;
  q.targets = {"#c"};
  q.from_folded = "alice";
  q.limit = 2;
  auto got = store->search_history(q);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  ASSERT_EQ(got.value().size(), 2u);
  EXPECT_EQ(got.value()[0].msgid, "m4");
  EXPECT_EQ(got.value()[1].msgid, "m3");
}

TEST(SqliteStoreHistory, TheSearchIndexFollowsDeletions) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  store->set_history_tuning({.index_batch = 1, .max_block_entries = 512});
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(
        store->append_history({entry(i % 2 ? "#c" : "#d", "m" + std::to_string(i), i, "word")}).is_ok());
  RetentionPolicy policy;
  policy.all.max_count = 3;
  EXPECT_EQ(store->expire_history(policy, 100, 0).value(), 14u);
  ASSERT_TRUE(store->forget_history("#d").is_ok());
  ASSERT_TRUE(store->delete_history_entry("#c", "m15").is_ok());
  EXPECT_EQ(search_ids(*store, "word"), (Ids{"m19", "m17"}));
  EXPECT_EQ(raw_column(path, "SELECT count(*) FROM history_msgids"), (Ids{"2"}));
  EXPECT_EQ(raw_column(path, "SELECT count(*) FROM history_blocks"), (Ids{"2"}));
  // The deleted blocks' ids are never given to new blocks (the index may still name them): new
  // entries are found, the deleted ones stay gone.
  ASSERT_TRUE(store->append_history({entry("#d", "m20", 20, "word")}).is_ok());
  EXPECT_EQ(search_ids(*store, "word"), (Ids{"m20", "m19", "m17"}));
  for (int i = 21; i < 40; ++i)  // enough segments for merges, which drop the deleted blocks
    ASSERT_TRUE(store->append_history({entry("#c", "m" + std::to_string(i), i, "word")}).is_ok());
  EXPECT_EQ(search_ids(*store, "word").size(), 22u);
  EXPECT_EQ(raw_column(path, "SELECT count(*) > 0 FROM history_index_segments WHERE level > 0"), (Ids{"1"}));
}

TEST(SqliteStoreHistory, ARedactedWordLeavesTheSearchIndexWithItsBlockKeepingTheRest) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  store->set_history_tuning({.index_batch = 1, .max_block_entries = 512});
  ASSERT_TRUE(store->append_history({entry("#c", "m1", 1, "secret"), entry("#c", "m2", 2, "public")}).is_ok());
  ASSERT_TRUE(store->delete_history_entry("#c", "m1").is_ok());
  EXPECT_EQ(search_ids(*store, "secret"), (Ids{}));
  EXPECT_EQ(search_ids(*store, "public"), (Ids{"m2"}));
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{"m2"}));
}

TEST(SqliteStoreHistory, ADamagedBlockIsReportedAsCorruptNotRead) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->append_history({entry("#c", "m1", 1, "one"), entry("#c", "m2", 2, "two")}).is_ok());
  raw_exec(path, "UPDATE history_blocks SET entries = substr(entries, 1, length(entries) - 3)");
  core::HistoryQuery q;
  q.kind = core::HistoryQuery::Kind::kLatest;
  q.target = "#c";
  q.limit = 10;
  auto got = store->query_history(q);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), Status::Code::kCorrupt) << got.status().to_string();
  EXPECT_NE(got.status().message().find("history block"), std::string::npos) << got.status().to_string();
  // Another target's history is not affected.
  ASSERT_TRUE(store->append_history({entry("#d", "m3", 3, "three")}).is_ok());
  EXPECT_EQ(latest_ids(*store, "#d"), (Ids{"m3"}));
}

std::vector<std::string> before_ids(SqliteStore& store, const std::string& target, const std::string& msgid) {
  core::HistoryQuery q;
  q.kind = core::HistoryQuery::Kind::kBefore;
  q.target = target;
  q.from = {core::HistoryRef::Kind::kMsgid, msgid, 0};
  q.limit = 100;
  return ids_of(store.query_history(q));
}

TEST(SqliteStoreHistory, ParleyMsgidsNeedNoIndexRowAndAreStillFoundRedactedAndDeduplicated) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  core::MsgIdGenerator gen({1, 2, 3, 4});
  const std::int64_t t = 1'796'000'000'000;
  const std::string a = gen.next(t), b = gen.next(t), c = gen.next(t + 1), d = gen.next(t + 5'000);
  const std::string stepped = gen.next(t - 60'000);  // the clock stepped back: the id stays ahead
  ASSERT_TRUE(store->append_history({entry("#c", a, t, "one"), entry("#c", b, t, "two"), entry("#c", b, t, "two")})
                  .is_ok());
  ASSERT_TRUE(store
                  ->append_history({entry("#c", c, t + 1, "three"), entry("#c", a, t, "one again"),
                                    entry("#c", d, t + 5'000, "four"), entry("#c", stepped, t - 60'000, "back")})
                  .is_ok());
  EXPECT_EQ(raw_column(path, "SELECT msgid FROM history_msgids"), (Ids{stepped}));
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{stepped, a, b, c, d}));
  EXPECT_EQ(before_ids(*store, "#c", c), (Ids{stepped, a, b}));
  EXPECT_EQ(before_ids(*store, "#c", a), (Ids{stepped}));
  EXPECT_EQ(before_ids(*store, "#c", stepped), Ids{});
  EXPECT_EQ(before_ids(*store, "#d", c).front().substr(0, 6), "error:") << "another target's msgid is unknown";
  {  // reopened: found the same way
    store.reset();
    store = open_ok(path);
    ASSERT_TRUE(store);
  }
  EXPECT_EQ(before_ids(*store, "#c", d), (Ids{stepped, a, b, c}));
  EXPECT_EQ(store->delete_history_entry("#d", b).code(), Status::Code::kNotFound);
  ASSERT_TRUE(store->delete_history_entry("#c", b).is_ok());
  EXPECT_EQ(store->delete_history_entry("#c", b).code(), Status::Code::kNotFound);
  ASSERT_TRUE(store->delete_history_entry("#c", stepped).is_ok());
  EXPECT_EQ(raw_column(path, "SELECT count(*) FROM history_msgids"), (Ids{"0"}));
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{a, c, d}));
  // Stored again after its deletion, an msgid is new again.
  ASSERT_TRUE(store->append_history({entry("#c", b, t, "two")}).is_ok());
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{a, b, c, d}));
}

// A repeated msgid keeps the first entry that has it, wherever the repeats are: later in the same
// batch (in the same block or another, past max_block_entries), or in a later batch.
TEST(SqliteStoreHistory, ARepeatedMsgidKeepsItsFirstEntryWhereverTheRepeatsAre) {
  testing::TempDir dir;
  auto store = open_ok(dir.file("parley.db"));
  ASSERT_TRUE(store);
  core::MsgIdGenerator gen({1, 2, 3, 4});
  const std::int64_t t = 1'796'000'000'000;
  std::vector<core::HistoryEntry> batch;
  Ids expected;
  for (int i = 0; i < 100; ++i) {
    const std::int64_t at = t + i / 10;  // ten entries per millisecond
    batch.push_back(entry("#c", gen.next(at), at, "n" + std::to_string(i)));
    expected.push_back(batch.back().msgid);
  }
  const std::string repeated = batch[3].msgid;  // t's
  for (int i : {7, 70, 99}) {  // the same millisecond's block, a later block, the last entry
    batch.insert(batch.begin() + i, entry("#c", repeated, t, "again " + std::to_string(i)));
  }
  ASSERT_TRUE(store->append_history(batch).is_ok());
  ASSERT_TRUE(store->append_history({entry("#c", repeated, t, "in a later batch"),
                                      entry("#c", batch[5].msgid, t, "and another")})
                  .is_ok());
  EXPECT_EQ(latest_ids(*store, "#c"), expected);
  core::HistoryQuery q;
  q.kind = core::HistoryQuery::Kind::kLatest;
  q.target = "#c";
  q.from.kind = core::HistoryRef::Kind::kLatest;
  q.limit = 1000;
  auto got = store->query_history(q);
  ASSERT_TRUE(got.is_ok());
  ASSERT_EQ(got.value().size(), 100u);
  EXPECT_EQ(got.value()[3].text, "n3");
  EXPECT_EQ(got.value()[5].text, "n5");
}

// Version 2's history table as released (schema versions 2 to 4), with its search index.
constexpr const char* kVersion2History = R"sql(
CREATE TABLE history (
  id            INTEGER PRIMARY KEY,
  target        TEXT    NOT NULL,
  msgid         TEXT    NOT NULL UNIQUE,
  time_ms       INTEGER NOT NULL,
  source        TEXT    NOT NULL,
  sender_folded TEXT    NOT NULL,
  account       TEXT    NOT NULL,
  command       TEXT    NOT NULL,
  tags          TEXT    NOT NULL,
  params        TEXT    NOT NULL,
  text          TEXT    NOT NULL
);
CREATE INDEX history_by_target_time ON history (target, time_ms);
CREATE INDEX history_by_sender ON history (sender_folded, target, time_ms);
CREATE VIRTUAL TABLE history_text USING fts5 (
  text, content = 'history', content_rowid = 'id', tokenize = 'ascii', detail = 'none'
);
CREATE TRIGGER history_text_delete AFTER DELETE ON history WHEN old.text <> '' BEGIN
  INSERT INTO history_text (history_text, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER history_is_append_only BEFORE UPDATE ON history BEGIN
  SELECT RAISE (ABORT, 'history rows are never updated');
END;
)sql";

TEST(SqliteStoreHistory, AVersion4FilesRowsMoveIntoBlocksKeepingOrderMsgidsAndSearch) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  { ASSERT_TRUE(open_ok(path)); }
  // Back to version 4: no blocks, the rows of version 2's table (equal times in rowid order).
  raw_exec(
      path,
      std::string("DROP TABLE history_blocks; DROP TABLE history_msgids; DROP TABLE history_index; "
                  "DROP TABLE history_index_segments; DROP TABLE history_state;") +
          kVersion2History +
          "INSERT INTO history VALUES (1, '#c', 'm1', 1000, 'a!a@h', 'a', '', 'PRIVMSG', '', '#c :old word', "
          "'old word');"
          "INSERT INTO history VALUES (2, '#c', 'm2', 1000, 'b!b@h', 'b', 'B', 'NOTICE', '+x=y', '#c :tie', "
          "'tie');"
          "INSERT INTO history VALUES (3, '#c', 'm3', 900, 'a!a@h', 'a', '', 'JOIN', '', '#c', '');"
          "INSERT INTO history VALUES (4, '@a b', 'm4', 2000, 'a!a@h', 'a', 'A', 'PRIVMSG', '', 'b :word', "
          "'word');"
          "INSERT INTO history_text (history_text) VALUES ('rebuild');"
          "PRAGMA user_version = 4;");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(raw_column(path, "PRAGMA user_version"), (Ids{std::to_string(SqliteStore::schema_version())}));
  EXPECT_EQ(raw_column(path, "SELECT count(*) FROM sqlite_schema WHERE name IN ('history', 'history_text')"),
            (Ids{"0"}));
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{"m1", "m2"}));  // the JOIN needs event-playback
  core::HistoryQuery q;
  q.kind = core::HistoryQuery::Kind::kBefore;
  q.target = "#c";
  q.from = {core::HistoryRef::Kind::kMsgid, "m2", 0};
  q.limit = 10;
  q.include_events = true;
  auto before = store->query_history(q);
  ASSERT_TRUE(before.is_ok()) << before.status().to_string();
  ASSERT_EQ(before.value().size(), 2u);
  EXPECT_EQ(before.value()[0].msgid, "m3");
  EXPECT_EQ(before.value()[1].msgid, "m1");
  EXPECT_EQ(before.value()[1].params, "#c :old word");
  auto all = store->query_history({core::HistoryQuery::Kind::kLatest, "#c", {}, {}, 10, true});
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all.value().size(), 3u);
  const core::HistoryEntry& tie = all.value()[2];
  EXPECT_EQ(tie.account, "B");
  EXPECT_EQ(tie.command, "NOTICE");
  EXPECT_EQ(tie.tags, "+x=y");
  EXPECT_EQ(tie.text, "tie");
  EXPECT_EQ(search_ids(*store, "word"), (Ids{"m1"}));
  core::SearchQuery dm;
  dm.targets = {"@a b"};
  dm.text = "word";
  dm.limit = 10;
  ASSERT_EQ(store->search_history(dm).value().size(), 1u);
  ASSERT_TRUE(store->append_history({entry("#c", "m5", 1000, "new")}).is_ok());
  EXPECT_EQ(latest_ids(*store, "#c"), (Ids{"m1", "m2", "m5"}));
}

}  // namespace
}  // namespace parley::store
