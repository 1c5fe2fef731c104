// The server's configuration file (TOML): schema, defaults and validation. The schema and every
// limit are documented in docs/operations.md; keep the two in step.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "server/options.h"

namespace parley::app {

// One thing wrong with a configuration. `line` is 1-based; 0 when no line applies (e.g. the file
// cannot be read, or the problem is with a command-line flag).
struct ConfigProblem {
  std::size_t line = 0;
  std::string message;
};

struct LoadedConfig {
  server::ServerOptions options;
  std::vector<ConfigProblem> problems;  // in file order; empty when the file is valid
  bool ok() const { return problems.empty(); }
};

// The embedded default: a working public server, IRC on 0.0.0.0:6667 and IRC over TLS on
// 0.0.0.0:6697, data directory "parley-data", with the built-in limits.
server::ServerOptions default_server_options();

// Reads the TOML file at `path` over `base` (keys absent from the file keep their values in
// `base`). Collects every problem instead of stopping at the first: unknown sections and keys,
// wrong types, out-of-range values, bad addresses and hashes, unreadable motd_file. A relative
// motd_file is resolved against the directory of `path`.
LoadedConfig load_server_config(const std::string& path, server::ServerOptions base);

// "FILE:LINE: message", or "FILE: message" when the problem has no line.
std::string format_problem(const std::string& path, const ConfigProblem& problem);

// Validators shared with the command-line flags. Each returns an empty string when `value` is
// acceptable, else what is wrong with it.
std::string check_server_name(const std::string& value);
std::string check_bind_address(const std::string& value);
// The simple-protocol front door cannot serve a password-protected server (it has no PASS).
std::string check_simple_door(const server::ServerOptions& options);

// How --bind and server.bind shape the listener list: every listener gets the address.
void set_listener_bind(std::vector<server::ListenerOptions>& listeners, const std::string& bind);
// How --port, --tls-port, --simple-port, --web-port (and server.port, server.simple_port) shape it: the
// first listener of that protocol and TLS-ness gets the port; without one, one is added (at the
// first listener's address).
void set_listener_port(std::vector<server::ListenerOptions>& listeners, server::Protocol protocol, bool tls,
                       std::uint16_t port);

}  // namespace parley::app
