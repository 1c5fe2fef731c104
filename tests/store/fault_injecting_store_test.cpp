// The fault-injecting wrapper: faults come when armed, fail before reaching the wrapped store,
// and stop when healed. (With nothing armed it is one of the contract suite's implementations.)
#include "store/fault_injecting_store.h"

#include <gtest/gtest.h>

#include "store/memory_store.h"

namespace parley::store {
namespace {

AccountRecord account(const std::string& name) {
  AccountRecord a;
  a.name = name;
  a.name_folded = name;
  a.email = name + "@example.org";
  return a;
}

class FaultInjectingStoreTest : public ::testing::Test {
 protected:
  MemoryStore inner_;
  FaultInjectingStore store_{inner_};
};

TEST_F(FaultInjectingStoreTest, FailedWriteReachesNothing) {
  store_.fail_writes(1);
  const Status s = store_.create_account(account("alice"));
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_EQ(s.to_string(), "I/O error: injected fault: create_account");
  EXPECT_EQ(inner_.find_account("alice").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_.injected_failures(), 1u);
  // Only one was armed.
  EXPECT_TRUE(store_.create_account(account("alice")).is_ok());
  EXPECT_TRUE(inner_.find_account("alice").is_ok());
}

TEST_F(FaultInjectingStoreTest, WritesPassUntilTheArmedOne) {
  store_.fail_writes(2, /*after=*/1);
  EXPECT_TRUE(store_.create_account(account("a")).is_ok());
  EXPECT_EQ(store_.create_account(account("b")).code(), Status::Code::kIoError);
  EXPECT_EQ(store_.delete_account("a").code(), Status::Code::kIoError);
  EXPECT_TRUE(store_.create_account(account("c")).is_ok());
  EXPECT_EQ(inner_.list_accounts().value().size(), 2u);  // a and c
}

TEST_F(FaultInjectingStoreTest, EveryWriteFailsUntilHealedAndReadsGoOn) {
  ASSERT_TRUE(store_.create_account(account("alice")).is_ok());
  store_.fail_every_write();
  AccountRecord changed = account("alice");
  changed.email = "changed@example.org";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(store_.update_account(changed).code(), Status::Code::kIoError);
    EXPECT_EQ(store_.delete_account("alice").code(), Status::Code::kIoError);
    EXPECT_EQ(store_.create_account(account("bob")).code(), Status::Code::kIoError);
  }
  EXPECT_EQ(store_.find_account("alice").value().email, "alice@example.org");
  EXPECT_EQ(store_.injected_failures(), 15u);
  store_.heal();
  EXPECT_TRUE(store_.update_account(changed).is_ok());
  EXPECT_EQ(store_.find_account("alice").value().email, "changed@example.org");
}

TEST_F(FaultInjectingStoreTest, ReadsFailWhileArmed) {
  ASSERT_TRUE(store_.create_account(account("alice")).is_ok());
  store_.fail_reads(true);
  EXPECT_EQ(store_.find_account("alice").status().code(), Status::Code::kIoError);
  EXPECT_EQ(store_.find_account_by_certfp("ab").status().code(), Status::Code::kIoError);
  EXPECT_EQ(store_.list_accounts().status().code(), Status::Code::kIoError);
  EXPECT_EQ(store_.count_accounts_with_email("alice@example.org").status().code(), Status::Code::kIoError);
  EXPECT_TRUE(store_.create_account(account("bob")).is_ok());  // writes are not armed
  store_.fail_reads(false);
  EXPECT_EQ(store_.list_accounts().value().size(), 2u);
}

}  // namespace
}  // namespace parley::store
