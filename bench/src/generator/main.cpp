// parley-bench: an IRC load generator. See bench/README.md for the presets and how
// bench/compare drives it; `parley-bench --help` lists every flag.
#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "generator/load_generator.h"
#include "generator/options.h"
#include "generator/proc_stats.h"
#include "generator/server_process.h"

namespace pb = parley::bench;

namespace {

// Descriptors beyond the clients: epoll, stdio, the spawned server's pipe, slack.
constexpr std::uint64_t kSpareDescriptors = 64;
// How long a spawned server gets to exit after SIGTERM.
constexpr double kStopGraceSeconds = 5;

// The preset must be applied before the other flags are parsed, so that flags override it.
std::string find_preset(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg == "--preset" && i + 1 < argc) return argv[i + 1];
    if (arg.rfind("--preset=", 0) == 0) return arg.substr(9);
  }
  return "fanout";
}

void add_flags(CLI::App& app, pb::BenchOptions& o, std::string& mode) {
  app.add_option("--preset", o.preset, "Scenario (flags below override it):\n" + pb::preset_help());
  app.add_option("--label", o.label, "Server name for the report (e.g. parley, inspircd)");
  app.add_option("--host", o.host, "Server address (numeric IPv4)");
  app.add_option("--port", o.port, "Server port");
  app.add_option("--server-pid", o.server_pid, "Server process id, for CPU % and RSS from /proc");
  app.add_option("--port2", o.port2,
                 "A second server's port (same host), linked to the first: clients alternate between "
                 "them so every channel has members on both (the linked preset needs it)");
  app.add_option("--server-pid2", o.server_pid2, "The second server's process id (CPU and RSS are summed)");
  app.add_option("--clients", o.clients, "Clients to register");
  app.add_option("--channels", o.channels, "Channels (client i joins channel i % channels)");
  app.add_option("--senders", o.senders, "Senders (clients 0..S-1; sender s sends to channel s % channels)");
  app.add_option("--mode", mode, "window (bounded undelivered messages per sender) or rate")
      ->check(CLI::IsMember({"window", "rate"}));
  app.add_option("--window", o.window, "Undelivered messages allowed per sender");
  app.add_option("--rate", o.rate, "Messages per second per sender (rate mode)");
  app.add_option("--messages", o.messages, "Messages per sender (0 = until --duration ends)");
  app.add_option("--padding", o.padding, "Extra payload bytes per message");
  app.add_flag("--aligned", o.aligned,
               "Rate mode: all senders send at the same instants (bursts of one message per sender); "
               "by default sender i starts i/(senders*rate) s later, so sends are spread out");
  app.add_option("--sender-setup", o.sender_setup,
                 "A raw line each sender sends before JOIN, {nick} replaced (repeatable; e.g. OPER)");
  app.add_option("--duration", o.duration, "Measured traffic seconds");
  app.add_option("--warmup", o.warmup, "Unmeasured traffic seconds before that");
  app.add_option("--connect-timeout", o.connect_timeout, "Bound on the registration phase, seconds");
  app.add_option("--join-timeout", o.join_timeout, "Bound on the join phase, seconds");
  app.add_option("--drain-timeout", o.drain_timeout, "Bound on waiting for the last deliveries, seconds");
  app.add_option("--settle", o.settle, "Seconds between registration and the idle RSS reading");
  app.add_option("--hold", o.hold, "Seconds to hold idle clients after the RSS reading");
  app.add_option("--connect-batch", o.connect_batch, "Registrations in flight at once");
  app.add_option("--join-batch", o.join_batch, "Joins in flight at once");
  app.add_option("--source-ips", o.source_ips, "Spread clients over 127.0.0.1..N (0 = automatic)");
  app.add_option("--max-failures", o.max_failures, "Stop opening connections after this many failures");
  app.add_flag("--echo", o.echo,
               "Senders ask for echo-message; report the delay from send to the sender's own echo "
               "(echo_latency_us: with durable history, the acknowledgement)");
  app.add_flag("--tls", o.tls,
               "Clients speak TLS (OpenSSL, no certificate verification); tls-* presets set it");
  app.add_flag("--websocket", o.websocket,
               "Clients speak the IRCv3 WebSocket transport (HTTP Upgrade, one masked frame per line; "
               "with --tls, wss); ws-* presets set it. Point --port at the web listener, or spawn the "
               "server with --web-port 0: its 'listening for web clients' line is used");
  app.add_option("--ws-subprotocol", o.ws_subprotocol,
                 "WebSocket subprotocol to ask for: text (text.ircv3.net), binary (binary.ircv3.net, "
                 "binary frames) or none")
      ->check(CLI::IsMember({"text", "binary", "none"}));
  app.add_flag("--quickack", o.quickack,
               "Diagnostic: TCP_QUICKACK after every read, so a server without TCP_NODELAY never waits "
               "for our delayed ACKs");
  app.add_flag("--assert-clean", o.assert_clean,
               "Exit 1 unless every client registered and joined and every message arrived once, in order");
  app.add_flag("--quiet", o.quiet, "No progress on stderr");
  app.add_option("command", o.spawn,
                 "After --: a server command to start; its first stdout line must end with HOST:PORT "
                 "(with --tls or --websocket, the line of that listener: 'listening for IRC over TLS', "
                 "'web clients', 'web clients over TLS')");
}

