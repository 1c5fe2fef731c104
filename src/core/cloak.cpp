#include "core/cloak.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "crypto/crypto.h"

namespace parley::core {

namespace {

// 8 base32 characters (RFC 4648 alphabet, lowercase) from the first 5 bytes of `d`.
std::string segment(const crypto::Digest& d) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::uint64_t bits = 0;
  for (int i = 0; i < 5; ++i) bits = (bits << 8) | d[i];
  std::string out(8, ' ');
  for (int i = 7; i >= 0; --i) {
    out[i] = kAlphabet[bits & 31];
    bits >>= 5;
  }
  return out;
}

// H(network): the address family, the prefix length and the address with the bits past the
// prefix cleared, so every address of one network hashes alike and no two networks collide.
std::string network_segment(std::string_view secret, char family, const std::uint8_t* addr, std::size_t bytes,
                            unsigned prefix_bits) {
  std::string input;
  input += family;
  input += static_cast<char>(prefix_bits);
  for (std::size_t i = 0; i < bytes; ++i) {
    unsigned keep = prefix_bits >= 8 * (i + 1) ? 8 : prefix_bits > 8 * i ? prefix_bits - 8 * i : 0;
    std::uint8_t mask = keep == 0 ? 0 : static_cast<std::uint8_t>(0xff << (8 - keep));
    input += static_cast<char>(addr[i] & mask);
  }
  return segment(crypto::hmac_sha256(secret, input));
}

}  // namespace

std::string cloak_host(std::string_view secret, std::string_view ip, std::string_view suffix) {
  if (ip.size() > 2 && ip[0] == '0' && ip[1] == ':' && ip[2] == ':') ip.remove_prefix(1);
  std::string text(ip);
  std::array<std::uint8_t, 16> v6{};
  std::array<std::uint8_t, 4> v4{};
  bool is_v4 = ::inet_pton(AF_INET, text.c_str(), v4.data()) == 1;
  if (!is_v4 && ::inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) {
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(v6.begin(), v6.begin() + 12, kMapped)) {
      is_v4 = true;
      std::copy(v6.begin() + 12, v6.end(), v4.begin());
    } else {
      return network_segment(secret, '6', v6.data(), 16, 128) + "." +
             network_segment(secret, '6', v6.data(), 16, 64) + "." +
             network_segment(secret, '6', v6.data(), 16, 48) + "." + std::string(suffix);
    }
  }
  if (is_v4) {
    return network_segment(secret, '4', v4.data(), 4, 32) + "." +
           network_segment(secret, '4', v4.data(), 4, 24) + "." +
           network_segment(secret, '4', v4.data(), 4, 16) + "." + std::string(suffix);
  }
  return segment(crypto::hmac_sha256(secret, "t" + text)) + "." + std::string(suffix);
}

bool is_valid_cloak_suffix(std::string_view suffix) {
  if (suffix.empty() || suffix.size() > kMaxCloakSuffix) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(suffix.front()) || !alnum(suffix.back())) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    char c = suffix[i];
    if (!alnum(c) && c != '-' && c != '.') return false;
    if (c == '.' && suffix[i + 1] == '.') return false;
  }
  return true;
}

}  // namespace parley::core
