// The Store contract (store/store.h), one suite run against every implementation: MemoryStore,
// SqliteStore on a temporary file, and FaultInjectingStore with nothing armed (contract_fixtures.h).
// Accounts here; history, read markers and registered channels in history_contract_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/contract_fixtures.h"
#include "store/same_record.h"

namespace parley::store {
namespace {

using testing_contract::ImplementationNames;
using testing_contract::Implementations;
using testing_contract::StoreContract;

crypto::Digest digest(std::uint8_t fill) {
  crypto::Digest d;
  d.fill(fill);
  return d;
}

AccountRecord account(const std::string& name, std::vector<std::string> certfps = {}) {
  AccountRecord a;
  a.name = name;
  a.name_folded = name;
  std::transform(a.name_folded.begin(), a.name_folded.end(), a.name_folded.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  a.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
  a.scram.salt = std::string("\x00\x01salt\xff", 7);  // raw bytes, NUL and high bytes included
  a.scram.iterations = 4096;
  a.scram.stored_key = digest(0xa5);
  a.scram.server_key = digest(0x5a);
  a.email = name + "@example.org";
  a.verified = true;
  a.enforce = true;
  a.certfps = std::move(certfps);
  a.registered_at = 1'796'000'000;
  return a;
}

const std::string kFp1(64, '1');
const std::string kFp2(64, '2');
const std::string kFp3(64, '3');

TYPED_TEST_SUITE(StoreContract, Implementations, ImplementationNames);

TYPED_TEST(StoreContract, CreatedAccountIsFoundWithEveryField) {
  AccountRecord a = account("Alice", {kFp1, kFp2});
  a.verified = false;
  a.enforce = false;
  ASSERT_TRUE(this->store().create_account(a).is_ok());
  auto found = this->store().find_account("alice");
  ASSERT_TRUE(found.is_ok()) << found.status().to_string();
  EXPECT_TRUE(testing::same_record(found.value(), a));
}

TYPED_TEST(StoreContract, AccountWithoutPasswordEmailOrScramRoundTrips) {
  AccountRecord a = account("bare");
  a.password_hash.clear();
  a.scram = {};
  a.email.clear();
  a.registered_at = 0;
  ASSERT_TRUE(this->store().create_account(a).is_ok());
  auto found = this->store().find_account("bare");
  ASSERT_TRUE(found.is_ok());
  EXPECT_TRUE(testing::same_record(found.value(), a));
  EXPECT_TRUE(found.value().scram.empty());
}

TYPED_TEST(StoreContract, NamesAreBytesNotJustAscii) {
  AccountRecord a = account("Zoë[away]");
  a.name_folded = "zoë{away}";
  ASSERT_TRUE(this->store().create_account(a).is_ok());
  auto found = this->store().find_account("zoë{away}");
  ASSERT_TRUE(found.is_ok());
  EXPECT_EQ(found.value().name, "Zoë[away]");
}

TYPED_TEST(StoreContract, MissingAccountIsNotFound) {
  auto found = this->store().find_account("nobody");
  ASSERT_FALSE(found.is_ok());
  EXPECT_EQ(found.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(this->store().find_account_by_certfp(kFp1).status().code(), Status::Code::kNotFound);
}

TYPED_TEST(StoreContract, DuplicateNameIsRefusedAndTheFirstKept) {
  AccountRecord first = account("alice");
  ASSERT_TRUE(this->store().create_account(first).is_ok());
  AccountRecord second = account("alice", {kFp1});
  second.email = "other@example.org";
  EXPECT_EQ(this->store().create_account(second).code(), Status::Code::kExists);
  EXPECT_TRUE(testing::same_record(this->store().find_account("alice").value(), first));
  // The refused record's certificate was not written either.
  EXPECT_EQ(this->store().find_account_by_certfp(kFp1).status().code(), Status::Code::kNotFound);
}

TYPED_TEST(StoreContract, LookupIsByFoldedNameOnly) {
  ASSERT_TRUE(this->store().create_account(account("Alice")).is_ok());
  EXPECT_TRUE(this->store().find_account("alice").is_ok());
  EXPECT_EQ(this->store().find_account("Alice").status().code(), Status::Code::kNotFound);
}

TYPED_TEST(StoreContract, CertificateBelongsToOneAccount) {
  ASSERT_TRUE(this->store().create_account(account("alice", {kFp1})).is_ok());
  EXPECT_EQ(this->store().create_account(account("bob", {kFp2, kFp1})).code(), Status::Code::kExists);
  // All or nothing: neither bob nor his other certificate exists.
  EXPECT_EQ(this->store().find_account("bob").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(this->store().find_account_by_certfp(kFp2).status().code(), Status::Code::kNotFound);
  auto owner = this->store().find_account_by_certfp(kFp1);
  ASSERT_TRUE(owner.is_ok());
  EXPECT_EQ(owner.value().name, "alice");
}

TYPED_TEST(StoreContract, UpdateReplacesTheWholeRecord) {
  ASSERT_TRUE(this->store().create_account(account("alice", {kFp1})).is_ok());
  AccountRecord changed = account("alice", {kFp2, kFp3});
  changed.name = "ALICE";
  changed.password_hash = "$argon2id$new";
  changed.scram.salt = "new salt";
  changed.scram.iterations = 10000;
  changed.scram.stored_key = digest(1);
  changed.scram.server_key = digest(2);
  changed.email = "new@example.org";
  changed.verified = false;
  changed.enforce = false;
  ASSERT_TRUE(this->store().update_account(changed).is_ok());
  EXPECT_TRUE(testing::same_record(this->store().find_account("alice").value(), changed));
  EXPECT_EQ(this->store().find_account_by_certfp(kFp1).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(this->store().find_account_by_certfp(kFp3).value().name, "ALICE");
}

TYPED_TEST(StoreContract, UpdateOfMissingAccountIsNotFound) {
  EXPECT_EQ(this->store().update_account(account("ghost")).code(), Status::Code::kNotFound);
  EXPECT_EQ(this->store().find_account("ghost").status().code(), Status::Code::kNotFound);
}

TYPED_TEST(StoreContract, UpdateTakingAnotherAccountsCertificateChangesNothing) {
  ASSERT_TRUE(this->store().create_account(account("alice", {kFp1})).is_ok());
  const AccountRecord bob = account("bob", {kFp2});
  ASSERT_TRUE(this->store().create_account(bob).is_ok());
  AccountRecord greedy = bob;
  greedy.email = "changed@example.org";
  greedy.certfps = {kFp1, kFp3};
  EXPECT_EQ(this->store().update_account(greedy).code(), Status::Code::kExists);
  EXPECT_TRUE(testing::same_record(this->store().find_account("bob").value(), bob));
  EXPECT_EQ(this->store().find_account_by_certfp(kFp1).value().name, "alice");
  EXPECT_EQ(this->store().find_account_by_certfp(kFp3).status().code(), Status::Code::kNotFound);
}

TYPED_TEST(StoreContract, CertificateMovesBetweenAccountsOnceReleased) {
  AccountRecord alice = account("alice", {kFp1});
  ASSERT_TRUE(this->store().create_account(alice).is_ok());
  ASSERT_TRUE(this->store().create_account(account("bob")).is_ok());
  alice.certfps.clear();
  ASSERT_TRUE(this->store().update_account(alice).is_ok());
  ASSERT_TRUE(this->store().update_account(account("bob", {kFp1})).is_ok());
  EXPECT_EQ(this->store().find_account_by_certfp(kFp1).value().name, "bob");
}

TYPED_TEST(StoreContract, DeleteRemovesTheAccountAndItsCertificates) {
  ASSERT_TRUE(this->store().create_account(account("alice", {kFp1, kFp2})).is_ok());
  ASSERT_TRUE(this->store().create_account(account("bob", {kFp3})).is_ok());
  ASSERT_TRUE(this->store().delete_account("alice").is_ok());
  EXPECT_EQ(this->store().find_account("alice").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(this->store().find_account_by_certfp(kFp1).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(this->store().find_account_by_certfp(kFp2).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(this->store().find_account_by_certfp(kFp3).value().name, "bob");
  // The name and the certificates are free again.
  EXPECT_TRUE(this->store().create_account(account("carol", {kFp1})).is_ok());
  EXPECT_TRUE(this->store().create_account(account("alice")).is_ok());
}

TYPED_TEST(StoreContract, DeleteOfMissingAccountIsNotFound) {
  EXPECT_EQ(this->store().delete_account("ghost").code(), Status::Code::kNotFound);
}

TYPED_TEST(StoreContract, ListIsOrderedByFoldedName) {
  const std::vector<std::string> names = {"zed", "alice", "{brace}", "bob", "a", "Mallory", "~tilde", "b0b"};
  for (const auto& name : names) {
    ASSERT_TRUE(this->store()
                    .create_account(
                        account(name, name == "bob" ? std::vector{kFp2, kFp1} : std::vector<std::string>{}))
                    .is_ok());
  }
  auto listed = this->store().list_accounts();
  ASSERT_TRUE(listed.is_ok());
  std::vector<std::string> folded;
  for (const auto& a : listed.value()) folded.push_back(a.name_folded);
  std::vector<std::string> expected;
  for (const auto& name : names) expected.push_back(account(name).name_folded);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(folded, expected);
  const auto bob = std::find_if(listed.value().begin(), listed.value().end(),
                                [](const AccountRecord& a) { return a.name == "bob"; });
  ASSERT_NE(bob, listed.value().end());
  EXPECT_EQ(bob->certfps, (std::vector{kFp1, kFp2}));
  EXPECT_EQ(bob->email, "bob@example.org");
}

TYPED_TEST(StoreContract, EmptyStoreListsNothing) {
  auto listed = this->store().list_accounts();
  ASSERT_TRUE(listed.is_ok());
  EXPECT_TRUE(listed.value().empty());
}

TYPED_TEST(StoreContract, EmailsAreCountedIgnoringAsciiCase) {
  AccountRecord a = account("a"), b = account("b"), c = account("c"), d = account("d");
  a.email = "Shared@Example.ORG";
  b.email = "shared@example.org";
  c.email = "other@example.org";
  d.email = "";
  for (const auto& r : {a, b, c, d}) ASSERT_TRUE(this->store().create_account(r).is_ok());
  EXPECT_EQ(this->store().count_accounts_with_email("SHARED@example.org").value(), 2u);
  EXPECT_EQ(this->store().count_accounts_with_email("other@example.org").value(), 1u);
  EXPECT_EQ(this->store().count_accounts_with_email("nobody@example.org").value(), 0u);
  EXPECT_EQ(this->store().count_accounts_with_email("").value(), 0u);  // empty is no email
}

TYPED_TEST(StoreContract, EmailCaseFoldingIsAsciiOnly) {
  AccountRecord a = account("a");
  a.email = "\xc3\x89mile@example.org";  // "Émile"
  ASSERT_TRUE(this->store().create_account(a).is_ok());
  EXPECT_EQ(this->store().count_accounts_with_email("\xc3\x89MILE@EXAMPLE.ORG").value(), 1u);
  EXPECT_EQ(this->store().count_accounts_with_email("\xc3\xa9mile@example.org").value(), 0u);  // "émile"
}

TYPED_TEST(StoreContract, StatusesSayWhatHappened) {
  ASSERT_TRUE(this->store().create_account(account("alice")).is_ok());
  const Status exists = this->store().create_account(account("alice"));
  EXPECT_EQ(exists.code(), Status::Code::kExists);
  EXPECT_NE(exists.to_string().find("already exists"), std::string::npos) << exists.to_string();
  const Status missing = this->store().delete_account("ghost");
  EXPECT_NE(missing.to_string().find("not found"), std::string::npos) << missing.to_string();
  EXPECT_NE(missing.to_string().find("ghost"), std::string::npos) << missing.to_string();
}

TYPED_TEST(StoreContract, ConcurrentWritersLoseNothing) {
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string name = "t" + std::to_string(t) + "n" + std::to_string(i);
        EXPECT_TRUE(this->store().create_account(account(name)).is_ok());
        EXPECT_TRUE(this->store().find_account(name).is_ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(this->store().list_accounts().value().size(), static_cast<std::size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace parley::store
