#include "crypto/password.h"

#include <sodium.h>

#include <cstring>

namespace parley::crypto {

bool init_sodium() {
  static const bool ok = ::sodium_init() >= 0;
  return ok;
}

bool looks_like_password_hash(std::string_view hash) {
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  return hash.starts_with("$argon2id$v=") || hash.starts_with("$argon2i$v=");
}

std::optional<std::string> hash_password(std::string_view password) {
  if (!init_sodium()) return std::nullopt;
  char out[crypto_pwhash_STRBYTES];
  if (::crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return std::nullopt;
  }
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  if (!init_sodium() || !looks_like_password_hash(hash)) return false;
  char stored[crypto_pwhash_STRBYTES] = {};
  std::memcpy(stored, hash.data(), hash.size());  // crypto_pwhash_str_verify wants a C string
  return ::crypto_pwhash_str_verify(stored, password.data(), password.size()) == 0;
}

}  // namespace parley::crypto
