#include "tui/utf8.h"

#include <algorithm>
#include <array>
#include <utility>

namespace parley::tui {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

struct Range {
  char32_t first;
  char32_t last;
};

constexpr std::array kZeroWidth{
    Range{0x0300, 0x036F},   Range{0x0483, 0x0489}, Range{0x0591, 0x05BD}, Range{0x0610, 0x061A},
    Range{0x064B, 0x065F},   Range{0x0E31, 0x0E31}, Range{0x0E34, 0x0E3A}, Range{0x1AB0, 0x1AFF},
    Range{0x1DC0, 0x1DFF},   Range{0x200B, 0x200F}, Range{0x202A, 0x202E}, Range{0x2060, 0x2064},
    Range{0x20D0, 0x20FF},   Range{0xFE00, 0xFE0F}, Range{0xFE20, 0xFE2F}, Range{0xFEFF, 0xFEFF},
    Range{0xE0100, 0xE01EF},
};

constexpr std::array kWide{
    Range{0x1100, 0x115F},   Range{0x231A, 0x231B},   Range{0x2329, 0x232A},   Range{0x23E9, 0x23EC},
    Range{0x2614, 0x2615},   Range{0x2648, 0x2653},   Range{0x26A1, 0x26A1},   Range{0x26AA, 0x26AB},
    Range{0x26BD, 0x26BE},   Range{0x26C4, 0x26C5},   Range{0x26D4, 0x26D4},   Range{0x26EA, 0x26EA},
    Range{0x26F2, 0x26F5},   Range{0x26FA, 0x26FD},   Range{0x2705, 0x2705},   Range{0x270A, 0x270B},
    Range{0x2728, 0x2728},   Range{0x274C, 0x274C},   Range{0x2753, 0x2755},   Range{0x2757, 0x2757},
    Range{0x2795, 0x2797},   Range{0x27B0, 0x27B0},   Range{0x2B1B, 0x2B1C},   Range{0x2B50, 0x2B50},
    Range{0x2E80, 0x303E},   Range{0x3041, 0x33FF},   Range{0x3400, 0x4DBF},   Range{0x4E00, 0x9FFF},
    Range{0xA000, 0xA4CF},   Range{0xA960, 0xA97F},   Range{0xAC00, 0xD7A3},   Range{0xF900, 0xFAFF},
    Range{0xFE10, 0xFE19},   Range{0xFE30, 0xFE6F},   Range{0xFF00, 0xFF60},   Range{0xFFE0, 0xFFE6},
    Range{0x16FE0, 0x16FE4}, Range{0x17000, 0x18CFF}, Range{0x1B000, 0x1B2FF}, Range{0x1F004, 0x1F004},
    Range{0x1F0CF, 0x1F0CF}, Range{0x1F18E, 0x1F18E}, Range{0x1F191, 0x1F19A}, Range{0x1F200, 0x1F251},
    Range{0x1F300, 0x1F64F}, Range{0x1F680, 0x1F6FF}, Range{0x1F7E0, 0x1F7EB}, Range{0x1F90C, 0x1F9FF},
    Range{0x1FA70, 0x1FAFF}, Range{0x20000, 0x2FFFD}, Range{0x30000, 0x3FFFD},
};

template <std::size_t N>
bool in(const std::array<Range, N>& table, char32_t cp) {
  auto it = std::upper_bound(table.begin(), table.end(), cp,
                             [](char32_t c, const Range& r) { return c < r.first; });
  return it != table.begin() && cp <= std::prev(it)->last;
}

}  // namespace

Decoded decode(std::string_view s, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) return {b0, 1};
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return {kReplacement, 1};
  }
  if (pos + len > s.size()) return {kReplacement, 1};
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) return {kReplacement, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {kReplacement, 1};
  return {cp, len};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacement;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int char_width(char32_t cp) {
  if (cp < 0x300) return 1;
  if (in(kZeroWidth, cp)) return 0;
  return in(kWide, cp) ? 2 : 1;
}

int text_width(std::string_view s) {
  int width = 0;
  for (std::size_t pos = 0; pos < s.size();) {
    const Decoded d = decode(s, pos);
    width += char_width(d.cp);
    pos += d.size;
  }
  return width;
}

std::size_t next_boundary(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return s.size();
  pos += decode(s, pos).size;
  while (pos < s.size()) {
    const Decoded d = decode(s, pos);
    if (char_width(d.cp) != 0) break;
    pos += d.size;
  }
  return pos;
}

std::size_t prev_boundary(std::string_view s, std::size_t pos) {
  pos = std::min(pos, s.size());
  if (pos == 0) return 0;
  // Walk forward from the start of the text: boundaries depend on what precedes them.
  std::size_t last = 0;
  for (std::size_t at = 0; at < pos;) {
    last = at;
    at = next_boundary(s, at);
  }
  return last;
}

std::string sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t pos = 0; pos < s.size();) {
    const Decoded d = decode(s, pos);
    if (d.cp == '\t') {
      out.push_back(' ');
    } else if (d.cp < 0x20 || d.cp == 0x7F || (d.cp >= 0x80 && d.cp < 0xA0)) {
      append_utf8(out, kReplacement);
    } else if (d.cp == kReplacement && d.size == 1) {
      append_utf8(out, kReplacement);
    } else {
      out.append(s.substr(pos, d.size));
    }
    pos += d.size;
  }
  return out;
}

std::string_view fit(std::string_view s, int width) {
  int used = 0;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t next = next_boundary(s, pos);
    const int w = text_width(s.substr(pos, next - pos));
    if (used + w > width) break;
    used += w;
    pos = next;
  }
  return s.substr(0, pos);
}

std::vector<std::string> wrap(std::string_view s, int width) {
  std::vector<std::string> rows;
  width = std::max(width, 1);
  while (!s.empty()) {
    std::string_view row = fit(s, width);
    if (row.empty()) row = s.substr(0, next_boundary(s, 0));  // a wide character in a 1-column pane
    if (row.size() < s.size()) {
      const std::size_t space = row.rfind(' ');
      if (space != std::string_view::npos && space > 0) row = row.substr(0, space + 1);
    }
    rows.emplace_back(row);
    s.remove_prefix(row.size());
  }
  if (rows.empty()) rows.emplace_back();
  return rows;
}

}  // namespace parley::tui
