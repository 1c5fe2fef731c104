// What a terminal chat UI shows, without a terminal: conversation windows (each a Scrollback),
// a status line, an input line (LineEditor) and a prompt. handle() applies a key; frame() lays
// the screen out for a size:
//
//     rows 0 .. rows-4   the active window's conversation (wrapped, scrolled)
//     row  rows-3        separator: "── 1:peer ── 2:#chan* ──..." (* = unseen activity)
//     row  rows-2        status line (the owner's text, plus "-- more --" while scrolled back)
//     row  rows-1        prompt and input line
//
// Keys: editing keys go to the LineEditor; PgUp/PgDn scroll the active window; Ctrl-X switches
// to the next window; Enter submits. Used by `parley peer` (one window) and `parley chat`.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tui/key.h"
#include "tui/line_editor.h"
#include "tui/scrollback.h"

namespace parley::tui {

class UiModel {
 public:
  explicit UiModel(std::string first_window = "main");

  std::size_t add_window(std::string name);
  void select(std::size_t index);
  std::size_t active() const { return active_; }
  std::size_t window_count() const { return windows_.size(); }
  const Scrollback& window(std::size_t index) const { return windows_.at(index).lines; }
  // Appends a line to a window; other windows than the active one get an activity mark.
  void add_line(std::size_t window, std::string_view text);
  void set_status(std::string text) { status_ = std::move(text); }
  void set_prompt(std::string prompt) { prompt_ = std::move(prompt); }
  LineEditor& input() { return input_; }
  const LineEditor& input() const { return input_; }

  // Applies a key for a screen of cols x rows. Returns the submitted line on Enter (also when
  // empty; the owner decides what an empty line means).
  std::optional<std::string> handle(const Key& key, int cols, int rows);

  struct Frame {
    std::vector<std::string> pane;  // top to bottom; fewer rows than the pane when short
    std::string separator;
    std::string status;
    std::string prompt;
    LineEditor::View input;
    int cursor_row = 0;
    int cursor_col = 0;
  };
  Frame frame(int cols, int rows) const;

  static int pane_height(int rows) { return rows > 3 ? rows - 3 : 0; }

 private:
  struct Window {
    std::string name;
    Scrollback lines;
    bool activity = false;
  };
  std::vector<Window> windows_;
  std::size_t active_ = 0;
  std::string status_;
  std::string prompt_ = "> ";
  LineEditor input_;
};

}  // namespace parley::tui
