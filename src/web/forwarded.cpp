#include "web/forwarded.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <vector>

#include "web/header_text.h"

namespace parley::web {
namespace {

struct Hop {
  std::string ip;  // empty: not an address ("unknown", an obfuscated identifier, garbage)
  std::string_view proto;
};

// Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"
std::vector<Hop> forwarded_hops(std::string_view header) {
  std::vector<Hop> hops;
  any_item(header, ',', [&](std::string_view element) {
    Hop hop;
    any_item(element, ';', [&](std::string_view pair) {
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos) return false;
      const std::string_view name = trim_ows(pair.substr(0, eq));
      std::string_view value = trim_ows(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      if (iequals(name, "for")) hop.ip = canonical_address(value);
      if (iequals(name, "proto")) hop.proto = value;
      return false;
    });
    hops.push_back(std::move(hop));
    return false;
  });
  return hops;
}

std::vector<Hop> x_forwarded_hops(std::string_view header, std::string_view proto) {
  std::vector<Hop> hops;
  any_item(header, ',', [&](std::string_view entry) {
    hops.push_back({canonical_address(entry), {}});
    return false;
  });
  // X-Forwarded-Proto describes the client's connection to the first proxy.
  if (!hops.empty()) hops.front().proto = trim_ows(proto.substr(0, proto.find(',')));
  return hops;
}

}  // namespace

std::string canonical_address(std::string_view text) {
  text = trim_ows(text);
  if (text.empty()) return {};
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return {};
    text = text.substr(1, close - 1);
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    text = text.substr(0, text.find(':'));  // v4:port
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return {};
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  return address.to_string();
}

ClientOrigin client_origin(std::string_view peer, bool peer_secure, std::string_view forwarded,
                           std::string_view x_forwarded_for, std::string_view x_forwarded_proto,
                           const proto::CidrList& trusted) {
  ClientOrigin origin{std::string(peer), peer_secure, false};
  if (trusted.empty() || !trusted.contains(peer)) return origin;
  std::vector<Hop> hops = !trim_ows(forwarded).empty() ? forwarded_hops(forwarded)
                          : !trim_ows(x_forwarded_for).empty()
                              ? x_forwarded_hops(x_forwarded_for, x_forwarded_proto)
                              : std::vector<Hop>{};
  // Walk from the proxy nearest to us towards the client.
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    if (hop->ip.empty()) return origin;  // an unreadable hop: believe nothing past it
    origin.ip = hop->ip;
    origin.secure = iequals(hop->proto, "https") || iequals(hop->proto, "wss");
    origin.forwarded = true;
    if (!trusted.contains(hop->ip)) break;
  }
  return origin;
}

}  // namespace parley::web
