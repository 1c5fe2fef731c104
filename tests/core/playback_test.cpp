// Tests for history replay to clients without draft/chathistory: the +H channel mode
// (src/core/channel_replay.cpp, InspIRCd's m_chanhistory syntax) and znc.in/playback
// (src/core/commands/playback.cpp), over the in-memory store and a fake clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/channel_replay.h"
#include "core/harness.h"
#include "core/history_test_support.h"

namespace parley::core::test {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// PRIVMSG lines `id` received, their text only.
std::vector<std::string> texts(EngineHarness& h, SessionId id) {
  std::vector<std::string> out;
  for (const Line& l : h.parsed(id)) {
    if (l.command == "PRIVMSG" && l.source.rfind("*playback", 0) != 0) out.push_back(l.params.back());
  }
  return out;
}

// alice opens #c with +H `mode` and says `count` lines, a second apart.
SessionId channel_with_history(EngineHarness& h, const std::string& mode, int count) {
  SessionId alice = h.register_user("alice");
  h.send(alice, "JOIN #c");
  h.send(alice, "MODE #c +H " + mode);
  for (int i = 0; i < count; ++i) {
    h.send(alice, "PRIVMSG #c :line " + std::to_string(i));
    h.advance(1s);
  }
  h.clear_all();
  return alice;
}

// ---- +H parameter -------------------------------------------------------------------------------

TEST(HistoryMode, ParsesLinesAndPeriodsWithUnits) {
  auto p = parse_history_mode("10:1d");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->lines, 10u);
  EXPECT_EQ(p->period_s, 86400);
  EXPECT_EQ(p->canonical, "10:1d");
  EXPECT_EQ(parse_history_mode("5:90")->period_s, 90);
  EXPECT_EQ(parse_history_mode("5:1h30m")->period_s, 5400);
  EXPECT_EQ(parse_history_mode("5:2w")->period_s, 14 * 86400);
  EXPECT_EQ(parse_history_mode("007:0")->canonical, "7:0");
  EXPECT_EQ(parse_history_mode("50:1s", 50)->lines, 50u);
  EXPECT_EQ(parse_history_mode("1000:1s")->lines, kReplayLinesCeiling);  // from a link or the store
}

TEST(HistoryMode, RejectsMalformedParameters) {
  for (const char* bad : {"", "10", ":1d", "10:", "0:1d", "1001:1d", "-1:1d", "x:1d", "10:1x", "10:d", "10:1d2",
                          "10:12345678901", "99999999999999999999:1d", "10:1d:2"}) {
    EXPECT_FALSE(parse_history_mode(bad)) << bad;
  }
  EXPECT_FALSE(parse_history_mode("51:1d", 50));
  EXPECT_FALSE(parse_history_mode("1001:1d", 5000)) << "the ceiling bounds any maximum";
}

// [history] replay_max_lines bounds what an operator may set, and what is replayed when a larger
// +H stands (set by a linked server, or stored before the operator lowered the limit).
TEST(HistoryMode, TheConfiguredMaximumBoundsWhatOperatorsSetAndWhatIsReplayed) {
  EngineHarness h;
  h.config.history.replay_max_lines = 3;
  SessionId alice = channel_with_history(h, "3:1d", 5);
  h.send(alice, "MODE #c +H 4:1d");
  EXPECT_TRUE(h.has_line(alice, "696 alice #c H 4:1d :Invalid history parameter: <lines>:<period>, lines 1-3, "))
      << h.dump(alice);
  h.channel("#c")->history_lines = 10;  // as a link's +H 10:1d would leave it
  h.channel("#c")->history_param = "10:1d";
  SessionId bob = h.register_user("bob");
  h.send(bob, "JOIN #c");
  EXPECT_THAT(h.lines(bob), HasLine(":parley.local NOTICE #c :Replaying up to 3 lines of pre-join history "
                                    "spanning up to 86400 seconds"));
  EXPECT_THAT(texts(h, bob), ElementsAre("line 2", "line 3", "line 4"));
}

