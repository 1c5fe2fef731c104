// SEARCH's index of history blocks (schema version 7, docs/storage.md "Search index"): for each
// term, the blocks (history_blocks ids) that hold it. A term is a word of a searchable entry's
// text (history::words(): a run of ASCII letters, digits and bytes >= 0x80, ASCII lowercased), or
// the sender of such an entry, or the block's target. Terms are kept as 63-bit hashes, so the
// index holds no text; every block it names is checked entry by entry (history::has_all_words()
// and the query's other bounds), so a hash that two terms share costs a block read, never a wrong
// result.
//
// The index is a log of segments. Each batch of blocks (SqliteStore::index_pending()) becomes a
// segment of level 0; when a level holds kMergeFanIn segments they are merged into one of the
// next level, leaving out blocks that no longer exist. A segment covers a range of block ids that
// no other segment overlaps. Its postings are stored as chunks of about kChunkBytes: rows of
// history_index keyed by (segment, the chunk's last key), so one index seek finds the chunk that
// holds a key. Internal to store/.
//
// The key of a term is part of the file format: changing term_key() needs a schema migration that
// rebuilds the index.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/history_block.h"
#include "store/store.h"

namespace parley::store::search_index {

using Key = std::int64_t;  // a term's hash, >= 0 (SQLite compares integers as signed)

// A chunk is written once it reaches this many bytes (a record is never split, so one term's
// long list of blocks can make a chunk larger).
inline constexpr std::size_t kChunkBytes = 4000;
// How many segments of one level are merged into one of the next.
inline constexpr std::size_t kMergeFanIn = 8;

Key word_key(std::string_view lowered_word);  // a word as history::words() gives it
Key sender_key(std::string_view sender_folded);
Key target_key(std::string_view target);

struct Posting {
  Key key = 0;
  std::int64_t block = 0;
  auto operator<=>(const Posting&) const = default;
};

// Appends a block's postings to `out`, each term once, in key order: nothing for a block without
// searchable entries, else its target, the senders of its searchable entries and their words.
void add_block_postings(std::int64_t block, std::string_view target,
                        std::span<const history::EntryView> entries, std::vector<Posting>& out);

// Writes a segment's records, in key order, as chunks.
//
// A chunk is a run of records: varint(key - the previous record's key; the first: the key
// itself), varint(n >= 1), then n block ids, varint(the first), varint(each next - the one before
// - 1) (strictly increasing, all > 0).
class ChunkWriter {
 public:
  using Emit = std::function<Status(Key last_key, std::string_view chunk)>;
  explicit ChunkWriter(Emit emit) : emit_(std::move(emit)) {}
  // Keys strictly increasing from call to call; `blocks` sorted, without repeats, not empty.
  Status add(Key key, std::span<const std::int64_t> blocks);
  Status finish();  // emits what is left

 private:
  Emit emit_;
  std::string chunk_;
  Key last_ = 0;
};

// Reads a chunk's records in order.
class ChunkReader {
 public:
  explicit ChunkReader(std::string_view chunk) : rest_(chunk) {}
  // The next record into `key` and `blocks`: false at the end of the chunk, or on a malformed
  // record (then corrupt() says so).
  bool next(Key& key, std::vector<std::int64_t>& blocks);
  bool corrupt() const { return corrupt_; }

 private:
  std::string_view rest_;
  Key last_ = 0;
  bool first_ = true;
  bool corrupt_ = false;
};

// The blocks of `key` in `chunk` (none when it is not there). kCorrupt, naming `what`, on a
// malformed chunk.
Result<std::vector<std::int64_t>> find(std::string_view chunk, Key key, std::string_view what);

}  // namespace parley::store::search_index
