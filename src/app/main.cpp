// `parley`: one program, one subcommand per role. This file only dispatches.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/version.h"

namespace {

// `parley help [COMMAND]`: the same text as `parley --help` / `parley COMMAND --help`. Printed
// through the formatter, as App::help() would show the help of `help` itself once it is parsed.
parley::app::Subcommand add_help_command(CLI::App& app) {
  auto topic = std::make_shared<std::string>();
  CLI::App* cli = app.add_subcommand("help", "Show this help, or a command's: parley help COMMAND");
  cli->add_option("COMMAND", *topic, "The command to explain");
  return {cli, [&app, topic]() {
            if (topic->empty()) {
              std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
              return 0;
            }
            const CLI::App& parent = app;
            const CLI::App* command = nullptr;
            for (const CLI::App* sub : parent.get_subcommands([](const CLI::App*) { return true; })) {
              if (sub->get_name() == *topic) command = sub;
            }
            if (command == nullptr) {
              std::cerr << "parley help: there is no command " << *topic << "; `parley help` lists them\n";
              return 2;
            }
            std::cout << command->get_formatter()->make_help(command, app.get_name() + " " + *topic,
                                                             CLI::AppFormatMode::Normal);
            return 0;
          }};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Parley: IRC server, chat client, peer-to-peer and talk chat in one program.", "parley"};
  // The version and the commit the binary was built from (cmake/version_info.cmake).
  app.set_version_flag("--version", std::string("parley ") + parley::app::kVersion + " (" +
                                        parley::app::kGitDescribe + ")\ncommit " + parley::app::kGitCommit);
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
  commands.push_back(add_help_command(app));

  if (argc == 1) {  // no command: what there is, rather than "A subcommand is required"
    std::cerr << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
    return 1;
  }
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
