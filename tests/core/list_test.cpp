// Tests for LIST's search conditions (src/core/commands/list.cpp), ISUPPORT ELIST=CMNTU as
// modern.ircdocs.horse describes it ("C<n": created less than n minutes ago, and so on).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The channel names of every RPL_LIST `id` received, then forgets what it received.
std::set<std::string> listed(EngineHarness& h, SessionId id) {
  std::set<std::string> out;
  for (const Line& l : h.replies(id, "322")) out.insert(l.params[1]);
  EXPECT_TRUE(h.has_line(id, " 323 ")) << h.dump(id);
  h.clear(id);
  return out;
}

using Names = std::set<std::string>;

TEST(ListSearch, IsAdvertisedAsElistCmntu) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :A");
  EXPECT_TRUE(h.has_line(a, " ELIST=CMNTU ")) << h.dump(a);
}

TEST(ListSearch, MaskSelectsMatchingNames) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #chan1,#chan2,#other");
  SessionId b = h.register_user("bob");
  h.send(b, "LIST *an1");
  EXPECT_EQ(listed(h, b), Names({"#chan1"}));
  h.send(b, "LIST #CH*");
  EXPECT_EQ(listed(h, b), Names({"#chan1", "#chan2"}));
  h.send(b, "LIST #c?an2,#oth*");
  EXPECT_EQ(listed(h, b), Names({"#chan2", "#other"}));
}

TEST(ListSearch, NegatedMaskExcludesMatchingNames) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #chan1,#chan2");
  SessionId b = h.register_user("bob");
  h.send(b, "LIST !*an1");
  EXPECT_EQ(listed(h, b), Names({"#chan2"}));
  h.send(b, "LIST !#ch*");
  EXPECT_EQ(listed(h, b), Names());
}

TEST(ListSearch, UserCountBounds) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #one,#two");
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #two");
  h.clear(b);
  h.send(b, "LIST >1");
  EXPECT_EQ(listed(h, b), Names({"#two"}));
  h.send(b, "LIST <2");
  EXPECT_EQ(listed(h, b), Names({"#one"}));
  h.send(b, "LIST >0,<3");
  EXPECT_EQ(listed(h, b), Names({"#one", "#two"}));
  h.send(b, "LIST <1");
  EXPECT_EQ(listed(h, b), Names());
}

TEST(ListSearch, CreationTimeInMinutes) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #old");
  h.advance(std::chrono::minutes(2));
  h.send(a, "JOIN #new");
  h.advance(std::chrono::minutes(1));
  h.clear(a);
  h.send(a, "LIST C>2");
  EXPECT_EQ(listed(h, a), Names({"#old"}));
  h.send(a, "LIST C<2");
  EXPECT_EQ(listed(h, a), Names({"#new"}));
  h.send(a, "LIST C<0");
  EXPECT_EQ(listed(h, a), Names());
  h.send(a, "LIST C<10");
  EXPECT_EQ(listed(h, a), Names({"#old", "#new"}));
}

TEST(ListSearch, TopicTimeInMinutesSkipsChannelsWithoutTopic) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #early,#late,#none");
  h.send(a, "TOPIC #early :first");
  h.advance(std::chrono::minutes(3));
  h.send(a, "TOPIC #late :second");
  h.advance(std::chrono::minutes(1));
  h.clear(a);
  h.send(a, "LIST T>2");
  EXPECT_EQ(listed(h, a), Names({"#early"}));
  h.send(a, "LIST T<2");
  EXPECT_EQ(listed(h, a), Names({"#late"}));
}

TEST(ListSearch, ConditionsCombineWithNames) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #one,#two");
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #two");
  h.clear(b);
  h.send(b, "LIST #one,#two,>1");
  EXPECT_EQ(listed(h, b), Names({"#two"}));
}

TEST(ListSearch, MalformedConditionIsFailAndListEnds) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #one");
  h.clear(a);
  h.send(a, "LIST C<soon");
  EXPECT_THAT(h.commands(a), ElementsAre("FAIL", "323")) << h.dump(a);
  EXPECT_TRUE(h.has_line(a, "FAIL LIST INVALID_PARAMS C<soon ")) << h.dump(a);
}

TEST(ListSearch, StopsAtListMaxMatchingChannels) {
  EngineHarness h;
  h.config.limits.list_max = 2;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #a,#b,#c,#d");
  h.send(a, "MODE #a +s");
  SessionId b = h.register_user("bob");
  h.send(b, "LIST");
  EXPECT_EQ(listed(h, b), Names({"#b", "#c"}));  // the hidden #a does not count
}

}  // namespace
}  // namespace parley::core::test
