// SqliteStore: history in blocks (schema version 5, one index on them since 6; store/history_block.h,
// docs/storage.md "History blocks"). Read markers and registered channels are in
// sqlite_store_channels.cpp.
// The query semantics come from store/history_rules.h, shared with MemoryStore.
//
// Each group commit stores, per target, its entries as one row of history_blocks. An msgid of
// Parley's form (core/msgid.h) issued in the entry's own millisecond needs no more: it is found
// through its target and time (an index seek and a block or two). Any other msgid (another
// server's form, or Parley's while the clock stepped back) gets a row in history_msgids (msgid →
// block). That saves one B-tree insert per message, a fifth of the storage thread's work under
// load (docs/storage.md "Measured cost"). An entry's position is (time_ms, block id × 2^20 +
// its index in the block), so append order is kept among equal times. A block spans at most
// kMaxBlockSpanMs of time, which bounds every time-range read to an index seek.
//
// SEARCH's index (store/search_index.h: a term's blocks, in segments) is filled in batches: once
// HistoryTuning::index_batch entries (4096) are waiting, the next commit indexes them all as one
// segment (history_state's indexed_upto is the last block indexed). A search reads the index and
// scans the blocks not yet in it.
#include <sqlite3.h>

#include <algorithm>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "core/msgid.h"
#include "store/history_block.h"
#include "store/search_index.h"
#include "store/sqlite_history_statements.h"
#include "store/sqlite_store.h"
#include "store/sqlite_support.h"

