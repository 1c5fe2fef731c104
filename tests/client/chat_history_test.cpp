// ChatClient and history (src/client/history.cpp): the test plays a server with draft/chathistory,
// answering CHATHISTORY requests with chathistory batches.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/chat_client.h"
#include "client/chat_view.h"
#include "client/unpaced.h"

namespace parley::client {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const Clock::time_point kT0 = Clock::from_time_t(1'800'000'000);  // 2027-01-15T08:00:00Z
constexpr std::string_view kCaps = "server-time message-tags batch draft/chathistory echo-message";

// "@batch=<ref>;msgid=<id>;time=2027-01-15T07:<mm>:00.000Z :<nick>!u@h PRIVMSG <target> :<text>"
std::string stored(std::string_view ref, std::string_view id, int minute, std::string_view nick,
                   std::string_view target, std::string_view text) {
  char time[40];
  std::snprintf(time, sizeof time, "2027-01-15T07:%02d:00.000Z", minute);
  return "@batch=" + std::string(ref) + ";msgid=" + std::string(id) + ";time=" + time + " :" +
         std::string(nick) + "!u@h PRIVMSG " + std::string(target) + " :" + std::string(text);
}

class HistoryTest : public ::testing::Test {
 protected:
  HistoryTest() : client(unpaced(ClientOptions{"irc.test", "alice", "al", "Alice", "", {"#parley"}})) {}

  void connect(std::string_view caps = kCaps) {
    client.connecting(kT0);
    client.connected(kT0);
    client.receive(":srv CAP * LS :" + std::string(caps), kT0);
    client.receive(":srv CAP alice ACK :" + std::string(caps), kT0);
    client.receive(":srv 001 alice :Welcome", kT0);
    client.receive(":srv 005 alice CHANTYPES=# CASEMAPPING=ascii CHATHISTORY=1000 :are supported", kT0);
    client.take_wire();
  }
  // Our JOIN confirmed; returns what the client sent then.
  std::vector<std::string> joined(std::string_view channel = "#parley") {
    client.receive(":alice!al@h JOIN " + std::string(channel), kT0);
    return client.take_wire();
  }
  // A chathistory batch for `target` with the given lines (each from stored()).
  void batch(std::string_view ref, std::string_view target, const std::vector<std::string>& lines) {
    client.receive(":srv BATCH +" + std::string(ref) + " chathistory " + std::string(target), kT0);
    for (const auto& l : lines) client.receive(l, kT0);
    client.receive(":srv BATCH -" + std::string(ref), kT0);
  }
  // The shown lines of `id` (kLine as "text", kPrepend as "^text"), the events taken.
  std::vector<std::string> shown(BufferId id) {
    std::vector<std::string> out;
    for (const Event& e : client.take_events()) {
      if (e.buffer != id) continue;
      if (e.kind == Event::Kind::kLine) out.push_back(format_line(e));
      if (e.kind == Event::Kind::kPrepend) out.push_back("^" + format_line(e));
    }
    return out;
  }
  BufferId id_of(std::string_view name) { return client.find(name)->id; }

  ChatClient client;
};

TEST_F(HistoryTest, RequestsTheHistoryCapabilitiesWhenOffered) {
  client.connected(kT0);
  client.take_wire();
  client.receive(":srv CAP * LS :batch draft/chathistory draft/event-playback server-time message-tags", kT0);
  EXPECT_THAT(
      client.take_wire(),
      ElementsAre("CAP REQ :server-time message-tags batch draft/chathistory draft/event-playback\r\n"));
}

TEST_F(HistoryTest, JoinAsksForTheLatestLinesAfterTheModeQuery) {
  connect();
  EXPECT_THAT(joined(), ElementsAre("MODE #parley\r\n", "CHATHISTORY LATEST #parley * 50\r\n"));
}

TEST_F(HistoryTest, TheLimitIsLoweredToTheServersMaximum) {
  connect();
  client.receive(":srv 005 alice CHATHISTORY=20 :are supported", kT0);
  EXPECT_THAT(joined(), ElementsAre("MODE #parley\r\n", "CHATHISTORY LATEST #parley * 20\r\n"));
}

TEST_F(HistoryTest, NoRequestWithoutTheChathistoryCapability) {
  connect("server-time message-tags batch");
  EXPECT_THAT(joined(), ElementsAre("MODE #parley\r\n"));
  EXPECT_FALSE(client.load_older(id_of("#parley")));
}

TEST_F(HistoryTest, BatchLinesFillTheWindowWithTheirServerTimesBetweenSeparators) {
  connect();
  joined();
  client.take_events();
  batch("b1", "#parley",
        {stored("b1", "m1", 1, "bob", "#parley", "first"),
         "@batch=b1;msgid=m2;time=2027-01-15T07:02:00.000Z :carol!u@h PRIVMSG #parley :\x01"
         "ACTION waves\x01",
         stored("b1", "m3", 3, "alice", "#parley", "mine")});
  const auto events = client.take_events();
  std::vector<std::string> text;
  for (const Event& e : events) text.push_back(format_line(e));
  EXPECT_THAT(text, ElementsAre("----- history -----", "<bob> first", "* carol waves", "<alice> mine",
                                "----- new -----"));
  EXPECT_EQ(events[1].time, kT0 - std::chrono::minutes(59));
  EXPECT_TRUE(events[1].history);
  EXPECT_EQ(events[3].style, Event::Style::kOwnMessage);
}

TEST_F(HistoryTest, HistoryNeverHighlightsNorMarksActivity) {
  connect();
  joined();
  client.select(client.server_buffer());
  client.take_events();
  batch("b1", "#parley", {stored("b1", "m1", 1, "bob", "#parley", "alice: are you there?")});
  for (const Event& e : client.take_events()) EXPECT_FALSE(e.highlight) << e.text;
  EXPECT_EQ(client.find("#parley")->activity, Activity::kNone);
  // A live line that mentions us still does.
  client.receive(":bob!u@h PRIVMSG #parley :alice: now?", kT0);
  EXPECT_EQ(client.find("#parley")->activity, Activity::kHighlight);
}

TEST_F(HistoryTest, LinesAlreadyShownAreNotShownAgain) {
  connect();
  joined();
  // Our own message, echoed with its msgid while the request is out, is in the answer too.
  client.receive("@msgid=m2;time=2027-01-15T07:02:00.000Z :alice!al@h PRIVMSG #parley :hello", kT0);
  batch("b1", "#parley",
        {stored("b1", "m1", 1, "bob", "#parley", "before"),
         stored("b1", "m2", 2, "alice", "#parley", "hello")});
  EXPECT_THAT(shown(id_of("#parley")), ElementsAre("-- You joined #parley", "----- history -----",
                                                   "<bob> before", "----- new -----", "<alice> hello"));
}

TEST_F(HistoryTest, LiveMessagesWaitForTheHistoryAnswerSoTheyShowAfterIt) {
  connect();
  joined();
  client.receive("@msgid=m9 :bob!u@h PRIVMSG #parley :live", kT0);
  client.receive(":srv 332 alice #parley :the topic", kT0);  // not a message: shown at once
  EXPECT_THAT(shown(id_of("#parley")),
              ElementsAre("-- You joined #parley", "-- Topic for #parley: the topic"));
  batch("b1", "#parley", {stored("b1", "m1", 1, "bob", "#parley", "old")});
  EXPECT_THAT(shown(id_of("#parley")),
              ElementsAre("----- history -----", "<bob> old", "----- new -----", "<bob> live"));
}

TEST_F(HistoryTest, AnEmptyAnswerShowsNoSeparators) {
  connect();
  joined();
  client.take_events();
  batch("b1", "#parley", {});
  EXPECT_THAT(shown(id_of("#parley")), IsEmpty());
}

TEST_F(HistoryTest, OpeningAQueryAsksForItsHistoryAndHoldsTheOpeningMessage) {
  connect();
  client.receive("@msgid=q2 :bob!u@h PRIVMSG alice :hi again", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("CHATHISTORY LATEST bob * 50\r\n"));
  batch("b1", "bob",
        {stored("b1", "q1", 1, "bob", "alice", "hi"), stored("b1", "q2", 2, "bob", "alice", "hi again")});
  EXPECT_THAT(shown(id_of("bob")),
              ElementsAre("----- history -----", "<bob> hi", "----- new -----", "<bob> hi again"));
}

TEST_F(HistoryTest, AQueryRenamedBeforeTheAnswerStillGetsIt) {
  connect();
  client.receive("@msgid=q2 :bob!u@h PRIVMSG alice :hi", kT0);
  const BufferId query = id_of("bob");
  client.receive(":bob!u@h NICK robert", kT0);
  client.take_events();
  batch("b1", "bob", {stored("b1", "q1", 1, "bob", "alice", "earlier")});
  EXPECT_THAT(shown(query),
              ElementsAre("----- history -----", "<bob> earlier", "----- new -----", "<bob> hi"));
}

TEST_F(HistoryTest, ReconnectAsksForWhatWasSaidAfterTheNewestLineSeen) {
  connect();
  joined();
  batch("b1", "#parley", {stored("b1", "m1", 1, "bob", "#parley", "old")});
  client.receive("@msgid=m5;time=2027-01-15T07:05:00.000Z :bob!u@h PRIVMSG #parley :newest", kT0);
  client.disconnected("reset", kT0);
  connect();
  EXPECT_THAT(joined(), ElementsAre("MODE #parley\r\n", "CHATHISTORY AFTER #parley msgid=m5 50\r\n"));
  client.take_events();
  batch("b2", "#parley", {stored("b2", "m6", 6, "bob", "#parley", "while you were away")});
  EXPECT_THAT(shown(id_of("#parley")),
              ElementsAre("----- history -----", "<bob> while you were away", "----- new -----"));
}

TEST_F(HistoryTest, ReconnectFetchesPageAfterPageWhileThePagesAreFull) {
  connect();
  client.receive(":srv 005 alice CHATHISTORY=2 :are supported", kT0);
  joined();
  batch("b1", "#parley", {stored("b1", "m1", 1, "bob", "#parley", "old")});
  client.disconnected("reset", kT0);
  connect();
  client.receive(":srv 005 alice CHATHISTORY=2 :are supported", kT0);
  joined();
  client.take_events();
  client.receive("@msgid=m9 :bob!u@h PRIVMSG #parley :live", kT0);
  batch("b2", "#parley",
        {stored("b2", "m2", 2, "bob", "#parley", "a"), stored("b2", "m3", 3, "bob", "#parley", "b")});
  EXPECT_THAT(client.take_wire(), ElementsAre("CHATHISTORY AFTER #parley msgid=m3 2\r\n"));
  batch("b3", "#parley", {stored("b3", "m4", 4, "bob", "#parley", "c")});
  EXPECT_THAT(shown(id_of("#parley")), ElementsAre("----- history -----", "<bob> a", "<bob> b", "<bob> c",
                                                   "----- new -----", "<bob> live"));
  EXPECT_THAT(client.take_wire(), IsEmpty());
}

TEST_F(HistoryTest, AnUnknownMsgidIsAskedForAgainByTime) {
  connect();
  client.receive("@msgid=q1;time=2027-01-15T07:01:00.000Z :bob!u@h PRIVMSG alice :hi", kT0);
  batch("b1", "bob", {});
  client.disconnected("reset", kT0);
  connect();  // the query catches up at registration
  client.receive(":srv FAIL CHATHISTORY INVALID_PARAMS AFTER msgid=q1 :Unknown msgid", kT0);
  EXPECT_THAT(client.take_wire(),
              ElementsAre("CHATHISTORY AFTER bob timestamp=2027-01-15T07:01:00.000Z 50\r\n"));
}

TEST_F(HistoryTest, ScrollingUpAsksOnceForTheLinesBeforeTheOldestAndPrependsThem) {
  connect();
  joined();
  batch("b1", "#parley",
        {stored("b1", "m5", 5, "bob", "#parley", "five"), stored("b1", "m6", 6, "bob", "#parley", "six")});
  client.take_events();
  const BufferId chan = id_of("#parley");
  EXPECT_TRUE(client.load_older(chan));
  EXPECT_FALSE(client.load_older(chan));  // one request in flight at a time
  EXPECT_THAT(client.take_wire(), ElementsAre("CHATHISTORY BEFORE #parley msgid=m5 50\r\n"));
  batch("b2", "#parley",
        {stored("b2", "m3", 3, "bob", "#parley", "three"), stored("b2", "m4", 4, "bob", "#parley", "four")});
  EXPECT_THAT(shown(chan), ElementsAre("^<bob> four", "^<bob> three"));  // newest first, each on top
  EXPECT_TRUE(client.load_older(chan));
  EXPECT_THAT(client.take_wire(), ElementsAre("CHATHISTORY BEFORE #parley msgid=m3 50\r\n"));
}

TEST_F(HistoryTest, AnEmptyBeforeAnswerMeansNoMoreHistory) {
  connect();
  joined();
  batch("b1", "#parley", {stored("b1", "m5", 5, "bob", "#parley", "five")});
  client.take_events();
  const BufferId chan = id_of("#parley");
  ASSERT_TRUE(client.load_older(chan));
  client.take_wire();
  batch("b2", "#parley", {});
  EXPECT_THAT(shown(chan), ElementsAre("^-- No older messages in the history of #parley"));
  EXPECT_FALSE(client.load_older(chan));
  EXPECT_THAT(client.take_wire(), IsEmpty());
}

TEST_F(HistoryTest, AfterClearScrollingUpStartsFromThePresentAgain) {
  connect();
  joined();
  batch("b1", "#parley", {stored("b1", "m5", 5, "bob", "#parley", "five")});
  client.input("/clear", kT0);
  client.take_events();
  ASSERT_TRUE(client.load_older(id_of("#parley")));
  EXPECT_THAT(client.take_wire(),
              ElementsAre("CHATHISTORY BEFORE #parley timestamp=2027-01-15T08:00:00.000Z 50\r\n"));
  batch("b2", "#parley", {stored("b2", "m5", 5, "bob", "#parley", "five")});
  EXPECT_THAT(shown(id_of("#parley")), ElementsAre("^<bob> five"));
}

TEST_F(HistoryTest, BatchesNobodyAskedForAreIgnored) {
  connect();
  joined();
  batch("b1", "#parley", {});
  client.take_events();
  batch("b2", "#parley", {stored("b2", "m1", 1, "bob", "#parley", "unasked")});
  // Not collected as history: the lines are handled as live ones.
  EXPECT_THAT(shown(id_of("#parley")), ElementsAre("<bob> unasked"));
}

TEST(HistoryView, PageUpAtTheTopLoadsOlderLinesAboveWithoutMovingTheView) {
  ChatClient client(unpaced(ClientOptions{"irc.test", "alice", "", "", "", {"#parley"}}));
  tui::UiModel model("x");
  ChatView view(client, model);
  client.connected(kT0);
  client.receive(":srv CAP * LS :" + std::string(kCaps), kT0);
  client.receive(":srv CAP alice ACK :" + std::string(kCaps), kT0);
  client.receive(":srv 001 alice :Welcome", kT0);
  client.receive(":alice!a@h JOIN #parley", kT0);
  std::vector<std::string> lines;
  for (int i = 10; i < 50; ++i)
    lines.push_back(stored("b1", "m" + std::to_string(i), i, "bob", "#parley", "line " + std::to_string(i)));
  client.receive(":srv BATCH +b1 chathistory #parley", kT0);
  for (const auto& l : lines) client.receive(l, kT0);
  client.receive(":srv BATCH -b1", kT0);
  view.update();
  client.take_wire();
  const tui::Key page_up{tui::Key::Code::kPageUp};
  view.key(page_up, 80, 20, kT0);  // not at the top yet: nothing asked
  EXPECT_THAT(client.take_wire(), IsEmpty());
  view.key(page_up, 80, 20, kT0);  // reaches the top
  EXPECT_THAT(client.take_wire(), ElementsAre("CHATHISTORY BEFORE #parley msgid=m10 50\r\n"));
  const auto before = model.frame(80, 20).pane;
  client.receive(":srv BATCH +b2 chathistory #parley", kT0);
  client.receive(stored("b2", "m8", 8, "bob", "#parley", "line 8"), kT0);
  client.receive(stored("b2", "m9", 9, "bob", "#parley", "line 9"), kT0);
  client.receive(":srv BATCH -b2", kT0);
  view.update();
  EXPECT_EQ(model.frame(80, 20).pane, before);  // the view did not jump
  EXPECT_FALSE(model.at_top(80, 20));
  view.key(page_up, 80, 20, kT0);
  const auto pane = model.frame(80, 20).pane;
  ASSERT_FALSE(pane.empty());
  EXPECT_NE(pane.front().find("<bob> line 8"), std::string::npos) << pane.front();
}

}  // namespace
}  // namespace parley::client
