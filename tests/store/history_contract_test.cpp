// The Store contract for history, read markers and registered channels (store/store.h, with the
// query semantics of core/history.h), run against every implementation (contract_fixtures.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/contract_fixtures.h"

namespace parley::store {
namespace {

using core::HistoryEntry;
using core::HistoryQuery;
using core::HistoryRef;
using Kind = core::HistoryQuery::Kind;

template <typename Fixture>
class HistoryContract : public testing_contract::StoreContract<Fixture> {
 protected:
  // Appends `entries` and fails the test if that does not work.
  void append(const std::vector<HistoryEntry>& entries) {
    const Status s = this->store().append_history(entries);
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }
  // Ten PRIVMSGs "m0".."m9" to #c at times 1000, 1010, ... 1090.
  std::vector<HistoryEntry> ten_messages() {
    std::vector<HistoryEntry> out;
    for (int i = 0; i < 10; ++i) out.push_back(message("#c", "m" + std::to_string(i), 1000 + 10 * i));
    append(out);
    return out;
  }
  // The msgids `query` returns; "error: ..." when it fails.
  std::vector<std::string> ids(const HistoryQuery& query) {
    auto got = this->store().query_history(query);
    if (!got.is_ok()) return {"error: " + got.status().to_string()};
    std::vector<std::string> out;
    for (const auto& e : got.value()) out.push_back(e.msgid);
    return out;
  }

