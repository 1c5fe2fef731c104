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
                                   ":parley.local 008 alice +acgkloqx :Server notice mask",
                                   ":alice!~alice@127.0.0.1 MODE alice +os"));
  EXPECT_TRUE(h.user(a)->is_oper());
  h.clear(a);
  h.send(a, "MODE alice");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 221 alice +os", ":parley.local 008 alice +acgkloqx :Server notice mask"));
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
  ASSERT_EQ(lines.size(), 4u) << h.dump(a);
  EXPECT_THAT(lines[0], ::testing::HasSubstr(" 381 alice "));
  EXPECT_THAT(lines[3], ::testing::HasSubstr("PONG"));
}

TEST(Oper, SecondOperDoesNotRepeatTheModeChange) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.send(a, "OPER root hunter2");
  h.clear(a);
  h.send(a, "OPER root hunter2");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 381 alice :You are now an IRC operator",
                                   ":parley.local 008 alice +acgkloqx :Server notice mask"));
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
  EXPECT_THAT(h.lines(a), AreLines(":alice!~alice@127.0.0.1 MODE alice -so"));
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
  EXPECT_FALSE(h.has_line(a, " QUIT ")) << "the killer shares no channel with bob";
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

// ---- operator classes -----------------------------------------------------------------------------

EngineConfig with_classes() {
  EngineConfig c = with_operators();
  c.operator_classes.push_back(OperatorClass{"helper", {"KILL"}, "ko"});
  c.operators.push_back(OperatorBlock{"help", FakeAccountBackend::hash("helppass"), "*@*", "helper"});
  return c;
}

TEST(OperClass, AClassAllowsOnlyItsCommandsAndSetsItsSnomask) {
  EngineHarness h(with_classes());
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "OPER help helppass");
  EXPECT_TRUE(h.has_line(a, " 008 alice +ko :Server notice mask")) << h.dump(a);
  h.clear(a);
  h.send(a, "KLINE *@192.0.2.7 1h :spam");
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local 481 alice :Permission Denied- Your operator class does not allow KLINE"));
  h.send(a, "KILL bob :bye");
  EXPECT_TRUE(h.closed(b));
}

TEST(OperClass, AnOperatorWithoutAClassMayUseEveryOperatorCommand) {
  EngineHarness h(with_classes());
  SessionId a = h.register_user("alice");
  h.send(a, "OPER root hunter2");
  EXPECT_TRUE(h.engine().oper_may(*h.user(a), "KLINE"));
  EXPECT_TRUE(h.engine().oper_may(*h.user(a), "DIE"));
  SessionId b = h.register_user("bob");
  EXPECT_FALSE(h.engine().oper_may(*h.user(b), "KILL")) << "not an operator";
}

// ---- server notices (snomasks) ------------------------------------------------------------------

TEST(Snomask, OperatorsSeeConnectsQuitsKillsAndOpersOfOthers) {
  EngineHarness h(with_operators());
  SessionId root = h.register_user("root");
  h.send(root, "OPER root hunter2");
  h.clear(root);
  SessionId b = h.register_user("bob", {}, "192.0.2.4");
  EXPECT_TRUE(h.has_line(root, ":parley.local NOTICE root :*** Client connecting: bob (~bob@192.0.2.4) [Real bob]"))
      << h.dump(root);
  h.send(b, "QUIT :later");
  EXPECT_TRUE(h.has_line(root, "*** Client exiting: bob (~bob@192.0.2.4) [Quit: later]")) << h.dump(root);
  SessionId c = h.register_user("carol");
  h.send(c, "OPER root wrong");
  EXPECT_TRUE(h.has_line(root, "*** Failed OPER attempt by carol (~carol@127.0.0.1)")) << h.dump(root);
  h.send(c, "OPER root hunter2");
  EXPECT_TRUE(h.has_line(root, "*** carol (~carol@127.0.0.1) is now an operator (root)")) << h.dump(root);
  EXPECT_FALSE(h.has_line(c, "is now an operator (root)")) << "the new operator is told by 381 instead";
  SessionId d = h.register_user("dave");
  h.send(c, "KILL dave :flooding");
  EXPECT_TRUE(h.has_line(root, "*** carol killed dave (flooding)")) << h.dump(root);
  EXPECT_TRUE(h.closed(d));
}

