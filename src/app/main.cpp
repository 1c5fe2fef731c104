// `parley`: one program, one subcommand per role. This file only dispatches.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/version.h"

int main(int argc, char** argv) {
  CLI::App app{"Parley: IRC server, chat client, peer-to-peer and talk chat in one program.", "parley"};
  app.set_version_flag("--version", std::string("parley ") + parley::app::kVersion);
  app.require_subcommand(1);

  std::vector<parley::app::Subcommand> commands;
  commands.push_back(parley::app::add_server_command(app));
  commands.push_back(parley::app::add_simple_server_command(app));
  commands.push_back(parley::app::add_simple_client_command(app));
  commands.push_back(parley::app::add_mkpasswd_command(app));
  commands.push_back(parley::app::add_account_command(app));
  commands.push_back(parley::app::add_talk_server_command(app));
  commands.push_back(parley::app::add_talk_command(app));
  commands.push_back(parley::app::add_peer_command(app));
  commands.push_back(parley::app::add_chat_command(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto& command : commands) {
    if (command.cli->parsed()) return command.run();
  }
  return 1;
}