namespace parley::store {

using history::EntryView;
using history::Position;
using sqlite_support::bind_blob;
using sqlite_support::bind_text;
using sqlite_support::column_text;
using sqlite_support::Use;

namespace {

constexpr std::int64_t kSeqPerBlock = std::int64_t{1} << 20;
constexpr std::int64_t kMaxBlockSpanMs = 1000;
// The migration from version 2's rows reads this many at a time.
constexpr int kMoveBatch = 4096;

constexpr std::int64_t kMinTime = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMaxTime = std::numeric_limits<std::int64_t>::max();

std::int64_t plus_span(std::int64_t t) { return t > kMaxTime - kMaxBlockSpanMs ? kMaxTime : t + kMaxBlockSpanMs; }
std::int64_t minus_span(std::int64_t t) { return t < kMinTime + kMaxBlockSpanMs ? kMinTime : t - kMaxBlockSpanMs; }

Position position_of(std::int64_t block, std::size_t index, std::int64_t time_ms) {
  return Position{time_ms, block * kSeqPerBlock + static_cast<std::int64_t>(index)};
}

// Every statement that reads blocks selects these, in this order.
constexpr const char* kBlockColumns = "id, target, min_ms, max_ms, entries";

// SEARCH's exclusive time bounds (0: none).
std::pair<std::int64_t, std::int64_t> search_times(const core::SearchQuery& query) {
  return {query.after_ms == 0 ? kMinTime : query.after_ms, query.before_ms == 0 ? kMaxTime : query.before_ms};
}

// Whether an entry's msgid is found through its time (no history_msgids row): see the top.
bool found_by_time(std::string_view msgid, std::int64_t time_ms) {
  return core::MsgIdGenerator::time_of(msgid) == time_ms;
}

std::string select_blocks(std::string_view rest) {
  return std::string("SELECT ") + kBlockColumns + " FROM history_blocks " + std::string(rest);
}

// A segment of the search index holds the blocks of at most this many index batches (more than
// one only when a backlog is indexed, as after migration 7).
constexpr std::size_t kBatchesPerSegment = 16;
// SEARCH narrows the index lookup to its targets when it has at most this many; with more, each
// block the words name is checked for its target instead (one lookup per target and segment
// would cost more).
constexpr std::size_t kIndexedTargets = 8;

// parley_block_wanted(id, ids): whether `id` is in the sorted std::vector<std::int64_t> bound as
// `ids` with sqlite3_bind_pointer (type kBlockIds), so that a statement skips a block inside
// SQLite, before it reads the row's entries.
constexpr const char* kBlockIds = "parley_block_ids";

void block_wanted(sqlite3_context* context, int, sqlite3_value** args) {
  const auto* ids = static_cast<const std::vector<std::int64_t>*>(sqlite3_value_pointer(args[1], kBlockIds));
  const std::int64_t id = sqlite3_value_int64(args[0]);
  sqlite3_result_int(context, ids != nullptr && std::binary_search(ids->begin(), ids->end(), id) ? 1 : 0);
}

// The ids both sorted lists hold.
std::vector<std::int64_t> intersection(const std::vector<std::int64_t>& a,
                                       const std::vector<std::int64_t>& b) {
  std::vector<std::int64_t> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// Binds consecutive int64 parameters from `first`.
int bind_numbers(sqlite3_stmt* stmt, int first, std::initializer_list<std::int64_t> numbers) {
  int rc = SQLITE_OK;
  for (const std::int64_t n : numbers) {
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, first++, n);
  }
  return rc;
}

}  // namespace

// One history_blocks row, decoded; `entries` are views into `blob`.
struct SqliteStore::Block {
  std::int64_t id = 0;
  std::string target;
  std::int64_t min_ms = 0;
  std::int64_t max_ms = 0;
  std::string blob;
  std::vector<EntryView> entries;
};

struct SqliteStore::Located {
  Block block;
  std::size_t index = 0;
};

void SqliteStore::FreeHistoryStatements::operator()(HistoryStatements* statements) const {
  delete statements;
}

Status SqliteStore::prepare_history() {
  if (int rc = sqlite3_create_function_v2(db_, "parley_block_wanted", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                          nullptr, block_wanted, nullptr, nullptr, nullptr);
      rc != SQLITE_OK)
    return error(rc, "register parley_block_wanted");
  history_.reset(new HistoryStatements);
  HistoryStatements& h = *history_;
  const std::pair<sqlite3_stmt**, std::string> sources[] = {
      // Above every block stored and every block indexed: an id the index may still name (a
      // deleted block's) is never given to a new block, which would then never be indexed.
      {&h.next_block_id,
       "SELECT max(coalesce((SELECT max(id) FROM history_blocks), 0), "
       "coalesce((SELECT value FROM history_state WHERE key = 'indexed_upto'), 0)) + 1"},
      {&h.insert_block,
       "INSERT INTO history_blocks (id, target, min_ms, max_ms, count, entries) VALUES (?1, ?2, ?3, ?4, ?5, "
       "?6)"},
      {&h.update_block,
       "UPDATE history_blocks SET min_ms = ?2, max_ms = ?3, count = ?4, entries = ?5 WHERE id = ?1"},
      {&h.delete_block, "DELETE FROM history_blocks WHERE id = ?1"},
      {&h.insert_msgid,
       "INSERT INTO history_msgids (msgid, block) VALUES (?1, ?2) ON CONFLICT (msgid) DO NOTHING"},
      {&h.delete_msgid, "DELETE FROM history_msgids WHERE msgid = ?1"},
      {&h.insert_conversation,
       "INSERT OR IGNORE INTO conversations (account_folded, target) VALUES (?1, ?2)"},
      {&h.find_msgid,
       "SELECT b.id, b.target, b.min_ms, b.max_ms, b.entries FROM history_msgids m "
       "JOIN history_blocks b ON b.id = m.block WHERE m.msgid = ?1"},
      // The blocks of one target that may hold entries from ?2 to ?4 (?3: plus_span(?4)), by an
      // index seek on (target, max_ms), newest or oldest first.
      {&h.blocks_newest, select_blocks("WHERE target = ?1 AND max_ms >= ?2 AND max_ms <= ?3 AND min_ms <= ?4 "
                                       "ORDER BY max_ms DESC, id DESC")},
      {&h.blocks_oldest, select_blocks("WHERE target = ?1 AND max_ms >= ?2 AND max_ms <= ?3 AND min_ms <= ?4 "
                                       "ORDER BY max_ms, id")},
      {&h.blocks_of_target, select_blocks("WHERE target = ?1 ORDER BY id")},
      {&h.blocks_after, select_blocks("WHERE id > ?1 ORDER BY id")},
      {&h.blocks_after_newest, select_blocks("WHERE id > ?1 ORDER BY id DESC")},
      {&h.unindexed_count, "SELECT coalesce(sum(count), 0) FROM history_blocks WHERE id > ?1"},
      {&h.indexed_upto, "SELECT value FROM history_state WHERE key = 'indexed_upto'"},
      {&h.set_indexed_upto, "UPDATE history_state SET value = ?1 WHERE key = 'indexed_upto'"},
      {&h.block_by_id, select_blocks("WHERE id = ?1 AND max_ms > ?2 AND min_ms < ?3")},
      // blocks_newest, narrowed to the blocks where one sender speaks: those the index names (?6,
      // parley_block_wanted), and those not indexed yet (id above ?5).
      {&h.sender_blocks,
       select_blocks("WHERE target = ?1 AND max_ms >= ?2 AND max_ms <= ?3 AND min_ms <= ?4 "
                     "AND (id > ?5 OR parley_block_wanted(id, ?6)) ORDER BY max_ms DESC, id DESC")},
      {&h.insert_segment,
       "INSERT INTO history_index_segments (level, first_block, last_block) VALUES (?1, ?2, ?3)"},
      {&h.insert_chunk, "INSERT INTO history_index (segment, last_key, postings) VALUES (?1, ?2, ?3)"},
      {&h.find_chunk,
       "SELECT postings FROM history_index WHERE segment = ?1 AND last_key >= ?2 ORDER BY last_key LIMIT 1"},
      {&h.segments_newest, "SELECT id FROM history_index_segments ORDER BY last_block DESC"},
      {&h.segments_of_level,
       "SELECT id, first_block, last_block FROM history_index_segments WHERE level = ?1 ORDER BY "
       "first_block"},
      {&h.delete_segment_chunks, "DELETE FROM history_index WHERE segment = ?1"},
      {&h.delete_segment, "DELETE FROM history_index_segments WHERE id = ?1"},
      {&h.block_ids_between, "SELECT id FROM history_blocks WHERE id BETWEEN ?1 AND ?2 ORDER BY id"},
      {&h.conversations_of, "SELECT target FROM conversations WHERE account_folded = ?1"},
      {&h.next_target, "SELECT target FROM history_blocks WHERE target > ?1 ORDER BY target LIMIT 1"},
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
  std::lock_guard lock(mutex_);
  return transaction(false, "read the history state", [&]() -> Status {
    auto upto = indexed_upto();
    if (!upto.is_ok()) return upto.status();
    auto waiting = unindexed_entries(upto.value());
    if (!waiting.is_ok()) return waiting.status();
    unindexed_hint_ = waiting.value();
    return Status::ok();
  });
}

void SqliteStore::set_history_tuning(HistoryTuning tuning) {
  std::lock_guard lock(mutex_);
  tuning.index_batch = std::max<std::size_t>(tuning.index_batch, 1);
  tuning.max_block_entries = std::clamp<std::size_t>(tuning.max_block_entries, 1, kSeqPerBlock);
  tuning_ = tuning;
}

// ---- Blocks ----

Result<SqliteStore::Block> SqliteStore::read_block(sqlite3_stmt* stmt) {
  Block b;
  b.id = sqlite3_column_int64(stmt, 0);
  b.target = column_text(stmt, 1);
  b.min_ms = sqlite3_column_int64(stmt, 2);
  b.max_ms = sqlite3_column_int64(stmt, 3);
  b.blob = sqlite_support::column_blob(stmt, 4);
  // The views must survive moves of the Block: with a capacity past the small-string buffer, the
  // bytes are on the heap and a move keeps them where they are.
  b.blob.reserve(std::max<std::size_t>(b.blob.size(), 64));
  auto entries = history::decode_block(b.blob, b.min_ms, path_ + " (block " + std::to_string(b.id) + ")");
  if (!entries.is_ok()) return entries.status();
  b.entries = std::move(entries).value();
  return b;
}

Status SqliteStore::each_block(sqlite3_stmt* stmt, int bound, std::string_view doing, const EachBlock& take) {
  int rc = bound;
  while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    auto b = read_block(stmt);
    if (!b.is_ok()) return b.status();
    auto more = take(std::move(b).value());
    if (!more.is_ok()) return more.status();
    if (!more.value()) return Status::ok();
    rc = SQLITE_OK;
  }
  return rc == SQLITE_DONE ? Status::ok() : error(rc, doing);
}

Result<std::int64_t> SqliteStore::indexed_upto() {
  Use get(history_->indexed_upto);
  const int rc = sqlite3_step(*get);
  if (rc != SQLITE_ROW) return error(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "read the search index state");
  return static_cast<std::int64_t>(sqlite3_column_int64(*get, 0));
}

Result<std::size_t> SqliteStore::unindexed_entries(std::int64_t upto) {
  Use count(history_->unindexed_count);
  int rc = sqlite3_bind_int64(*count, 1, upto);
  if (rc == SQLITE_OK) rc = sqlite3_step(*count);
  if (rc != SQLITE_ROW) return error(rc, "count the entries not yet indexed");
  return static_cast<std::size_t>(sqlite3_column_int64(*count, 0));
}

Status SqliteStore::step_done(sqlite3_stmt* stmt, std::string_view doing) {
  const int rc = sqlite3_step(stmt);
  return rc == SQLITE_DONE ? Status::ok() : error(rc, doing);
}

Status SqliteStore::insert_block(std::int64_t id, std::string_view target,
                                 std::span<const core::HistoryEntry* const> entries) {
  const history::EncodedBlock block = history::encode_block(entries);
  Use insert(history_->insert_block);
  int rc = sqlite3_bind_int64(*insert, 1, id);
  if (rc == SQLITE_OK) rc = bind_text(*insert, 2, target);
  if (rc == SQLITE_OK)
    rc = bind_numbers(*insert, 3, {block.min_ms, block.max_ms, static_cast<std::int64_t>(entries.size())});
  if (rc == SQLITE_OK) rc = bind_blob(*insert, 6, block.blob);
  if (rc != SQLITE_OK) return error(rc, "store history");
  return step_done(*insert, "store history in " + std::string(target));
}

// Whether `msgid` was not stored yet; if so it now names block `id`.
Result<bool> SqliteStore::claim_msgid(std::string_view msgid, std::int64_t id) {
  Use insert(history_->insert_msgid);
  int rc = bind_text(*insert, 1, msgid);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(*insert, 2, id);
  if (rc == SQLITE_OK) rc = sqlite3_step(*insert);
  if (rc != SQLITE_DONE) return error(rc, "store history entry " + std::string(msgid));
  return sqlite3_changes(db_) != 0;
}

Result<std::size_t> SqliteStore::store_entries(std::span<const core::HistoryEntry* const> entries) {
  // The targets in order of first appearance, each with its entries in append order.
  std::vector<std::pair<std::string_view, std::vector<const core::HistoryEntry*>>> groups;
  std::unordered_map<std::string_view, std::size_t> group_of;
  for (const core::HistoryEntry* e : entries) {
    auto [it, added] = group_of.try_emplace(e->target, groups.size());
    if (added) groups.emplace_back(e->target, std::vector<const core::HistoryEntry*>{});
    groups[it->second].second.push_back(e);
  }
  std::int64_t next_id = 0;
  {
    Use next(history_->next_block_id);
    const int rc = sqlite3_step(*next);
    if (rc != SQLITE_ROW) return error(rc, "find the next history block");
    next_id = sqlite3_column_int64(*next, 0);
  }
  std::size_t stored = 0;
  std::vector<const core::HistoryEntry*> block;
  for (const auto& target_group : groups) {
    const std::string_view target = target_group.first;  // (a lambda cannot capture a structured binding)
    const auto& group = target_group.second;
    auto fated = fates(target, group);
    if (!fated.is_ok()) return fated.status();
    const std::vector<Fate>& fate = fated.value();
    std::int64_t low = kMaxTime, high = kMinTime;
    auto flush = [&]() -> Status {
      if (block.empty()) return Status::ok();
      if (Status s = insert_block(next_id++, target, block); !s.is_ok()) return s;
      stored += block.size();
      block.clear();
      low = kMaxTime;
      high = kMinTime;
      return Status::ok();
    };
    for (std::size_t i = 0; i < group.size(); ++i) {
      const core::HistoryEntry* e = group[i];
      const std::int64_t new_low = std::min(low, e->time_ms), new_high = std::max(high, e->time_ms);
      // Against overflow: a span beyond the limit, computed without subtracting far-apart times.
      const bool too_wide = !block.empty() && (new_high > plus_span(new_low) || new_high - kMaxBlockSpanMs > new_low);
      if (block.size() >= tuning_.max_block_entries || too_wide) {
        if (Status s = flush(); !s.is_ok()) return s;
      }
      if (fate[i] == Fate::kRepeated) continue;  // already stored (this batch or before)
      if (fate[i] == Fate::kClaim) {
        auto fresh = claim_msgid(e->msgid, next_id);
        if (!fresh.is_ok()) return fresh.status();
        if (!fresh.value()) continue;  // already stored (this batch or before)
      }
      block.push_back(e);
      low = std::min(low, e->time_ms);
      high = std::max(high, e->time_ms);
    }
    if (Status s = flush(); !s.is_ok()) return s;
    if (const auto accounts = history::conversation_accounts(target)) {
      for (const std::string_view account : {accounts->first, accounts->second}) {
        Use insert(history_->insert_conversation);
        int rc = bind_text(*insert, 1, account);
        if (rc == SQLITE_OK) rc = bind_text(*insert, 2, target);
        if (rc == SQLITE_OK) rc = sqlite3_step(*insert);
        if (rc != SQLITE_DONE) return error(rc, "store conversation " + std::string(target));
      }
    }
  }
  return stored;
}

Result<std::vector<SqliteStore::Fate>> SqliteStore::fates(
    std::string_view target, std::span<const core::HistoryEntry* const> entries) {
  std::vector<Fate> fate(entries.size(), Fate::kClaim);
  // The msgids found by time, sorted (with their entry's index): a repeat sorts right after the
  // first, which has the lower index. A sort, not a hash set: no allocation per entry.
  std::vector<std::pair<std::string_view, std::size_t>> by_time;
  by_time.reserve(entries.size());
  std::int64_t low = kMaxTime, high = kMinTime;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const core::HistoryEntry& e = *entries[i];
    if (!found_by_time(e.msgid, e.time_ms)) continue;
    fate[i] = Fate::kStore;
    by_time.emplace_back(e.msgid, i);
    low = std::min(low, e.time_ms);
    high = std::max(high, e.time_ms);
  }
  if (by_time.empty()) return fate;
  std::sort(by_time.begin(), by_time.end());
  for (std::size_t k = 1; k < by_time.size(); ++k) {
    if (by_time[k].first == by_time[k - 1].first) fate[by_time[k].second] = Fate::kRepeated;
  }
  // The stored ones of that time range: under load, the newest block or none.
  Use read(history_->blocks_newest);
  int rc = bind_text(*read, 1, target);
  if (rc == SQLITE_OK) rc = bind_numbers(*read, 2, {low, plus_span(high), high});
  Status s = each_block(*read, rc, "store history", [&](Block&& b) {
    for (const EntryView& e : b.entries) {
      auto it = std::lower_bound(by_time.begin(), by_time.end(), std::make_pair(e.msgid, std::size_t{0}));
      for (; it != by_time.end() && it->first == e.msgid; ++it) fate[it->second] = Fate::kRepeated;
    }
    return true;
  });
  if (!s.is_ok()) return s;
  return fate;
}

