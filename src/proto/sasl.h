// SASL over IRC (IRCv3 sasl-3.1/3.2): the AUTHENTICATE chunking, and the client messages of
// the PLAIN (RFC 4616) and SCRAM-SHA-256 (RFC 5802, RFC 7677) mechanisms, with the server's
// SCRAM messages. docs/protocol.md "SASL".
//
// Pure functions and one small reassembly buffer; no I/O, no crypto (base64 decoding and the
// SCRAM key arithmetic live in crypto/). Every parser has limits and refuses what it does not
// understand rather than guessing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::proto::sasl {

// One AUTHENTICATE parameter carries at most this many bytes of base64; a chunk of exactly
// this size means more follows ("+" ends a message whose length is a multiple of it).
inline constexpr std::size_t kChunkBytes = 400;
// The most base64 one SASL message may take in all (ten chunks): more than any PLAIN or SCRAM
// message with names and passwords within Parley's limits, small enough that a client cannot
// make the server hold much.
inline constexpr std::size_t kMaxMessageBytes = 4000;

// Reassembles one client SASL message from AUTHENTICATE parameters.
class ChunkBuffer {
 public:
  enum class Status {
    kNeedMore,        // a full 400-byte chunk: wait for the next one
    kComplete,        // the message is whole: take() it
    kChunkTooLong,    // a parameter over kChunkBytes (ERR_SASLTOOLONG); the buffer is emptied
    kMessageTooLong,  // the whole message over kMaxMessageBytes; the buffer is emptied
  };
  // Adds one AUTHENTICATE parameter ("+" stands for nothing). After kComplete, take() before the
  // next add().
  Status add(std::string_view chunk);
  // The complete message, still base64 (empty for a message sent as a single "+"); empties the
  // buffer.
  std::string take();
  std::size_t buffered() const { return data_.size(); }
  void clear() { data_.clear(); }

 private:
  std::string data_;
};

// RFC 4616: authzid NUL authcid NUL passwd. authcid and passwd must be non-empty; no field may
// contain NUL beyond the two separators.
struct PlainMessage {
  std::string_view authzid;  // empty: same as authcid
  std::string_view authcid;
  std::string_view password;
};
std::optional<PlainMessage> parse_plain(std::string_view decoded);

// SCRAM client-first-message: gs2-header "n,," or "y,," (optionally "n,a=authzid,"), then the
// client-first-message-bare "n=user,r=nonce[,extensions]". Channel binding ("p=") is refused:
// Parley offers no SCRAM-SHA-256-PLUS.
struct ScramClientFirst {
  std::string gs2_header;  // "n,," / "y,," / "n,a=...,", as sent (c= must echo it base64'd)
  std::string authzid;     // unescaped; empty if none
  std::string username;    // unescaped (=2C -> ',', =3D -> '=')
  std::string nonce;       // printable ASCII except ','
  std::string bare;        // client-first-message-bare, as sent (part of the AuthMessage)
};
enum class ScramError {
  kMalformed,          // not the message the grammar asks for
  kChannelBinding,     // the client asked for channel binding ("p=")
  kBadUsername,        // "=" not followed by 2C or 3D, or an empty name
  kExtensionRequired,  // "m=" mandatory extension (RFC 5802 says fail)
};
struct ScramFirstResult {
  std::optional<ScramClientFirst> message;
  ScramError error = ScramError::kMalformed;
};
ScramFirstResult parse_scram_client_first(std::string_view decoded);

// SCRAM client-final-message: "c=<base64 gs2 header>,r=<nonce>[,extensions],p=<base64 proof>".
struct ScramClientFinal {
  std::string channel_binding;  // the c= value, still base64
  std::string nonce;
  std::string proof_base64;
  std::string without_proof;  // client-final-message-without-proof (part of the AuthMessage)
};
std::optional<ScramClientFinal> parse_scram_client_final(std::string_view decoded);

// "r=<nonce>,s=<base64 salt>,i=<iterations>"
std::string scram_server_first(std::string_view nonce, std::string_view salt_base64,
                               std::uint32_t iterations);
// "v=<base64 server signature>"
std::string scram_server_final(std::string_view signature_base64);
// AuthMessage = client-first-bare "," server-first "," client-final-without-proof.
std::string scram_auth_message(std::string_view client_first_bare, std::string_view server_first,
                               std::string_view client_final_without_proof);

// The mechanism names the server understands, as the sasl capability value and RPL_SASLMECHS
// list them.
inline constexpr std::string_view kMechanisms = "PLAIN,EXTERNAL,SCRAM-SHA-256";

}  // namespace parley::proto::sasl
