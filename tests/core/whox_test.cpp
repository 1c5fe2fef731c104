// Tests for WHOX (src/core/whox.cpp, the WHO handler in src/core/commands/query.cpp), after the
// ircv3.net "WHOX" specification: `WHO <mask> %<fields>[,<token>]` answered with 354 replies
// holding exactly the requested fields in the order t c u i h s n f d l a o r.
#include "core/whox.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;

// ---- the parser -------------------------------------------------------------------------------

TEST(WhoOptions, WithoutPercentOnlyTheOperFlagCounts) {
  WhoOptions o = parse_who_options("o");
  EXPECT_TRUE(o.opers_only);
  EXPECT_FALSE(o.whox);
  EXPECT_EQ(o.fields, 0);
  EXPECT_FALSE(parse_who_options("").opers_only);
}

TEST(WhoOptions, FieldsAreSetWhateverTheirOrder) {
  WhoOptions a = parse_who_options("%tcuihsnfdlaor,123"), b = parse_who_options("%roaldfnshiuct,123");
  EXPECT_TRUE(a.whox);
  EXPECT_EQ(a.fields, (1u << 13) - 1);
  EXPECT_EQ(a.fields, b.fields);
  EXPECT_EQ(a.token, "123");
  EXPECT_TRUE(a.has('t') && a.has('r'));
}

TEST(WhoOptions, UnknownFieldsAreIgnored) {
  WhoOptions o = parse_who_options("%nxyzZ");
  EXPECT_EQ(o.fields, 1u << kWhoxFieldOrder.find('n'));
  EXPECT_FALSE(o.has('x'));
}

TEST(WhoOptions, FlagsBeforePercentAndFieldsAfter) {
  WhoOptions o = parse_who_options("o%na");
  EXPECT_TRUE(o.opers_only);
  EXPECT_TRUE(o.has('n') && o.has('a'));
  EXPECT_FALSE(parse_who_options("%o").opers_only) << "an o after % is the op-level field";
  EXPECT_TRUE(parse_who_options("%o").has('o'));
}

TEST(WhoOptions, TokenMustBeOneToThreeDigits) {
  EXPECT_EQ(parse_who_options("%tn,7").token, "7");
  EXPECT_EQ(parse_who_options("%tn,1234").token, "");
  EXPECT_EQ(parse_who_options("%tn,a1").token, "");
  EXPECT_EQ(parse_who_options("%tn,").token, "");
  EXPECT_EQ(parse_who_options("%tn").token, "");
}

// ---- the 354 replies --------------------------------------------------------------------------

struct Whox : ::testing::Test {
  EngineHarness h;
  SessionId target = 0, asker = 0;
  void SetUp() override {
    target = h.register_user("coolNick");
    h.send(target, "JOIN #chan");
    asker = h.register_user("otherNick");
    h.clear_all();
  }
};

TEST_F(Whox, AllFieldsInTheSpecOrderWithTheToken) {
  h.send(asker, "WHO coolNick %rolaldfnshiuct,123");
  EXPECT_THAT(
      h.lines(asker),
      ElementsAre(IsLine(":parley.local 354 otherNick 123 #chan ~coolNick 127.0.0.1 127.0.0.1 parley.local "
                         "coolNick H@ 0 0 0 n/a :Real coolNick"),
                  IsLine(":parley.local 315 otherNick coolNick :End of WHO list")));
}

TEST_F(Whox, OnlyTheRequestedFields) {
  h.send(asker, "WHO coolNick %tn,321");
  EXPECT_THAT(h.lines(asker), ElementsAre(IsLine(":parley.local 354 otherNick 321 coolNick"),
                                          IsLine(":parley.local 315 otherNick coolNick :End of WHO list")));
  h.clear_all();
  h.send(asker, "WHO #chan %na");
  EXPECT_THAT(h.lines(asker), ElementsAre(IsLine(":parley.local 354 otherNick coolNick 0"),
                                          IsLine(":parley.local 315 otherNick #chan :End of WHO list")));
}

TEST_F(Whox, EachSingleFieldGetsOneNonEmptyReply) {
  for (char field : std::string("cuihsnfdlaor")) {
    h.clear_all();
    h.send(asker, std::string("WHO coolNick %") + field);
    auto r = h.replies(asker, "354");
    ASSERT_EQ(r.size(), 1u) << field;
    ASSERT_EQ(r[0].params.size(), 2u) << field;
    EXPECT_FALSE(r[0].params[1].empty()) << field;
  }
}

TEST_F(Whox, TokenFieldWithoutAValidTokenIsZero) {
  h.send(asker, "WHO coolNick %tn,abcd");
  EXPECT_THAT(h.replies(asker, "354").at(0).params, ElementsAre("otherNick", "0", "coolNick"));
}

TEST_F(Whox, IdleIsSecondsSinceTheLastMessage) {
  h.clock.advance(std::chrono::seconds(42));
  h.send(asker, "WHO coolNick %nl");
  EXPECT_THAT(h.replies(asker, "354").at(0).params, ElementsAre("otherNick", "coolNick", "42"));
}

TEST_F(Whox, WithoutPercentTheClassicReplyStays) {
  h.send(asker, "WHO coolNick");
  EXPECT_EQ(h.replies(asker, "354").size(), 0u);
  EXPECT_EQ(h.replies(asker, "352").size(), 1u);
}

TEST_F(Whox, OperFlagStillFilters) {
  h.send(asker, "WHO #chan o%n");
  EXPECT_THAT(h.commands(asker), ElementsAre("315")) << "nobody in #chan is an operator";
}

TEST(WhoxIsupport, IsAdvertised) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :Alice");
  EXPECT_TRUE(h.has_line(a, " WHOX "));
}

}  // namespace
}  // namespace parley::core::test