TEST(HistoryMode, SetShownAndUnsetByOperatorsWithInvalidParameterNumeric) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +H 10:1d");
  EXPECT_TRUE(h.has_line(ids[1], ":alice!~alice@127.0.0.1 MODE #c +H 10:1d"));
  h.send(ids[0], "MODE #c");
  EXPECT_TRUE(h.has_line(ids[0], " 324 alice #c +Hnt 10:1d"));
  h.send(ids[1], "MODE #c -H");
  EXPECT_TRUE(h.has_line(ids[1], " 482 bob #c "));
  h.send(ids[0], "MODE #c +H 100:1d");
  EXPECT_THAT(h.lines(ids[0]), HasLine(":parley.local 696 alice #c H 100:1d :Invalid history parameter: "
                                       "<lines>:<period>, lines 1-50, period like 1d or 30m"));
  h.clear_all();
  h.send(ids[0], "MODE #c -H");
  EXPECT_TRUE(h.has_line(ids[1], "MODE #c -H"));
  EXPECT_EQ(h.channel("#c")->history_lines, 0u);
}

TEST(HistoryMode, IsupportListsHAsAModeWithAParameterWhenSet) {
  EngineHarness h;
  SessionId id = h.connect();
  h.send(id, "NICK a");
  h.send(id, "USER a 0 * :a");
  EXPECT_TRUE(h.has_line(id, "CHANMODES=beI,k,Hl,Cimnpst"));
}

// ---- replay on join -----------------------------------------------------------------------------

TEST(HistoryReplay, PlainClientGetsTheLastLinesAfterTheJoinBurst) {
  EngineHarness h;
  channel_with_history(h, "3:1d", 5);
  SessionId bob = h.register_user("bob");
  h.send(bob, "JOIN #c");
  auto cmds = h.commands(bob);
  ASSERT_FALSE(cmds.empty());
  EXPECT_EQ(cmds.front(), "JOIN");
  auto names_end = std::find(cmds.begin(), cmds.end(), "366");
  auto notice = std::find(cmds.begin(), cmds.end(), "NOTICE");
  EXPECT_LT(names_end, notice);
  EXPECT_THAT(
      h.lines(bob),
      HasLine(":parley.local NOTICE #c :Replaying up to 3 lines of pre-join history spanning up to 86400 "
              "seconds"));
  EXPECT_THAT(texts(h, bob), ElementsAre("line 2", "line 3", "line 4"));
  // No caps: bare lines, no tags and no batch.
  EXPECT_THAT(h.lines(bob), HasLine(":alice!~alice@127.0.0.1 PRIVMSG #c :line 4"));
  EXPECT_EQ(h.count(bob, "BATCH"), 0u);
}

TEST(HistoryReplay, ServerTimeAndBatchWhenTheClientHasThem) {
  EngineHarness h;
  channel_with_history(h, "2:1d", 2);
  SessionId bob = h.register_user("bob", {"batch", "server-time", "message-tags"});
  h.send(bob, "JOIN #c");
  auto lines = h.lines(bob);
  auto first = std::find_if(lines.begin(), lines.end(), [](auto& l) { return l.find("line 0") != l.npos; });
  ASSERT_NE(first, lines.end()) << h.dump(bob);
  EXPECT_EQ(time_of(*first), "2026-01-02T03:04:05.678Z");  // the fake clock's start
  EXPECT_FALSE(msgid_of(*first).empty());
  EXPECT_TRUE(h.has_line(bob, std::regex("BATCH \\+\\S+ chathistory #c$")));
  EXPECT_TRUE(h.has_line(bob, std::regex("^@batch=\\S+;time=")));
}

TEST(HistoryReplay, OnlyLinesWithinThePeriod) {
  EngineHarness h;
  channel_with_history(h, "10:3s", 6);  // lines 0..5 at t=0..5 s; the join at t=6 s: 3 s back is line 3
  SessionId bob = h.register_user("bob");
  h.send(bob, "JOIN #c");
  EXPECT_THAT(texts(h, bob), ElementsAre("line 3", "line 4", "line 5"));
}

TEST(HistoryReplay, ClientsWithChathistoryFetchItThemselves) {
  EngineHarness h;
  channel_with_history(h, "3:1d", 3);
  SessionId bob = h.register_user("bob", {"draft/chathistory"});
  h.send(bob, "JOIN #c");
  EXPECT_THAT(texts(h, bob), IsEmpty());
  EXPECT_FALSE(h.has_line(bob, "Replaying"));
}

