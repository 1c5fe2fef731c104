// `parley peer NAME [HOST PORT] [--port N] [--bind ADDR] [--connect HOST:PORT]... [--headless]`:
// serverless mesh chat (seed 002, docs/peer.md, docs/protocol.md "Mesh").
//
// Every peer listens (port 0 or omitted: a free port, shown to the user) and joins the mesh
// through HOST PORT and each --connect. --headless replaces the terminal UI with lines on stdin
// and stdout. Logs go to stderr (headless) or to --log-file (terminal UI; none by default).
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "app/cli_checks.h"
#include "app/commands.h"
#include "net/endpoint.h"
#include "peer/front_ends.h"

namespace parley::app {

namespace {

struct PeerFlags {
  std::string name;
  std::string host;
  int host_port = 0;
  int port = 0;
  std::string bind = "0.0.0.0";
  std::vector<std::string> connect;
  bool headless = false;
  std::size_t degree = 3;
  std::size_t max_peers = 0;
  int hop_limit = 32;
  std::string log_level = "info";
  std::string log_file;
};

// "host:port", "[v6]:port".
std::optional<peer::PeerAddress> parse_host_port(const std::string& text) {
  std::string host;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find("]:");
    if (close == std::string::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const int number = std::stoi(port);
  if (number < 1 || number > 65535) return std::nullopt;
  return peer::PeerAddress{host, static_cast<std::uint16_t>(number)};
}

void set_up_logging(const PeerFlags& flags) {
  std::shared_ptr<spdlog::logger> logger;
  if (!flags.log_file.empty()) {
    logger = spdlog::basic_logger_mt("parley", flags.log_file);
  } else if (flags.headless || ::isatty(2) == 0) {
    logger = spdlog::stderr_color_mt("parley");
  } else {
    logger = spdlog::null_logger_mt("parley");  // the terminal UI owns the terminal
  }
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  spdlog::flush_on(spdlog::level::info);
}

std::uint64_t random_peer_id() {
  std::random_device device;
  std::uint64_t id = 0;
  while (id == 0) id = (std::uint64_t{device()} << 32) ^ device();
  return id;
}

int run_peer(const PeerFlags& flags) {
  set_up_logging(flags);
  std::signal(SIGPIPE, SIG_IGN);
  if (!proto::mesh::valid_name(flags.name)) {
    std::cerr << "parley peer: NAME must be 1 to " << proto::mesh::kMaxNameBytes
              << " bytes without control characters\n";
    return 2;
  }
  const auto address = net::parse_address(flags.bind);
  if (!address) {
    std::cerr << "parley peer: --bind " << flags.bind << ": not a numeric IPv4 or IPv6 address\n";
    return 2;
  }
  peer::PeerRunOptions options;
  options.listen_at = net::tcp::endpoint(*address, static_cast<std::uint16_t>(flags.port));
  auto& mesh = options.node.mesh;
  mesh.name = flags.name;
  mesh.peer_id = random_peer_id();
  mesh.random_seed = random_peer_id();
  mesh.degree = flags.degree;
  mesh.max_links = flags.max_peers;
  mesh.hop_limit = static_cast<std::uint8_t>(flags.hop_limit);
  if (!flags.host.empty()) {
    if (flags.host_port == 0) {
      std::cerr << "parley peer: HOST needs a PORT\n";
      return 2;
    }
    options.node.seeds.push_back({flags.host, static_cast<std::uint16_t>(flags.host_port)});
  }
  for (const auto& text : flags.connect) {
    auto seed = parse_host_port(text);
    if (!seed) {
      std::cerr << "parley peer: --connect " << text << ": expected HOST:PORT\n";
      return 2;
    }
    options.node.seeds.push_back(*seed);
  }
  try {
    return flags.headless ? peer::run_headless(std::move(options))
                          : peer::run_terminal_ui(std::move(options));
  } catch (const std::exception& e) {
    spdlog::critical("parley peer: {}", e.what());
    std::cerr << "parley peer: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

Subcommand add_peer_command(CLI::App& parent) {
  auto flags = std::make_shared<PeerFlags>();
  CLI::App* cli = parent.add_subcommand(
      "peer", "Serverless mesh chat: every peer listens and relays; join through HOST PORT or --connect");
  cli->add_option("NAME", flags->name, "Your name in the chat")->required();
  cli->add_option("HOST", flags->host, "A peer to join through (with PORT)");
  cli->add_option("PORT", flags->host_port, "That peer's port")->transform(number_in(1, 65535));
  cli->add_option("--port", flags->port, "Port to listen on (default 0: a free port, shown at start)")
      ->transform(number_in(0, 65535));
  cli->add_option("--bind", flags->bind, "Address to listen on (default 0.0.0.0; :: for IPv6)");
  cli->add_option("--connect", flags->connect, "Another peer to join through, HOST:PORT (repeatable)");
  cli->add_flag("--headless", flags->headless,
                "No terminal UI: stdin lines are messages, stdout shows 'name: text' and 'INFO: ...' lines");
  cli->add_option("--degree", flags->degree, "Neighbours to keep connected (default 3)")
      ->transform(number_in(1, 64));
  cli->add_option("--max-peers", flags->max_peers, "Neighbours accepted at most (default max(2*degree+2, 8))")
      ->transform(number_in(1, 1024));
  cli->add_option("--hop-limit", flags->hop_limit, "Hops a message travels at most (default 32)")
      ->transform(number_in(1, 255));
  cli->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error or off (default info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cli->add_option("--log-file", flags->log_file,
                  "Write logs to this file (the terminal UI shows none otherwise)");
  return Subcommand{cli, [flags] { return run_peer(*flags); }};
}

}  // namespace parley::app
