// `parley simple-client NAME HOST PORT`: the seed-001 line client (docs/protocol.md "Simple").
// simple::LineClient decides what to print and send; this file is its I/O: a bounded connect
// (net/dial.h) and a poll() loop over stdin and the socket. poll() rather than Asio because
// stdin may be a terminal, a pipe, a regular file or /dev/null, and only poll() waits on all of
// them without changing the descriptor's flags. Only the client's screen goes to stdout; diagnostics go to
// stderr.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "app/commands.h"
#include "app/posix_io.h"
#include "net/dial.h"
#include "simple/line_client.h"

namespace parley::app {

namespace {

struct SimpleClientFlags {
  std::string name, host, port;
};

// A connected TCP socket to host:port (any address family), or -1 with the reason on stderr.
// Bounded (net::kDialTimeout per address): an address that drops packets is not waited on for
// minutes.
int connect_to(const std::string& host, const std::string& port) {
  net::DialResult dialed = net::dial_blocking(host, port);
  if (dialed.fd < 0) std::cerr << "parley simple-client: " << dialed.error << std::endl;
  return dialed.fd;
}

int run_simple_client(const SimpleClientFlags& flags) {
  std::signal(SIGPIPE, SIG_IGN);
  simple::LineClient client(flags.name, flags.host, flags.port);
  const int sock = connect_to(flags.host, flags.port);
  auto emit = [&](const simple::Output& out) {
    if (!out.screen.empty()) write_all(STDOUT_FILENO, out.screen, false);
    return out.wire.empty() || write_all(sock, out.wire, true);
  };
  if (sock < 0) {
    const auto out = client.connect_failed();
    write_all(STDOUT_FILENO, out.screen, false);
    return out.exit_code;
  }
  bool stdin_open = true;
  bool ok = emit(client.connected());
  char buffer[16 * 1024];
  while (ok) {
    pollfd fds[2] = {{sock, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    if (::poll(fds, stdin_open ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      std::cerr << "parley simple-client: poll: " << std::strerror(errno) << std::endl;
      break;
    }
    if (fds[0].revents) {
      const ssize_t n = ::recv(sock, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      ok = emit(client.server(std::string_view(buffer, static_cast<std::size_t>(n))));
    }
    if (ok && stdin_open && fds[1].revents) {
      const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        stdin_open = false;
        ok = emit(client.keyboard_end());
      } else {
        ok = emit(client.keyboard(std::string_view(buffer, static_cast<std::size_t>(n))));
      }
    }
  }
  const auto out = client.server_end();
  write_all(STDOUT_FILENO, out.screen, false);
  ::close(sock);
  return out.exit_code;
}

}  // namespace

Subcommand add_simple_client_command(CLI::App& parent) {
  auto flags = std::make_shared<SimpleClientFlags>();
  CLI::App* cli =
      parent.add_subcommand("simple-client", "Chat with a simple-protocol server (parley simple-server)");
  cli->add_option("NAME", flags->name, "Your name in the chat")->required();
  cli->add_option("HOST", flags->host, "Server host name or address")->required();
  // Decimal only: CLI::Range would read "010" as octal, and the port is echoed as typed.
  auto decimal_port = CLI::Validator(
      [](std::string& text) -> std::string {
        unsigned long value = 0;
        bool digits = !text.empty() && text.size() <= 10 &&
                      text.find_first_not_of("0123456789") == std::string::npos;
        if (digits) value = std::stoul(text);
        return digits && value >= 1 && value <= 65535 ? std::string{} : "PORT must be a number from 1 to 65535";
      },
      "PORT");
  cli->add_option("PORT", flags->port, "Server TCP port")->required()->check(decimal_port);
  return Subcommand{cli, [flags] { return run_simple_client(*flags); }};
}

}  // namespace parley::app
