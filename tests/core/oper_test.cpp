// Tests for operator commands (src/core/commands/oper.cpp and the oper-only check in the
// dispatcher): OPER, user mode -o, KILL. Expected behaviour follows modern.ircdocs.horse
// ("OPER message", "KILL message") and RFC 2812 sections 3.1.4 and 3.7.1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::IsEmpty;

EngineConfig with_operators() {
  EngineConfig c = EngineHarness::default_config();
  c.operators.push_back(OperatorBlock{"root", FakeAccountBackend::hash("hunter2"), "*@*"});
  c.operators.push_back(OperatorBlock{"lan", FakeAccountBackend::hash("lanpass"), "*@10.0.0.*"});
  return c;
}

// ---- OPER -------------------------------------------------------------------------------------

TEST(Oper, UnknownOperatorNameAnswersAsAWrongPasswordDoes) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.send(a, "OPER nobody hunter2");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 464 alice :Password incorrect"));
  EXPECT_FALSE(h.user(a)->is_oper());
  h.clear(a);
  h.send(a, "OPER root wrong");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 464 alice :Password incorrect"));
}

TEST(Oper, UnknownOperatorNameWaitsForAPasswordCheckLikeAKnownOne) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.accounts.mode = FakeAccountBackend::Mode::kManual;
  h.send(a, "OPER nobody hunter2");
  EXPECT_THAT(h.lines(a), IsEmpty());
  ASSERT_TRUE(h.answer_next());
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 464 alice :Password incorrect"));
}

TEST(Oper, NamedBlockForAnotherHostAnswersAsAWrongPasswordDoes) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.send(a, "OPER lan lanpass");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 464 alice :Password incorrect"));
  EXPECT_FALSE(h.user(a)->is_oper());
  SessionId b = h.register_user("bob", {}, "10.0.0.7");
  h.send(b, "OPER lan lanpass");
  EXPECT_TRUE(h.user(b)->is_oper());
}

TEST(Oper, NoBlockForTheHostIs491WhateverTheName) {
  EngineConfig c = EngineHarness::default_config();
  c.operators.push_back(OperatorBlock{"lan", FakeAccountBackend::hash("lanpass"), "*@10.0.0.*"});
  EngineHarness h(c);
  SessionId a = h.register_user("alice");
  h.send(a, "OPER lan lanpass");
  h.send(a, "OPER nobody lanpass");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 491 alice :No O-lines for your host",
                                   ":parley.local 491 alice :No O-lines for your host"));
  EXPECT_FALSE(h.user(a)->is_oper());
}

TEST(Oper, WrongPasswordIs464AndConnectionStays) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.send(a, "OPER root wrong");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 464 alice :Password incorrect"));
  EXPECT_FALSE(h.user(a)->is_oper());
  EXPECT_FALSE(h.closed(a));
}

TEST(Oper, SuccessGives381AndModePlusO) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.send(a, "OPER root hunter2");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 381 alice :You are now an IRC operator",
                                   ":alice!~alice@127.0.0.1 MODE alice +o"));
  EXPECT_TRUE(h.user(a)->is_oper());
  h.clear(a);
  h.send(a, "MODE alice");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 221 alice +o"));
}

TEST(Oper, LabeledOperIsAnsweredWithTheLabelWhenTheCheckCompletes) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice", {"labeled-response", "batch"});
  h.accounts.mode = FakeAccountBackend::Mode::kManual;
  h.send(a, "@label=op1 OPER root hunter2");
  EXPECT_THAT(h.lines(a), IsEmpty());  // no ACK: the reply follows
  ASSERT_TRUE(h.answer_next());
  const auto lines = h.take(a);
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines.front(), ::testing::StartsWith("@label=op1 :parley.local BATCH +"));
  EXPECT_TRUE(h.user(a)->is_oper());
}

TEST(Oper, CommandsAfterOperWaitForItsAnswer) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.accounts.mode = FakeAccountBackend::Mode::kManual;
  h.send(a, "OPER root hunter2");
  h.send(a, "PING sync");
  EXPECT_THAT(h.lines(a), IsEmpty());
  ASSERT_TRUE(h.answer_next());
  const auto lines = h.take(a);
  ASSERT_EQ(lines.size(), 3u) << h.dump(a);
  EXPECT_THAT(lines[0], ::testing::HasSubstr(" 381 alice "));
  EXPECT_THAT(lines[2], ::testing::HasSubstr("PONG"));
}

TEST(Oper, SecondOperDoesNotRepeatTheModeChange) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.send(a, "OPER root hunter2");
  h.clear(a);
  h.send(a, "OPER root hunter2");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 381 alice :You are now an IRC operator"));
}

TEST(Oper, TooFewParametersIs461) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.send(a, "OPER root");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 461 alice OPER :Not enough parameters"));
}

TEST(Oper, MinusOGivesUpOperatorStatus) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.send(a, "OPER root hunter2");
  h.clear(a);
  h.send(a, "MODE alice -o");
  EXPECT_THAT(h.lines(a), AreLines(":alice!~alice@127.0.0.1 MODE alice -o"));
  EXPECT_FALSE(h.user(a)->is_oper());
}

// ---- KILL -------------------------------------------------------------------------------------

TEST(Kill, NonOperatorIs481FromTheDispatcher) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "KILL bob :go away");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 481 alice :Permission Denied- You're not an IRC operator"));
  EXPECT_THAT(h.lines(b), IsEmpty());
  EXPECT_FALSE(h.closed(b));
}

TEST(Kill, UnknownNickIs401) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.send(a, "OPER root hunter2");
  h.clear(a);
  h.send(a, "KILL ghost :boo");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 401 alice ghost :No such nick/channel"));
}

TEST(Kill, VictimGetsKillThenErrorAndIsClosed) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "OPER root hunter2");
  h.send(a, "KILL bob :spamming links");
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 KILL bob :spamming links",
                                   "ERROR :Closing Link: 127.0.0.1 (Killed (alice (spamming links)))"));
  EXPECT_TRUE(h.closed(b));
  EXPECT_EQ(h.user(b), nullptr);
  EXPECT_EQ(h.engine().find_nick("bob"), nullptr);
  EXPECT_FALSE(h.closed(a));
}

TEST(Kill, ChannelMembersSeeQuitWithKilledReasonOnce) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  SessionId c = h.register_user("carol");
  h.send(b, "JOIN #one,#two");
  h.send(c, "JOIN #one,#two");
  h.send(a, "OPER root hunter2");
  h.clear_all();
  h.send(a, "KILL bob :spamming");
  EXPECT_THAT(h.lines(c), AreLines(":bob!~bob@127.0.0.1 QUIT :Killed (alice (spamming))"));
  EXPECT_THAT(h.lines(a), IsEmpty()) << "the killer shares no channel with bob";
  EXPECT_EQ(h.channel("#one")->members.size(), 1u);
  EXPECT_TRUE(h.memberships_consistent());
}

TEST(Kill, VictimIsRememberedByWhowas) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.register_user("bob");
  h.send(a, "OPER root hunter2");
  h.send(a, "KILL bob :bye");
  h.clear(a);
  h.send(a, "WHOWAS bob");
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 314 alice bob ~bob 127.0.0.1 * :Real bob"));
}

TEST(Kill, OperatorMayKillThemselves) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.send(a, "OPER root hunter2");
  h.clear_all();
  h.send(a, "KILL alice :oops");
  EXPECT_TRUE(h.closed(a));
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 QUIT :Killed (alice (oops))"));
  EXPECT_TRUE(h.memberships_consistent());
}

}  // namespace
}  // namespace parley::core::test
