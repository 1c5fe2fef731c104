// The SERVER argument of `parley chat`: [irc://|ircs://]HOST[:PORT], with IPv6 literals in
// brackets ("[::1]:6667"; a bare "::1" is a host without a port). Checked before anything
// connects, so a mistyped port is an error at start rather than a wrapped number or an endless
// retry. Pure: no resolving, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace parley::client {

struct ServerAddress {
  std::string host;        // without brackets
  std::uint16_t port = 0;  // 1..65535
  bool tls = false;        // ircs:// was given

  // "host:port", "[v6]:port": for messages that name where we connect.
  std::string text() const;
};

// Parses `target`; the port defaults to 6697 with ircs:// or `tls`, else 6667. On error: a
// sentence naming what is wrong ("the port must be a number from 1 to 65535, not 99999").
std::variant<ServerAddress, std::string> parse_server_address(std::string_view target, bool tls);

}  // namespace parley::client