  static HistoryEntry message(const std::string& target, const std::string& msgid, std::int64_t time_ms,
                              const std::string& command = "PRIVMSG", const std::string& text = "") {
    HistoryEntry e;
    e.target = target;
    e.msgid = msgid;
    e.time_ms = time_ms;
    e.source = "alice!a@host";
    e.sender_folded = "alice";
    e.account = "Alice";
    e.command = command;
    e.text = text.empty() && (command == "PRIVMSG" || command == "NOTICE") ? "text of " + msgid : text;
    e.params = target + " :" + e.text;
    return e;
  }
};

TYPED_TEST_SUITE(HistoryContract, testing_contract::Implementations, testing_contract::ImplementationNames);

HistoryRef msgid(const std::string& id) { return {HistoryRef::Kind::kMsgid, id, 0}; }
HistoryRef at(std::int64_t time_ms) { return {HistoryRef::Kind::kTime, {}, time_ms}; }
HistoryRef latest() { return {HistoryRef::Kind::kLatest, {}, 0}; }

HistoryQuery query(Kind kind, HistoryRef from, std::size_t limit, HistoryRef to = {}) {
  HistoryQuery q;
  q.kind = kind;
  q.target = "#c";
  q.from = std::move(from);
  q.to = std::move(to);
  q.limit = limit;
  return q;
}

using Ids = std::vector<std::string>;

TYPED_TEST(HistoryContract, EntriesRoundTripEveryField) {
  HistoryEntry e = this->message("#c", "id-1", 1'767'323'045'678);
  e.tags = "+draft/reply=abc;+example.org/x=a\\sb";
  e.params = "#c :hello \xc3\xa9 there";
  e.text = "hello \xc3\xa9 there";
  e.account.clear();
  this->append({e});
  auto got = this->store().query_history(query(Kind::kLatest, latest(), 10));
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  ASSERT_EQ(got.value().size(), 1u);
  EXPECT_EQ(got.value()[0], e);
}

TYPED_TEST(HistoryContract, EmptyTargetHasNoHistory) {
  EXPECT_EQ(this->ids(query(Kind::kLatest, latest(), 10)), Ids{});
  EXPECT_EQ(this->ids(query(Kind::kBefore, at(5000), 10)), Ids{});
}

TYPED_TEST(HistoryContract, LatestReturnsTheNewestOldestFirst) {
  this->ten_messages();
  EXPECT_EQ(this->ids(query(Kind::kLatest, latest(), 3)), (Ids{"m7", "m8", "m9"}));
  EXPECT_EQ(this->ids(query(Kind::kLatest, latest(), 100)).size(), 10u);
  EXPECT_EQ(this->ids(query(Kind::kLatest, {}, 1)), (Ids{"m9"}));
}

TYPED_TEST(HistoryContract, LatestAfterAReferenceReturnsOnlyNewerEntries) {
  this->ten_messages();
  EXPECT_EQ(this->ids(query(Kind::kLatest, msgid("m6"), 100)), (Ids{"m7", "m8", "m9"}));
  EXPECT_EQ(this->ids(query(Kind::kLatest, at(1060), 100)), (Ids{"m7", "m8", "m9"}));
  EXPECT_EQ(this->ids(query(Kind::kLatest, at(1000), 2)), (Ids{"m8", "m9"}));
  EXPECT_EQ(this->ids(query(Kind::kLatest, msgid("m9"), 10)), Ids{});
}

TYPED_TEST(HistoryContract, BeforeIsExclusiveAndTakesTheNearest) {
  this->ten_messages();
  EXPECT_EQ(this->ids(query(Kind::kBefore, msgid("m6"), 100)), (Ids{"m0", "m1", "m2", "m3", "m4", "m5"}));
  EXPECT_EQ(this->ids(query(Kind::kBefore, msgid("m6"), 2)), (Ids{"m4", "m5"}));
  EXPECT_EQ(this->ids(query(Kind::kBefore, at(1060), 2)), (Ids{"m4", "m5"}));
  EXPECT_EQ(this->ids(query(Kind::kBefore, msgid("m0"), 5)), Ids{});
  EXPECT_EQ(this->ids(query(Kind::kBefore, at(1000), 5)), Ids{});
}

TYPED_TEST(HistoryContract, AfterIsExclusiveAndTakesTheNearest) {
  this->ten_messages();
  EXPECT_EQ(this->ids(query(Kind::kAfter, msgid("m3"), 3)), (Ids{"m4", "m5", "m6"}));
  EXPECT_EQ(this->ids(query(Kind::kAfter, at(1030), 3)), (Ids{"m4", "m5", "m6"}));
  EXPECT_EQ(this->ids(query(Kind::kAfter, msgid("m3"), 100)).size(), 6u);
  EXPECT_EQ(this->ids(query(Kind::kAfter, msgid("m9"), 5)), Ids{});
}

TYPED_TEST(HistoryContract, TimestampBetweenEntriesIsAValidReference) {
  this->ten_messages();
  EXPECT_EQ(this->ids(query(Kind::kBefore, at(1055), 2)), (Ids{"m4", "m5"}));
  EXPECT_EQ(this->ids(query(Kind::kAfter, at(1055), 2)), (Ids{"m6", "m7"}));
  EXPECT_EQ(this->ids(query(Kind::kAfter, at(0), 1)), (Ids{"m0"}));
  EXPECT_EQ(this->ids(query(Kind::kBefore, at(999'999), 1)), (Ids{"m9"}));
}

TYPED_TEST(HistoryContract, BetweenWorksInEitherOrderFromTheFirstReferencesSide) {
  this->ten_messages();
  const Ids inner = {"m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"};
  EXPECT_EQ(this->ids(query(Kind::kBetween, msgid("m0"), 100, msgid("m9"))), inner);
  EXPECT_EQ(this->ids(query(Kind::kBetween, msgid("m9"), 100, msgid("m0"))), inner);
  EXPECT_EQ(this->ids(query(Kind::kBetween, msgid("m0"), 3, msgid("m9"))), (Ids{"m1", "m2", "m3"}));
  EXPECT_EQ(this->ids(query(Kind::kBetween, msgid("m9"), 3, msgid("m0"))), (Ids{"m6", "m7", "m8"}));
  EXPECT_EQ(this->ids(query(Kind::kBetween, at(1000), 3, at(1090))), (Ids{"m1", "m2", "m3"}));
  EXPECT_EQ(this->ids(query(Kind::kBetween, at(1090), 3, at(1000))), (Ids{"m6", "m7", "m8"}));
  EXPECT_EQ(this->ids(query(Kind::kBetween, msgid("m2"), 10, at(1050))), (Ids{"m3", "m4"}));
  EXPECT_EQ(this->ids(query(Kind::kBetween, msgid("m4"), 10, msgid("m4"))), Ids{});
  EXPECT_EQ(this->ids(query(Kind::kBetween, msgid("m4"), 10, msgid("m5"))), Ids{});
}

TYPED_TEST(HistoryContract, AroundIncludesTheReferenceAndSplitsTheLimit) {
  this->ten_messages();
  EXPECT_EQ(this->ids(query(Kind::kAround, msgid("m7"), 1)), (Ids{"m7"}));
  EXPECT_EQ(this->ids(query(Kind::kAround, msgid("m7"), 3)), (Ids{"m6", "m7", "m8"}));
  EXPECT_EQ(this->ids(query(Kind::kAround, msgid("m5"), 4)), (Ids{"m3", "m4", "m5", "m6"}));
  EXPECT_EQ(this->ids(query(Kind::kAround, at(1070), 3)), (Ids{"m6", "m7", "m8"}));
  EXPECT_EQ(this->ids(query(Kind::kAround, at(1065), 2)), (Ids{"m6", "m7"}));
}

TYPED_TEST(HistoryContract, AroundNearAnEndFillsTheLimitFromTheOtherSide) {
  this->ten_messages();
  EXPECT_EQ(this->ids(query(Kind::kAround, msgid("m0"), 3)), (Ids{"m0", "m1", "m2"}));
  EXPECT_EQ(this->ids(query(Kind::kAround, msgid("m9"), 3)), (Ids{"m7", "m8", "m9"}));
  EXPECT_EQ(this->ids(query(Kind::kAround, msgid("m5"), 100)).size(), 10u);
}

TYPED_TEST(HistoryContract, UnknownMsgidIsNotFound) {
  this->ten_messages();
  this->append({this->message("#other", "elsewhere", 1055)});
  for (Kind kind : {Kind::kLatest, Kind::kBefore, Kind::kAfter, Kind::kAround, Kind::kBetween}) {
    auto got = this->store().query_history(query(kind, msgid("nope"), 10, msgid("m1")));
    EXPECT_EQ(got.status().code(), Status::Code::kNotFound) << static_cast<int>(kind);
    // An msgid of another target is not a reference into this one.
    got = this->store().query_history(query(kind, msgid("elsewhere"), 10, msgid("m1")));
    EXPECT_EQ(got.status().code(), Status::Code::kNotFound) << static_cast<int>(kind);
  }
  auto got = this->store().query_history(query(Kind::kBetween, msgid("m1"), 10, msgid("nope")));
  EXPECT_EQ(got.status().code(), Status::Code::kNotFound);
}

TYPED_TEST(HistoryContract, EventsAreSkippedUnlessAskedFor) {
  this->append({this->message("#c", "p1", 1000), this->message("#c", "j1", 1001, "JOIN"),
                this->message("#c", "t1", 1002, "TAGMSG"), this->message("#c", "n1", 1003, "NOTICE"),
                this->message("#c", "k1", 1004, "KICK"), this->message("#c", "p2", 1005)});
  EXPECT_EQ(this->ids(query(Kind::kLatest, latest(), 2)), (Ids{"n1", "p2"}));
  EXPECT_EQ(this->ids(query(Kind::kLatest, latest(), 10)), (Ids{"p1", "n1", "p2"}));
  EXPECT_EQ(this->ids(query(Kind::kBefore, msgid("p2"), 2)), (Ids{"p1", "n1"}));
  HistoryQuery with_events = query(Kind::kLatest, latest(), 4);
  with_events.include_events = true;
  EXPECT_EQ(this->ids(with_events), (Ids{"t1", "n1", "k1", "p2"}));
  // An event is a valid reference even when events are not returned.
  EXPECT_EQ(this->ids(query(Kind::kAfter, msgid("j1"), 10)), (Ids{"n1", "p2"}));
}

TYPED_TEST(HistoryContract, EqualTimestampsKeepAppendOrder) {
  this->append({this->message("#c", "a", 500), this->message("#c", "b", 500)});
  this->append({this->message("#c", "c", 500), this->message("#c", "early", 400)});
  EXPECT_EQ(this->ids(query(Kind::kLatest, latest(), 10)), (Ids{"early", "a", "b", "c"}));
  EXPECT_EQ(this->ids(query(Kind::kBefore, msgid("b"), 10)), (Ids{"early", "a"}));
  EXPECT_EQ(this->ids(query(Kind::kAfter, msgid("b"), 10)), (Ids{"c"}));
  EXPECT_EQ(this->ids(query(Kind::kAround, msgid("b"), 1)), (Ids{"b"}));
  // A time reference stands before (as `to`/BEFORE) or after (as AFTER) every entry at that time.
  EXPECT_EQ(this->ids(query(Kind::kBefore, at(500), 10)), (Ids{"early"}));
  EXPECT_EQ(this->ids(query(Kind::kAfter, at(500), 10)), Ids{});
  EXPECT_EQ(this->ids(query(Kind::kAfter, at(400), 10)), (Ids{"a", "b", "c"}));
}

TYPED_TEST(HistoryContract, AppendIsIdempotentPerMsgid) {
  const std::vector<HistoryEntry> batch = {this->message("#c", "x", 1), this->message("#c", "y", 2)};
  this->append(batch);
  this->append(batch);
  HistoryEntry changed = this->message("#c", "x", 3);
  changed.text = "a different text";
  this->append({changed, this->message("#c", "z", 4)});
  auto got = this->store().query_history(query(Kind::kLatest, latest(), 10));
  ASSERT_TRUE(got.is_ok());
  ASSERT_EQ(got.value().size(), 3u);
  EXPECT_EQ(got.value()[0], batch[0]);  // the first one stored stays
}

TYPED_TEST(HistoryContract, AnInvalidEntryFailsTheWholeBatch) {
  HistoryEntry bad = this->message("#c", "", 2);
  const Status s = this->store().append_history({this->message("#c", "good", 1), bad});
  EXPECT_EQ(s.code(), Status::Code::kInvalid) << s.to_string();
  EXPECT_EQ(this->ids(query(Kind::kLatest, latest(), 10)), Ids{});
}

TYPED_TEST(HistoryContract, TargetsAreSeparate) {
  this->append({this->message("#c", "c1", 1), this->message("#d", "d1", 2), this->message("#c", "c2", 3)});
  EXPECT_EQ(this->ids(query(Kind::kLatest, latest(), 10)), (Ids{"c1", "c2"}));
}

TYPED_TEST(HistoryContract, ForgetDeletesOneTargetOnly) {
  this->append({this->message("#c", "c1", 1), this->message("#d", "d1", 2)});
  ASSERT_TRUE(this->store().forget_history("#c").is_ok());
  EXPECT_EQ(this->ids(query(Kind::kLatest, latest(), 10)), Ids{});
  EXPECT_EQ(this->store().query_history(query(Kind::kAfter, msgid("c1"), 10)).status().code(),
            Status::Code::kNotFound);
  HistoryQuery other = query(Kind::kLatest, latest(), 10);
  other.target = "#d";
  EXPECT_EQ(this->ids(other), (Ids{"d1"}));
  EXPECT_TRUE(this->store().forget_history("#never").is_ok());
}

TYPED_TEST(HistoryContract, DeletingAnEntryRemovesOnlyThatMessage) {
  this->append({this->message("#c", "c1", 1), this->message("#c", "c2", 2), this->message("#d", "d1", 3)});
  EXPECT_EQ(this->store().delete_history_entry("#d", "c1").code(), Status::Code::kNotFound);  // not in #d
  ASSERT_TRUE(this->store().delete_history_entry("#c", "c1").is_ok());
  EXPECT_EQ(this->ids(query(Kind::kLatest, latest(), 10)), (Ids{"c2"}));
  EXPECT_EQ(this->store().query_history(query(Kind::kAfter, msgid("c1"), 10)).status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(this->store().delete_history_entry("#c", "c1").code(), Status::Code::kNotFound);  // once only
  HistoryQuery other = query(Kind::kLatest, latest(), 10);
  other.target = "#d";
  EXPECT_EQ(this->ids(other), (Ids{"d1"}));
}

}  // namespace
}  // namespace parley::store
