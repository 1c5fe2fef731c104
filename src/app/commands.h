// Subcommands of the `parley` program. Each lives in its own file (server_command.cpp,
// mkpasswd_command.cpp, ...) and registers itself on the top-level CLI11 app; main() parses the
// command line and runs the one that was given.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace parley::app {

struct Subcommand {
  CLI::App* cli = nullptr;   // owned by the parent CLI::App
  std::function<int()> run;  // runs after parsing; returns the process exit code
};

// `parley server`: the IRC server.
Subcommand add_server_command(CLI::App& parent);
// `parley simple-server PORT`: the seed-001 server shape (server_command.cpp).
Subcommand add_simple_server_command(CLI::App& parent);
// `parley simple-client NAME HOST PORT`: the seed-001 line client (simple_client_command.cpp).
Subcommand add_simple_client_command(CLI::App& parent);
// `parley mkpasswd`: hashes a password for the configuration file.
Subcommand add_mkpasswd_command(CLI::App& parent);
// `parley account list|show|create|passwd|delete|verify`: the account store (account_command.cpp).
Subcommand add_account_command(CLI::App& parent);
// `parley talk-server` and `parley talk`: 1:1 turn-taking talk (talk_command.cpp).
Subcommand add_talk_server_command(CLI::App& parent);
Subcommand add_talk_command(CLI::App& parent);
// `parley peer`: serverless mesh chat (peer_command.cpp).
Subcommand add_peer_command(CLI::App& parent);
// `parley chat HOST[:PORT]`: the terminal IRC client (chat_command.cpp).
Subcommand add_chat_command(CLI::App& parent);

}  // namespace parley::app
