// Password hashing with libsodium's crypto_pwhash_str (Argon2id): the server password, operator
// blocks and account passwords. Hashes are the self-describing strings `parley mkpasswd` prints.
//
// Thread: safe from any thread. Each hash or verification costs the hash's work factor (tens of
// milliseconds and 64 MiB): never call them on the engine's thread (server/account_service.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::crypto {

// Initialises libsodium once per process (idempotent, thread-safe). Returns false if the library
// cannot be used, which is fatal for anything that hashes.
bool init_sodium();

// Whether `hash` has the shape of a crypto_pwhash_str result ("$argon2id$v=19$m=...").
bool looks_like_password_hash(std::string_view hash);

// crypto_pwhash_str with the interactive limits; nullopt if hashing failed (out of memory).
std::optional<std::string> hash_password(std::string_view password);

// crypto_pwhash_str_verify. A malformed hash never verifies.
bool verify_password(std::string_view hash, std::string_view password);

}  // namespace parley::crypto
