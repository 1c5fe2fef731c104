// SASL (IRCv3 sasl-3.1): AUTHENTICATE with PLAIN, EXTERNAL and SCRAM-SHA-256. Passwords are
// checked off the engine thread (kLoginPassword, kLoginCertfp); SCRAM's stored keys are looked
// up there (kScramLookup) and the proof, a few HMACs, is checked here.
#include "proto/sasl.h"

#include <memory>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/login.h"
#include "core/numerics.h"
#include "core/text.h"
#include "crypto/crypto.h"
#include "crypto/scram.h"

namespace parley::core::commands {

using namespace numeric;
namespace sasl = proto::sasl;
using Outcome = AccountAnswer::Outcome;

namespace {

constexpr std::size_t kMaxClientNonce = 200;  // keeps server-first within one chunk

void fail(Engine& e, User& u, std::string_view why = "SASL authentication failed") {
  ++e.counters_mut().sasl_failures;
  u.sasl.reset();
  e.reply(u, ERR_SASLFAIL, {why});
}

// Sends a server SASL message, base64 and cut into 400-byte chunks ("+" after a full last one).
void send_challenge(Engine& e, User& u, std::string_view message) {
  std::string encoded = crypto::base64_encode(message);
  std::string_view rest = encoded;
  do {
    std::string_view chunk = rest.substr(0, sasl::kChunkBytes);
    rest.remove_prefix(chunk.size());
    e.server_message(u, "AUTHENTICATE", {chunk.empty() ? std::string_view("+") : chunk});
    if (rest.empty() && chunk.size() == sasl::kChunkBytes) e.server_message(u, "AUTHENTICATE", {"+"});
  } while (!rest.empty());
}

void succeed(Engine& e, User& u, const AccountInfo& found) {
  const AccountInfo account = found;  // `found` may live in u.sasl, which goes now
  u.sasl.reset();
  ++e.counters_mut().sasl_successes;
  log_in(e, u, account);
  e.reply(u, RPL_SASLSUCCESS, {"SASL authentication successful"});
}

// The answer to a password or certificate login: success, or 904 with the reason.
void finish_login(Engine& e, User& u, const AccountAnswer& a, std::string_view account_folded) {
  switch (a.outcome) {
    case Outcome::kOk:
      if (a.account) return succeed(e, u, *a.account);
      return fail(e, u);
    case Outcome::kUnverified: return fail(e, u, "Account not verified yet: an operator must SAVERIFY it");
    case Outcome::kFailed: return fail(e, u, "Accounts are unavailable; try again later");
    default: login_failed(e, u, account_folded); return fail(e, u);
  }
}

// Runs `request` for the current exchange; the answer is dropped if the exchange has ended
// (aborted, or the client disconnected) by the time it arrives.
void ask(Engine& e, User& u, AccountRequest request,
         std::function<void(Engine&, User&, const AccountAnswer&)> then) {
  u.sasl->step = SaslSession::Step::kWaiting;
  std::uint64_t serial = u.sasl->serial;
  e.request(u, std::move(request),
            [serial, then = std::move(then)](Engine& e, User& u, const AccountAnswer& a) {
              if (!u.sasl || u.sasl->serial != serial) return;
              then(e, u, a);
            });
}

void plain(Engine& e, User& u, std::string_view message) {
  auto m = sasl::parse_plain(message);
  if (!m) return fail(e, u, "Malformed PLAIN message");
  std::string folded = e.fold(m->authcid);
  if (!m->authzid.empty() && e.fold(m->authzid) != folded)
    return fail(e, u, "Logging in as another account (authzid) is not supported");
  if (!login_allowed(e, u, folded)) return fail(e, u, "Too many failed logins; try again in a minute");
  if (m->password.size() > e.config().accounts.max_password_length) {
    login_failed(e, u, folded);
    return fail(e, u);
  }
  AccountRequest r;
  r.kind = AccountRequest::Kind::kLoginPassword;
  r.account_folded = folded;
  r.password = std::string(m->password);
  ask(e, u, std::move(r),
      [folded](Engine& e, User& u, const AccountAnswer& a) { finish_login(e, u, a, folded); });
}

void external(Engine& e, User& u, std::string_view message) {
  if (u.certfp().empty()) return fail(e, u, "No TLS client certificate to log in with");
  if (!login_allowed(e, u, {})) return fail(e, u, "Too many failed logins; try again in a minute");
  AccountRequest r;
  r.kind = AccountRequest::Kind::kLoginCertfp;
  r.certfp = u.certfp();
  std::string authzid = e.fold(message);
  ask(e, u, std::move(r), [authzid](Engine& e, User& u, const AccountAnswer& a) {
    if (a.outcome == Outcome::kOk && a.account && !authzid.empty() && e.fold(a.account->name) != authzid)
      return fail(e, u, "Logging in as another account (authzid) is not supported");
    finish_login(e, u, a, {});
  });
}

// For an account that does not exist: the salt the server shows is derived from the name, so
// asking twice gives the same answer and the exchange looks like a real one until the proof.
std::string fake_salt(const Engine& e, std::string_view folded) {
  crypto::Digest d = crypto::hmac_sha256(e.config().cloaks.secret + e.config().server_name,
                                         "scram-fake-salt:" + std::string(folded));
  return std::string(crypto::as_view(d).substr(0, 16));
}

void scram_first(Engine& e, User& u, std::string_view message) {
  auto parsed = sasl::parse_scram_client_first(message);
  if (!parsed.message) {
    return fail(e, u,
                parsed.error == sasl::ScramError::kChannelBinding ? "Channel binding is not supported"
                                                                  : "Malformed SCRAM message");
  }
  sasl::ScramClientFirst& m = *parsed.message;
  if (m.nonce.size() > kMaxClientNonce) return fail(e, u, "SCRAM nonce too long");
  std::string folded = e.fold(m.username);
  if (!m.authzid.empty() && e.fold(m.authzid) != folded)
    return fail(e, u, "Logging in as another account (authzid) is not supported");
  if (!login_allowed(e, u, folded)) return fail(e, u, "Too many failed logins; try again in a minute");
  SaslSession& s = *u.sasl;
  s.account_folded = folded;
  s.gs2_header = std::move(m.gs2_header);
  s.client_first_bare = std::move(m.bare);
  s.nonce = m.nonce + e.new_nonce();
  AccountRequest r;
  r.kind = AccountRequest::Kind::kScramLookup;
  r.account_folded = folded;
  ask(e, u, std::move(r), [](Engine& e, User& u, const AccountAnswer& a) {
    SaslSession& s = *u.sasl;
    if (a.outcome == Outcome::kFailed) return fail(e, u, "Accounts are unavailable; try again later");
    s.account_known = a.outcome == Outcome::kOk && a.account && !a.account->scram.empty();
    if (s.account_known) {
      s.credentials = a.account->scram;
      s.account = a.account;
      s.account->scram = {};
    } else {
      s.credentials = {};
      s.credentials.salt = fake_salt(e, s.account_folded);
      s.credentials.iterations = crypto::kScramIterations;
    }
    s.server_first = sasl::scram_server_first(s.nonce, crypto::base64_encode(s.credentials.salt),
                                              s.credentials.iterations);
    s.step = SaslSession::Step::kScramFinal;
    send_challenge(e, u, s.server_first);
  });
}

void scram_final(Engine& e, User& u, std::string_view message) {
  SaslSession& s = *u.sasl;
  auto m = sasl::parse_scram_client_final(message);
  if (!m) return fail(e, u, "Malformed SCRAM message");
  auto proof = crypto::base64_decode(m->proof_base64);
  bool ok = proof && m->nonce == s.nonce && m->channel_binding == crypto::base64_encode(s.gs2_header);
  std::string auth_message = sasl::scram_auth_message(s.client_first_bare, s.server_first, m->without_proof);
  // Verified for unknown accounts too (against empty keys), so both take the same time.
  ok = crypto::scram_verify_proof(s.credentials, auth_message, proof ? *proof : std::string{}) && ok &&
       s.account_known;
  if (!ok) {
    login_failed(e, u, s.account_folded);
    return fail(e, u);
  }
  if (!s.account->verified) return fail(e, u, "Account not verified yet: an operator must SAVERIFY it");
  s.step = SaslSession::Step::kScramConfirm;
  send_challenge(e, u,
                 sasl::scram_server_final(crypto::base64_encode(
                     crypto::scram_server_signature(s.credentials.server_key, auth_message))));
}

// One whole client message (decoded) for the current step.
void on_message(Engine& e, User& u, std::string_view message) {
  SaslSession& s = *u.sasl;
  switch (s.mechanism) {
    case SaslSession::Mechanism::kPlain: return plain(e, u, message);
    case SaslSession::Mechanism::kExternal: return external(e, u, message);
    case SaslSession::Mechanism::kScram:
      if (s.step == SaslSession::Step::kFirst) return scram_first(e, u, message);
      if (s.step == SaslSession::Step::kScramFinal) return scram_final(e, u, message);
      if (!message.empty()) return fail(e, u, "Expected an empty message to end SCRAM");
      return succeed(e, u, *s.account);
  }
}

void start(Engine& e, User& u, std::string_view mechanism) {
  std::string name = ascii_upper(mechanism);
  SaslSession::Mechanism mech;
  if (name == "PLAIN") {
    mech = SaslSession::Mechanism::kPlain;
  } else if (name == "EXTERNAL") {
    mech = SaslSession::Mechanism::kExternal;
  } else if (name == "SCRAM-SHA-256") {
    mech = SaslSession::Mechanism::kScram;
  } else {
    e.reply(u, RPL_SASLMECHS, {sasl::kMechanisms, "are available SASL mechanisms"});
    ++e.counters_mut().sasl_failures;
    e.reply(u, ERR_SASLFAIL, {"SASL authentication failed"});
    return;
  }
  u.sasl = std::make_unique<SaslSession>();
  u.sasl->mechanism = mech;
  u.sasl->serial = ++e.account_limits().sasl_serial;
  e.server_message(u, "AUTHENTICATE", {"+"});
}

}  // namespace

// AUTHENTICATE <mechanism> | AUTHENTICATE <base64 chunk> | AUTHENTICATE + | AUTHENTICATE *
void authenticate(Engine& e, User& u, const proto::Message& m) {
  std::string_view param = m.param(0);
  if (!u.caps.has(Cap::kSasl)) {
    ++e.counters_mut().sasl_failures;
    e.reply(u, ERR_SASLFAIL, {"Request the sasl capability first"});
    return;
  }
  if (param == "*") {
    u.sasl.reset();
    e.reply(u, ERR_SASLABORTED, {"SASL authentication aborted"});
    return;
  }
  if (!u.sasl) {
    if (!u.account().empty()) {
      e.reply(u, ERR_SASLALREADY, {"You have already authenticated using SASL"});
      return;
    }
    if (param.empty()) {
      ++e.counters_mut().sasl_failures;
      e.reply(u, ERR_SASLFAIL, {"SASL authentication failed"});
      return;
    }
    start(e, u, param);
    return;
  }
  if (u.sasl->step == SaslSession::Step::kWaiting) return fail(e, u, "Wait for the server's answer");
  switch (u.sasl->buffer.add(param)) {
    case sasl::ChunkBuffer::Status::kNeedMore: return;
    case sasl::ChunkBuffer::Status::kChunkTooLong:
      u.sasl.reset();
      e.reply(u, ERR_SASLTOOLONG, {"SASL message too long"});
      return;
    case sasl::ChunkBuffer::Status::kMessageTooLong: return fail(e, u, "SASL message too long");
    case sasl::ChunkBuffer::Status::kComplete: break;
  }
  std::string encoded = u.sasl->buffer.take();
  auto decoded = crypto::base64_decode(encoded);
  if (!decoded) return fail(e, u, "Malformed base64");
  on_message(e, u, *decoded);
}

}  // namespace parley::core::commands