Status SqliteStore::index_pending() {
  auto upto = indexed_upto();
  if (!upto.is_ok()) return upto.status();
  std::int64_t last = upto.value();
  const std::size_t most = tuning_.index_batch * kBatchesPerSegment;
  for (;;) {
    std::vector<search_index::Posting> postings;
    std::int64_t first = 0;
    std::size_t entries = 0;
    {
      Use read(history_->blocks_after);
      Status s = each_block(*read, sqlite3_bind_int64(*read, 1, last), "index history", [&](Block&& b) {
        if (first == 0) first = b.id;
        last = b.id;
        search_index::add_block_postings(b.id, b.target, b.entries, postings);
        entries += b.entries.size();
        return entries < most;
      });
      if (!s.is_ok()) return s;
    }
    if (first == 0) break;
    if (Status s = write_segment(first, last, postings); !s.is_ok()) return s;
    if (Status s = merge_segments(0); !s.is_ok()) return s;
  }
  Use set(history_->set_indexed_upto);
  if (int rc = sqlite3_bind_int64(*set, 1, last); rc != SQLITE_OK) return error(rc, "index history");
  return step_done(*set, "index history");
}

Status SqliteStore::index_backlog() {
  std::lock_guard lock(mutex_);
  if (unindexed_hint_ < tuning_.index_batch) return Status::ok();
  Status s = transaction(true, "index history", [&] { return index_pending(); });
  if (s.is_ok()) unindexed_hint_ = 0;
  return s;
}