TEST(Snomask, PlusSEditsTheMaskAndMinusSDropsIt) {
  EngineHarness h(with_operators());
  SessionId root = h.register_user("root");
  h.send(root, "OPER root hunter2");
  h.clear(root);
  h.send(root, "MODE root +s -cq");
  EXPECT_THAT(h.lines(root), AreLines(":parley.local 008 root +agklox :Server notice mask"));
  h.clear(root);
  h.register_user("bob");
  EXPECT_FALSE(h.has_line(root, "Client connecting")) << h.dump(root);
  h.send(root, "MODE root -s");
  EXPECT_THAT(h.lines(root), AreLines(":root!~root@127.0.0.1 MODE root -s"));
  h.clear(root);
  h.send(root, "MODE root +s");
  EXPECT_THAT(h.lines(root), AreLines(":parley.local 008 root +acgkloqx :Server notice mask",
                                      ":root!~root@127.0.0.1 MODE root +s"));
  h.clear(root);
  h.send(root, "MODE root +s +z");
  EXPECT_TRUE(h.has_line(root, " 501 root :Unknown MODE flag")) << h.dump(root);
}

TEST(Snomask, OnlyOperatorsMaySetPlusS) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.send(a, "MODE alice +s");
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local 481 alice :Permission Denied- Only operators may set user mode s"));
  EXPECT_TRUE(h.user(a)->snomask().empty());
}

TEST(Globops, ReachesOperatorsWithSnomaskGOnly) {
  EngineHarness h(with_operators());
  SessionId root = h.register_user("root");
  h.send(root, "OPER root hunter2");
  SessionId other = h.register_user("other");
  h.send(other, "OPER root hunter2");
  h.send(other, "MODE other +s -g");
  SessionId user = h.register_user("user");
  h.clear_all();
  h.send(root, "GLOBOPS :server move at 20:00");
  EXPECT_THAT(h.lines(root), AreLines(":parley.local NOTICE root :*** Global -- from root: server move at 20:00"));
  EXPECT_THAT(h.lines(other), IsEmpty());
  EXPECT_THAT(h.lines(user), IsEmpty());
}

// ---- SAJOIN, SAPART, SANICK -------------------------------------------------------------------------

TEST(Sajoin, JoinsThroughKeyAndInviteOnlyAndTellsOperators) {
  EngineHarness h(with_operators());
  SessionId root = h.register_user("root");
  h.send(root, "OPER root hunter2");
  SessionId owner = h.register_user("owner");
  h.send(owner, "JOIN #locked");
  h.send(owner, "MODE #locked +ik secret");
  SessionId bob = h.register_user("bob");
  h.clear_all();
  h.send(root, "SAJOIN bob #locked");
  EXPECT_TRUE(h.has_line(bob, ":bob!~bob@127.0.0.1 JOIN #locked")) << h.dump(bob);
  EXPECT_TRUE(h.has_line(owner, ":bob!~bob@127.0.0.1 JOIN #locked"));
  EXPECT_TRUE(h.has_line(root, "*** root used SAJOIN to join bob to #locked")) << h.dump(root);
  h.clear(root);
  h.send(root, "SAJOIN bob #locked");
  EXPECT_THAT(h.lines(root), AreLines(":parley.local 443 root bob #locked :is already on channel"));
  h.clear(root);
  h.send(root, "SAJOIN nobody #locked");
  EXPECT_THAT(h.lines(root), AreLines(":parley.local 401 root nobody :No such nick/channel"));
  EXPECT_TRUE(h.memberships_consistent());
}

TEST(Sajoin, IsForOperators) {
  EngineHarness h(with_operators());
  SessionId a = h.register_user("alice");
  h.register_user("bob");
  h.send(a, "SAJOIN bob #x");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 481 alice :Permission Denied- You're not an IRC operator"));
  EXPECT_EQ(h.channel("#x"), nullptr);
}

