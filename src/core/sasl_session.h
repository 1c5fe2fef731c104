// One client's SASL exchange in progress (IRCv3 sasl-3.1): which mechanism, the chunks of the
// message being reassembled, and for SCRAM-SHA-256 what the proof step needs. Exists only
// between "AUTHENTICATE <mechanism>" and the exchange's end (success, failure or abort); a client
// that disconnects takes it along, and an answer that arrives for it afterwards is ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/accounts.h"
#include "crypto/scram.h"
#include "proto/sasl.h"

namespace parley::core {

struct SaslSession {
  enum class Mechanism : std::uint8_t { kPlain, kExternal, kScram };
  enum class Step : std::uint8_t {
    kFirst,         // waiting for the client's (first) message
    kWaiting,       // an AccountRequest is out; the client must wait
    kScramFinal,    // server-first sent; waiting for client-final
    kScramConfirm,  // server-final (v=) sent; waiting for the client's empty message
  };
  Mechanism mechanism = Mechanism::kPlain;
  Step step = Step::kFirst;
  std::uint64_t serial = 0;  // names this exchange, so a late answer for an aborted one is dropped
  proto::sasl::ChunkBuffer buffer;
  // SCRAM only.
  std::string account_folded;
  std::string gs2_header, client_first_bare, server_first, nonce;
  crypto::ScramCredentials credentials;
  bool account_known = false;          // false: a fake salt was shown, and the proof step must fail
  std::optional<AccountInfo> account;  // the account the proof is checked against
};

}  // namespace parley::core
