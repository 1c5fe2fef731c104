// store::execute_history (store/history_requests.h): routing to the durable or in-memory store and
// the mapping of Status to HistoryAnswer::Outcome.
#include "store/history_requests.h"

#include <gtest/gtest.h>

#include "store/fault_injecting_store.h"
#include "store/memory_store.h"

namespace parley::store {
namespace {

using core::HistoryAnswer;
using core::HistoryRequest;
using Outcome = HistoryAnswer::Outcome;

class ExecuteHistory : public ::testing::Test {
 protected:
  MemoryStore durable_inner;
  FaultInjectingStore durable{durable_inner};
  MemoryStore memory;

  HistoryAnswer run(const HistoryRequest& r) { return execute_history(r, durable, memory); }

  static HistoryRequest append(const std::string& target, const std::string& msgid, bool is_durable) {
    HistoryRequest r;
    r.kind = HistoryRequest::Kind::kAppend;
    r.durable = is_durable;
    r.entry.target = target;
    r.entry.msgid = msgid;
    r.entry.time_ms = 1000;
    r.entry.command = "PRIVMSG";
    r.entry.text = "hello world";
    return r;
  }
  static HistoryRequest latest(const std::string& target, bool is_durable) {
    HistoryRequest r;
    r.kind = HistoryRequest::Kind::kQuery;
    r.durable = is_durable;
    r.query.kind = core::HistoryQuery::Kind::kLatest;
    r.query.target = target;
    r.query.limit = 10;
    return r;
  }
};

TEST_F(ExecuteHistory, AppendsAndQueriesGoWhereDurableSays) {
  EXPECT_EQ(run(append("#c", "d1", true)).outcome, Outcome::kOk);
  EXPECT_EQ(run(append("@a b", "m1", false)).outcome, Outcome::kOk);
  EXPECT_EQ(run(latest("#c", true)).entries.size(), 1u);
  EXPECT_EQ(run(latest("#c", false)).entries.size(), 0u);
  const HistoryAnswer ephemeral = run(latest("@a b", false));
  ASSERT_EQ(ephemeral.entries.size(), 1u);
  EXPECT_EQ(ephemeral.entries[0].msgid, "m1");
  EXPECT_EQ(run(latest("@a b", true)).entries.size(), 0u);
}

TEST_F(ExecuteHistory, SearchAndTargetsReadTheChosenStore) {
  run(append("#c", "d1", true));
  HistoryRequest search;
  search.kind = HistoryRequest::Kind::kSearch;
  search.search.targets = {"#c"};
  search.search.text = "WORLD";
  search.search.limit = 5;
  EXPECT_EQ(run(search).entries.size(), 1u);
  search.durable = false;
  EXPECT_EQ(run(search).entries.size(), 0u);
  HistoryRequest targets;
  targets.kind = HistoryRequest::Kind::kTargets;
  targets.targets.channels = {"#c"};
  targets.targets.to_ms = 5000;
  targets.targets.limit = 5;
  const HistoryAnswer a = run(targets);
  EXPECT_EQ(a.outcome, Outcome::kOk);
  EXPECT_EQ(a.activity, (std::vector<core::TargetActivity>{{"#c", 1000}}));
}

TEST_F(ExecuteHistory, UnknownMsgidIsNotFound) {
  HistoryRequest r = latest("#c", true);
  r.query.kind = core::HistoryQuery::Kind::kBefore;
  r.query.from = {core::HistoryRef::Kind::kMsgid, "missing", 0};
  const HistoryAnswer a = run(r);
  EXPECT_EQ(a.outcome, Outcome::kNotFound);
  EXPECT_NE(a.detail.find("missing"), std::string::npos) << a.detail;
}

TEST_F(ExecuteHistory, StoreErrorsAreFailedWithTheStatusAsDetail) {
  durable.fail_every_write();
  HistoryAnswer a = run(append("#c", "d1", true));
  EXPECT_EQ(a.outcome, Outcome::kFailed);
  EXPECT_NE(a.detail.find("injected fault: append_history"), std::string::npos) << a.detail;
  durable.fail_reads(true);
  EXPECT_EQ(run(latest("#c", true)).outcome, Outcome::kFailed);
  EXPECT_EQ(run(append("@a b", "m1", false)).outcome, Outcome::kOk);  // memory is not the durable store
}

TEST_F(ExecuteHistory, MarkersAreDurableAndNeverMoveBack) {
  HistoryRequest set;
  set.kind = HistoryRequest::Kind::kSetMarker;
  set.durable = false;  // markers always go to the durable store
  set.account_folded = "alice";
  set.target = "#c";
  set.marker_ms = 5000;
  EXPECT_EQ(run(set).marker_ms, 5000);
  set.marker_ms = 10;
  const HistoryAnswer back = run(set);
  EXPECT_EQ(back.outcome, Outcome::kOk);
  EXPECT_EQ(back.marker_ms, 5000);
  HistoryRequest get;
  get.kind = HistoryRequest::Kind::kGetMarker;
  get.account_folded = "alice";
  get.target = "#c";
  EXPECT_EQ(run(get).marker_ms, 5000);
  EXPECT_EQ(durable_inner.read_marker("alice", "#c").value(), 5000);
  EXPECT_EQ(memory.read_marker("alice", "#c").value(), 0);
}

TEST_F(ExecuteHistory, ChannelsAreSavedAndDropped) {
  HistoryRequest save;
  save.kind = HistoryRequest::Kind::kSaveChannel;
  save.channel.name = "#C";
  save.channel.name_folded = "#c";
  save.channel.founder = "alice";
  EXPECT_EQ(run(save).outcome, Outcome::kOk);
  EXPECT_EQ(durable_inner.list_channels().value().size(), 1u);
  HistoryRequest drop;
  drop.kind = HistoryRequest::Kind::kDropChannel;
  drop.channel.name_folded = "#c";
  EXPECT_EQ(run(drop).outcome, Outcome::kOk);
  EXPECT_EQ(run(drop).outcome, Outcome::kNotFound);
}

TEST_F(ExecuteHistory, ForgetClearsOnlyTheInMemoryTarget) {
  run(append("@a b", "m1", false));
  run(append("@a b", "d1", true));
  HistoryRequest forget;
  forget.kind = HistoryRequest::Kind::kForget;
  forget.target = "@a b";
  EXPECT_EQ(run(forget).outcome, Outcome::kOk);
  EXPECT_EQ(run(latest("@a b", false)).entries.size(), 0u);
  EXPECT_EQ(run(latest("@a b", true)).entries.size(), 1u);
}

}  // namespace
}  // namespace parley::store