TEST(Sapart, PartsTheUserWithTheReason) {
  EngineHarness h(with_operators());
  SessionId root = h.register_user("root");
  h.send(root, "OPER root hunter2");
  SessionId bob = h.register_user("bob");
  SessionId carol = h.register_user("carol");
  h.send(bob, "JOIN #c");
  h.send(carol, "JOIN #c");
  h.clear_all();
  h.send(root, "SAPART bob #c :take a break");
  EXPECT_THAT(h.lines(carol), AreLines(":bob!~bob@127.0.0.1 PART #c :take a break"));
  EXPECT_FALSE(h.channel("#c")->has(*h.user(bob)));
  h.clear(root);
  h.send(root, "SAPART bob #c");
  EXPECT_THAT(h.lines(root), AreLines(":parley.local 441 root bob #c :They aren't on that channel"));
}

TEST(Sanick, RenamesTheUserUnlessTheNickIsTakenOrInvalid) {
  EngineHarness h(with_operators());
  SessionId root = h.register_user("root");
  h.send(root, "OPER root hunter2");
  SessionId bob = h.register_user("bob");
  h.register_user("carol");
  h.clear_all();
  h.send(root, "SANICK bob carol");
  EXPECT_THAT(h.lines(root), AreLines(":parley.local 433 root carol :Nickname is already in use"));
  h.clear(root);
  h.send(root, "SANICK bob 9lives");
  EXPECT_THAT(h.lines(root), AreLines(":parley.local 432 root 9lives :Erroneous nickname"));
  h.clear(root);
  h.send(root, "SANICK bob robert");
  EXPECT_THAT(h.lines(bob), AreLines(":bob!~bob@127.0.0.1 NICK robert"));
  EXPECT_EQ(h.engine().find_nick("robert"), h.user(bob));
  EXPECT_TRUE(h.has_line(root, "*** root used SANICK to change bob's nick to robert")) << h.dump(root);
}

// ---- DIE and RESTART ------------------------------------------------------------------------------

class RecordingControl final : public ServerControl {
 public:
  bool die(std::string_view reason) override {
    calls.push_back("die: " + std::string(reason));
    return true;
  }
  bool restart(std::string_view reason) override {
    calls.push_back("restart: " + std::string(reason));
    return true;
  }
  void log_notice(char category, std::string_view text) override {
    logged.push_back(std::string(1, category) + " " + std::string(text));
  }
  std::vector<std::string> calls, logged;
};

TEST(Die, AsksTheServerToShutDownAndLogsIt) {
  EngineHarness h(with_operators());
  RecordingControl control;
  h.engine().set_control(&control);
  SessionId root = h.register_user("root");
  h.send(root, "OPER root hunter2");
  h.send(root, "DIE :moving to new hardware");
  h.send(root, "RESTART");
  EXPECT_THAT(control.calls, ::testing::ElementsAre("die: Server terminating by root: moving to new hardware",
                                                    "restart: Server restarting by root: Restarting"));
  EXPECT_THAT(control.logged, ::testing::Contains("a root used DIE (moving to new hardware)"));
  h.engine().set_control(nullptr);
}

TEST(Die, WithoutAHostThatCanStopItIsAFail) {
  EngineHarness h(with_operators());
  SessionId root = h.register_user("root");
  h.send(root, "OPER root hunter2");
  h.clear(root);
  h.send(root, "DIE");
  EXPECT_TRUE(h.has_line(root, "FAIL DIE CANNOT_DO :This server cannot shut down itself")) << h.dump(root);
}

TEST(Die, IsForOperatorsWhoseClassAllowsIt) {
  EngineHarness h(with_classes());
  RecordingControl control;
  h.engine().set_control(&control);
  SessionId a = h.register_user("alice");
  h.send(a, "DIE");
  h.send(a, "OPER help helppass");
  h.send(a, "DIE");
  EXPECT_THAT(control.calls, IsEmpty());
  h.engine().set_control(nullptr);
}

}  // namespace
}  // namespace parley::core::test
