// The on-disk form of a history block: the entries of one target that one group commit appended,
// encoded into one BLOB (SqliteStore's history_blocks table, docs/storage.md "History blocks").
// Storing a commit's messages as one row instead of one row each is what keeps durable history
// cheap next to fan-out: one B-tree insert per block, not four per message.
//
// Format (every integer an unsigned LEB128 varint):
//   byte    format = 1
//   varint  count
//   count × entry:
//     varint  time_ms - min_ms   (min_ms: the smallest time of the block, the row's)
//     string  msgid              (varint length, bytes)
//     5 × ref source, sender_folded, account, command, tags: varint 0, then the string (a new
//             value), or k > 0: the same as the k-th new value of that field in this block (only
//             the first kMaxRepeated new values of a field can be named so)
//     string  params
//     varint  text tag: 0 no text; (n << 1) | 1 the text is the last n bytes of params;
//             (n << 1) the text follows as n bytes (it is not a suffix of params)
// The target (the storage key) is the block row's, not repeated per entry. The references keep a
// block small where one sender says many things: about 70 bytes a message instead of 115.
//
// decode_block() is a parser of bytes read from disk: any damage gives kCorrupt, never a read past
// the blob (fuzz/history_block_fuzz.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/history.h"
#include "store/store.h"

namespace parley::store::history {

inline constexpr std::size_t kMaxRepeated = 32;

// One decoded entry, its strings views into the blob (valid while the blob is).
struct EntryView {
  std::int64_t time_ms = 0;
  std::string_view msgid, source, sender_folded, account, command, tags, params, text;

  core::HistoryEntry to_entry(std::string_view target) const;
};

// An encoded block and the time range of its entries (the row's min_ms and max_ms).
struct EncodedBlock {
  std::string blob;
  std::int64_t min_ms = 0;
  std::int64_t max_ms = 0;
};

// Encodes entries, in append order, that are all of one target (not checked: the target is not
// encoded). At least one entry.
EncodedBlock encode_block(std::span<const core::HistoryEntry* const> entries);
// The same for entries already decoded (a block rewritten without some of its entries).
EncodedBlock encode_block(std::span<const EntryView> entries);

// Decodes a block whose smallest time is `min_ms`. kCorrupt (naming `what`) on any malformed byte.
Result<std::vector<EntryView>> decode_block(std::string_view blob, std::int64_t min_ms, std::string_view what);

}  // namespace parley::store::history
