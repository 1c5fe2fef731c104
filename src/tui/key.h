// A key press, independent of ncurses, so the editing logic can be tested without a terminal.
#pragma once

#include <cstdint>

namespace parley::tui {

struct Key {
  enum class Code : std::uint8_t {
    kChar,  // ch: a printable character
    kCtrl,  // ch: 'a'..'z' (Ctrl-A is {kCtrl, 'a'})
    kEnter,
    kBackspace,
    kDelete,
    kLeft,
    kRight,
    kHome,
    kEnd,
    kUp,
    kDown,
    kPageUp,
    kPageDown,
    kTab,
    kResize,
    kAlt,  // ch: the character pressed with Alt (or after Escape): Alt-1 is {kAlt, '1'}
    kAltLeft,
    kAltRight,
  };
  Code code = Code::kChar;
  char32_t ch = 0;

  static Key chr(char32_t c) { return {Code::kChar, c}; }
  static Key ctrl(char c) { return {Code::kCtrl, static_cast<char32_t>(c)}; }
  static Key of(Code code) { return {code, 0}; }
  static Key alt(char32_t c) { return {Code::kAlt, c}; }
  bool operator==(const Key&) const = default;
};

}  // namespace parley::tui
