// UTF-8 as RFC 3629 defines it, one sequence at a time: shared by the engine's UTF8ONLY check
// (core/text.h) and the JSON log's escaping (app/json_log.h). Pure functions, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley::proto {

// Length (1 to 4) of the valid UTF-8 sequence starting at text[i], or 0 when the bytes there are
// not one: a stray continuation byte, a truncated sequence, an overlong form, a surrogate or a
// code point past U+10FFFF. `i` must be < text.size().
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint8_t low = 0x80, high = 0xbf;  // allowed range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;   // overlong
    if (lead == 0xed) high = 0x9f;  // surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;   // overlong
    if (lead == 0xf4) high = 0x8f;  // past U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  }
  return length;
}

}  // namespace parley::proto
