#include "core/msgid.h"

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

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

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

std::string MsgIdGenerator::next() {
  std::uint64_t hi = next64(), lo = next64();
  std::string out(kLength, '\0');
  // 21 full 6-bit groups from the top 126 bits, then the last 2 bits.
  for (std::size_t i = 0; i < kLength; ++i) {
    unsigned bits;
    if (i < 10) {
      bits = static_cast<unsigned>(hi >> (58 - 6 * i)) & 63;
    } else if (i == 10) {
      bits = static_cast<unsigned>(((hi & 0xF) << 2) | (lo >> 62)) & 63;
    } else {
      int shift = 56 - 6 * static_cast<int>(i - 11);  // i=11 -> bits 61..56 of lo
      bits = shift >= 0 ? static_cast<unsigned>(lo >> shift) & 63 : static_cast<unsigned>(lo << -shift) & 63;
    }
    out[i] = kAlphabet[bits];
  }
  return out;
}

}  // namespace parley::core
