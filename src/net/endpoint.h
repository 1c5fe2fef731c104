// Textual forms of addresses, as shown to users and operators.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace parley::net {

// "192.0.2.1", "2001:db8::1"; an IPv4-mapped IPv6 address (from a dual-stack listener) is
// shown as the IPv4 address it carries.
std::string address_to_string(const boost::asio::ip::address& address);
// "192.0.2.1:6667", "[2001:db8::1]:6667".
std::string endpoint_to_string(const boost::asio::ip::tcp::endpoint& endpoint);
// Parses a numeric IPv4 or IPv6 address (no host names); nullopt if it is not one.
std::optional<boost::asio::ip::address> parse_address(std::string_view text);

}  // namespace parley::net
