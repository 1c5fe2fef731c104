// Cloaked hosts: what other users see instead of a client's IP address (docs/operations.md
// "Cloaks"). A pure function of a server secret and the address; no I/O, no state.
//
// An address becomes three hash segments and a suffix, most specific first, so that one ban
// can still cover a network without anyone learning the address:
//   IPv4 a.b.c.d   H(a.b.c.d/32).H(a.b.c/24).H(a.b/16).<suffix>
//   IPv6           H(/128).H(/64).H(/48).<suffix>      (IPv4-mapped IPv6 counts as IPv4)
//   anything else  H(text).<suffix>                     (not an address: one segment)
// "*!*@*.H24.H16.ip" bans a /24 and "*!*@*.H16.ip" a /16. Each segment is the HMAC-SHA-256 of
// the network (family, prefix length and masked address bytes) under the secret, its first
// 40 bits written as 8 base32 characters (a-z, 2-7). The same secret always gives the same cloak;
// another secret gives unrelated ones, and the address cannot be read back from a cloak.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace parley::core {

inline constexpr std::size_t kMaxCloakSuffix = 32;  // 3 x 9 + 32 <= HOSTLEN (64)

// The cloak of `ip` (textual, as inet_ntop writes it; a leading "0" before "::" is accepted)
// under `secret`, ending in ".<suffix>". `suffix` must satisfy is_valid_cloak_suffix().
std::string cloak_host(std::string_view secret, std::string_view ip, std::string_view suffix);

// 1 to kMaxCloakSuffix letters, digits, '-' and '.', starting and ending with a letter or digit
// and without "..": a cloak ending in it is a valid IRC host.
bool is_valid_cloak_suffix(std::string_view suffix);

}  // namespace parley::core
