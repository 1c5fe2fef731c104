// Helpers shared by the libFuzzer targets in this directory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

// An invariant of the code under test: report it and abort, so libFuzzer keeps the input.
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace parley::fuzz {

// Chunk boundaries for feeding `data` to an incremental decoder piece by piece: chosen from the
// data itself (so an input reproduces exactly), each chunk 1..max_chunk bytes long.
inline std::vector<std::size_t> cuts_from(std::string_view data, std::uint32_t max_chunk) {
  std::vector<std::size_t> cuts;
  std::uint32_t state = 2166136261u;  // FNV-1a of the input seeds a small LCG
  for (unsigned char b : data) state = (state ^ b) * 16777619u;
  for (std::size_t pos = 0; pos < data.size();) {
    state = state * 1103515245u + 12345u;
    pos += 1 + (state >> 16) % max_chunk;
    cuts.push_back(pos);
  }
  return cuts;
}

// Calls feed(piece) for each piece of `data` between successive cuts (a cut that does not move
// forward, or lies past the end, is skipped); the last piece runs to the end of the data.
template <class Feed>
void for_each_piece(std::string_view data, const std::vector<std::size_t>& cuts, Feed&& feed) {
  std::size_t pos = 0;
  for (std::size_t cut : cuts) {
    if (cut <= pos || cut > data.size()) continue;
    feed(data.substr(pos, cut - pos));
    pos = cut;
  }
  feed(data.substr(pos));
}

// Cuts after every byte: feeding one byte at a time (for short inputs; quadratic otherwise).
inline std::vector<std::size_t> every_byte(std::size_t size) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < size; ++i) cuts.push_back(i);
  return cuts;
}

// An incremental decoder must not care where its input is cut. `decode(cuts)` returns an outcome
// comparable with ==; it must be the same at data-chosen cuts (chunks of 1..max_chunk bytes), and
// one byte at a time for inputs of at most `every_byte_limit` bytes, as for the input at once.
// Returns that outcome.
template <class Decode>
auto check_cut_independence(std::string_view data, std::uint32_t max_chunk, std::size_t every_byte_limit,
                            Decode&& decode) {
  auto whole = decode(std::vector<std::size_t>{});
  FUZZ_CHECK(decode(cuts_from(data, max_chunk)) == whole);
  if (data.size() <= every_byte_limit) FUZZ_CHECK(decode(every_byte(data.size())) == whole);
  return whole;
}

}  // namespace parley::fuzz
