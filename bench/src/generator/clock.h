// CLOCK_MONOTONIC in nanoseconds: the clock payload timestamps are taken from. Generator and
// receivers are one process, so send and receive times are directly comparable.
#pragma once

#include <time.h>

#include <cstdint>

namespace parley::bench {

inline std::uint64_t mono_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

inline double seconds(std::uint64_t ns) { return static_cast<double>(ns) / 1e9; }
inline std::uint64_t to_ns(double s) { return static_cast<std::uint64_t>(s * 1e9); }

}  // namespace parley::bench