TEST(HistoryReplay, NothingWithoutTheModeOrWithoutHistory) {
  EngineHarness h;
  SessionId alice = h.register_user("alice");
  h.send(alice, "JOIN #c");
  h.send(alice, "PRIVMSG #c :hello");
  SessionId bob = h.register_user("bob");
  h.send(bob, "JOIN #c");
  EXPECT_THAT(texts(h, bob), IsEmpty());
  h.send(alice, "MODE #c +H 5:1d");
  h.send(alice, "PART #c");
  h.send(bob, "PART #c");  // the channel goes, and its history stays
  h.send(bob, "JOIN #c");  // a new channel: no +H
  EXPECT_THAT(texts(h, bob), IsEmpty());
}

TEST(HistoryReplay, ArrivesLateAndNotForSomeoneWhoLeftMeanwhile) {
  EngineHarness h;
  channel_with_history(h, "3:1d", 2);
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  SessionId bob = h.register_user("bob");
  h.send(bob, "JOIN #c");
  EXPECT_THAT(texts(h, bob), IsEmpty());
  h.send(bob, "PRIVMSG #c :not waiting");  // the next command is not held for the replay
  EXPECT_FALSE(h.history.queue.empty());
  h.send(bob, "PART #c");
  while (h.answer_history_next()) {
  }
  EXPECT_THAT(texts(h, bob), IsEmpty());
}

// ---- znc.in/playback ----------------------------------------------------------------------------

constexpr std::int64_t kStartSeconds = FakeClock::kStartMillis / 1000;

TEST(ZncPlayback, CapIsOfferedAndPlayReplaysAChannelRange) {
  EngineHarness h;
  channel_with_history(h, "1:1s", 5);  // line i at start + i s
  SessionId bob = h.register_user("bob", {"znc.in/playback", "server-time"});
  h.send(bob, "JOIN #c");
  h.clear(bob);
  // From line 1 (excluded, it is at exactly that time) to line 4 (excluded).
  std::string from = std::to_string(kStartSeconds + 1) + ".678";
  std::string to = std::to_string(kStartSeconds + 4) + ".6779999";
  h.send(bob, "PRIVMSG *playback :PLAY #c " + from + " " + to);
  EXPECT_THAT(texts(h, bob), ElementsAre("line 2", "line 3"));
  auto lines = h.lines(bob);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(time_of(lines[0]), "2026-01-02T03:04:07.678Z");
  h.clear(bob);
  h.send(bob, "PRIVMSG *playback :play #c");
  EXPECT_THAT(texts(h, bob), ElementsAre("line 0", "line 1", "line 2", "line 3", "line 4"));
}

TEST(ZncPlayback, PlayStarReplaysChannelsAndTheAccountsConversations) {
  EngineHarness h;
  SessionId alice = logged_in_user(h, "alice");
  SessionId bob = logged_in_user(h, "bob", {"znc.in/playback"});
  h.send(alice, "JOIN #c");
  h.send(bob, "JOIN #c");
  h.send(alice, "PRIVMSG #c :to the channel");
  h.advance(1s);
  h.send(alice, "PRIVMSG bob :to bob");
  h.send(alice, "JOIN #other");
  h.send(alice, "PRIVMSG #other :bob is not here");
  h.clear_all();
  h.send(bob, "PRIVMSG *playback :PLAY * " + std::to_string(kStartSeconds - 60));
  auto got = texts(h, bob);
  std::sort(got.begin(), got.end());
  EXPECT_THAT(got, ElementsAre("to bob", "to the channel"));
  h.clear(bob);
  h.send(bob, "PRIVMSG *playback :PLAY ALICE 0");
  EXPECT_THAT(texts(h, bob), ElementsAre("to bob"));
}

TEST(ZncPlayback, NonMembersGetNothingAndBadInputGetsUsage) {
  EngineHarness h;
  channel_with_history(h, "1:1s", 2);
  SessionId bob = h.register_user("bob");
  h.send(bob, "PRIVMSG *playback :PLAY #c 0");
  EXPECT_THAT(texts(h, bob), IsEmpty());
  EXPECT_TRUE(h.has_line(bob, ":*playback!znc@znc.in PRIVMSG bob :No history for #c"));
  h.clear(bob);
  h.send(bob, "PRIVMSG *playback :PLAY #c yesterday");
  EXPECT_TRUE(h.has_line(bob, ":*playback!znc@znc.in PRIVMSG bob :Usage: PLAY"));
  h.clear(bob);
  h.send(bob, "PRIVMSG *playback :CLEAR #c");
  EXPECT_TRUE(h.has_line(bob, "Nothing to clear"));
}

}  // namespace
}  // namespace parley::core::test
