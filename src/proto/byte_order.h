// Network byte order helper shared by the length-prefixed frame decoders (talk, mesh).
#pragma once

#include <cstdint>

namespace parley::proto {

inline std::uint32_t read_be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) |
         std::uint32_t{u[3]};
}

}  // namespace parley::proto
