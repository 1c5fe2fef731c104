// SCRAM-SHA-256 (RFC 5802, RFC 7677) key arithmetic, for both ends. Message syntax lives in
// proto/sasl.h; this file only derives keys and proofs.
//
// Passwords are used as given (UTF-8 bytes): SASLprep is not applied, which is the same for
// every ASCII password and is what the server and `parley chat` both do, so they always agree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/crypto.h"

namespace parley::crypto {

// What a server stores for one account: never the password, never anything that logs in alone.
struct ScramCredentials {
  std::string salt;  // raw bytes
  std::uint32_t iterations = 0;
  Digest stored_key{};  // H(ClientKey)
  Digest server_key{};  // HMAC(SaltedPassword, "Server Key")
  bool empty() const { return iterations == 0; }
};

// The keys a client derives from its password and the server's salt and iteration count.
struct ScramClientKeys {
  Digest client_key{};
  Digest server_key{};
};

// Default iteration count for new credentials (RFC 7677 asks for at least 4096).
inline constexpr std::uint32_t kScramIterations = 4096;

// The slow part (PBKDF2): run it off the engine thread.
ScramCredentials derive_scram_credentials(std::string_view password, std::string_view salt,
                                          std::uint32_t iterations);
ScramClientKeys derive_scram_client_keys(std::string_view password, std::string_view salt,
                                         std::uint32_t iterations);

// ClientProof = ClientKey XOR HMAC(H(ClientKey), AuthMessage), as raw bytes.
std::string scram_client_proof(const ScramClientKeys& keys, std::string_view auth_message);
// Whether `proof` (raw bytes) proves knowledge of the password behind `credentials` for this
// exchange. Constant time in the proof's content.
bool scram_verify_proof(const ScramCredentials& credentials, std::string_view auth_message,
                        std::string_view proof);
// ServerSignature = HMAC(ServerKey, AuthMessage), raw bytes: what the server sends as v=.
std::string scram_server_signature(const Digest& server_key, std::string_view auth_message);

}  // namespace parley::crypto