Result<std::int64_t> SqliteStore::insert_segment(int level, std::int64_t first_block,
                                                 std::int64_t last_block) {
  Use insert(history_->insert_segment);
  int rc = bind_numbers(*insert, 1, {level, first_block, last_block});
  if (rc != SQLITE_OK) return error(rc, "index history");
  if (Status s = step_done(*insert, "index history"); !s.is_ok()) return s;
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
}

search_index::ChunkWriter SqliteStore::chunk_writer(std::int64_t segment) {
  return search_index::ChunkWriter(
      [this, segment](search_index::Key last_key, std::string_view chunk) -> Status {
        Use insert(history_->insert_chunk);
        int rc = bind_numbers(*insert, 1, {segment, last_key});
        if (rc == SQLITE_OK) rc = bind_blob(*insert, 3, chunk);
        if (rc != SQLITE_OK) return error(rc, "index history");
        return step_done(*insert, "index history");
      });
}

Status SqliteStore::write_segment(std::int64_t first_block, std::int64_t last_block,
                                  std::vector<search_index::Posting>& postings) {
  if (postings.empty()) return Status::ok();  // no searchable entry: nothing to find
  std::sort(postings.begin(), postings.end());
  postings.erase(std::unique(postings.begin(), postings.end()), postings.end());
  auto segment = insert_segment(0, first_block, last_block);
  if (!segment.is_ok()) return segment.status();
  search_index::ChunkWriter writer = chunk_writer(segment.value());
  std::vector<std::int64_t> blocks;
  for (std::size_t i = 0; i < postings.size();) {
    const search_index::Key key = postings[i].key;
    blocks.clear();
    for (; i < postings.size() && postings[i].key == key; ++i) blocks.push_back(postings[i].block);
    if (Status s = writer.add(key, blocks); !s.is_ok()) return s;
  }
  return writer.finish();
}

namespace {

// One segment's records in key order, read chunk by chunk (SqliteStore::merge_segments()).
class SegmentCursor {
 public:
  SegmentCursor(sqlite3* db, std::int64_t segment) : db_(db), segment_(segment) {}
  SegmentCursor(const SegmentCursor&) = delete;
  SegmentCursor& operator=(const SegmentCursor&) = delete;
  ~SegmentCursor() { sqlite3_finalize(stmt_); }

  // Moves to the next record (SQLITE_OK), to the end (SQLITE_DONE), or fails (SQLITE_CORRUPT for a
  // damaged chunk).
  int advance() {
    if (stmt_ == nullptr) {
      const char* sql = "SELECT postings FROM history_index WHERE segment = ?1 ORDER BY last_key";
      int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt_, nullptr);
      if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt_, 1, segment_);
      if (rc != SQLITE_OK) return rc;
    }
    for (;;) {
      if (reader_ && reader_->next(key, blocks)) return SQLITE_OK;
      if (reader_ && reader_->corrupt()) return SQLITE_CORRUPT;
      const int rc = sqlite3_step(stmt_);
      if (rc == SQLITE_DONE) {
        done = true;
        return rc;
      }
      if (rc != SQLITE_ROW) return rc;
      chunk_ = sqlite_support::column_blob(stmt_, 0);
      reader_.emplace(chunk_);
    }
  }

  bool done = false;
  search_index::Key key = 0;
  std::vector<std::int64_t> blocks;

 private:
  sqlite3* db_;
  std::int64_t segment_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string chunk_;
  std::optional<search_index::ChunkReader> reader_;
};

}  // namespace

