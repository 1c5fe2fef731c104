// One conversation pane's lines: bounded, wrapped to the pane's width when drawn, and scrolled
// by pages (PgUp/PgDn). New lines keep the view where it is while scrolled back, so reading
// history is not disturbed; at the bottom the view follows new lines. Pure logic.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace parley::tui {

// A coloured part of a line (the speaker's nick): bytes [begin, end) of the text, or of one row.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  int colour = -1;  // -1: none; 0..kColourSlots-1: a colour; kHighlightColour: stands out
};
inline constexpr int kColourSlots = 12;
inline constexpr int kHighlightColour = kColourSlots;

// One drawn row: its text and the part of it that is coloured.
struct Row {
  std::string text;
  Span span;
};

class Scrollback {
 public:
  explicit Scrollback(std::size_t max_lines = 5000) : max_lines_(max_lines) {}

  // Adds a line (sanitised for the terminal), optionally with a coloured span (bytes of `line`).
  void add(std::string_view line, Span span = {});
  // Adds a line above all the others (older lines loaded from history). The view keeps showing
  // the rows it shows (it is anchored at the bottom). Returns false, adding nothing, when the
  // scrollback is full: then the newest lines are worth more than the oldest.
  bool prepend(std::string_view line, Span span = {});
  // The rows to draw, top to bottom: at most `height` rows of at most `width` columns.
  std::vector<std::string> rows(int width, int height) const;
  // The same rows with their coloured spans (byte offsets within each row's text).
  std::vector<Row> styled_rows(int width, int height) const;
  void clear();
  void page_up(int width, int height);
  void page_down(int width, int height);
  void to_bottom() { offset_ = 0; }
  bool at_bottom() const { return offset_ == 0; }
  // The top line is on screen: paging up shows nothing more.
  bool at_top(int width, int height) const;
  // Lines added while scrolled back (shown in the status line).
  std::size_t unseen() const { return unseen_; }
  std::size_t size() const { return lines_.size(); }
  const std::deque<std::string>& lines() const { return lines_; }

 private:
  std::size_t total_rows(int width) const;
  static Span sanitized_span(std::string_view line, Span span);

  std::size_t max_lines_;
  std::deque<std::string> lines_;
  std::deque<Span> spans_;  // one per line, in sanitised byte offsets
  std::size_t offset_ = 0;  // wrapped rows scrolled back from the bottom
  std::size_t unseen_ = 0;
  mutable int last_width_ = 80;  // the width rows() last drew with
};

}  // namespace parley::tui
