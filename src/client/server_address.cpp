#include "client/server_address.h"

#include <charconv>

namespace parley::client {

std::string ServerAddress::text() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::variant<ServerAddress, std::string> parse_server_address(std::string_view target, bool tls) {
  const std::string quoted = "\"" + std::string(target) + "\"";
  ServerAddress out;
  std::string_view rest = target;
  if (rest.starts_with("ircs://")) {
    out.tls = true;
    rest.remove_prefix(7);
  } else if (rest.starts_with("irc://")) {
    rest.remove_prefix(6);
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::string_view host = rest, port;
  bool has_port = false;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return quoted + " has '[' without ']' (IPv6: [::1]:6667)";
    host = rest.substr(1, close - 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty() && after[0] != ':')
      return quoted + ": after ']' only :PORT may follow, not \"" + std::string(after) + "\"";
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
  } else if (const auto colon = rest.find(':');
             colon != std::string_view::npos && rest.find(':', colon + 1) == std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    has_port = true;
  }
  if (host.empty()) return quoted + " has no host: give HOST[:PORT], for example 127.0.0.1:6667";
  out.host = std::string(host);
  out.tls = out.tls || tls;
  if (!has_port) {
    out.port = out.tls ? 6697 : 6667;
    return out;
  }
  unsigned value = 0;
  const auto r = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || r.ec != std::errc{} || r.ptr != port.data() + port.size() || value < 1 || value > 65535)
    return quoted + ": the port must be a number from 1 to 65535, not \"" + std::string(port) + "\"";
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

}  // namespace parley::client
