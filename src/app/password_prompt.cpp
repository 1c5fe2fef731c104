#include "app/password_prompt.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace parley::app {

namespace {

// Turns terminal echo off for its lifetime.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

}  // namespace

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }

std::optional<std::string> read_secret_line(const std::string& prompt) {
  std::string line;
  bool got_line;
  if (stdin_is_terminal()) {
    std::cerr << prompt << std::flush;
    EchoOff quiet;
    got_line = static_cast<bool>(std::getline(std::cin, line));
    std::cerr << '\n';
  } else {
    got_line = static_cast<bool>(std::getline(std::cin, line));
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (!got_line && line.empty()) return std::nullopt;
  return line;
}

}  // namespace parley::app