Status SqliteStore::merge_segments(int level) {
  struct Segment {
    std::int64_t id, first, last;
  };
  std::vector<Segment> segments;
  {
    Use read(history_->segments_of_level);
    int rc = sqlite3_bind_int64(*read, 1, level);
    while (rc == SQLITE_OK && (rc = sqlite3_step(*read)) == SQLITE_ROW) {
      segments.push_back(
          {sqlite3_column_int64(*read, 0), sqlite3_column_int64(*read, 1), sqlite3_column_int64(*read, 2)});
      rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE) return error(rc, "merge the search index");
  }
  if (segments.size() < search_index::kMergeFanIn) return Status::ok();
  // The blocks that still exist, by id from `first`: a deleted block's postings end here.
  const std::int64_t first = segments.front().first, last = segments.back().last;
  std::vector<bool> exists(static_cast<std::size_t>(last - first + 1), false);
  std::size_t existing = 0;
  {
    Use read(history_->block_ids_between);
    int rc = bind_numbers(*read, 1, {first, last});
    while (rc == SQLITE_OK && (rc = sqlite3_step(*read)) == SQLITE_ROW) {
      exists[static_cast<std::size_t>(sqlite3_column_int64(*read, 0) - first)] = true;
      ++existing;
      rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE) return error(rc, "merge the search index");
  }
  const bool all_exist = existing == exists.size();
  // The segments of a level cover consecutive ranges of blocks, so a key's blocks from each, in
  // the segments' order, are in ascending order.
  std::vector<std::unique_ptr<SegmentCursor>> cursors;
  for (const Segment& segment : segments) {
    cursors.push_back(std::make_unique<SegmentCursor>(db_, segment.id));
    if (int rc = cursors.back()->advance(); rc != SQLITE_OK && rc != SQLITE_DONE)
      return error(rc, "merge the search index");
  }
  auto merged = insert_segment(level + 1, first, last);
  if (!merged.is_ok()) return merged.status();
  search_index::ChunkWriter writer = chunk_writer(merged.value());
  std::vector<std::int64_t> blocks;
  for (;;) {
    std::optional<search_index::Key> key;
    for (const auto& c : cursors) {
      if (!c->done && (!key || c->key < *key)) key = c->key;
    }
    if (!key) break;
    blocks.clear();
    for (const auto& c : cursors) {
      if (c->done || c->key != *key) continue;
      for (const std::int64_t block : c->blocks) {
        // (A damaged chunk could name a block outside the segments' range.)
        if (all_exist || (block >= first && block <= last && exists[static_cast<std::size_t>(block - first)]))
          blocks.push_back(block);
      }
      if (int rc = c->advance(); rc != SQLITE_OK && rc != SQLITE_DONE)
        return error(rc, "merge the search index");
    }
    if (blocks.empty()) continue;
    if (Status s = writer.add(*key, blocks); !s.is_ok()) return s;
  }
  if (Status s = writer.finish(); !s.is_ok()) return s;
  cursors.clear();
  for (const Segment& segment : segments) {
    for (sqlite3_stmt* stmt : {history_->delete_segment_chunks, history_->delete_segment}) {
      Use remove(stmt);
      if (int rc = sqlite3_bind_int64(*remove, 1, segment.id); rc != SQLITE_OK)
        return error(rc, "merge the search index");
      if (Status s = step_done(*remove, "merge the search index"); !s.is_ok()) return s;
    }
  }
  return merge_segments(level + 1);
}

Status SqliteStore::append_history(std::span<const core::HistoryEntry> entries) {
  for (const auto& entry : entries) {
    if (Status s = history::validate(entry); !s.is_ok()) return s;
  }
  if (entries.empty()) return Status::ok();
  std::vector<const core::HistoryEntry*> pointers;
  pointers.reserve(entries.size());
  for (const auto& entry : entries) pointers.push_back(&entry);
  std::lock_guard lock(mutex_);
  std::size_t waiting = unindexed_hint_;
  // One transaction for the whole batch: the group commit.
  Status s = transaction(true, "append history", [&]() -> Status {
    auto stored = store_entries(pointers);
    if (!stored.is_ok()) return stored.status();
    waiting = unindexed_hint_ + stored.value();
    if (waiting < tuning_.index_batch) return Status::ok();
    waiting = 0;
    return index_pending();
  });
  if (s.is_ok()) unindexed_hint_ = waiting;
  return s;
}

Status SqliteStore::move_history_to_blocks() {
  // Whether version 2's table is there; asked again under the write lock, since another process
  // opening the same file may have moved it meanwhile.
  auto old_table = [&]() -> Result<bool> {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'history'",
                                -1, &stmt, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    const bool there = rc == SQLITE_ROW && sqlite3_column_int(stmt, 0) != 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) return error(rc, "look for version 2 history");
    return there;
  };
  auto first = old_table();
  if (!first.is_ok() || !first.value()) return first.status();
  std::lock_guard lock(mutex_);
  // Everything in one transaction: the rows move and the old tables go together, or neither.
  return transaction(true, "move history into blocks", [&]() -> Status {
    auto still = old_table();
    if (!still.is_ok() || !still.value()) return still.status();
    sqlite3_stmt* read = nullptr;
    const char* sql =
        "SELECT id, target, msgid, time_ms, source, sender_folded, account, command, tags, params, text "
        "FROM history WHERE id > ?1 ORDER BY id LIMIT ?2";
    if (int rc = sqlite3_prepare_v2(db_, sql, -1, &read, nullptr); rc != SQLITE_OK)
      return error(rc, "read version 2 history");
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owned(read, sqlite3_finalize);
    for (std::int64_t after = 0;;) {
      std::vector<core::HistoryEntry> rows;
      {
        Use use(read);
        int rc = bind_numbers(read, 1, {after, kMoveBatch});
        while (rc == SQLITE_OK && (rc = sqlite3_step(read)) == SQLITE_ROW) {
          after = sqlite3_column_int64(read, 0);
          core::HistoryEntry e;
          e.target = column_text(read, 1);
          e.msgid = column_text(read, 2);
          e.time_ms = sqlite3_column_int64(read, 3);
          e.source = column_text(read, 4);
          e.sender_folded = column_text(read, 5);
          e.account = column_text(read, 6);
          e.command = column_text(read, 7);
          e.tags = column_text(read, 8);
          e.params = column_text(read, 9);
          e.text = column_text(read, 10);
          rows.push_back(std::move(e));
          rc = SQLITE_OK;
        }
        if (rc != SQLITE_DONE) return error(rc, "read version 2 history");
      }
      if (rows.empty()) break;
      std::vector<const core::HistoryEntry*> pointers;
      for (const auto& row : rows) pointers.push_back(&row);
      if (auto stored = store_entries(pointers); !stored.is_ok()) return stored.status();
    }
    owned.reset();
    if (int rc = sqlite3_exec(db_, "DROP TABLE history; DROP TABLE history_text;", nullptr, nullptr, nullptr);
        rc != SQLITE_OK)
      return error(rc, "drop version 2 history");
    if (Status s = index_pending(); !s.is_ok()) return s;
    unindexed_hint_ = 0;
    return Status::ok();
  });
}

// ---- Reads ----

