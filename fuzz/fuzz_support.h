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

}  // namespace parley::fuzz
