// `parley talk-server [PORT] [--bind ADDR] [--echo]` and `parley talk HOST [PORT]`: the seed's
// 1:1 turn-taking talk (docs/protocol.md "Talk").
//
// talk-server prints one stdout line that tests and scripts parse
// ("parley talk-server listening on ADDR:PORT"), then the console: each client's messages and,
// unless --echo, the operator's prompt. Logs go to stderr.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "app/cli_checks.h"
#include "app/commands.h"
#include "net/endpoint.h"
#include "talk/talk_client.h"
#include "talk/talk_server.h"

namespace parley::app {

namespace {

constexpr int kDefaultTalkPort = 5050;

struct TalkServerFlags {
  int port = kDefaultTalkPort;
  std::string bind = "0.0.0.0";
  bool echo = false;
  std::size_t max_sessions = 1000;
  std::string log_level = "info";
};

struct TalkClientFlags {
  std::string host;
  int port = kDefaultTalkPort;
};

void set_up_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("parley");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

// Each session holds one descriptor: make room for max_sessions of them if the hard limit allows.
void raise_descriptor_limit(std::size_t sessions) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  const rlim_t wanted = static_cast<rlim_t>(sessions + 64);
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min(limit.rlim_max, wanted);
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) spdlog::warn("cannot raise the open-file limit");
}

int run_talk_server(const TalkServerFlags& flags) {
  set_up_logging(flags.log_level);
  std::signal(SIGPIPE, SIG_IGN);  // writes use MSG_NOSIGNAL; this covers anything else
  const auto address = net::parse_address(flags.bind);
  if (!address) {
    spdlog::error("--bind {}: not a numeric IPv4 or IPv6 address", flags.bind);
    return 1;
  }
  raise_descriptor_limit(flags.max_sessions);

  talk::TalkServerOptions options;
  options.switchboard.mode = flags.echo ? talk::TalkMode::kEcho : talk::TalkMode::kInteractive;
  options.switchboard.max_sessions = flags.max_sessions;
  options.console_fd = flags.echo ? -1 : 0;
  try {
    talk::TalkServer server(options);
    const net::tcp::endpoint at(*address, static_cast<std::uint16_t>(flags.port));
    net::tcp::endpoint bound;
    try {
      bound = server.listen(at);
    } catch (const boost::system::system_error& e) {
      spdlog::error("cannot listen on {}: {}", net::endpoint_to_string(at), e.code().message());
      return 1;
    }
    std::cout << "parley talk-server listening on " << net::endpoint_to_string(bound) << std::endl;
    spdlog::info("talk server ready ({}); stop with SIGINT or SIGTERM",
                 flags.echo ? "echo mode: every message is answered with its own text"
                            : "interactive: answer each message at the prompt");
    server.run();
  } catch (const std::exception& e) {
    spdlog::critical("parley talk-server: {}", e.what());
    return 1;
  }
  return 0;
}

int run_talk_client(const TalkClientFlags& flags) {
  std::signal(SIGPIPE, SIG_IGN);
  talk::TalkClientOptions options;
  options.host = flags.host;
  options.port = static_cast<std::uint16_t>(flags.port);
  return talk::run_talk_client(options);
}

}  // namespace

Subcommand add_talk_server_command(CLI::App& parent) {
  auto flags = std::make_shared<TalkServerFlags>();
  CLI::App* cli = parent.add_subcommand(
      "talk-server", "Run the 1:1 talk server (answer clients at the console, or --echo); runs until killed");
  cli->add_option("PORT", flags->port, "TCP port (default 5050; 0 picks a free port)")
      ->transform(number_in(0, 65535));
  cli->add_option("--bind", flags->bind, "Address to listen on (default 0.0.0.0; :: for IPv6)")
      ->check(CLI::Validator(
          [](const std::string& v) {
            return net::parse_address(v) ? std::string() : "not a numeric IP address";
          },
          "ADDR"));
  cli->add_flag("--echo", flags->echo, "Answer every message with its own text at once (no operator)");
  cli->add_option("--max-sessions", flags->max_sessions,
                  "Sessions served at once; more are refused with ERROR server-full (default 1000)")
      ->transform(number_in(1, 1000000));
  cli->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error or off (default info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  return Subcommand{cli, [flags] { return run_talk_server(*flags); }};
}

Subcommand add_talk_command(CLI::App& parent) {
  auto flags = std::make_shared<TalkClientFlags>();
  CLI::App* cli =
      parent.add_subcommand("talk", "Talk with a talk server: type a line, read the answer, 'hangup' ends");
  cli->add_option("HOST", flags->host, "Talk server's host name or address")->required();
  cli->add_option("PORT", flags->port, "TCP port (default 5050)")->transform(number_in(1, 65535));
  return Subcommand{cli, [flags] { return run_talk_client(*flags); }};
}

}  // namespace parley::app
