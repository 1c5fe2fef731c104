#include "store/history_block.h"

#include <algorithm>
#include <array>
#include <limits>

#include "store/history_rules.h"
#include "store/varint.h"

namespace parley::store::history {

namespace {

constexpr std::uint8_t kFormat = 1;

using varint::Reader;

void put_string(std::string& out, std::string_view s) {
  varint::put(out, s.size());
  out += s;
}

// The earlier new values of one field in the block being written or read (at most kMaxRepeated).
using Seen = std::vector<std::string_view>;

void put_ref(std::string& out, Seen& seen, std::string_view value) {
  const auto it = std::find(seen.begin(), seen.end(), value);
  if (it != seen.end()) {
    varint::put(out, static_cast<std::uint64_t>(it - seen.begin()) + 1);
    return;
  }
  varint::put(out, 0);
  put_string(out, value);
  if (seen.size() < kMaxRepeated) seen.push_back(value);
}

// The fields of an entry, whichever type holds them. `seen`: one list per repeatable field.
template <typename E>
void put_entry(std::string& out, const E& e, std::int64_t min_ms, std::array<Seen, 5>& seen) {
  varint::put(out, static_cast<std::uint64_t>(e.time_ms) - static_cast<std::uint64_t>(min_ms));  // >= 0
  put_string(out, e.msgid);
  const std::string_view repeatable[] = {e.source, e.sender_folded, e.account, e.command, e.tags};
  for (std::size_t i = 0; i < seen.size(); ++i) put_ref(out, seen[i], repeatable[i]);
  put_string(out, e.params);
  const std::string_view params = e.params, text = e.text;
  if (text.empty()) {
    varint::put(out, 0);
  } else if (params.size() >= text.size() && params.substr(params.size() - text.size()) == text) {
    varint::put(out, (std::uint64_t{text.size()} << 1) | 1);
  } else {
    varint::put(out, std::uint64_t{text.size()} << 1);
    out += text;
  }
}

template <typename E>
EncodedBlock encode(std::span<const E> entries, auto&& get) {
  EncodedBlock block;
  block.min_ms = std::numeric_limits<std::int64_t>::max();
  block.max_ms = std::numeric_limits<std::int64_t>::min();
  std::size_t size = 8;
  for (const E& item : entries) {
    const auto& e = get(item);
    block.min_ms = std::min(block.min_ms, e.time_ms);
    block.max_ms = std::max(block.max_ms, e.time_ms);
    size += 16 + e.msgid.size() + e.params.size();
  }
  std::string& out = block.blob;
  out.reserve(size);
  out += static_cast<char>(kFormat);
  varint::put(out, entries.size());
  std::array<Seen, 5> seen;
  for (const E& item : entries) put_entry(out, get(item), block.min_ms, seen);
  return block;
}

}  // namespace

core::HistoryEntry EntryView::to_entry(std::string_view target) const {
  core::HistoryEntry e;
  e.target = std::string(target);
  e.msgid = std::string(msgid);
  e.time_ms = time_ms;
  e.source = std::string(source);
  e.sender_folded = std::string(sender_folded);
  e.account = std::string(account);
  e.command = std::string(command);
  e.tags = std::string(tags);
  e.params = std::string(params);
  e.text = std::string(text);
  return e;
}

EncodedBlock encode_block(std::span<const core::HistoryEntry* const> entries) {
  return encode(entries, [](const core::HistoryEntry* e) -> const core::HistoryEntry& { return *e; });
}

EncodedBlock encode_block(std::span<const EntryView> entries) {
  return encode(entries, [](const EntryView& e) -> const EntryView& { return e; });
}

Result<std::vector<EntryView>> decode_block(std::string_view blob, std::int64_t min_ms, std::string_view what) {
  auto corrupt = [&](std::string_view why) {
    return Status::corrupt(std::string(what) + ": history block " + std::string(why));
  };
  Reader r(blob);
  if (r.bytes(1) != std::string_view("\x01", 1)) return corrupt("has an unknown format");
  const std::uint64_t count = r.varint();
  // Every entry takes at least nine bytes, so a count beyond that is damage, not a huge block.
  if (!r.ok() || count > blob.size() / 9) return corrupt("has an impossible entry count");
  std::vector<EntryView> out(static_cast<std::size_t>(count));
  std::array<Seen, 5> seen;
  for (EntryView& e : out) {
    const std::uint64_t delta = r.varint();
    const auto base = static_cast<std::uint64_t>(min_ms);
    if (delta > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) - base)
      return corrupt("has an entry time out of range");
    e.time_ms = static_cast<std::int64_t>(base + delta);
    e.msgid = r.string();
    std::string_view* repeatable[] = {&e.source, &e.sender_folded, &e.account, &e.command, &e.tags};
    for (std::size_t i = 0; i < seen.size(); ++i) {
      const std::uint64_t ref = r.varint();
      if (ref == 0) {
        *repeatable[i] = r.string();
        if (seen[i].size() < kMaxRepeated) seen[i].push_back(*repeatable[i]);
      } else if (ref <= seen[i].size()) {
        *repeatable[i] = seen[i][ref - 1];
      } else {
        return corrupt("names a value it does not hold");
      }
    }
    e.params = r.string();
    const std::uint64_t tag = r.varint();
    const std::uint64_t length = tag >> 1;
    if (tag == 0) {
      e.text = {};
    } else if ((tag & 1) != 0) {
      if (length > e.params.size()) return corrupt("has a text longer than its parameters");
      e.text = e.params.substr(e.params.size() - length);
    } else {
      e.text = r.bytes(length);
    }
    if (!r.ok()) return corrupt("ends inside an entry");
    if (e.msgid.empty() || e.command.empty()) return corrupt("has an entry without msgid or command");
  }
  if (!r.at_end()) return corrupt("has bytes after its last entry");
  return out;
}

}  // namespace parley::store::history
