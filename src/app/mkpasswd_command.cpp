// `parley mkpasswd`: reads one password line from standard input (without echo on a terminal)
// and prints its crypto_pwhash_str hash, ready for password_hash in the configuration file.
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "app/commands.h"
#include "crypto/password.h"

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

int run_mkpasswd() {
  if (!crypto::init_sodium()) {
    std::cerr << "parley mkpasswd: libsodium could not be initialised\n";
    return 1;
  }
  std::string password;
  bool got_line;
  if (::isatty(STDIN_FILENO)) {
    std::cerr << "Password: " << std::flush;
    EchoOff quiet;
    got_line = static_cast<bool>(std::getline(std::cin, password));
    std::cerr << '\n';
  } else {
    got_line = static_cast<bool>(std::getline(std::cin, password));
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (!got_line && password.empty()) {
    std::cerr << "parley mkpasswd: no password on standard input\n";
    return 1;
  }
  if (password.empty()) {
    std::cerr << "parley mkpasswd: the password is empty\n";
    return 1;
  }
  auto hash = crypto::hash_password(password);
  ::sodium_memzero(password.data(), password.size());
  if (!hash) {
    std::cerr << "parley mkpasswd: hashing failed (out of memory?)\n";
    return 1;
  }
  std::cout << *hash << std::endl;
  return 0;
}

}  // namespace

Subcommand add_mkpasswd_command(CLI::App& parent) {
  CLI::App* cli = parent.add_subcommand(
      "mkpasswd", "Hash a password read from standard input (one line) for password_hash in the config file");
  return Subcommand{cli, [] { return run_mkpasswd(); }};
}

}  // namespace parley::app
