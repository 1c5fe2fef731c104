// ChatView: the client's buffers and events as windows, lines, status, topic and nick list.
#include "client/chat_view.h"

#include <gtest/gtest.h>

#include "client/unpaced.h"

namespace parley::client {
namespace {

const Clock::time_point kT0 = Clock::from_time_t(1'800'000'000);

class ViewTest : public ::testing::Test {
 protected:
  ViewTest()
      : client(unpaced(ClientOptions{"irc.test", "alice", "", "", "", {"#parley"}})),
        model("x"),
        view(client, model) {
    client.connected(kT0);
    client.receive(":srv 001 alice :Welcome", kT0);
    client.receive(":alice!a@h JOIN #parley", kT0);
    client.receive(":srv 353 alice = #parley :@bob alice +carol", kT0);
    client.receive(":srv 366 alice #parley :End", kT0);
    client.receive(":srv 332 alice #parley :Parley talk", kT0);
    view.update();
  }
  std::string pane_text() {
    std::string out;
    for (const auto& row : model.frame(120, 20).pane) out += row + "\n";
    return out;
  }

  ChatClient client;
  tui::UiModel model;
  ChatView view;
};

TEST_F(ViewTest, AutojoinedChannelIsShownWithTopicAndNickList) {
  ASSERT_EQ(model.window_count(), 2u);
  EXPECT_EQ(model.active(), 1u);
  const auto f = model.frame(120, 20);
  EXPECT_EQ(f.topic, "#parley: Parley talk");
  EXPECT_EQ(f.nicklist, (std::vector<std::string>{"@bob", "+carol", "alice"}));
  EXPECT_NE(f.status.find("[alice] 2:#parley"), std::string::npos);
  EXPECT_NE(f.prompt.find("[#parley]"), std::string::npos);
}

TEST_F(ViewTest, MessagesAreTimestampedWithTheNickColoured) {
  client.receive(":bob!b@h PRIVMSG #parley :hello", kT0);
  view.update();
  const auto f = model.frame(120, 20);
  const std::string& last = f.pane.back();
  EXPECT_NE(last.find("<bob> hello"), std::string::npos);
  const auto span = f.pane_spans.back();
  EXPECT_EQ(last.substr(span.begin, span.end - span.begin), "bob");
  EXPECT_EQ(span.colour, nick_colour("bob", client.casemapping()));
}

TEST_F(ViewTest, MentionsStandOut) {
  client.receive(":bob!b@h PRIVMSG #parley :alice: look", kT0);
  view.update();
  EXPECT_EQ(model.frame(120, 20).pane_spans.back().colour, tui::kHighlightColour);
}

TEST_F(ViewTest, ActivityListMarksHighlights) {
  client.receive(":dave!d@h PRIVMSG alice :psst", kT0);
  view.update();
  EXPECT_EQ(view.activity(), "3!");
  EXPECT_NE(model.frame(120, 20).status.find("Act: 3!"), std::string::npos);
  view.key(tui::Key::alt('3'), 120, 20, kT0);
  EXPECT_EQ(client.current(), client.find("dave")->id);
  EXPECT_EQ(view.activity(), "");
}

TEST_F(ViewTest, TypedLinesAndTabCompletionGoThroughTheClient) {
  client.take_wire();
  for (char c : std::string("ca")) view.key(tui::Key::chr(static_cast<char32_t>(c)), 120, 20, kT0);
  view.key(tui::Key::of(tui::Key::Code::kTab), 120, 20, kT0);
  EXPECT_EQ(model.input().text(), "carol: ");
  view.key(tui::Key::of(tui::Key::Code::kEnter), 120, 20, kT0);
  ASSERT_EQ(client.take_wire(), std::vector<std::string>{"PRIVMSG #parley :carol: \r\n"});
}

TEST_F(ViewTest, ClosingAWindowRemovesItAndClearEmptiesIt) {
  client.input("/clear", kT0);
  view.update();
  EXPECT_EQ(pane_text(), "");
  client.input("/close", kT0);
  view.update();
  EXPECT_EQ(model.window_count(), 1u);
  EXPECT_EQ(model.active(), 0u);
}

TEST_F(ViewTest, StatusLineCountsNicksInSingularAndPlural) {
  EXPECT_NE(model.frame(120, 20).status.find(" 3 nicks"), std::string::npos);
  client.receive(":bob!b@h PART #parley", kT0);
  client.receive(":carol!c@h PART #parley", kT0);
  view.update();
  EXPECT_NE(model.frame(120, 20).status.find(" 1 nick "), std::string::npos) << model.frame(120, 20).status;
}

TEST_F(ViewTest, NamesSummaryCountsOneNickInTheSingular) {
  client.receive(":alice!a@h JOIN #solo", kT0);
  client.receive(":srv 353 alice = #solo :@alice", kT0);
  client.receive(":srv 366 alice #solo :End", kT0);
  client.input("/window 3", kT0);
  view.update();
  EXPECT_NE(pane_text().find("#solo: 1 nick [@alice]"), std::string::npos) << pane_text();
}

TEST_F(ViewTest, StatusLineSaysHowToLeave) {
  EXPECT_NE(model.frame(120, 20).status.find("/quit or Ctrl-C leaves"), std::string::npos);
}

TEST_F(ViewTest, CtrlCQuitsLikeSlashQuitAndASecondOneAtOnce) {
  client.take_wire();
  for (int i = 0; i < 3; ++i) client.input("queued " + std::to_string(i), kT0);
  view.key(tui::Key::ctrl('c'), 120, 20, kT0);
  EXPECT_TRUE(client.quitting());
  EXPECT_EQ(client.queued_lines(), 4u) << "the QUIT waits behind the typed lines";
  EXPECT_NE(model.frame(120, 20).status.find("quitting"), std::string::npos);
  view.key(tui::Key::ctrl('c'), 120, 20, kT0);
  const auto wire = client.take_wire();
  ASSERT_EQ(wire.size(), 1u);
  EXPECT_EQ(wire[0], "QUIT Leaving\r\n");
}

}  // namespace
}  // namespace parley::client
