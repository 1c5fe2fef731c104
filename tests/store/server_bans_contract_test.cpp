// The Store contract for server bans (store/store.h "Server bans"), against every implementation
// (contract_fixtures.h): MemoryStore, SqliteStore on a temporary file, FaultInjectingStore.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/contract_fixtures.h"

namespace parley::store {
namespace {

using core::ServerBan;
using testing_contract::ImplementationNames;
using testing_contract::Implementations;
using testing_contract::StoreContract;

template <class T>
using ServerBanContract = StoreContract<T>;
TYPED_TEST_SUITE(ServerBanContract, Implementations, ImplementationNames);

ServerBan ban(ServerBan::Kind kind, std::string mask, std::int64_t expires_at = 0) {
  ServerBan b;
  b.kind = kind;
  b.mask = std::move(mask);
  b.reason = "spam from " + b.mask;
  b.set_by = "root!~root@127.0.0.1";
  b.set_at = 1'796'000'000;
  b.expires_at = expires_at;
  return b;
}

TYPED_TEST(ServerBanContract, SavedBansAreListedWithEveryFieldKLinesFirst) {
  const ServerBan d = ban(ServerBan::Kind::kAddress, "192.0.2.0/24");
  const ServerBan k2 = ban(ServerBan::Kind::kUserHost, "*@b.example", 1'796'003'600);
  const ServerBan k1 = ban(ServerBan::Kind::kUserHost, "*@a.example");
  for (const ServerBan& b : {d, k2, k1}) ASSERT_TRUE(this->store().save_server_ban(b).is_ok());
  auto listed = this->store().list_server_bans();
  ASSERT_TRUE(listed.is_ok()) << listed.status().to_string();
  EXPECT_EQ(listed.value(), (std::vector<ServerBan>{k1, k2, d}));
}

TYPED_TEST(ServerBanContract, SavingTheSameKindAndMaskReplacesIt) {
  ServerBan first = ban(ServerBan::Kind::kUserHost, "*@a.example");
  ASSERT_TRUE(this->store().save_server_ban(first).is_ok());
  ServerBan second = first;
  second.reason = "a new reason";
  second.expires_at = 1'796'086'400;
  ASSERT_TRUE(this->store().save_server_ban(second).is_ok());
  // The same mask as a D-line is another ban.
  ASSERT_TRUE(this->store().save_server_ban(ban(ServerBan::Kind::kAddress, "*@a.example")).is_ok());
  auto listed = this->store().list_server_bans();
  ASSERT_TRUE(listed.is_ok());
  ASSERT_EQ(listed.value().size(), 2u);
  EXPECT_EQ(listed.value()[0], second);
}

TYPED_TEST(ServerBanContract, DeleteRemovesOnlyThatBanAndSaysWhenThereIsNone) {
  ASSERT_TRUE(this->store().save_server_ban(ban(ServerBan::Kind::kUserHost, "*@a.example")).is_ok());
  ASSERT_TRUE(this->store().save_server_ban(ban(ServerBan::Kind::kAddress, "192.0.2.0/24")).is_ok());
  EXPECT_EQ(this->store().delete_server_ban(ServerBan::Kind::kAddress, "*@a.example").code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(this->store().delete_server_ban(ServerBan::Kind::kUserHost, "*@a.example").is_ok());
  EXPECT_EQ(this->store().delete_server_ban(ServerBan::Kind::kUserHost, "*@a.example").code(),
            Status::Code::kNotFound);
  auto listed = this->store().list_server_bans();
  ASSERT_TRUE(listed.is_ok());
  ASSERT_EQ(listed.value().size(), 1u);
  EXPECT_EQ(listed.value()[0].mask, "192.0.2.0/24");
}

TYPED_TEST(ServerBanContract, AnEmptyMaskIsInvalid) {
  EXPECT_EQ(this->store().save_server_ban(ban(ServerBan::Kind::kUserHost, "")).code(), Status::Code::kInvalid);
  EXPECT_TRUE(this->store().list_server_bans().value().empty());
}

}  // namespace
}  // namespace parley::store
