// Tests for LINKS and STATS (src/core/commands/server_info.cpp), after RFC 2812 3.4.4-3.4.5 and
// modern.ircdocs.horse (RPL_LINKS 364, RPL_ENDOFLINKS 365, RPL_STATS* 211 212 242 243, 219).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;
using namespace std::chrono_literals;

EngineConfig config_with_oper() {
  EngineConfig c = EngineHarness::default_config();
  c.operators.push_back(OperatorBlock{"root", FakeAccountBackend::hash("pw"), "*@10.*"});
  c.operators.push_back(OperatorBlock{"local", FakeAccountBackend::hash("pw"), "*@*"});
  return c;
}

TEST(Links, ListsThisServerOnly) {
  EngineHarness h;
  SessionId a = h.register_user("nick");
  h.send(a, "LINKS");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 364 nick parley.local parley.local :0 Parley IRC server",
                                  ":parley.local 365 nick * :End of /LINKS list"));
  h.send(a, "LINKS other.*");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 365 nick other.* :End of /LINKS list"));
  h.send(a, "LINKS elsewhere *");
  EXPECT_THAT(h.commands(a), ElementsAre("402"));
}

TEST(Stats, UptimeIsForEveryone) {
  EngineHarness h;
  SessionId a = h.register_user("nick");
  h.clock.advance(1h * 24 * 2 + 3h + 4min + 5s);
  h.send(a, "STATS u");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 242 nick :Server Up 2 days 3:04:05",
                                   ":parley.local 219 nick u :End of /STATS report"));
}

TEST(Stats, OtherLettersNeedAnOperator) {
  EngineHarness h;
  SessionId a = h.register_user("nick");
  for (std::string letter : {"m", "o", "l", "H"}) {
    h.send(a, "STATS " + letter);
    EXPECT_THAT(h.commands(a), ElementsAre("481", "219")) << letter;
    h.clear(a);
  }
}

TEST(Stats, UnknownLettersJustEnd) {
  EngineHarness h;
  SessionId a = h.register_user("nick");
  h.send(a, "STATS z");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 219 nick z :End of /STATS report"));
}

TEST(Stats, CommandUseCounts) {
  EngineHarness h(config_with_oper());
  SessionId a = h.register_user("nick");
  h.send(a, "OPER local pw");
  h.send(a, "PING x");
  h.send(a, "PING y");
  h.clear_all();
  h.send(a, "STATS m");
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 212 nick PING 2"));
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 212 nick OPER 1"));
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 212 nick STATS 1"));
  EXPECT_EQ(h.parsed(a).back().command, "219");
}

TEST(Stats, OperatorBlocks) {
  EngineHarness h(config_with_oper());
  SessionId a = h.register_user("nick");
  h.send(a, "OPER local pw");
  h.clear_all();
  h.send(a, "STATS o");
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local 243 nick O *@10.* * root", ":parley.local 243 nick O *@* * local",
                       ":parley.local 219 nick o :End of /STATS report"));
}

TEST(Stats, ConnectionsWithTrafficAndAge) {
  EngineHarness h(config_with_oper());
  SessionId a = h.register_user("nick");
  h.send(a, "OPER local pw");
  h.clock.advance(30s);
  h.clear_all();
  h.send(a, "STATS l");
  auto r = h.replies(a, "211");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].params.at(1), "nick[~nick@127.0.0.1]");
  EXPECT_NE(r[0].params.at(3), "0") << "deliveries sent";
  EXPECT_EQ(r[0].params.at(5), "4") << "NICK, USER, OPER, STATS received";
  EXPECT_EQ(r[0].params.at(7), "30");
}

TEST(Stats, HistoryStorageForOperators) {
  EngineHarness h(config_with_oper());
  h.config.history.max_backlog = 500;
  h.history.reported.commits = 56;
  h.history.reported.entries_written = 1234;
  h.history.reported.last_commit_us = 812;
  h.history.reported.commit_p50_us = 970;
  h.history.reported.commit_p99_us = 12000;
  h.history.reported.failed_commits = 2;
  h.history.reported.failed_entries = 9;
  h.history.reported.rejected = 3;
  h.history.reported.expired = 40;
  SessionId a = h.register_user("nick");
  h.send(a, "OPER local pw");
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(a, "JOIN #c");  // one event append, unanswered
  h.clear_all();
  h.send(a, "STATS H");
  EXPECT_THAT(
      h.lines(a),
      AreLines(
          ":parley.local 249 nick H :history storage works; 1 requests waiting for the storage thread, 1 "
          "unanswered (senders are held from 500)",
          ":parley.local 249 nick H :1234 entries stored in 56 group commits; commit time last 812 us, "
          "p50 970 us, p99 12000 us",
          ":parley.local 249 nick H :2 failed commits (9 entries not stored), 3 requests refused by a "
          "full queue, 40 entries expired",
          ":parley.local 219 nick H :End of /STATS report"));
  h.history.reported.failing = true;
  h.clear_all();
  h.send(a, "STATS H");
  EXPECT_THAT(h.lines(a).front(), ::testing::HasSubstr("history storage is FAILING"));
}

TEST(Stats, HistoryDisabled) {
  EngineHarness h(config_with_oper());
  h.config.history.enabled = false;
  SessionId a = h.register_user("nick");
  h.send(a, "OPER local pw");
  h.clear_all();
  h.send(a, "STATS H");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 249 nick H :history is disabled",
                                   ":parley.local 219 nick H :End of /STATS report"));
}

}  // namespace
}  // namespace parley::core::test
