// Accounts as the engine sees them, and the slow work it asks for.
//
// Anything that touches the account store or hashes a password is slow (disk, Argon2id, PBKDF2),
// so the engine never does it itself: it submits an AccountRequest to the AccountBackend it was
// given and keeps serving everyone else. The answer comes back later as
// Engine::account_answer(id, answer, now), on the engine's thread. Meanwhile the engine holds an
// explicit pending state for the client (e.g. SASL "authenticating", PASS "checking"); a client
// that disconnects before its answer arrives is forgotten, and its answer is then ignored.
//
// Production backend: server/account_service.h (a worker pool over store::Store). Tests use a
// fake that answers late, never, or with an error (tests/core/harness.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/scram.h"

namespace parley::core {

// Names one request for its answer. Unique for the engine's lifetime; never 0.
using RequestId = std::uint64_t;

// One registered account, as much of it as the engine needs.
struct AccountInfo {
  std::string name;  // display form, as registered
  std::string email;
  bool verified = true;  // false: registered, waiting for an operator's SAVERIFY
  bool enforce = true;   // nick protection on
  std::vector<std::string> certfps;  // lowercase hex SHA-256, sorted
  std::int64_t registered_at = 0;    // Unix seconds
  crypto::ScramCredentials scram;    // filled for kScramLookup only
};

struct AccountRequest {
  enum class Kind : std::uint8_t {
    kVerifyPassword,  // `password` against `hash` (server PASS, OPER). kOk or kDenied.
    kLoginPassword,   // `account_folded` + `password`. kOk (+account), kDenied, kNotFound, kUnverified.
    kLoginCertfp,     // `certfp`. kOk (+account) or kNotFound.
    kScramLookup,     // `account_folded`. kOk (+account with scram) or kNotFound.
    kFind,            // `account_folded`. kOk (+account) or kNotFound.
    kRegister,        // `account` (display) + `account_folded` + `password` + `email`; `flag`:
                      // verified at once; `limit`: most accounts per email (0: no limit).
                      // kOk (+account), kExists, kLimit. Durable before kOk (store/store.h).
    kSetPassword,     // `account_folded` + `password`. kOk or kNotFound.
    kDrop,            // `account_folded`. kOk or kNotFound.
    kAddCert,         // `account_folded` + `certfp`. kOk (+account), kNotFound, kExists (other account).
    kDelCert,         // `account_folded` + `certfp`. kOk (+account) or kNotFound (no such cert too).
    kSetEnforce,      // `account_folded` + `flag`. kOk (+account) or kNotFound.
    kVerify,          // `account_folded`: mark verified (SAVERIFY). kOk (+account) or kNotFound.
  };
  Kind kind = Kind::kFind;
  std::string account;         // display form (kRegister)
  std::string account_folded;  // casefolded with the server's casemapping
  std::string password;
  std::string hash;  // kVerifyPassword
  std::string email;
  std::string certfp;
  bool flag = false;
  std::size_t limit = 0;
};

struct AccountAnswer {
  enum class Outcome : std::uint8_t {
    kOk,
    kDenied,      // wrong password
    kNotFound,    // no such account (or certificate)
    kUnverified,  // right password, account awaiting SAVERIFY
    kExists,      // name or certificate taken
    kLimit,       // too many accounts for this email
    kFailed,      // the store failed: nothing changed; `detail` says why (for the log only)
  };
  Outcome outcome = Outcome::kFailed;
  std::optional<AccountInfo> account;
  std::string detail;
};

// Where the engine sends slow work. Implementations must never call back into the engine from
// inside submit(): answers arrive later, through Engine::account_answer.
class AccountBackend {
 public:
  virtual ~AccountBackend() = default;
  virtual void submit(RequestId id, AccountRequest request) = 0;
};

}  // namespace parley::core
