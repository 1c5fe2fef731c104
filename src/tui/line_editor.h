// The input line: UTF-8 text with a cursor, Emacs-style editing keys, input history and a
// completion hook. Pure logic (no terminal): the renderer asks view() what to draw.
//
// Keys: Left/Right, Home/End (Ctrl-A/Ctrl-E), Backspace, Delete (Ctrl-D), Ctrl-U (delete to the
// start), Ctrl-K (to the end), Ctrl-W (the word before the cursor), Up/Down (history, Ctrl-P/
// Ctrl-N), Tab (completion: the completer gets the word before the cursor and returns
// replacements; further Tabs cycle through them), Enter (submit).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tui/key.h"

namespace parley::tui {

class LineEditor {
 public:
  enum class Result : std::uint8_t {
    kUnhandled,  // not an editing key (PgUp, Resize...): the caller's
    kHandled,
    kSubmit,  // Enter: take_line() has the text
  };
  // Candidates replacing `word` (the text between the last space before the cursor and the
  // cursor); `at_start` is true when the word starts the line.
  using Completer = std::function<std::vector<std::string>(std::string_view word, bool at_start)>;

  explicit LineEditor(std::size_t max_bytes = 4096, std::size_t history_size = 100)
      : max_bytes_(max_bytes), history_size_(history_size) {}

  Result handle(const Key& key);
  // The line (as submitted), kept in the history unless empty; the editor is cleared.
  std::string take_line();

  // Inserts text at the cursor (invalid UTF-8 is replaced; input beyond max_bytes is dropped).
  void insert(std::string_view utf8);
  void set_completer(Completer completer) { completer_ = std::move(completer); }
  void clear();

  const std::string& text() const { return text_; }
  std::size_t cursor() const { return cursor_; }  // byte offset, on a character boundary
  const std::deque<std::string>& history() const { return history_; }

  struct View {
    std::string text;       // what fits in the width, scrolled so the cursor is visible
    int cursor_column = 0;  // column of the cursor within `text`
  };
  View view(int width) const;

 private:
  void left();
  void right();
  void backspace();
  void erase_forward();
  void delete_word_back();
  void history_move(int direction);
  void complete();

  std::size_t max_bytes_;
  std::size_t history_size_;
  std::string text_;
  std::size_t cursor_ = 0;
  std::deque<std::string> history_;  // oldest first
  std::size_t history_pos_ = 0;      // == history_.size(): editing a new line
  std::string draft_;                // the new line while browsing the history
  Completer completer_;
  // Completion cycle in progress.
  std::vector<std::string> candidates_;
  std::size_t candidate_ = 0;
  std::size_t word_start_ = 0;
};

}  // namespace parley::tui
