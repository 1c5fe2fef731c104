// The varints of Parley's own binary formats in parley.db (history blocks, store/history_block.h,
// and SEARCH's index chunks, store/search_index.h): seven bits per byte, low bits first, the top
// bit set on every byte but the last. Internal to store/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::store::varint {

inline void put(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

// Reads from a blob, remembering whether anything was out of bounds or malformed (then every
// later read gives 0 or nothing).
class Reader {
 public:
  explicit Reader(std::string_view blob) : rest_(blob) {}
  bool ok() const { return ok_; }
  bool at_end() const { return rest_.empty(); }
  std::size_t left() const { return rest_.size(); }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (rest_.empty()) return fail();
      const auto byte = static_cast<std::uint8_t>(rest_.front());
      rest_.remove_prefix(1);
      if (shift == 63 && byte > 1) return fail();
      v |= std::uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return fail();
  }
  std::string_view bytes(std::uint64_t n) {
    if (n > rest_.size()) {
      fail();
      return {};
    }
    std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
  }
  std::string_view string() { return bytes(varint()); }

 private:
  std::uint64_t fail() {
    ok_ = false;
    rest_ = {};
    return 0;
  }
  std::string_view rest_;
  bool ok_ = true;
};

}  // namespace parley::store::varint
