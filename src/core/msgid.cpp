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

void MsgIdGenerator::next(char* out) {
  // 11 characters per 64-bit half: 66 bits of room, so the first character of each half carries
  // 4 bits and the id 128 random bits in 22 characters. Straight-line shifts, no branches: this
  // runs once per message sent.
  std::uint64_t halves[2] = {next64(), next64()};
  for (int h = 0; h < 2; ++h) {
    std::uint64_t x = halves[h];
    for (int i = 10; i >= 0; --i) {
      out[h * 11 + i] = kAlphabet[x & 63];
      x >>= 6;
    }
  }
}

std::string MsgIdGenerator::next() {
  std::string out(kLength, '\0');
  next(out.data());
  return out;
}

}  // namespace parley::core
