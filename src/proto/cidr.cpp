#include "proto/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace parley::proto {

namespace {

struct Address {
  bool v4 = false;
  std::array<std::uint8_t, 16> bytes{};
};

std::optional<Address> parse_address(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buffer[INET6_ADDRSTRLEN];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  Address a;
  if (::inet_pton(AF_INET, buffer, a.bytes.data()) == 1) {
    a.v4 = true;
    return a;
  }
  if (::inet_pton(AF_INET6, buffer, a.bytes.data()) == 1) return a;
  return std::nullopt;
}

// ::ffff:a.b.c.d -> a.b.c.d
void unmap_v4(Address& a) {
  static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (!a.v4 && std::memcmp(a.bytes.data(), kPrefix, sizeof kPrefix) == 0) {
    std::memmove(a.bytes.data(), a.bytes.data() + 12, 4);
    std::memset(a.bytes.data() + 4, 0, 12);
    a.v4 = true;
  }
}

bool prefix_equal(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                  unsigned bits) {
  const unsigned whole = bits / 8;
  if (std::memcmp(a.data(), b.data(), whole) != 0) return false;
  const unsigned rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto address = parse_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  const unsigned max_prefix = address->v4 ? 32 : 128;
  unsigned prefix = max_prefix;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc{} || end != digits.data() + digits.size() || prefix > max_prefix) return std::nullopt;
  }
  // "::ffff:192.0.2.0/120" is the IPv4 block 192.0.2.0/24: clients are matched unmapped.
  if (!address->v4 && prefix >= 96) {
    Address unmapped = *address;
    unmap_v4(unmapped);
    if (unmapped.v4) {
      *address = unmapped;
      prefix -= 96;
    }
  }
  const unsigned max_bits = address->v4 ? 32 : 128;
  Cidr cidr;
  cidr.v4_ = address->v4;
  cidr.prefix_ = static_cast<std::uint8_t>(prefix);
  cidr.bytes_ = address->bytes;
  // Host bits must be zero: compare with a copy masked to the prefix.
  std::array<std::uint8_t, 16> masked{};
  for (unsigned i = 0; i < max_bits / 8; ++i) {
    const unsigned bits_here = prefix >= (i + 1) * 8 ? 8 : (prefix > i * 8 ? prefix - i * 8 : 0);
    masked[i] = static_cast<std::uint8_t>(cidr.bytes_[i] & (bits_here ? 0xff << (8 - bits_here) : 0));
  }
  if (masked != cidr.bytes_) return std::nullopt;
  return cidr;
}

bool Cidr::contains(std::string_view address) const {
  auto a = parse_address(address);
  if (!a) return false;
  unmap_v4(*a);
  if (a->v4 != v4_) return false;
  return prefix_equal(a->bytes, bytes_, prefix_);
}

std::string Cidr::to_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(v4_ ? AF_INET : AF_INET6, bytes_.data(), buffer, sizeof buffer);
  return std::string(buffer) + "/" + std::to_string(prefix_);
}

bool CidrList::contains(std::string_view address) const {
  for (const Cidr& block : blocks_) {
    if (block.contains(address)) return true;
  }
  return false;
}

}  // namespace parley::proto
