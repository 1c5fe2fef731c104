// The real client behind a reverse proxy: the address (and whether it used https) that the
// X-Forwarded-For / X-Forwarded-Proto or Forwarded (RFC 7239) headers name, believed only when
// the peer that sent them is a trusted proxy. Pure functions, no I/O.
//
// Chains are read from the right: each trusted hop's left neighbour is where the request came
// from, so the client is the rightmost address that is not itself a trusted proxy. A header a
// client wrote itself (the leftmost entries) is therefore never believed past an untrusted hop.
// When both headers are present, Forwarded wins. Anything unparseable leaves the peer as it was.
#pragma once

#include <string>
#include <string_view>

#include "proto/cidr.h"

namespace parley::web {

struct ClientOrigin {
  std::string ip;       // canonical text form
  bool secure = false;  // the client's own connection was https (a trusted proxy said so)
  bool forwarded = false;
};

// `peer`: the TCP peer's address (canonical text). `forwarded`, `x_forwarded_for`,
// `x_forwarded_proto`: the header values as received (empty when absent; repeated headers joined
// with ", "). `peer_secure`: the connection itself is TLS.
ClientOrigin client_origin(std::string_view peer, bool peer_secure, std::string_view forwarded,
                           std::string_view x_forwarded_for, std::string_view x_forwarded_proto,
                           const proto::CidrList& trusted);

// An IP address in canonical text form ("2001:db8::1", "192.0.2.1"; an IPv4-mapped IPv6 address
// becomes IPv4), or empty when `text` is not one. Accepts "[v6]" and "v4:port"/"[v6]:port" forms.
std::string canonical_address(std::string_view text);

}  // namespace parley::web
