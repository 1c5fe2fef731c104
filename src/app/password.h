// Password hashing with libsodium's crypto_pwhash_str (Argon2id), for the server password and
// operator blocks. Hashes are the self-describing strings `parley mkpasswd` prints.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/engine.h"

namespace parley::app {

// Initialises libsodium once per process (idempotent, thread-safe). Returns false if the library
// cannot be used, which is fatal for anything that hashes.
bool init_sodium();

// Whether `hash` has the shape of a crypto_pwhash_str result ("$argon2id$v=19$m=...").
bool looks_like_password_hash(std::string_view hash);

// crypto_pwhash_str with the interactive limits; nullopt if hashing failed (out of memory).
std::optional<std::string> hash_password(std::string_view password);

// The production core::PasswordVerifier: crypto_pwhash_str_verify. A malformed hash never
// verifies. Each call costs the hash's work factor (tens of milliseconds, on the engine thread).
class SodiumPasswordVerifier final : public core::PasswordVerifier {
 public:
  SodiumPasswordVerifier();  // calls init_sodium()
  bool verify(std::string_view hash, std::string_view password) const override;
};

}  // namespace parley::app
