#include "store/search_index.h"

#include <algorithm>
#include <limits>

#include "store/history_rules.h"
#include "store/varint.h"

namespace parley::store::search_index {

namespace {

// FNV-1a over the bytes, a domain byte first (so a word, a sender and a target never share a key
// but by collision), then MurmurHash3's 64-bit finaliser to spread the bits, then 63 bits of it.
class Hasher {
 public:
  explicit Hasher(char domain) { add(domain); }
  void add(char c) { h_ = (h_ ^ static_cast<unsigned char>(c)) * 0x100000001b3u; }
  Key key() const {
    std::uint64_t h = h_;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return static_cast<Key>(h >> 1);
  }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325u;
};

constexpr char kWord = 'w';

Key hash(char domain, std::string_view bytes) {
  Hasher h(domain);
  for (const char c : bytes) h.add(c);
  return h.key();
}

// The keys of history::words(text), hashed where the words lie (lowercasing ASCII on the way):
// this runs for every stored message, so it allocates nothing.
template <typename Each>
void each_word_key(std::string_view text, Each&& each) {
  for (std::size_t i = 0; i < text.size();) {
    if (!history::inside_word(text[i])) {
      ++i;
      continue;
    }
    Hasher h(kWord);
    for (; i < text.size() && history::inside_word(text[i]); ++i) {
      const char c = text[i];
      h.add(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    each(h.key());
  }
}

}  // namespace

Key word_key(std::string_view lowered_word) { return hash(kWord, lowered_word); }
Key sender_key(std::string_view sender_folded) { return hash('f', sender_folded); }
Key target_key(std::string_view target) { return hash('t', target); }

void add_block_postings(std::int64_t block, std::string_view target,
                        std::span<const history::EntryView> entries, std::vector<Posting>& out) {
  const std::size_t start = out.size();
  bool any = false;
  std::vector<std::string_view> senders;
  for (const history::EntryView& e : entries) {
    if (!history::is_searchable(e.command)) continue;
    any = true;
    if (std::find(senders.begin(), senders.end(), e.sender_folded) == senders.end())
      senders.push_back(e.sender_folded);
    each_word_key(e.text, [&](Key key) { out.push_back({key, block}); });
  }
  if (!any) return;
  out.push_back({target_key(target), block});
  for (const std::string_view sender : senders) out.push_back({sender_key(sender), block});
  // Each term once: chat repeats its words, and the batch's sort then has fewer to order.
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
  out.erase(std::unique(out.begin() + static_cast<std::ptrdiff_t>(start), out.end()), out.end());
}

Status ChunkWriter::add(Key key, std::span<const std::int64_t> blocks) {
  varint::put(chunk_, static_cast<std::uint64_t>(key - (chunk_.empty() ? 0 : last_)));
  varint::put(chunk_, blocks.size());
  std::int64_t previous = 0;
  for (const std::int64_t block : blocks) {
    varint::put(chunk_, static_cast<std::uint64_t>(previous == 0 ? block : block - previous - 1));
    previous = block;
  }
  last_ = key;
  if (chunk_.size() < kChunkBytes) return Status::ok();
  return finish();
}

Status ChunkWriter::finish() {
  if (chunk_.empty()) return Status::ok();
  Status s = emit_(last_, chunk_);
  chunk_.clear();
  return s;
}

bool ChunkReader::next(Key& key, std::vector<std::int64_t>& blocks) {
  if (rest_.empty() || corrupt_) return false;
  varint::Reader r(rest_);
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<Key>::max());
  const std::uint64_t delta = r.varint();
  const std::uint64_t n = r.varint();
  // A key beyond 63 bits, one not above the last, no blocks, or more blocks than bytes left.
  if (!r.ok() || delta > kMax - static_cast<std::uint64_t>(last_) || (!first_ && delta == 0) || n == 0 ||
      n > r.left()) {
    corrupt_ = true;
    return false;
  }
  key = static_cast<Key>(static_cast<std::uint64_t>(last_) + delta);
  blocks.clear();
  blocks.reserve(n);
  std::uint64_t previous = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t step = r.varint();
    // Ids are > 0 and strictly increasing, and stay within int64.
    const bool fits = i == 0 ? step <= kMax : previous < kMax && step <= kMax - previous - 1;
    const std::uint64_t id = i == 0 ? step : previous + 1 + (fits ? step : 0);
    if (!r.ok() || !fits || id == 0) {
      corrupt_ = true;
      return false;
    }
    blocks.push_back(static_cast<std::int64_t>(id));
    previous = id;
  }
  rest_ = rest_.substr(rest_.size() - r.left());
  last_ = key;
  first_ = false;
  return true;
}

Result<std::vector<std::int64_t>> find(std::string_view chunk, Key key, std::string_view what) {
  ChunkReader reader(chunk);
  Key at = 0;
  std::vector<std::int64_t> blocks;
  while (reader.next(at, blocks)) {
    if (at == key) return blocks;
    if (at > key) return std::vector<std::int64_t>{};
  }
  if (reader.corrupt()) return Status::corrupt(std::string(what) + ": a search index chunk is damaged");
  return std::vector<std::int64_t>{};
}

}  // namespace parley::store::search_index
