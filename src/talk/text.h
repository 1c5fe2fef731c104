// Text helpers shared by the talk server and client: how peers and untrusted text are shown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::talk {

// "client (192.0.2.1,35804)", the seed's way of naming a client on the server console.
std::string client_label(std::string_view ip, std::uint16_t port);

// `text` made safe for a terminal: bytes below 0x20 (except TAB) and DEL are shown as "\xNN"
// and a backslash as "\\", so a peer cannot move the cursor or forge console lines. Other
// bytes, UTF-8 included, pass through.
std::string printable(std::string_view text);

// Splits console input into lines, handed out one at a time as they are needed.
//
// A line ends at LF; a CR before the LF is dropped. Empty lines are lines. A line longer than
// `max_line` bytes is reported once as too long and discarded up to its LF; at most `max_line` + 1
// bytes of a partial line are kept (room for a CR).
class LineSplitter {
 public:
  struct Line {
    std::string text;
    bool too_long = false;
  };

  explicit LineSplitter(std::size_t max_line) : max_line_(max_line) {}

  // More input. After finish() (end of input), a final line without LF counts as a line.
  void feed(std::string_view bytes);
  void finish() { finished_ = true; }

  // The next complete line, or nullopt if more input is needed (or, after finish(), if there
  // is none left).
  std::optional<Line> next();

  bool finished() const { return finished_; }
  // True when next() would return nullopt and no further input will come.
  bool exhausted() const { return finished_ && head_ == pending_.size() && !discarding_; }

 private:
  std::size_t max_line_;
  std::string pending_;  // input; pending_[head_, end) is unread
  std::size_t head_ = 0;
  bool discarding_ = false;  // inside a too-long line whose LF has not come yet
  bool finished_ = false;
};

}  // namespace parley::talk