Result<std::vector<SqliteStore::Found>> SqliteStore::collect(sqlite3_stmt* stmt, bool newest,
                                                             std::size_t limit, const Keep& keep, bool copy) {
  std::vector<Found> got;
  if (limit == 0) return got;
  auto nearer = [newest](const Found& a, const Found& b) { return newest ? a.first > b.first : a.first < b.first; };
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (got.size() >= limit) {
      // No entry of this block, or of any after it, can be nearer than the farthest one kept.
      // (Oldest first, blocks come by max_ms: those after this one start no earlier than its
      // max_ms less the longest span.)
      const std::int64_t edge = got.back().first.time_ms;
      const std::int64_t max_ms = sqlite3_column_int64(stmt, 3);
      if (newest ? max_ms < edge : minus_span(max_ms) > edge) break;
    }
    auto block = read_block(stmt);
    if (!block.is_ok()) return block.status();
    const Block& b = block.value();
    for (std::size_t i = 0; i < b.entries.size(); ++i) {
      const EntryView& e = b.entries[i];
      const Position at = position_of(b.id, i, e.time_ms);
      if (!keep(at, e)) continue;
      if (got.size() >= limit && (newest ? at < got.back().first : at > got.back().first)) continue;
      got.emplace_back(at, copy ? e.to_entry(b.target) : core::HistoryEntry{});
    }
    std::sort(got.begin(), got.end(), nearer);
    if (got.size() > limit) got.resize(limit);
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return error(rc, "read history");
  return got;
}

Result<std::vector<SqliteStore::Found>> SqliteStore::collect_range(std::string_view target,
                                                                   const history::Range& range, bool copy) {
  const bool newest = range.from_newest;
  Use read(newest ? history_->blocks_newest : history_->blocks_oldest);
  int rc = bind_text(*read, 1, target);
  if (rc == SQLITE_OK)
    rc = bind_numbers(*read, 2, {range.after.time_ms, plus_span(range.before.time_ms), range.before.time_ms});
  if (rc != SQLITE_OK) return error(rc, "read history");
  return collect(
      *read, newest, range.limit,
      [&](const Position& at, const EntryView& e) {
        return range.after < at && at < range.before && (range.include_events || history::is_plain_message(e.command));
      },
      copy);
}

Result<std::optional<Position>> SqliteStore::find_msgid(std::string_view target, std::string_view msgid) {
  auto found = find_entry(target, msgid);
  if (!found.is_ok()) return found.status();
  if (!found.value()) return std::optional<Position>{};
  const Located& l = *found.value();
  return std::optional<Position>{position_of(l.block.id, l.index, l.block.entries[l.index].time_ms)};
}

Result<std::optional<SqliteStore::Located>> SqliteStore::find_entry(std::string_view target,
                                                                    std::string_view msgid) {
  auto locate = [&](Block block) -> std::optional<Located> {
    const auto& entries = block.entries;
    const auto it = std::find_if(entries.begin(), entries.end(), [&](const EntryView& e) { return e.msgid == msgid; });
    if (it == entries.end()) return std::nullopt;
    const auto index = static_cast<std::size_t>(it - entries.begin());
    return Located{std::move(block), index};
  };
  {
    Use find(history_->find_msgid);
    int rc = bind_text(*find, 1, msgid);
    if (rc == SQLITE_OK) rc = sqlite3_step(*find);
    if (rc == SQLITE_ROW) {
      auto block = read_block(*find);
      if (!block.is_ok()) return block.status();
      if (block.value().target != target) return std::optional<Located>{};
      auto found = locate(std::move(block).value());
      if (!found)
        return Status::corrupt(path_ + ": msgid " + std::string(msgid) + " names a block that does not hold it");
      return found;
    }
    if (rc != SQLITE_DONE) return error(rc, "find msgid");
  }
  // Not in history_msgids: stored in a block of its target and time, if at all.
  const std::optional<std::int64_t> time = core::MsgIdGenerator::time_of(msgid);
  if (!time) return std::optional<Located>{};
  Use read(history_->blocks_newest);
  int rc = bind_text(*read, 1, target);
  if (rc == SQLITE_OK) rc = bind_numbers(*read, 2, {*time, plus_span(*time), *time});
  std::optional<Located> found;
  Status s = each_block(*read, rc, "find msgid", [&](Block&& b) {
    found = locate(std::move(b));
    if (found && found->block.entries[found->index].time_ms == *time) return false;
    found.reset();
    return true;
  });
  if (!s.is_ok()) return s;
  return found;
}

Result<std::vector<core::HistoryEntry>> SqliteStore::query_history(const core::HistoryQuery& query) {
  std::lock_guard lock(mutex_);
  Result<std::vector<core::HistoryEntry>> result = std::vector<core::HistoryEntry>{};
  Status s = transaction(false, "read history", [&]() -> Status {
    auto resolve = [&](std::string_view msgid) { return find_msgid(query.target, msgid); };
    auto fetch = [&](const history::Range& range) -> Result<std::vector<core::HistoryEntry>> {
      auto found = collect_range(query.target, range, true);
      if (!found.is_ok()) return found.status();
      std::vector<core::HistoryEntry> out;
      out.reserve(found.value().size());
      for (auto& f : found.value()) out.push_back(std::move(f.second));
      if (range.from_newest) std::reverse(out.begin(), out.end());  // oldest first
      return out;
    };
    result = history::run_query(query, resolve, fetch);
    return result.status();
  });
  if (!s.is_ok()) return s;
  return result;
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
      // The newest entry strictly between the two times, whatever its command.
      history::Range range{{low, history::kMaxSeq}, {high, 0}, true, 1, true};
      auto newest = collect_range(target, range, false);
      if (!newest.is_ok()) return newest.status();
      if (!newest.value().empty()) out.push_back({target, newest.value().front().first.time_ms});
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

Result<std::vector<std::int64_t>> SqliteStore::postings(std::int64_t segment, search_index::Key key) {
  Use find(history_->find_chunk);
  int rc = bind_numbers(*find, 1, {segment, key});
  if (rc == SQLITE_OK) rc = sqlite3_step(*find);
  if (rc == SQLITE_DONE) return std::vector<std::int64_t>{};
  if (rc != SQLITE_ROW) return error(rc, "search");
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(*find, 0));
  const std::string_view chunk(bytes ? bytes : "", static_cast<std::size_t>(sqlite3_column_bytes(*find, 0)));
  return search_index::find(chunk, key, path_ + " (search index segment " + std::to_string(segment) + ")");
}

