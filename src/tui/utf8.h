// UTF-8 helpers for terminal text: decoding, character boundaries, display width (East Asian
// wide characters take two columns, combining marks none), sanitising untrusted text and
// wrapping it to a width. Pure functions; invalid bytes count as one U+FFFD each.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace parley::tui {

struct Decoded {
  char32_t cp = 0;
  std::size_t size = 0;  // bytes; 1 for an invalid byte (cp is then U+FFFD)
};

// Decodes the character starting at s[pos]. Precondition: pos < s.size().
Decoded decode(std::string_view s, std::size_t pos);
void append_utf8(std::string& out, char32_t cp);

// Columns a character takes: 0 (combining, zero-width), 2 (wide) or 1.
int char_width(char32_t cp);
int text_width(std::string_view s);

// The start of the character after the one at `pos` (zero-width characters that follow stay with
// it), and the start of the one before `pos`. Both stay within [0, s.size()].
std::size_t next_boundary(std::string_view s, std::size_t pos);
std::size_t prev_boundary(std::string_view s, std::size_t pos);

// Safe to draw: invalid bytes and control characters become U+FFFD; TAB becomes a space.
std::string sanitize(std::string_view s);
// The longest prefix of `s` that fits in `width` columns.
std::string_view fit(std::string_view s, int width);
// Splits `s` into rows of at most `width` columns, breaking after a space where it can.
std::vector<std::string> wrap(std::string_view s, int width);

}  // namespace parley::tui
