// Cryptographic primitives Parley uses, as pure functions over bytes (OpenSSL's libcrypto
// underneath): SHA-256, SHA-1 (for the WebSocket handshake only), HMAC-SHA-256,
// PBKDF2-HMAC-SHA-256, a comparison whose time does not depend on where two values differ, hex
// and base64. No I/O, no global state beyond OpenSSL's own; safe to call from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::crypto {

using Digest = std::array<std::uint8_t, 32>;  // a SHA-256 / HMAC-SHA-256 output

Digest sha256(std::string_view data);
// SHA-1, 20 raw bytes. Only for protocols that name it where no secret depends on it (the
// WebSocket handshake's Sec-WebSocket-Accept); never for passwords or signatures.
std::string sha1(std::string_view data);
Digest hmac_sha256(std::string_view key, std::string_view data);
// PBKDF2 with HMAC-SHA-256 and one 32-byte output block (SCRAM's Hi()). iterations >= 1.
Digest pbkdf2_sha256(std::string_view password, std::string_view salt, std::uint32_t iterations);

// Compares in time that depends only on the lengths (and says false at once for different
// lengths: lengths here are public, e.g. digests or fixed-size proofs).
bool equal_constant_time(std::string_view a, std::string_view b);

inline std::string_view as_view(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}
// `n` bytes from OpenSSL's CSPRNG (seeded by the kernel). Throws std::runtime_error if it fails.
std::string random_bytes(std::size_t n);

// Lowercase hexadecimal, two digits a byte.
std::string to_hex(std::string_view bytes);
inline std::string to_hex(const Digest& d) { return to_hex(as_view(d)); }

// RFC 4648 base64 with padding.
std::string base64_encode(std::string_view bytes);
// Strict: only the standard alphabet, padding required to a multiple of 4, no whitespace, and
// the unused bits of the last group must be zero. nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace parley::crypto