Status SqliteStore::indexed_blocks(const std::vector<search_index::Key>& keys,
                                   const std::vector<search_index::Key>& any_of, const TakeBlocks& take) {
  std::vector<std::int64_t> segments;
  {
    Use read(history_->segments_newest);
    int rc;
    while ((rc = sqlite3_step(*read)) == SQLITE_ROW) segments.push_back(sqlite3_column_int64(*read, 0));
    if (rc != SQLITE_DONE) return error(rc, "search");
  }
  for (const std::int64_t segment : segments) {
    std::vector<std::int64_t> blocks;
    bool first = true;
    for (const search_index::Key key : keys) {
      auto got = postings(segment, key);
      if (!got.is_ok()) return got.status();
      blocks = first ? std::move(got).value() : intersection(blocks, got.value());
      first = false;
      if (blocks.empty()) break;
    }
    if (!any_of.empty() && (first || !blocks.empty())) {
      std::vector<std::int64_t> some;
      for (const search_index::Key key : any_of) {
        auto got = postings(segment, key);
        if (!got.is_ok()) return got.status();
        std::vector<std::int64_t> joined;
        std::set_union(some.begin(), some.end(), got.value().begin(), got.value().end(),
                       std::back_inserter(joined));
        some = std::move(joined);
      }
      blocks = first ? std::move(some) : intersection(blocks, some);
    }
    if (blocks.empty()) continue;
    std::reverse(blocks.begin(), blocks.end());
    auto more = take(blocks);
    if (!more.is_ok()) return more.status();
    if (!more.value()) break;
  }
  return Status::ok();
}

Result<std::vector<core::HistoryEntry>> SqliteStore::search_history(const core::SearchQuery& query) {
  const std::vector<std::string> words = history::words(query.text);
  if ((!query.text.empty() && words.empty()) || query.targets.empty() || query.limit == 0)
    return std::vector<core::HistoryEntry>{};
  std::vector<std::string> targets = query.targets;
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  const std::pair<std::int64_t, std::int64_t> times = search_times(query);
  const std::int64_t after = times.first, before = times.second;
  auto matches = [&](const EntryView& e) {
    return history::is_searchable(e.command) && (query.from_folded.empty() || e.sender_folded == query.from_folded) &&
           e.time_ms > after && e.time_ms < before && history::has_all_words(e.text, words);
  };
  std::lock_guard lock(mutex_);
  std::vector<Found> found;
  Status s = transaction(false, "search", [&]() -> Status {
    auto upto = indexed_upto();
    if (!upto.is_ok()) return upto.status();
    if (!words.empty()) return search_words(query, words, targets, upto.value(), matches, found);
    // With from=: only the blocks the index names for the sender, and those not indexed yet (the
    // statement keeps to each target itself, so the target's own, longer, lists are not read).
    const bool by_sender = !query.from_folded.empty();
    std::vector<std::int64_t> senders_blocks;
    if (by_sender) {
      Status s = indexed_blocks({search_index::sender_key(query.from_folded)}, {},
                                [&](const std::vector<std::int64_t>& newest_first) -> Result<bool> {
                                  senders_blocks.insert(senders_blocks.end(), newest_first.begin(),
                                                        newest_first.end());
                                  return true;
                                });
      if (!s.is_ok()) return s;
      std::sort(senders_blocks.begin(), senders_blocks.end());
    }
    for (const std::string& target : targets) {
      Use read(by_sender ? history_->sender_blocks : history_->blocks_newest);
      int rc = bind_text(*read, 1, target);
      if (rc == SQLITE_OK) rc = bind_numbers(*read, 2, {after, plus_span(before), before});
      if (by_sender && rc == SQLITE_OK) rc = sqlite3_bind_int64(*read, 5, upto.value());
      if (by_sender && rc == SQLITE_OK)
        rc = sqlite3_bind_pointer(*read, 6, &senders_blocks, kBlockIds, nullptr);
      if (rc != SQLITE_OK) return error(rc, "search");
      auto got = collect(*read, true, query.limit, [&](const Position&, const EntryView& e) { return matches(e); });
      if (!got.is_ok()) return got.status();
      for (auto& f : got.value()) found.push_back(std::move(f));
    }
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<core::HistoryEntry> out;
  for (std::size_t i = 0; i < found.size() && i < query.limit; ++i) out.push_back(std::move(found[i].second));
  return out;
}

// SEARCH with words: the `limit` most recently appended matches (history_rules.h): first among the
// blocks not indexed yet, newest first, then among those the index names, newest first.
Status SqliteStore::search_words(const core::SearchQuery& query, const std::vector<std::string>& words,
                                 const std::vector<std::string>& targets, std::int64_t indexed_upto,
                                 const std::function<bool(const EntryView&)>& matches, std::vector<Found>& found) {
  // Takes the matches of the blocks `stmt` yields until there are `limit`.
  auto take = [&](sqlite3_stmt* stmt) -> Status {
    int rc = SQLITE_DONE;
    while (found.size() < query.limit && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const std::string_view target(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)),
                                    static_cast<std::size_t>(sqlite3_column_bytes(stmt, 1)));
      if (!std::binary_search(targets.begin(), targets.end(), target)) continue;
      auto block = read_block(stmt);
      if (!block.is_ok()) return block.status();
      const Block& b = block.value();
      for (std::size_t i = b.entries.size(); i-- > 0 && found.size() < query.limit;) {
        if (matches(b.entries[i]))
          found.emplace_back(position_of(b.id, i, b.entries[i].time_ms), b.entries[i].to_entry(b.target));
      }
    }
    if (found.size() < query.limit && rc != SQLITE_DONE) return error(rc, "search");
    return Status::ok();
  };
  {
    Use tail(history_->blocks_after_newest);
    if (int rc = sqlite3_bind_int64(*tail, 1, indexed_upto); rc != SQLITE_OK) return error(rc, "search");
    if (Status s = take(*tail); !s.is_ok()) return s;
  }
  if (found.size() >= query.limit) return Status::ok();
  // Every word, the sender when there is one, and one of the targets (history_rules.h: the
  // newest blocks first, as they were appended).
  std::vector<search_index::Key> keys;
  for (const std::string& word : words) keys.push_back(search_index::word_key(word));
  if (!query.from_folded.empty()) keys.push_back(search_index::sender_key(query.from_folded));
  std::vector<search_index::Key> any_of;
  if (targets.size() <= kIndexedTargets) {
    for (const std::string& target : targets) any_of.push_back(search_index::target_key(target));
  }
  const std::pair<std::int64_t, std::int64_t> times = search_times(query);
  return indexed_blocks(keys, any_of, [&](const std::vector<std::int64_t>& newest_first) -> Result<bool> {
    for (const std::int64_t id : newest_first) {
      Use read(history_->block_by_id);
      if (int rc = bind_numbers(*read, 1, {id, times.first, times.second}); rc != SQLITE_OK)
        return error(rc, "search");
      if (Status s = take(*read); !s.is_ok()) return s;
      if (found.size() >= query.limit) return false;
    }
    return true;
  });
}

