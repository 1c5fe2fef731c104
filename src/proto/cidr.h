// Address blocks in CIDR notation ("192.0.2.0/24", "2001:db8::/32", or a plain address, which
// means the single address), as used by the operator's exempt list. Pure functions, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::proto {

class Cidr {
 public:
  // Parses "ADDR" or "ADDR/PREFIX". IPv4 prefixes are 0..32, IPv6 0..128; bits of the address
  // beyond the prefix must be zero ("10.0.0.1/8" is refused as a likely typo). nullopt if invalid.
  static std::optional<Cidr> parse(std::string_view text);

  // Whether `address` (textual IPv4 or IPv6) lies in the block. An IPv4-mapped IPv6 address
  // ("::ffff:192.0.2.1") matches IPv4 blocks. Unparseable text matches nothing.
  bool contains(std::string_view address) const;

  bool is_v4() const { return v4_; }
  unsigned prefix_length() const { return prefix_; }
  std::string to_string() const;

 private:
  bool v4_ = false;
  std::uint8_t prefix_ = 0;
  std::array<std::uint8_t, 16> bytes_{};  // IPv4 uses the first 4
};

// A set of blocks; `contains` is true if any block contains the address.
class CidrList {
 public:
  CidrList() = default;
  explicit CidrList(std::vector<Cidr> blocks) : blocks_(std::move(blocks)) {}
  bool contains(std::string_view address) const;
  bool empty() const { return blocks_.empty(); }
  const std::vector<Cidr>& blocks() const { return blocks_; }

 private:
  std::vector<Cidr> blocks_;
};

}  // namespace parley::proto
