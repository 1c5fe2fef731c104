// AccountService::execute over a store that fails on command (store/fault_injecting_store.h):
// a failed write is a clear kFailed answer and leaves no half-made change behind, whether the
// store underneath is the in-memory one or the real SQLite file.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "crypto/password.h"
#include "server/account_service.h"
#include "store/fault_injecting_store.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"
#include "store/temp_dir.h"

namespace parley::server {
namespace {

using core::AccountAnswer;
using core::AccountRequest;
using Outcome = AccountAnswer::Outcome;
using Kind = AccountRequest::Kind;

constexpr std::int64_t kNow = 1'796'000'000;

AccountRequest register_request(const std::string& name, const std::string& password,
                                const std::string& email = "user@example.org") {
  AccountRequest r;
  r.kind = Kind::kRegister;
  r.account = name;
  r.account_folded = name;
  r.password = password;
  r.email = email;
  r.flag = true;
  r.limit = 3;
  return r;
}

AccountRequest login_request(const std::string& name, const std::string& password) {
  AccountRequest r;
  r.kind = Kind::kLoginPassword;
  r.account_folded = name;
  r.password = password;
  return r;
}

AccountRequest passwd_request(const std::string& name, const std::string& password) {
  AccountRequest r;
  r.kind = Kind::kSetPassword;
  r.account_folded = name;
  r.password = password;
  return r;
}

// The wrapper over either an in-memory store or a SQLite file (reopened to look at what is
// really on disk).
class AccountServiceFaults : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::init_sodium());
    if (GetParam()) {
      reopen();
    } else {
      inner_ = std::make_unique<store::MemoryStore>();
    }
    faults_ = std::make_unique<store::FaultInjectingStore>(*inner_);
  }
  bool sqlite() const { return GetParam(); }
  // SQLite: closes the file and opens it again, so later checks read what reached the disk.
  void reopen() {
    faults_.reset();
    inner_.reset();
    auto opened = store::SqliteStore::open(dir_.file("parley.db"));
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    inner_ = std::move(opened).value();
    faults_ = std::make_unique<store::FaultInjectingStore>(*inner_);
  }
  AccountAnswer run(const AccountRequest& r) { return AccountService::execute(*faults_, r, kNow); }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> inner_;
  std::unique_ptr<store::FaultInjectingStore> faults_;
};

INSTANTIATE_TEST_SUITE_P(Stores, AccountServiceFaults, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Sqlite" : "Memory"; });

TEST_P(AccountServiceFaults, FailedWriteDuringRegisterLeavesNoAccount) {
  faults_->fail_writes(1);
  const AccountAnswer answer = run(register_request("alice", "correct horse"));
  EXPECT_EQ(answer.outcome, Outcome::kFailed);
  EXPECT_NE(answer.detail.find("injected fault"), std::string::npos) << answer.detail;
  EXPECT_FALSE(answer.account.has_value());
  if (sqlite()) reopen();
  EXPECT_EQ(inner_->find_account("alice").status().code(), store::Status::Code::kNotFound);
  EXPECT_EQ(inner_->count_accounts_with_email("user@example.org").value(), 0u);
  EXPECT_EQ(run(login_request("alice", "correct horse")).outcome, Outcome::kNotFound);
  // Nothing half-made blocks the name: the same registration works once the store does.
  EXPECT_EQ(run(register_request("alice", "correct horse")).outcome, Outcome::kOk);
  EXPECT_EQ(run(login_request("alice", "correct horse")).outcome, Outcome::kOk);
}

TEST_P(AccountServiceFaults, FailedReadDuringRegisterIsAFailureNotASuccess) {
  faults_->fail_reads(true);
  EXPECT_EQ(run(register_request("alice", "correct horse")).outcome, Outcome::kFailed);
  faults_->fail_reads(false);
  EXPECT_EQ(inner_->find_account("alice").status().code(), store::Status::Code::kNotFound);
}

TEST_P(AccountServiceFaults, FailedWriteDuringPasswdKeepsTheOldPassword) {
  ASSERT_EQ(run(register_request("alice", "old password")).outcome, Outcome::kOk);
  const store::AccountRecord before = inner_->find_account("alice").value();
  faults_->fail_writes(1);
  const AccountAnswer answer = run(passwd_request("alice", "new password"));
  EXPECT_EQ(answer.outcome, Outcome::kFailed);
  EXPECT_NE(answer.detail.find("injected fault: update_account"), std::string::npos) << answer.detail;
  if (sqlite()) reopen();
  EXPECT_EQ(run(login_request("alice", "old password")).outcome, Outcome::kOk);
  EXPECT_EQ(run(login_request("alice", "new password")).outcome, Outcome::kDenied);
  // The SCRAM credentials did not change either (a SASL SCRAM login still uses the old one).
  const store::AccountRecord after = inner_->find_account("alice").value();
  EXPECT_EQ(after.password_hash, before.password_hash);
  EXPECT_EQ(after.scram.salt, before.scram.salt);
  EXPECT_EQ(after.scram.stored_key, before.scram.stored_key);
  // And a working store then takes the change.
  ASSERT_EQ(run(passwd_request("alice", "new password")).outcome, Outcome::kOk);
  EXPECT_EQ(run(login_request("alice", "new password")).outcome, Outcome::kOk);
  EXPECT_EQ(run(login_request("alice", "old password")).outcome, Outcome::kDenied);
}

TEST_P(AccountServiceFaults, FailedDropKeepsTheAccountAndItsCertificate) {
  ASSERT_EQ(run(register_request("alice", "a password")).outcome, Outcome::kOk);
  AccountRequest add;
  add.kind = Kind::kAddCert;
  add.account_folded = "alice";
  add.certfp = std::string(64, 'c');
  ASSERT_EQ(run(add).outcome, Outcome::kOk);
  faults_->fail_every_write();
  AccountRequest drop;
  drop.kind = Kind::kDrop;
  drop.account_folded = "alice";
  EXPECT_EQ(run(drop).outcome, Outcome::kFailed);
  if (sqlite()) reopen();
  AccountRequest by_cert;
  by_cert.kind = Kind::kLoginCertfp;
  by_cert.certfp = add.certfp;
  const AccountAnswer answer = run(by_cert);
  ASSERT_EQ(answer.outcome, Outcome::kOk);
  EXPECT_EQ(answer.account->name, "alice");
}

}  // namespace
}  // namespace parley::server
