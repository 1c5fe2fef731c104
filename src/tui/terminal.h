// The ncurses side of the terminal UI: owns the screen (initscr ... endwin), turns key presses
// into tui::Key, and draws a UiModel::Frame. Everything else is in UiModel.
//
// Input is non-blocking: the owner waits for its input descriptor (input_fd()) to become
// readable in its own event loop, then calls read_keys(). A resize (SIGWINCH, caught by the
// owner) is applied with resize(). Thread: one thread. Only one Terminal may exist at a time.
#pragma once

#include <vector>

#include "tui/key.h"
#include "tui/ui_model.h"

namespace parley::tui {

class Terminal {
 public:
  // Sets the locale from the environment (UTF-8 needs it) and takes over the terminal. Throws
  // std::runtime_error when stdin/stdout is no terminal.
  Terminal();
  ~Terminal();
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  int input_fd() const { return 0; }
  // Every key press waiting (none: empty).
  std::vector<Key> read_keys();
  // Re-reads the terminal size after SIGWINCH.
  void resize();
  int cols() const;
  int rows() const;
  void draw(const UiModel::Frame& frame);

 private:
  bool escape_pending_ = false;  // ESC read last: the next printable key is an Alt key
};

}  // namespace parley::tui
