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

core::HistoryEntry message(const std::string& msgid, std::int64_t time_ms) {
  core::HistoryEntry e;
  e.target = "#c";
  e.msgid = msgid;
  e.time_ms = time_ms;
  e.command = "PRIVMSG";
  e.text = "hello";
  return e;
}

std::size_t stored(Store& store) {
  core::HistoryQuery q;
  q.target = "#c";
  q.limit = 100;
  auto got = store.query_history(q);
  return got.is_ok() ? got.value().size() : 999;
}

TEST_F(FaultInjectingStoreTest, AFailedAppendStoresNoneOfItsBatchAndARetryStoresItOnce) {
  ASSERT_TRUE(store_.append_history({message("a", 1)}).is_ok());
  store_.fail_writes(1);
  const std::vector batch = {message("b", 2), message("c", 3), message("d", 4)};
  const Status s = store_.append_history(batch);
  EXPECT_EQ(s.to_string(), "I/O error: injected fault: append_history");
  EXPECT_EQ(stored(inner_), 1u);
  ASSERT_TRUE(store_.append_history(batch).is_ok());
  ASSERT_TRUE(store_.append_history(batch).is_ok());  // the service may retry after a lost answer
  EXPECT_EQ(stored(inner_), 4u);
}

TEST_F(FaultInjectingStoreTest, EveryHistoryWriteCanFail) {
  core::RegisteredChannel channel;
  channel.name = channel.name_folded = "#c";
  ASSERT_TRUE(store_.save_channel(channel).is_ok());
  ASSERT_TRUE(store_.append_history({message("a", 1)}).is_ok());
  ASSERT_TRUE(store_.set_read_marker("alice", "#c", 10).is_ok());
  store_.fail_every_write();
  EXPECT_EQ(store_.append_history({message("b", 2)}).code(), Status::Code::kIoError);
  RetentionPolicy drop_all;
  drop_all.all.max_count = 0;
  drop_all.all.max_age_ms = 1;
  EXPECT_EQ(store_.expire_history(drop_all, 1'000'000, 100).status().code(), Status::Code::kIoError);
  EXPECT_EQ(store_.forget_history("#c").code(), Status::Code::kIoError);
  EXPECT_EQ(store_.delete_history_entry("#c", "a").code(), Status::Code::kIoError);
  EXPECT_EQ(store_.set_read_marker("alice", "#c", 20).status().code(), Status::Code::kIoError);
  EXPECT_EQ(store_.save_channel(channel).code(), Status::Code::kIoError);
  EXPECT_EQ(store_.drop_channel("#c").code(), Status::Code::kIoError);
  EXPECT_EQ(store_.injected_failures(), 7u);
  // Reads go on, and show that nothing changed.
  EXPECT_EQ(stored(store_), 1u);
  EXPECT_EQ(store_.read_marker("alice", "#c").value(), 10);
  EXPECT_EQ(store_.list_channels().value().size(), 1u);
  store_.heal();
  EXPECT_EQ(store_.expire_history(drop_all, 1'000'000, 100).value(), 1u);
}

TEST_F(FaultInjectingStoreTest, EveryHistoryReadCanFail) {
  store_.fail_reads(true);
  core::HistoryQuery q;
  q.target = "#c";
  q.limit = 10;
  EXPECT_EQ(store_.query_history(q).status().code(), Status::Code::kIoError);
  EXPECT_EQ(store_.history_targets({}).status().code(), Status::Code::kIoError);
  EXPECT_EQ(store_.search_history({}).status().code(), Status::Code::kIoError);
  EXPECT_EQ(store_.read_marker("alice", "#c").status().code(), Status::Code::kIoError);
  EXPECT_EQ(store_.list_channels().status().code(), Status::Code::kIoError);
  EXPECT_EQ(store_.injected_failures(), 5u);
  EXPECT_TRUE(store_.append_history({message("a", 1)}).is_ok());  // writes are not armed
}

}  // namespace
}  // namespace parley::store
