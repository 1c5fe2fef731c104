#include "net/endpoint.h"

#include <string>

namespace parley::net {

std::string address_to_string(const boost::asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

std::string endpoint_to_string(const boost::asio::ip::tcp::endpoint& endpoint) {
  const auto& address = endpoint.address();
  std::string text = address.is_v6() && !address.to_v6().is_v4_mapped() ? "[" + address.to_string() + "]"
                                                                        : address_to_string(address);
  return text + ":" + std::to_string(endpoint.port());
}

std::optional<boost::asio::ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return address;
}

}  // namespace parley::net
