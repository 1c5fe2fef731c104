#include "server/account_service.h"

#include <boost/asio/post.hpp>
#include <algorithm>
#include <chrono>
#include <utility>

#include "crypto/password.h"
#include "crypto/scram.h"

namespace parley::server {

namespace {

using core::AccountAnswer;
using core::AccountRequest;
using Outcome = AccountAnswer::Outcome;
using Kind = AccountRequest::Kind;

constexpr std::size_t kSaltBytes = 16;

AccountAnswer outcome(Outcome o, std::string detail = {}) {
  AccountAnswer a;
  a.outcome = o;
  a.detail = std::move(detail);
  return a;
}

// A store error as an answer: the expected ones keep their meaning, the rest are failures.
AccountAnswer from_status(const store::Status& s) {
  switch (s.code()) {
    case store::Status::Code::kOk: return outcome(Outcome::kOk);
    case store::Status::Code::kNotFound: return outcome(Outcome::kNotFound, s.to_string());
    case store::Status::Code::kExists: return outcome(Outcome::kExists, s.to_string());
    default: return outcome(Outcome::kFailed, s.to_string());
  }
}

core::AccountInfo info_of(const store::AccountRecord& r, bool with_scram) {
  core::AccountInfo info;
  info.name = r.name;
  info.email = r.email;
  info.verified = r.verified;
  info.enforce = r.enforce;
  info.certfps = r.certfps;
  info.registered_at = r.registered_at;
  if (with_scram) info.scram = r.scram;
  return info;
}

AccountAnswer ok_with(const store::AccountRecord& r, bool with_scram = false) {
  AccountAnswer a = outcome(Outcome::kOk);
  a.account = info_of(r, with_scram);
  return a;
}

// Sets the Argon2id hash and fresh SCRAM-SHA-256 credentials for `password`. False if hashing
// failed (out of memory).
bool set_password(store::AccountRecord& r, std::string_view password) {
  auto hash = crypto::hash_password(password);
  if (!hash) return false;
  r.password_hash = std::move(*hash);
  r.scram = crypto::derive_scram_credentials(password, crypto::random_bytes(kSaltBytes), crypto::kScramIterations);
  return true;
}

// Reads the account, lets `change` edit it, writes it back; the answer carries the new record.
template <typename Change>
AccountAnswer modify(store::Store& store, const std::string& folded, Change change) {
  auto found = store.find_account(folded);
  if (!found.is_ok()) return from_status(found.status());
  store::AccountRecord record = std::move(found).value();
  if (AccountAnswer refused = change(record); refused.outcome != Outcome::kOk) return refused;
  if (auto s = store.update_account(record); !s.is_ok()) return from_status(s);
  return ok_with(record);
}

AccountAnswer register_account(store::Store& store, const AccountRequest& r, std::int64_t now_unix) {
  if (r.limit > 0 && !r.email.empty()) {
    auto count = store.count_accounts_with_email(r.email);
    if (!count.is_ok()) return from_status(count.status());
    if (count.value() >= r.limit) return outcome(Outcome::kLimit);
  }
  // Checked first so that a taken name costs no hashing; create_account checks again.
  if (auto existing = store.find_account(r.account_folded); existing.is_ok()) return outcome(Outcome::kExists);
  store::AccountRecord record;
  record.name = r.account;
  record.name_folded = r.account_folded;
  record.email = r.email;
  record.verified = r.flag;
  record.registered_at = now_unix;
  if (!set_password(record, r.password)) return outcome(Outcome::kFailed, "password hashing failed");
  if (auto s = store.create_account(record); !s.is_ok()) return from_status(s);
  return ok_with(record);
}

}  // namespace

AccountService::AccountService(boost::asio::io_context& io, store::Store& store, std::size_t threads,
                               Deliver deliver)
    : io_(io), store_(store), deliver_(std::move(deliver)), pool_(threads, kMaxQueued) {}

void AccountService::submit(core::RequestId id, core::AccountRequest request) {
  auto job = [this, id, request = std::move(request)] {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    AccountAnswer answer = execute(store_, request, now);
    boost::asio::post(io_, [this, id, answer = std::move(answer)]() mutable { deliver_(id, std::move(answer)); });
  };
  if (!pool_.submit(std::move(job))) {
    boost::asio::post(io_, [this, id] { deliver_(id, outcome(Outcome::kFailed, "server busy: account queue full")); });
  }
}

AccountAnswer AccountService::execute(store::Store& store, const AccountRequest& r, std::int64_t now_unix) {
  switch (r.kind) {
    case Kind::kVerifyPassword:
      return outcome(crypto::verify_password(r.hash, r.password) ? Outcome::kOk : Outcome::kDenied);
    case Kind::kLoginPassword: {
      auto found = store.find_account(r.account_folded);
      if (!found.is_ok()) return from_status(found.status());
      const store::AccountRecord& record = found.value();
      if (record.password_hash.empty() || !crypto::verify_password(record.password_hash, r.password))
        return outcome(Outcome::kDenied);
      if (!record.verified) return outcome(Outcome::kUnverified);
      return ok_with(record);
    }
    case Kind::kLoginCertfp: {
      auto found = store.find_account_by_certfp(r.certfp);
      if (!found.is_ok()) return from_status(found.status());
      if (!found.value().verified) return outcome(Outcome::kUnverified);
      return ok_with(found.value());
    }
    case Kind::kScramLookup:
    case Kind::kFind: {
      auto found = store.find_account(r.account_folded);
      if (!found.is_ok()) return from_status(found.status());
      return ok_with(found.value(), r.kind == Kind::kScramLookup);
    }
    case Kind::kRegister:
      return register_account(store, r, now_unix);
    case Kind::kSetPassword:
      return modify(store, r.account_folded, [&](store::AccountRecord& record) {
        return set_password(record, r.password) ? outcome(Outcome::kOk)
                                                : outcome(Outcome::kFailed, "password hashing failed");
      });
    case Kind::kDrop:
      return from_status(store.delete_account(r.account_folded));
    case Kind::kAddCert:
      return modify(store, r.account_folded, [&](store::AccountRecord& record) {
        auto& fps = record.certfps;
        if (std::find(fps.begin(), fps.end(), r.certfp) == fps.end()) {
          fps.push_back(r.certfp);
          std::sort(fps.begin(), fps.end());
        }
        return outcome(Outcome::kOk);
      });
    case Kind::kDelCert:
      return modify(store, r.account_folded, [&](store::AccountRecord& record) {
        auto& fps = record.certfps;
        auto it = std::find(fps.begin(), fps.end(), r.certfp);
        if (it == fps.end()) return outcome(Outcome::kNotFound, "no such certificate");
        fps.erase(it);
        return outcome(Outcome::kOk);
      });
    case Kind::kSetEnforce:
      return modify(store, r.account_folded, [&](store::AccountRecord& record) {
        record.enforce = r.flag;
        return outcome(Outcome::kOk);
      });
    case Kind::kVerify:
      return modify(store, r.account_folded, [&](store::AccountRecord& record) {
        record.verified = true;
        return outcome(Outcome::kOk);
      });
  }
  return outcome(Outcome::kFailed, "unknown request");
}

}  // namespace parley::server
