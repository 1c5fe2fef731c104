#include "core/msgid.h"

#include <array>

namespace parley::core {

namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// splitmix64: spreads a possibly weak seed (zeros, small numbers) over the whole state, as the
// xoshiro authors recommend.
std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// base64url's characters in ASCII order, so that comparing ids compares the numbers they encode.
constexpr char kAlphabet[] = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

// 11 characters, most significant first: 66 bits of room, so the first carries 4 bits.
// Straight-line shifts, no branches: this runs once per message sent.
void encode(std::uint64_t x, char* out) {
  for (int i = 10; i >= 0; --i) {
    out[i] = kAlphabet[x & 63];
    x >>= 6;
  }
}

// kAlphabet's inverse: the value of each byte, or kNotDigit. (The store reads the time of every
// msgid it is given, a few times per message.)
constexpr std::uint8_t kNotDigit = 0xff;
constexpr std::array<std::uint8_t, 256> kDigitValue = [] {
  std::array<std::uint8_t, 256> values{};
  values.fill(kNotDigit);
  for (std::uint8_t v = 0; v < 64; ++v) values[static_cast<unsigned char>(kAlphabet[v])] = v;
  return values;
}();

}  // namespace

std::optional<std::int64_t> MsgIdGenerator::time_of(std::string_view msgid) {
  if (msgid.size() != kLength) return std::nullopt;
  std::uint64_t x = 0;
  std::uint8_t seen = 0;  // every value OR-ed: kNotDigit's top bit shows through
  for (std::size_t i = 0; i < kLength; ++i) {
    const std::uint8_t v = kDigitValue[static_cast<unsigned char>(msgid[i])];
    seen |= v;
    if (i < 11) x = (x << 6) | v;
  }
  if ((seen & 0x80) != 0) return std::nullopt;
  if (kDigitValue[static_cast<unsigned char>(msgid[0])] > 15) return std::nullopt;  // the first carries 4 bits
  return static_cast<std::int64_t>(x >> 16);
}

MsgIdGenerator::MsgIdGenerator(const std::array<std::uint64_t, 4>& seed) {
  for (std::size_t i = 0; i < s_.size(); ++i) {
    std::uint64_t x = seed[i] + i;
    s_[i] = splitmix(x);
  }
  // The first outputs depend on only part of the state; run until every seed word has reached
  // every state word, so seeds that differ in any word give different ids from the first one.
  for (int i = 0; i < 16; ++i) next64();
}

std::uint64_t MsgIdGenerator::next64() {  // xoshiro256**
  std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

void MsgIdGenerator::next(std::int64_t now_ms, char* out) {
  // 48 bits of milliseconds last until the year 10889; a clock before 1970 counts as 0.
  const std::uint64_t ms =
      now_ms > 0 ? static_cast<std::uint64_t>(now_ms) & ((std::uint64_t{1} << 48) - 1) : 0;
  const std::uint64_t at_ms = ms << 16;
  // Later than the last id: this millisecond's first, or the next sequence number (which carries
  // into the time part after 65,536 ids in one millisecond, or while the clock is behind).
  last_ = at_ms > last_ ? at_ms : last_ + 1;
  encode(last_, out);
  encode(next64(), out + 11);
}

std::string MsgIdGenerator::next(std::int64_t now_ms) {
  std::string out(kLength, '\0');
  next(now_ms, out.data());
  return out;
}

}  // namespace parley::core