// ---- Changes to stored blocks: retention, forgetting, redaction ----

Status SqliteStore::rewrite_block(const Block& b, const std::vector<bool>& gone) {
  std::vector<EntryView> kept;
  for (std::size_t i = 0; i < b.entries.size(); ++i) {
    if (!gone[i]) kept.push_back(b.entries[i]);
  }
  for (std::size_t i = 0; i < b.entries.size(); ++i) {
    if (!gone[i] || found_by_time(b.entries[i].msgid, b.entries[i].time_ms)) continue;
    Use remove(history_->delete_msgid);
    int rc = bind_text(*remove, 1, b.entries[i].msgid);
    if (rc != SQLITE_OK) return error(rc, "delete history");
    if (Status s = step_done(*remove, "delete history"); !s.is_ok()) return s;
  }
  if (kept.empty()) {
    Use remove(history_->delete_block);
    if (int rc = sqlite3_bind_int64(*remove, 1, b.id); rc != SQLITE_OK) return error(rc, "delete history");
    return step_done(*remove, "delete history");
  }
  const history::EncodedBlock block = history::encode_block(kept);
  Use update(history_->update_block);
  int rc =
      bind_numbers(*update, 1, {b.id, block.min_ms, block.max_ms, static_cast<std::int64_t>(kept.size())});
  if (rc == SQLITE_OK) rc = bind_blob(*update, 5, block.blob);
  if (rc != SQLITE_OK) return error(rc, "delete history");
  return step_done(*update, "delete history");
}

Result<std::size_t> SqliteStore::expire_target(std::string_view target, const RetentionRule& rule,
                                               std::int64_t now_ms, std::size_t budget) {
  // Everything below `upto` goes: older than the age bound, or beyond the newest max_count.
  Position upto = history::kFirst;
  if (rule.max_age_ms != 0) upto = Position{now_ms - rule.max_age_ms, 0};
  if (rule.max_count != 0) {
    history::Range newest{history::kFirst, history::kLast, true, rule.max_count + 1, true};
    auto kept = collect_range(target, newest, false);
    if (!kept.is_ok()) return kept.status();
    if (kept.value().size() > rule.max_count) {
      const Position newest_gone = kept.value().back().first;
      upto = std::max(upto, Position{newest_gone.time_ms, newest_gone.seq + 1});
    }
  }
  if (upto == history::kFirst) return std::size_t{0};
  // The oldest blocks that hold something to delete, read before any is changed.
  std::vector<Block> blocks;
  std::size_t candidates = 0;
  {
    Use read(history_->blocks_oldest);
    int rc = bind_text(*read, 1, target);
    if (rc == SQLITE_OK) rc = bind_numbers(*read, 2, {kMinTime, plus_span(upto.time_ms), upto.time_ms});
    Status s = each_block(*read, rc, "expire history", [&](Block&& b) {
      candidates += b.entries.size();
      blocks.push_back(std::move(b));
      return candidates < budget;
    });
    if (!s.is_ok()) return s;
  }
  std::size_t deleted = 0;
  for (const Block& b : blocks) {
    std::vector<std::pair<Position, std::size_t>> old;  // this block's entries below upto
    for (std::size_t i = 0; i < b.entries.size(); ++i) {
      const Position at = position_of(b.id, i, b.entries[i].time_ms);
      if (at < upto) old.emplace_back(at, i);
    }
    if (old.empty()) continue;
    std::sort(old.begin(), old.end());
    old.resize(std::min(old.size(), budget - deleted));  // the oldest first when the budget runs out
    std::vector<bool> gone(b.entries.size(), false);
    for (const auto& [at, i] : old) gone[i] = true;
    if (Status s = rewrite_block(b, gone); !s.is_ok()) return s;
    deleted += old.size();
    if (deleted >= budget) break;
  }
  return deleted;
}

Result<std::size_t> SqliteStore::expire_history(const RetentionPolicy& policy, std::int64_t now_ms,
                                                std::size_t max_rows) {
  const std::size_t budget = max_rows == 0 ? std::numeric_limits<std::size_t>::max() : max_rows;
  std::lock_guard lock(mutex_);
  std::size_t deleted = 0;
  Status s = transaction(true, "expire history", [&]() -> Status {
    auto indexed = indexed_upto();
    if (!indexed.is_ok()) return indexed.status();
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
    return refresh_unindexed_hint(indexed.value());
  });
  if (!s.is_ok()) return s;
  return deleted;
}

Status SqliteStore::refresh_unindexed_hint(std::int64_t indexed) {
  auto waiting = unindexed_entries(indexed);
  if (!waiting.is_ok()) return waiting.status();
  unindexed_hint_ = waiting.value();  // a hint: at worst the next index batch comes early or late
  return Status::ok();
}

Status SqliteStore::forget_history(std::string_view target) {
  std::lock_guard lock(mutex_);
  return transaction(true, "forget history", [&]() -> Status {
    auto indexed = indexed_upto();
    if (!indexed.is_ok()) return indexed.status();
    std::vector<Block> blocks;
    {
      Use read(history_->blocks_of_target);
      Status s = each_block(*read, bind_text(*read, 1, target), "forget history", [&](Block&& b) {
        blocks.push_back(std::move(b));
        return true;
      });
      if (!s.is_ok()) return s;
    }
    for (const Block& b : blocks) {
      if (Status s = rewrite_block(b, std::vector<bool>(b.entries.size(), true)); !s.is_ok()) return s;
    }
    Use remove(history_->delete_target_conversations);
    int rc = bind_text(*remove, 1, target);
    if (rc != SQLITE_OK) return error(rc, "forget history of " + std::string(target));
    if (Status s = step_done(*remove, "forget history of " + std::string(target)); !s.is_ok()) return s;
    return refresh_unindexed_hint(indexed.value());
  });
}

Status SqliteStore::delete_history_entry(std::string_view target, std::string_view msgid) {
  std::lock_guard lock(mutex_);
  return transaction(true, "delete a history entry", [&]() -> Status {
    auto found = find_entry(target, msgid);
    if (!found.is_ok()) return found.status();
    if (!found.value()) return Status::not_found("message " + std::string(msgid));
    const Located& l = *found.value();
    std::vector<bool> gone(l.block.entries.size(), false);
    gone[l.index] = true;
    return rewrite_block(l.block, gone);
  });
}

}  // namespace parley::store
