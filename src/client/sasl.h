// The client side of SASL for `parley chat` (IRCv3 sasl-3.1): mechanism choice, PLAIN, and the
// SCRAM-SHA-256 conversation (RFC 5802, RFC 7677) as a small state machine over the decoded
// messages. The key arithmetic is crypto/scram.h; this file parses and builds the messages.
// No I/O: the nonce is given, the caller does the AUTHENTICATE framing and base64.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/scram.h"

namespace parley::client {

// The mechanism to use from the `sasl` capability's value ("PLAIN,SCRAM-SHA-256"; empty when the
// server gave none): SCRAM-SHA-256 when offered, else PLAIN when offered and `plain_allowed`.
// An empty value means "not announced": SCRAM-SHA-256 is tried. Empty result: nothing usable.
std::string choose_sasl_mechanism(std::string_view offered, bool plain_allowed);

// "\0user\0password", the PLAIN message (RFC 4616), before base64.
std::string sasl_plain_message(std::string_view user, std::string_view password);

// One SCRAM-SHA-256 login. Call client_first(), then client_final() with the server's first
// message, then verify_server_final() with its last. Any failure is final; error() says why.
class ScramClient {
 public:
  // Refused iteration counts: below RFC 7677's 4096 would be weak, above this a hostile server
  // makes the client spin.
  static constexpr std::uint32_t kMaxIterations = 1'000'000;

  ScramClient(std::string user, std::string password, std::string nonce);

  std::string client_first() const;  // "n,,n=<user>,r=<nonce>"
  // From "r=<nonce>,s=<salt>,i=<n>": "c=biws,r=<nonce>,p=<proof>"; nullopt on a malformed
  // message, a nonce that does not extend ours, or an unacceptable iteration count.
  std::optional<std::string> client_final(std::string_view server_first);
  // "v=<signature>": true when it proves the server knows our password's keys.
  bool verify_server_final(std::string_view server_final);

  const std::string& error() const { return error_; }

 private:
  std::string user_, password_, nonce_;
  std::string auth_message_;
  crypto::ScramClientKeys keys_{};
  std::string error_;
};

}  // namespace parley::client
