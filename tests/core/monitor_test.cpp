// Tests for MONITOR and extended-monitor (src/core/monitor.cpp, src/core/commands/monitor.cpp),
// after ircv3.net "Monitor" and "Extended monitor": 730 RPL_MONONLINE, 731 RPL_MONOFFLINE,
// 732 RPL_MONLIST, 733 RPL_ENDOFMONLIST, 734 ERR_MONLISTFULL; ISUPPORT MONITOR=<limit>.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(Monitor, AddingAnOfflineNickSays731ThenConnectSays730AndQuit731) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MONITOR + bob");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 731 alice bob"));
  SessionId b = h.register_user("bob");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 730 alice :bob!~bob@127.0.0.1"));
  h.send(b, "QUIT :bye");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 731 alice bob"));
}

TEST(Monitor, OnlineAndOfflineTargetsAreReportedTogether) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.register_user("bob");
  h.send(a, "MONITOR + bob,carol,dave");
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local 730 alice :bob!~bob@127.0.0.1", ":parley.local 731 alice :carol,dave"));
}

TEST(Monitor, UnregisteredNickHolderIsOffline) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId pending = h.connect();
  h.send(pending, "NICK bob");
  h.send(a, "MONITOR + bob");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 731 alice bob"));
  h.send(pending, "USER bob 0 * :Bob");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 730 alice :bob!~bob@127.0.0.1")) << "online once registered";
}

TEST(Monitor, NickChangesNotifyBothNicksButACaseChangeNothing) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MONITOR + qux");
  SessionId b = h.register_user("baz");
  h.clear_all();
  h.send(b, "NICK qux");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 730 alice :qux!~baz@127.0.0.1"));
  h.send(b, "NICK QUX");
  EXPECT_THAT(h.take(a), IsEmpty());
  h.send(b, "NICK other");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 731 alice QUX"));
}

TEST(Monitor, RemoveStopsNotificationsSilently) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId c = h.register_user("carol");
  h.send(a, "MONITOR + bob");
  h.send(c, "MONITOR + bob");
  h.clear_all();
  h.send(c, "MONITOR - bob");
  EXPECT_THAT(h.lines(c), IsEmpty());
  h.register_user("bob");
  EXPECT_EQ(h.count(a, " 730 "), 1u);
  EXPECT_THAT(h.lines(c), IsEmpty());
}

TEST(Monitor, ListStatusAndClear) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.register_user("bob");
  h.send(a, "MONITOR + bob,Carol");
  h.clear_all();
  h.send(a, "MONITOR L");
  EXPECT_THAT(h.take(a),
              AreLines(":parley.local 732 alice :bob,Carol", ":parley.local 733 alice :End of MONITOR list"));
  h.send(a, "MONITOR S");
  EXPECT_THAT(h.take(a),
              AreLines(":parley.local 730 alice :bob!~bob@127.0.0.1", ":parley.local 731 alice Carol"));
  h.send(a, "MONITOR C");
  EXPECT_THAT(h.take(a), IsEmpty());
  h.send(a, "MONITOR L");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 733 alice :End of MONITOR list"));
}

TEST(Monitor, MasksAreRefusedAsErroneousNicks) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MONITOR + *!user@host");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 432 alice *!user@host :Erroneous nickname"));
  h.send(a, "MONITOR L");
  EXPECT_THAT(h.commands(a), ElementsAre("733")) << "nothing was added";
}

TEST(Monitor, AFullListSays734WithTheTargetsLeftOver) {
  EngineConfig c = EngineHarness::default_config();
  c.limits.monitor_entries = 2;
  EngineHarness h(c);
  SessionId a = h.register_user("alice");
  h.send(a, "MONITOR + n1,n2,n3,n4");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 734 alice 2 n3,n4 :Monitor list is full.",
                                  ":parley.local 731 alice :n1,n2"));
  h.send(a, "MONITOR + n1");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 731 alice n1")) << "a nick already listed takes no room";
}

TEST(Monitor, BadSubcommandsGetClearErrors) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MONITOR +");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 461 alice MONITOR :Not enough parameters"));
  h.send(a, "MONITOR X");
  EXPECT_THAT(h.commands(a), ElementsAre("FAIL"));
}

TEST(Monitor, AQuittingWatcherLeavesNothingBehind) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MONITOR + bob");
  h.send(a, "QUIT");
  EXPECT_TRUE(h.engine().monitors().empty());
  h.register_user("bob");  // would touch a freed watcher otherwise (ASan)
}

TEST(Monitor, LimitIsInIsupport) {
  EngineConfig c = EngineHarness::default_config();
  c.limits.monitor_entries = 77;
  EngineHarness h(c);
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :Alice");
  EXPECT_TRUE(h.has_line(a, " MONITOR=77 "));
}

// ---- extended-monitor ---------------------------------------------------------------------------

TEST(ExtendedMonitor, AwayReachesWatchersWithBothCapsOnly) {
  EngineHarness h;
  SessionId w = h.register_user("watcher", {"extended-monitor", "away-notify"});
  SessionId plain = h.register_user("plain", {"away-notify"});
  SessionId b = h.register_user("bob");
  h.send(w, "MONITOR + bob");
  h.send(plain, "MONITOR + bob");
  h.clear_all();
  h.send(b, "AWAY :afk");
  EXPECT_THAT(h.take(w), AreLines(":bob!~bob@127.0.0.1 AWAY afk"));
  EXPECT_THAT(h.take(plain), IsEmpty());
  h.send(b, "AWAY");
  EXPECT_THAT(h.take(w), AreLines(":bob!~bob@127.0.0.1 AWAY"));
}

TEST(ExtendedMonitor, WatcherInACommonChannelHearsOnce) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"watcher", {"extended-monitor", "setname"}}, {"bob", {}}});
  h.send(ids[0], "MONITOR + bob");
  h.clear_all();
  h.send(ids[1], "SETNAME :New Name");
  EXPECT_THAT(h.take(ids[0]), AreLines(":bob!~bob@127.0.0.1 SETNAME :New Name"));
}

TEST(ExtendedMonitor, WithoutTheFeatureCapNothing) {
  EngineHarness h;
  SessionId w = h.register_user("watcher", {"extended-monitor"});
  SessionId b = h.register_user("bob", {"setname"});
  h.send(w, "MONITOR + bob");
  h.clear_all();
  h.send(b, "SETNAME :x");
  h.send(b, "AWAY :gone");
  EXPECT_THAT(h.lines(w), IsEmpty());
}

}  // namespace
}  // namespace parley::core::test
