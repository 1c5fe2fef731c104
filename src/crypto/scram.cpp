#include "crypto/scram.h"

namespace parley::crypto {

namespace {
struct SaltedKeys {
  Digest client_key, server_key;
};

SaltedKeys salted_keys(std::string_view password, std::string_view salt, std::uint32_t iterations) {
  const Digest salted = pbkdf2_sha256(password, salt, iterations);
  return {hmac_sha256(as_view(salted), "Client Key"), hmac_sha256(as_view(salted), "Server Key")};
}

std::string xor_bytes(const Digest& a, const Digest& b) {
  std::string out(a.size(), '\0');
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}
}  // namespace

ScramCredentials derive_scram_credentials(std::string_view password, std::string_view salt,
                                          std::uint32_t iterations) {
  const SaltedKeys keys = salted_keys(password, salt, iterations);
  return {std::string(salt), iterations, sha256(as_view(keys.client_key)), keys.server_key};
}

ScramClientKeys derive_scram_client_keys(std::string_view password, std::string_view salt,
                                         std::uint32_t iterations) {
  const SaltedKeys keys = salted_keys(password, salt, iterations);
  return {keys.client_key, keys.server_key};
}

std::string scram_client_proof(const ScramClientKeys& keys, std::string_view auth_message) {
  const Digest stored_key = sha256(as_view(keys.client_key));
  return xor_bytes(keys.client_key, hmac_sha256(as_view(stored_key), auth_message));
}

bool scram_verify_proof(const ScramCredentials& credentials, std::string_view auth_message,
                        std::string_view proof) {
  if (credentials.empty() || proof.size() != Digest{}.size()) return false;
  const Digest signature = hmac_sha256(as_view(credentials.stored_key), auth_message);
  Digest client_key{};
  for (std::size_t i = 0; i < client_key.size(); ++i)
    client_key[i] = static_cast<std::uint8_t>(proof[i]) ^ signature[i];
  return equal_constant_time(as_view(sha256(as_view(client_key))), as_view(credentials.stored_key));
}

std::string scram_server_signature(const Digest& server_key, std::string_view auth_message) {
  return std::string(as_view(hmac_sha256(as_view(server_key), auth_message)));
}

}  // namespace parley::crypto
