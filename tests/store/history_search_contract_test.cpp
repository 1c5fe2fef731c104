// The Store contract for CHATHISTORY TARGETS, SEARCH, retention, read markers and registered
// channels (store/store.h, core/history.h), run against every implementation (contract_fixtures.h).
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "store/contract_fixtures.h"

namespace parley::core {
// Readable failure messages for TARGETS results.
inline void PrintTo(const TargetActivity& a, std::ostream* out) { *out << a.target << "@" << a.latest_ms; }
}  // namespace parley::core

namespace parley::store {
namespace {

using core::HistoryEntry;
using core::TargetActivity;
using Ids = std::vector<std::string>;

HistoryEntry entry(const std::string& target, const std::string& msgid, std::int64_t time_ms,
                   const std::string& text = "hello", const std::string& sender = "alice",
                   const std::string& command = "PRIVMSG") {
  HistoryEntry e;
  e.target = target;
  e.msgid = msgid;
  e.time_ms = time_ms;
  e.source = sender + "!u@host";
  e.sender_folded = sender;
  e.command = command;
  e.text = text;
  e.params = target + " :" + text;
  return e;
}

template <typename Fixture>
class HistoryExtrasContract : public testing_contract::StoreContract<Fixture> {
 protected:
  void append(const std::vector<HistoryEntry>& entries) {
    const Status s = this->store().append_history(entries);
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }
  std::vector<TargetActivity> targets(std::int64_t from, std::int64_t to, std::size_t limit = 10,
                                      std::vector<std::string> channels = {"#a", "#b", "#quiet"}) {
    core::TargetsQuery q;
    q.account_folded = "alice";
    q.channels = std::move(channels);
    q.from_ms = from;
    q.to_ms = to;
    q.limit = limit;
    auto got = this->store().history_targets(q);
    EXPECT_TRUE(got.is_ok()) << got.status().to_string();
    return got.is_ok() ? got.value() : std::vector<TargetActivity>{};
  }
  Ids search(const std::string& text, core::SearchQuery q = {}) {
    if (q.targets.empty()) q.targets = {"#a", "#b"};
    if (q.limit == 0) q.limit = 50;
    q.text = text;
    auto got = this->store().search_history(q);
    if (!got.is_ok()) return {"error: " + got.status().to_string()};
    Ids out;
    for (const auto& e : got.value()) out.push_back(e.msgid);
    return out;
  }
  Ids all_ids(const std::string& target) {
    core::HistoryQuery q;
    q.kind = core::HistoryQuery::Kind::kLatest;
    q.target = target;
    q.limit = 1000;
    q.include_events = true;
    auto got = this->store().query_history(q);
    if (!got.is_ok()) return {"error: " + got.status().to_string()};
    Ids out;
    for (const auto& e : got.value()) out.push_back(e.msgid);
    return out;
  }
};

TYPED_TEST_SUITE(HistoryExtrasContract, testing_contract::Implementations,
                 testing_contract::ImplementationNames);

TYPED_TEST(HistoryExtrasContract, TargetsListsReadableTargetsNewestFirst) {
  const std::string with_bob = core::dm_key("alice", "bob");
  const std::string with_zed = core::dm_key("zed", "alice");
  this->append({entry("#a", "a1", 100), entry("#a", "a2", 300), entry("#b", "b1", 200),
                entry("#secret", "s1", 400), entry(with_bob, "d1", 250), entry(with_zed, "z1", 50),
                entry(core::dm_key("bob", "carol"), "x1", 350),
                entry(core::dm_key("alicea", "bob"), "x2", 360)});
  const std::vector<TargetActivity> want = {{"#a", 300}, {with_bob, 250}, {"#b", 200}, {with_zed, 50}};
  EXPECT_EQ(this->targets(0, 1000), want);
  EXPECT_EQ(this->targets(1000, 0), want);  // either order
  EXPECT_EQ(this->targets(0, 1000, 2), (std::vector<TargetActivity>{{"#a", 300}, {with_bob, 250}}));
}

TYPED_TEST(HistoryExtrasContract, TargetsRangeIsExclusiveAndReportsTheLatestInIt) {
  this->append({entry("#a", "a1", 100), entry("#a", "a2", 300), entry("#b", "b1", 200)});
  EXPECT_EQ(this->targets(100, 300), (std::vector<TargetActivity>{{"#b", 200}}));
  EXPECT_EQ(this->targets(50, 250), (std::vector<TargetActivity>{{"#b", 200}, {"#a", 100}}));
  EXPECT_EQ(this->targets(300, 1000), std::vector<TargetActivity>{});
  EXPECT_EQ(this->targets(0, 1000, 10, {}), std::vector<TargetActivity>{});  // no channel, no conversation
}

TYPED_TEST(HistoryExtrasContract, SearchFindsAllWordsAsWholeTokensIgnoringCase) {
  this->append({entry("#a", "m1", 1, "The quick brown fox"),
                entry("#a", "m2", 2, "QUICK thinking, brown-eyed"), entry("#b", "m3", 3, "quickly brown"),
                entry("#a", "m4", 4, "nothing here")});
  EXPECT_EQ(this->search("quick brown"), (Ids{"m2", "m1"}));
  EXPECT_EQ(this->search("Brown"), (Ids{"m3", "m2", "m1"}));
  EXPECT_EQ(this->search("fox quick"), (Ids{"m1"}));
  EXPECT_EQ(this->search("eyed"), (Ids{"m2"}));
  EXPECT_EQ(this->search("quic"), Ids{});  // whole words only
  EXPECT_EQ(this->search("absent"), Ids{});
}

TYPED_TEST(HistoryExtrasContract, SearchFiltersBySenderTimeAndTarget) {
  this->append({entry("#a", "m1", 100, "hi", "alice"), entry("#a", "m2", 200, "hi", "bob"),
                entry("#b", "m3", 300, "hi", "alice"), entry("#secret", "m4", 400, "hi", "alice"),
                entry("#a", "j1", 500, "hi", "alice", "JOIN")});
  core::SearchQuery q;
  q.from_folded = "alice";
  EXPECT_EQ(this->search("hi", q), (Ids{"m3", "m1"}));
  q = {};
  q.after_ms = 100;
  q.before_ms = 300;
  EXPECT_EQ(this->search("hi", q), (Ids{"m2"}));  // both bounds exclusive
  q = {};
  q.targets = {"#b"};
  EXPECT_EQ(this->search("hi", q), (Ids{"m3"}));
  q = {};
  q.limit = 2;
  EXPECT_EQ(this->search("hi", q), (Ids{"m3", "m2"}));
  EXPECT_EQ(this->search("", {}), (Ids{"m3", "m2", "m1"}));  // no text: every message
}

TYPED_TEST(HistoryExtrasContract, SearchWithWordsPicksTheLatestAppendedMatches) {
  // Times that go back (a clock stepped back): words pick by append order, no words by time.
  this->append({entry("#a", "late", 500, "word"), entry("#a", "early", 100, "word"),
                entry("#a", "middle", 300, "word")});
  core::SearchQuery q;
  q.limit = 2;
  EXPECT_EQ(this->search("word", q), (Ids{"middle", "early"}));
  EXPECT_EQ(this->search("", q), (Ids{"late", "middle"}));
}

TYPED_TEST(HistoryExtrasContract, SearchWithoutReadableTargetsFindsNothing) {
  this->append({entry("#a", "m1", 1, "hello")});
  core::SearchQuery q;
  q.text = "hello";
  q.limit = 10;
  auto got = this->store().search_history(q);
  ASSERT_TRUE(got.is_ok());
  EXPECT_TRUE(got.value().empty());
}

TYPED_TEST(HistoryExtrasContract, SearchTextIsNeverQuerySyntax) {
  this->append({entry("#a", "m1", 1, "he said \"near\" the end"), entry("#a", "m2", 2, "col:umn and -minus"),
                entry("#a", "m3", 3, "star * power"), entry("#a", "m4", 4, "OR AND NOT")});
  EXPECT_EQ(this->search("\""), Ids{});
  EXPECT_EQ(this->search("*"), Ids{});
  EXPECT_EQ(this->search("\"near"), (Ids{"m1"}));
  EXPECT_EQ(this->search("NEAR(end said"), (Ids{"m1"}));
  EXPECT_EQ(this->search("col:umn"), (Ids{"m2"}));
  EXPECT_EQ(this->search("-minus"), (Ids{"m2"}));
  EXPECT_EQ(this->search("star*"), (Ids{"m3"}));
  EXPECT_EQ(this->search("power OR nothing"), Ids{});
  EXPECT_EQ(this->search("not"), (Ids{"m4"}));
  EXPECT_EQ(this->search("and or"), (Ids{"m4"}));
  EXPECT_EQ(this->search("^ \\ ' ( ) { } + :"), Ids{});
}

TYPED_TEST(HistoryExtrasContract, ExpireDeletesByAgeAndCountOldestFirst) {
  for (int i = 0; i < 6; ++i) this->append({entry("#a", "a" + std::to_string(i), 1000 * (i + 1))});
  for (int i = 0; i < 3; ++i) this->append({entry("#b", "b" + std::to_string(i), 1000 * (i + 1))});
  RetentionPolicy policy;
  policy.all.max_age_ms = 3500;  // at 7000: keeps time >= 3500
  auto deleted = this->store().expire_history(policy, 7000, 100);
  ASSERT_TRUE(deleted.is_ok()) << deleted.status().to_string();
  EXPECT_EQ(deleted.value(), 6u);
  EXPECT_EQ(this->all_ids("#a"), (Ids{"a3", "a4", "a5"}));
  EXPECT_EQ(this->all_ids("#b"), Ids{});
  policy = {};
  policy.all.max_count = 2;
  EXPECT_EQ(this->store().expire_history(policy, 7000, 100).value(), 1u);
  EXPECT_EQ(this->all_ids("#a"), (Ids{"a4", "a5"}));
  EXPECT_EQ(this->store().expire_history(policy, 7000, 100).value(), 0u);
}

TYPED_TEST(HistoryExtrasContract, PerTargetRuleReplacesTheServerWideOne) {
  for (int i = 0; i < 4; ++i) {
    this->append({entry("#a", "a" + std::to_string(i), 1000 * (i + 1)),
                  entry("#b", "b" + std::to_string(i), 1000 * (i + 1))});
  }
  RetentionPolicy policy;
  policy.all.max_count = 1;
  policy.per_target.push_back({"#b", RetentionRule{}});  // #b: keep everything
  EXPECT_EQ(this->store().expire_history(policy, 5000, 100).value(), 3u);
  EXPECT_EQ(this->all_ids("#a"), (Ids{"a3"}));
  EXPECT_EQ(this->all_ids("#b").size(), 4u);
}

TYPED_TEST(HistoryExtrasContract, ExpireStopsAtMaxRowsAndContinuesNextCall) {
  for (int i = 0; i < 10; ++i) this->append({entry("#a", "a" + std::to_string(i), i + 1)});
  RetentionPolicy policy;
  policy.all.max_count = 3;
  EXPECT_EQ(this->store().expire_history(policy, 100, 4).value(), 4u);
  EXPECT_EQ(this->all_ids("#a").front(), "a4");
  EXPECT_EQ(this->store().expire_history(policy, 100, 4).value(), 3u);
  EXPECT_EQ(this->all_ids("#a"), (Ids{"a7", "a8", "a9"}));
  // A deleted msgid is no longer a reference.
  core::HistoryQuery q;
  q.kind = core::HistoryQuery::Kind::kAfter;
  q.target = "#a";
  q.from = {core::HistoryRef::Kind::kMsgid, "a0", 0};
  q.limit = 5;
  EXPECT_EQ(this->store().query_history(q).status().code(), Status::Code::kNotFound);
}

TYPED_TEST(HistoryExtrasContract, ReadMarkersNeverMoveBackwards) {
  EXPECT_EQ(this->store().read_marker("alice", "#a").value(), 0);
  EXPECT_EQ(this->store().set_read_marker("alice", "#a", 5000).value(), 5000);
  EXPECT_EQ(this->store().set_read_marker("alice", "#a", 4000).value(), 5000);
  EXPECT_EQ(this->store().read_marker("alice", "#a").value(), 5000);
  EXPECT_EQ(this->store().set_read_marker("alice", "#a", 6000).value(), 6000);
  EXPECT_EQ(this->store().read_marker("bob", "#a").value(), 0);
  EXPECT_EQ(this->store().read_marker("alice", "#b").value(), 0);
}

core::RegisteredChannel channel(const std::string& name) {
  core::RegisteredChannel c;
  c.name = name;
  c.name_folded = name;
  for (char& ch : c.name_folded) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  c.founder = "alice";
  c.registered_at = 1'767'000'000;
  c.created_at = 1'766'000'000;
  c.topic = "welcome to " + name;
  c.topic_setter = "alice!a@host";
  c.topic_time = 1'767'000'100;
  c.modes = "+ntk key";
  c.bans = {{'b', "*!*@bad.example", "alice", 1'767'000'200},
            {'e', "*!*@good.example", "bob", 1'767'000'300},
            {'I', "*!*@friend.example", "alice", 1'767'000'400}};
  c.access = {{"bob", 'o', "alice", 1'767'000'500}, {"carol", 'v', "alice", 1'767'000'600}};
  return c;
}

TYPED_TEST(HistoryExtrasContract, RegisteredChannelsRoundTripOrderedByName) {
  const auto b = channel("#Beta"), a = channel("#alpha");
  ASSERT_TRUE(this->store().save_channel(b).is_ok());
  ASSERT_TRUE(this->store().save_channel(a).is_ok());
  auto listed = this->store().list_channels();
  ASSERT_TRUE(listed.is_ok()) << listed.status().to_string();
  EXPECT_EQ(listed.value(), (std::vector{a, b}));
}

TYPED_TEST(HistoryExtrasContract, SavingAChannelReplacesItWhole) {
  ASSERT_TRUE(this->store().save_channel(channel("#c")).is_ok());
  auto changed = channel("#c");
  changed.topic.clear();
  changed.bans.clear();
  changed.access = {{"zed", 'v', "alice", 1}, {"dave", 'o', "alice", 2}};  // unsorted on purpose
  ASSERT_TRUE(this->store().save_channel(changed).is_ok());
  auto listed = this->store().list_channels();
  ASSERT_TRUE(listed.is_ok());
  ASSERT_EQ(listed.value().size(), 1u);
  std::swap(changed.access[0], changed.access[1]);  // stores keep the access list sorted by account
  EXPECT_EQ(listed.value()[0], changed);
}

TYPED_TEST(HistoryExtrasContract, ChannelAccessListingAnAccountTwiceIsRefused) {
  auto c = channel("#c");
  c.access.push_back(c.access[0]);
  EXPECT_EQ(this->store().save_channel(c).code(), Status::Code::kInvalid);
  EXPECT_TRUE(this->store().list_channels().value().empty());
}

TYPED_TEST(HistoryExtrasContract, DroppedChannelIsGoneAndDroppingTwiceIsNotFound) {
  ASSERT_TRUE(this->store().save_channel(channel("#c")).is_ok());
  ASSERT_TRUE(this->store().save_channel(channel("#d")).is_ok());
  EXPECT_TRUE(this->store().drop_channel("#c").is_ok());
  EXPECT_EQ(this->store().drop_channel("#c").code(), Status::Code::kNotFound);
  auto listed = this->store().list_channels();
  ASSERT_EQ(listed.value().size(), 1u);
  EXPECT_EQ(listed.value()[0].name_folded, "#d");
}

}  // namespace
}  // namespace parley::store
