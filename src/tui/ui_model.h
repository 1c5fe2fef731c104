// What a terminal chat UI shows, without a terminal: conversation windows (each a Scrollback),
// a status line, an input line (LineEditor) and a prompt. handle() applies a key; frame() lays
// the screen out for a size:
//
//     row  0             the topic line, only when the owner set a topic
//     rows 0 (1) .. rows-4  the active window's conversation (wrapped, scrolled); on terminals at
//                        least kNickListMinCols wide with a nick list set, the list takes the
//                        right kNickListWidth columns (after a one-column gap)
//     row  rows-3        separator: "── 1:peer ── 2:#chan* ──..." (* = unseen activity)
//     row  rows-2        status line (the owner's text, plus "-- more --" while scrolled back)
//     row  rows-1        prompt and input line
//
// Keys: editing keys go to the LineEditor; PgUp/PgDn scroll the active window; Ctrl-X switches
// to the next window; Enter submits. With set_window_keys(true) also Alt-1..9 and Alt-0 (window
// N, 10), Alt-Left/Right and Ctrl-P/Ctrl-N (previous/next window; then no longer history keys).
// Used by `parley peer` (one window) and `parley chat`.
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

  static constexpr int kNickListMinCols = 100;
  static constexpr int kNickListWidth = 16;

  std::size_t add_window(std::string name);
  // Removes a window (never the last one); the active window stays active if it remains.
  void remove_window(std::size_t index);
  void rename_window(std::size_t index, std::string name);
  void clear_window(std::size_t index);
  void select(std::size_t index);
  void set_window_keys(bool on) { window_keys_ = on; }
  std::size_t active() const { return active_; }
  std::size_t window_count() const { return windows_.size(); }
  const Scrollback& window(std::size_t index) const { return windows_.at(index).lines; }
  // Appends a line to a window; other windows than the active one get an activity mark unless
  // `activity` is false. `span` colours part of the line (see Scrollback::add).
  void add_line(std::size_t window, std::string_view text, Span span = {}, bool activity = true);
  // Puts a line above a window's oldest one (no activity mark; the view does not move).
  void prepend_line(std::size_t window, std::string_view text, Span span = {});
  // The active window shows its top line on a cols x rows screen (PgUp would show nothing new).
  bool at_top(int cols, int rows) const;
  void set_topic(std::string topic) { topic_ = std::move(topic); }
  void set_nicklist(std::vector<std::string> nicks) { nicklist_ = std::move(nicks); }
  void set_status(std::string text) { status_ = std::move(text); }
  void set_prompt(std::string prompt) { prompt_ = std::move(prompt); }
  LineEditor& input() { return input_; }
  const LineEditor& input() const { return input_; }

  // Applies a key for a screen of cols x rows. Returns the submitted line on Enter (also when
  // empty; the owner decides what an empty line means).
  std::optional<std::string> handle(const Key& key, int cols, int rows);

  struct Frame {
    std::string topic;                  // row 0 when not empty (the pane then starts at row 1)
    std::vector<std::string> pane;      // top to bottom; fewer rows than the pane when short
    std::vector<Span> pane_spans;       // per pane row: its coloured part (byte offsets)
    std::vector<std::string> nicklist;  // drawn from column nicklist_col, from the pane's top row
    int nicklist_col = 0;               // 0: no nick list shown
    std::string separator;
    std::string status;
    std::string prompt;
    LineEditor::View input;
    int cursor_row = 0;
    int cursor_col = 0;
  };
  Frame frame(int cols, int rows) const;

  int pane_height(int rows) const;
  int pane_width(int cols) const;

 private:
  struct Window {
    std::string name;
    Scrollback lines;
    bool activity = false;
  };
  bool window_key(const Key& key);
  std::vector<Window> windows_;
  std::size_t active_ = 0;
  std::string status_;
  std::string prompt_ = "> ";
  std::string topic_;
  std::vector<std::string> nicklist_;
  bool window_keys_ = false;
  LineEditor input_;
};

}  // namespace parley::tui
