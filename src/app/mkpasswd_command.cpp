// `parley mkpasswd`: reads one password line from standard input (without echo on a terminal)
// and prints its crypto_pwhash_str hash, ready for password_hash in the configuration file.
#include <sodium.h>

#include <iostream>
#include <string>
#include <utility>

#include "app/commands.h"
#include "app/password_prompt.h"
#include "crypto/password.h"

namespace parley::app {

namespace {

int run_mkpasswd() {
  if (!crypto::init_sodium()) {
    std::cerr << "parley mkpasswd: libsodium could not be initialised\n";
    return 1;
  }
  auto line = read_secret_line("Password: ");  // no echo on a terminal (app/password_prompt.h)
  if (!line) {
    std::cerr << "parley mkpasswd: no password on standard input\n";
    return 1;
  }
  std::string password = std::move(*line);
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