std::optional<sockaddr_in> resolve(const std::string& host, std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) == 1) return addr;
  if (host == "localhost") {
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
  }
  return std::nullopt;
}

// Makes sure the generator can hold every client; returns false (after saying why) if not.
bool ensure_descriptors(pb::BenchOptions& o, std::uint32_t& limit_out) {
  const std::uint64_t wanted = o.clients + kSpareDescriptors;
  const std::uint64_t limit = pb::raise_descriptor_limit(wanted);
  limit_out = static_cast<std::uint32_t>(std::min<std::uint64_t>(limit, UINT32_MAX));
  if (limit >= wanted) return true;
  const std::uint64_t fit = limit > kSpareDescriptors ? limit - kSpareDescriptors : 0;
  std::fprintf(stderr,
               "parley-bench: %u clients need %llu file descriptors, but RLIMIT_NOFILE is %llu and this "
               "process may not raise it (raising the hard limit needs root with CAP_SYS_RESOURCE: "
               "`ulimit -Hn %llu` before starting, LimitNOFILE= in a systemd unit, or nofile in "
               "/etc/security/limits.conf). The server needs as many.\n",
               o.clients, static_cast<unsigned long long>(wanted), static_cast<unsigned long long>(limit),
               static_cast<unsigned long long>(wanted));
  if (o.preset != "scale") return false;
  std::fprintf(stderr, "parley-bench: scale: holding as many as the limit allows: %llu clients\n",
               static_cast<unsigned long long>(fit));
  o.clients = static_cast<std::uint32_t>(fit);
  return o.clients > 0;
}

}  // namespace

int main(int argc, char** argv) {
  pb::BenchOptions o;
  const std::string preset = find_preset(argc, argv);
  if (!pb::apply_preset(preset, o)) {
    std::fprintf(stderr, "parley-bench: unknown preset '%s'; one of:\n%s", preset.c_str(),
                 pb::preset_help().c_str());
    return 2;
  }
  CLI::App app{"parley-bench: IRC load generator (one JSON line on stdout, progress on stderr)"};
  std::string mode = o.mode == pb::SendMode::kWindow ? "window" : "rate";
  add_flags(app, o, mode);
  CLI11_PARSE(app, argc, argv);
  o.mode = mode == "rate" ? pb::SendMode::kRate : pb::SendMode::kWindow;
  if (o.channels == 0) o.senders = 0;
  std::signal(SIGPIPE, SIG_IGN);

  std::uint32_t limit = 0;
  if (!ensure_descriptors(o, limit)) return 2;

  pb::ServerProcess server;
  if (!o.spawn.empty()) {
    std::string error;
    if (!server.start(o.spawn, 15, pb::spawn_listen_line(o), error)) {
      std::fprintf(stderr, "parley-bench: cannot start the server: %s\n", error.c_str());
      return 2;
    }
    o.host = server.address().host;
    if (o.host == "0.0.0.0") o.host = "127.0.0.1";
    o.port = server.address().port;
    o.server_pid = server.pid();
  }
  const auto address = resolve(o.host, o.port);
  if (!address) {
    std::fprintf(stderr, "parley-bench: '%s' is not a numeric IPv4 address\n", o.host.c_str());
    return 2;
  }
  if (o.preset == "linked" && o.port2 == 0) {
    std::fprintf(stderr, "parley-bench: the linked preset needs --port2 (the second, linked server)\n");
    return 2;
  }
  std::vector<sockaddr_in> servers{*address};
  if (o.port2 != 0) servers.push_back(*resolve(o.host, o.port2));
  pb::RunReport report;
  {
    pb::LoadGenerator generator(o, servers, {o.server_pid, o.server_pid2});
    if (server.stdout_fd() >= 0) generator.drain_output_of_server(server.stdout_fd());
    report = generator.run();
  }
  report.descriptor_limit = limit;
  std::string target = o.host + ":" + std::to_string(o.port);
  if (o.port2 != 0) target += "," + o.host + ":" + std::to_string(o.port2);
  std::cout << pb::to_json(o, report, target) << std::endl;
  if (!o.spawn.empty()) {
    const int status = server.stop(kStopGraceSeconds);
    if (status == -1) {
      std::fprintf(stderr, "parley-bench: the server did not exit within %.0f s of SIGTERM; killed it\n",
                   kStopGraceSeconds);
    } else if (status != 0 && status != 128 + SIGTERM && !o.quiet) {
      std::fprintf(stderr, "parley-bench: the server exited with status %d\n", status);
    }
  }
  if (o.assert_clean && !report.clean(o)) {
    std::fprintf(stderr,
                 "parley-bench: FAILED: %llu lost, %llu out of order, %llu duplicated, %u/%u registered, "
                 "%u joined\n",
                 static_cast<unsigned long long>(report.loss.lost),
                 static_cast<unsigned long long>(report.loss.out_of_order),
                 static_cast<unsigned long long>(report.loss.duplicates), report.registered, o.clients,
                 report.joined);
    return 1;
  }
  return 0;
}
