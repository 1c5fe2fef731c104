// Deployment settings of the IRC server: the engine's configuration plus what the transport needs.
// Filled by the app layer from built-in defaults, the TOML file and the command line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/config.h"
#include "server/cidr.h"

namespace parley::server {

struct ServerOptions {
  core::EngineConfig engine;
  // Where data outlives the process (app/data_dir.h): the account database (parley.db), the
  // generated TLS certificate and the cloak secret. Empty: nothing is kept (an in-memory store,
  // a certificate and secret made at start) -- for tests and throwaway servers.
  std::string data_dir;
  std::string bind = "0.0.0.0";  // numeric IPv4 or IPv6 address
  std::uint16_t port = 6667;     // 0 = any free port
  // Worker threads for password hashing and account store calls (server/account_service.h).
  std::size_t account_threads = 2;
  // Bytes queued for one client and not yet accepted by its socket; past it: "SendQ exceeded".
  std::size_t sendq_bytes = 1 << 20;
  // Longest line accepted from a client (512 bytes of IRC + 8191 of message tags); a longer
  // line is discarded and answered with ERR_INPUTTOOLONG.
  std::size_t recvq_bytes = 512 + 8191;
  // Clients from these blocks skip flood control and the per-IP connection limit.
  CidrList exempt;
  // Clients from these blocks skip only the per-IP limit. Default: loopback, where web gateways,
  // bouncers and bots on the same machine connect from (as Ergo's default configuration does).
  CidrList per_ip_exempt = loopback();
  // The simple-protocol front door (docs/protocol.md "Simple"): listening port, none when unset.
  std::optional<std::uint16_t> simple_port;
  // Simple clients from these blocks (or from `exempt`) skip flood control and the per-IP
  // limit. Default: loopback, where the course protocol's test clients run.
  CidrList simple_exempt = loopback();

  static CidrList loopback() { return CidrList({*Cidr::parse("127.0.0.0/8"), *Cidr::parse("::1/128")}); }
};

}  // namespace parley::server
