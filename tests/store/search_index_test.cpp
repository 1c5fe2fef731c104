// SEARCH's index (store/search_index.h): the terms of a block, the chunk format and its reader's
// checks, and SqliteStore's segments and merges finding what MemoryStore finds, through deletions.
#include "store/search_index.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "store/history_rules.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"
#include "store/temp_dir.h"

namespace parley::store {
namespace {

using search_index::ChunkReader;
using search_index::ChunkWriter;
using search_index::Key;
using search_index::Posting;

core::HistoryEntry entry(const std::string& target, const std::string& msgid, std::int64_t time_ms,
                         const std::string& text, const std::string& sender = "alice",
                         const std::string& command = "PRIVMSG") {
  core::HistoryEntry e;
  e.target = target;
  e.msgid = msgid;
  e.time_ms = time_ms;
  e.source = sender + "!u@host";
  e.sender_folded = sender;
  e.command = command;
  e.params = target + " :" + text;
  e.text = text;
  return e;
}

history::EntryView view(const core::HistoryEntry& e) {
  history::EntryView v;
  v.time_ms = e.time_ms;
  v.msgid = e.msgid;
  v.source = e.source;
  v.sender_folded = e.sender_folded;
  v.command = e.command;
  v.params = e.params;
  v.text = e.text;
  return v;
}

std::vector<Key> keys_of(const std::vector<Posting>& postings) {
  std::vector<Key> keys;
  for (const Posting& p : postings) keys.push_back(p.key);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

TEST(SearchIndex, ABlocksPostingsAreItsWordsSendersAndTarget) {
  const std::vector<core::HistoryEntry> entries = {
      entry("#c", "m1", 1, "Hello, WORLD! straße", "alice"),
      entry("#c", "m2", 2, "hello again", "bob", "NOTICE"),
      entry("#c", "m3", 3, "", "carol", "TAGMSG"),
      entry("#c", "m4", 4, "not searchable", "dave", "TOPIC"),
  };
  std::vector<history::EntryView> views;
  for (const auto& e : entries) views.push_back(view(e));
  std::vector<Posting> postings;
  search_index::add_block_postings(7, "#c", views, postings);
  for (const Posting& p : postings) EXPECT_EQ(p.block, 7);
  // Each term once ("hello" is in both texts), in key order.
  EXPECT_TRUE(std::is_sorted(postings.begin(), postings.end()));
  EXPECT_EQ(std::adjacent_find(postings.begin(), postings.end()), postings.end());
  std::vector<Key> expected = {search_index::target_key("#c"), search_index::sender_key("alice"),
                               search_index::sender_key("bob")};
  // The words are history::words() of each searchable text: the same as SEARCH looks for.
  for (const char* text : {"Hello, WORLD! straße", "hello again"}) {
    for (const std::string& word : history::words(text)) expected.push_back(search_index::word_key(word));
  }
  std::sort(expected.begin(), expected.end());
  expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
  EXPECT_EQ(keys_of(postings), expected);
  EXPECT_EQ(expected.size(), 3u + 4u);  // hello, world, straße, again
  // A word, a sender and a target of the same name are three keys.
  EXPECT_NE(search_index::word_key("x"), search_index::sender_key("x"));
  EXPECT_NE(search_index::sender_key("x"), search_index::target_key("x"));
  for (const Key k : expected) EXPECT_GE(k, 0);

  // A block with nothing SEARCH looks at adds nothing, not even its target.
  std::vector<Posting> none;
  const std::vector<history::EntryView> events = {view(entries[2]), view(entries[3])};
  search_index::add_block_postings(8, "#c", events, none);
  EXPECT_TRUE(none.empty());
}

// Chunks as ChunkWriter emits them.
struct Chunks {
  std::vector<std::pair<Key, std::string>> rows;
  ChunkWriter writer() {
    return ChunkWriter([this](Key last, std::string_view chunk) {
      rows.emplace_back(last, std::string(chunk));
      return Status::ok();
    });
  }
};

TEST(SearchIndex, ChunksHoldRecordsInKeyOrderAndAreFoundByTheirLastKey) {
  Chunks chunks;
  ChunkWriter writer = chunks.writer();
  std::vector<std::pair<Key, std::vector<std::int64_t>>> records;
  std::mt19937_64 rng(7);
  Key key = 0;
  for (int i = 0; i < 3000; ++i) {
    key += 1 + static_cast<Key>(rng() % 1'000'000'000'000);
    std::vector<std::int64_t> blocks;
    std::int64_t block = 0;
    for (std::uint64_t n = 1 + rng() % (i % 100 == 0 ? 500 : 3); n > 0; --n) {
      block += 1 + static_cast<std::int64_t>(rng() % 1000);
      blocks.push_back(block);
    }
    records.emplace_back(key, blocks);
    ASSERT_TRUE(writer.add(key, blocks).is_ok());
  }
  // The largest key and block id there are.
  const Key top = std::numeric_limits<Key>::max();
  records.emplace_back(top, std::vector<std::int64_t>{1, top});
  ASSERT_TRUE(writer.add(top, records.back().second).is_ok());
  ASSERT_TRUE(writer.finish().is_ok());
  ASSERT_GT(chunks.rows.size(), 5u);
  // Read back in order: every record, each chunk's last key the one it is stored under.
  std::size_t next = 0;
  for (const auto& [last, chunk] : chunks.rows) {
    ChunkReader reader(chunk);
    Key k = 0;
    std::vector<std::int64_t> blocks;
    Key seen = -1;
    while (reader.next(k, blocks)) {
      ASSERT_LT(next, records.size());
      EXPECT_EQ(k, records[next].first);
      EXPECT_EQ(blocks, records[next].second);
      seen = k;
      ++next;
    }
    EXPECT_FALSE(reader.corrupt());
    EXPECT_EQ(seen, last);
    EXPECT_LT(chunk.size(), search_index::kChunkBytes + 2000);  // one record may overrun
  }
  EXPECT_EQ(next, records.size());
  // find(): the first chunk whose last key is not below the key, as the store looks it up.
  auto lookup = [&](Key k) {
    auto row = std::lower_bound(chunks.rows.begin(), chunks.rows.end(), k,
                                [](const auto& r, Key x) { return r.first < x; });
    if (row == chunks.rows.end()) return std::vector<std::int64_t>{};
    auto got = search_index::find(row->second, k, "test");
    EXPECT_TRUE(got.is_ok());
    return got.value();
  };
  for (std::size_t i = 0; i < records.size(); i += 97) EXPECT_EQ(lookup(records[i].first), records[i].second);
  EXPECT_EQ(lookup(top), (std::vector<std::int64_t>{1, top}));
  EXPECT_TRUE(lookup(records[10].first + 1).empty());
  EXPECT_TRUE(lookup(0).empty());
}

TEST(SearchIndex, AMalformedChunkIsCorruptNeverReadPastItsEnd) {
  auto corrupt = [](const std::string& chunk) {
    auto got = search_index::find(chunk, std::numeric_limits<Key>::max(), "parley.db (test)");
    return !got.is_ok() && got.status().code() == Status::Code::kCorrupt &&
           got.status().message().find("parley.db (test)") != std::string::npos;
  };
  Chunks chunks;
  ChunkWriter writer = chunks.writer();
  ASSERT_TRUE(writer.add(5, std::vector<std::int64_t>{3, 300, 70000}).is_ok());
  ASSERT_TRUE(writer.add(9, std::vector<std::int64_t>{1}).is_ok());
  ASSERT_TRUE(writer.finish().is_ok());
  const std::string good = chunks.rows.at(0).second;
  EXPECT_FALSE(corrupt(good));
  for (std::size_t n = 1; n < good.size(); ++n) {
    if (n == good.size() - 3) continue;  // the first record whole (the second is 3 bytes)
    EXPECT_TRUE(corrupt(good.substr(0, n))) << n << " bytes";
  }
  EXPECT_TRUE(corrupt(std::string("\x05\x00", 2)));                  // no blocks
  EXPECT_TRUE(corrupt(std::string("\x05\x01\x00", 3)));              // block 0
  EXPECT_TRUE(corrupt(std::string("\x05\x05\x01", 3)));              // 5 blocks, 1 byte
  EXPECT_TRUE(corrupt(std::string("\x05\x01\x01\x00\x01\x01", 6)));  // a second key not above the first
  // A key beyond 63 bits, and a block id that would pass int64's end.
  EXPECT_TRUE(corrupt(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x80\x01\x01\x01", 12)));
  EXPECT_TRUE(corrupt(std::string("\x05\x02\xfe\xff\xff\xff\xff\xff\xff\xff\x7f\x05", 12)));
  // A block id after the largest there is (the fuzzer found the reader accepting it).
  EXPECT_TRUE(corrupt(std::string("\x05\x02\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x00", 12)));
  EXPECT_FALSE(corrupt(""));
}

// SqliteStore with one segment per commit (so levels fill and merge), against MemoryStore, on a
// small vocabulary so that words are shared, through retention, forgetting and redaction.
TEST(SearchIndex, SegmentsAndMergesFindWhatMemoryStoreFinds) {
  testing::TempDir dir;
  auto opened = SqliteStore::open(dir.file("parley.db"));
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  SqliteStore& sqlite = *opened.value();
  sqlite.set_history_tuning({.index_batch = 3, .max_block_entries = 4});
  MemoryStore memory;
  const std::vector<std::string> vocabulary = {"red",    "Green", "blue",  "cyan",
                                               "straße", "x1",    "amber", "teal"};
  // More targets than SEARCH looks up in the index (then each block's target is checked instead).
  const std::vector<std::string> targets = {"#a", "#b", "#c", "#d",         "#e",
                                            "#f", "#g", "#h", "@alice bob", "@bob carol"};
  const std::vector<std::string> senders = {"alice", "bob", "carol"};
  std::mt19937 rng(42);
  auto pick = [&rng](const std::vector<std::string>& from) { return from[rng() % from.size()]; };
  auto check = [&](const std::string& when) {
    for (int q = 0; q < 60; ++q) {
      core::SearchQuery query;
      const int n = static_cast<int>(rng() % (q % 10 == 0 ? 12 : 4)) + 1;
      for (int t = 0; t < n && t < 4; ++t) query.targets.push_back(pick(targets));
      if (n > 4) query.targets = targets;
      std::sort(query.targets.begin(), query.targets.end());
      query.targets.erase(std::unique(query.targets.begin(), query.targets.end()), query.targets.end());
      if (q % 3 != 0) query.text = pick(vocabulary) + (q % 2 ? " " + pick(vocabulary) : "");
      if (q % 4 == 0 || query.text.empty()) query.from_folded = pick(senders);
      if (q % 5 == 0) query.after_ms = 1000 + static_cast<std::int64_t>(rng() % 3000);
      query.limit = 1 + rng() % 40;
      auto a = memory.search_history(query);
      auto b = sqlite.search_history(query);
      ASSERT_TRUE(a.is_ok());
      ASSERT_TRUE(b.is_ok()) << b.status().to_string();
      std::vector<std::string> ma, mb;
      for (const auto& e : a.value()) ma.push_back(e.msgid);
      for (const auto& e : b.value()) mb.push_back(e.msgid);
      ASSERT_EQ(ma, mb) << when << ": \"" << query.text << "\" from " << query.from_folded << " limit "
                        << query.limit;
    }
  };
  int next = 0;
  auto append = [&](int commits) {
    for (int c = 0; c < commits; ++c) {
      std::vector<core::HistoryEntry> batch;
      for (std::uint32_t i = 0, n = 1 + rng() % 6; i < n; ++i, ++next) {
        std::string text = pick(vocabulary);
        for (std::uint32_t w = rng() % 4; w > 0; --w) text += (rng() % 2 ? " " : ", ") + pick(vocabulary);
        const char* command = next % 11 == 0 ? "TAGMSG" : (next % 7 == 0 ? "NOTICE" : "PRIVMSG");
        batch.push_back(
            entry(pick(targets), "m" + std::to_string(next), 1000 + next, text, pick(senders), command));
      }
      ASSERT_TRUE(sqlite.append_history(batch).is_ok());
      ASSERT_TRUE(memory.append_history(batch).is_ok());
    }
  };
  append(150);
  check("appended");
  RetentionPolicy policy;
  policy.per_target.emplace_back("#a", RetentionRule{.max_age_ms = 0, .max_count = 40});
  ASSERT_EQ(sqlite.expire_history(policy, 5000, 0).value(), memory.expire_history(policy, 5000, 0).value());
  ASSERT_TRUE(sqlite.forget_history("#b").is_ok());
  ASSERT_TRUE(memory.forget_history("#b").is_ok());
  for (int i = 0; i < next; i += 5) {
    const std::string msgid = "m" + std::to_string(i);
    for (const std::string& target : targets) {
      const bool gone_a = sqlite.delete_history_entry(target, msgid).is_ok();
      const bool gone_b = memory.delete_history_entry(target, msgid).is_ok();
      ASSERT_EQ(gone_a, gone_b) << msgid;
    }
  }
  check("after deletions");
  append(300);  // more merges, over deleted blocks
  check("appended again");
}

TEST(SearchIndex, AFileIndexedByFts5IsIndexedAgainWhenOpened) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  {
    auto opened = SqliteStore::open(path);
    ASSERT_TRUE(opened.is_ok());
    std::vector<core::HistoryEntry> batch;
    for (int i = 0; i < 5000; ++i)
      batch.push_back(
          entry(i % 2 ? "#c" : "#d", "m" + std::to_string(i), 1000 + i, i % 3 ? "common" : "rare common"));
    ASSERT_TRUE(opened.value()->append_history(batch).is_ok());
  }
  // Back to version 6: an FTS5 table where the index is, nothing indexed yet.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db,
                   "DROP TABLE history_index; DROP TABLE history_index_segments; "
                   "CREATE VIRTUAL TABLE history_fts USING fts5 (text, content = '', tokenize = 'ascii', "
                   "detail = 'none'); UPDATE history_state SET value = 0; PRAGMA user_version = 6;",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto opened = SqliteStore::open(path);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  core::SearchQuery query;
  query.targets = {"#c", "#d"};
  query.text = "rare";
  query.limit = 5000;
  auto got = opened.value()->search_history(query);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got.value().size(), 1667u);
  EXPECT_EQ(got.value().front().msgid, "m4998");
}

TEST(SearchIndex, ADamagedChunkIsReportedAsCorrupt) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto opened = SqliteStore::open(path);
  ASSERT_TRUE(opened.is_ok());
  SqliteStore& store = *opened.value();
  store.set_history_tuning({.index_batch = 1, .max_block_entries = 64});
  ASSERT_TRUE(store.append_history({entry("#c", "m1", 1, "word")}).is_ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE history_index SET postings = x'ff'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  core::SearchQuery query;
  query.targets = {"#c"};
  query.text = "word";
  query.limit = 10;
  auto got = store.search_history(query);
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), Status::Code::kCorrupt);
  EXPECT_NE(got.status().message().find("search index"), std::string::npos) << got.status().to_string();
}

}  // namespace
}  // namespace parley::store
