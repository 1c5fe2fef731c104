// ChatClient's send queue: a pasted block or a script's lines reach the server paced, in order,
// all of them; at the bound the user is told; a script waits until the channel is joined.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/chat_client.h"

namespace parley::client {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Clock::time_point kT0 = Clock::from_time_t(1'800'000'000);

class PacingTest : public ::testing::Test {
 protected:
  explicit PacingTest(Pacing pacing = {}) : client(options(pacing)) {}
  static ClientOptions options(Pacing pacing) {
    ClientOptions o{"irc.test", "scripter", "", "", "", {"#paste"}};
    o.pacing = pacing;
    return o;
  }
  // Registers and joins #paste; returns the time by which the registration lines have gone.
  Clock::time_point register_and_join() {
    client.connecting(kT0);
    client.connected(kT0);
    client.receive(":srv CAP * LS :", kT0);
    client.receive(":srv 001 scripter :Welcome", kT0);
    client.receive(":scripter!s@h JOIN #paste", kT0);
    auto now = kT0;
    while (client.queued_lines() > 0) {
      client.take_wire(now);
      if (client.next_send_at()) now = *client.next_send_at();
    }
    client.take_events();
    return now;
  }
  std::vector<std::string> errors() {
    std::vector<std::string> out;
    for (const Event& e : client.take_events())
      if (e.kind == Event::Kind::kLine && e.style == Event::Style::kError) out.push_back(e.text);
    return out;
  }

  ChatClient client;
};

TEST_F(PacingTest, FortyPastedLinesAllGoOutInOrderAtThePacedRate) {
  auto now = register_and_join();
  for (int i = 1; i <= 40; ++i) client.input("line " + std::to_string(i), now);
  std::vector<std::string> sent;
  const auto start = now;
  for (int step = 0; step < 200 && client.queued_lines() > 0; ++step) {
    for (auto& l : client.take_wire(now)) sent.push_back(l);
    if (client.next_send_at()) now = *client.next_send_at();
  }
  ASSERT_EQ(sent.size(), 40u);
  for (int i = 1; i <= 40; ++i) EXPECT_EQ(sent[i - 1], "PRIVMSG #paste :line " + std::to_string(i) + "\r\n");
  EXPECT_GE(now - start, milliseconds(600) * 30) << "paced, not all at once";
  EXPECT_TRUE(errors().empty());
}

TEST_F(PacingTest, PingIsAnsweredBeforeWaitingLines) {
  const auto now = register_and_join();
  for (int i = 0; i < 20; ++i) client.input("text", now);
  client.take_wire(now);
  client.receive("PING :srv", now);
  EXPECT_THAT(client.take_wire(now + milliseconds(600)), ElementsAre("PONG srv\r\n"));
}

TEST_F(PacingTest, DisconnectSaysHowManyLinesWereNotSent) {
  const auto now = register_and_join() + std::chrono::seconds(10);  // a full bucket again
  for (int i = 0; i < 12; ++i) client.input("text", now);
  EXPECT_EQ(client.take_wire(now).size(), 8u);
  client.disconnected("connection reset", now);
  EXPECT_EQ(client.queued_lines(), 0u);
  EXPECT_THAT(errors(), ::testing::Contains(HasSubstr("4 lines were not sent")));
}

TEST_F(PacingTest, ASecondQuitSendsNoSecondQuitLine) {
  const auto now = register_and_join() + std::chrono::seconds(10);
  client.input("/quit bye", now);
  client.input("/quit", now);  // the end of a script's input after its own /quit
  EXPECT_THAT(client.take_wire(now), ElementsAre("QUIT :bye\r\n"));
}

class OneLineQueueTest : public PacingTest {
 protected:
  OneLineQueueTest() : PacingTest(Pacing{1, milliseconds(1000), 1, true}) {}
};

TEST_F(OneLineQueueTest, TheFullQueueErrorCountsOneLineInTheSingular) {
  const auto now = register_and_join();
  client.input("first", now);
  client.input("second", now);
  EXPECT_THAT(errors(), ElementsAre(HasSubstr("(1 line waiting")));
}

class SmallQueueTest : public PacingTest {
 protected:
  SmallQueueTest() : PacingTest(Pacing{2, milliseconds(1000), 5, true}) {}
};

TEST_F(SmallQueueTest, AtTheBoundTypedLinesAreRefusedWithAnErrorNotDropped) {
  const auto now = register_and_join();
  for (int i = 1; i <= 5; ++i) client.input("line " + std::to_string(i), now);
  EXPECT_TRUE(client.queue_full());
  client.input("line 6", now);
  EXPECT_EQ(client.queued_lines(), 5u);
  const auto shown = errors();
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_THAT(shown[0], HasSubstr("Not sent: the send queue is full (5 lines waiting"));
  EXPECT_THAT(shown[0], HasSubstr("line 6"));
  client.input("/quit bye", now);  // quitting is never refused
  EXPECT_TRUE(client.quitting());
  EXPECT_EQ(client.queued_lines(), 6u);
}

TEST_F(SmallQueueTest, QuitWaitsBehindTheQueueUnlessAskedTwice) {
  const auto now = register_and_join();
  for (int i = 1; i <= 4; ++i) client.input("line " + std::to_string(i), now);
  client.quit_now();  // the first interrupt is /quit: behind the waiting lines
  EXPECT_TRUE(client.quitting());
  EXPECT_EQ(client.queued_lines(), 5u);
  client.quit_now();  // the second: at once, saying what was not sent
  EXPECT_THAT(client.take_wire(now + std::chrono::seconds(10)), ElementsAre("QUIT Leaving\r\n"));
  EXPECT_THAT(errors(), ::testing::Contains(HasSubstr("were not sent")));
}

TEST_F(PacingTest, TextWaitsUntilTheCommandLineChannelIsJoined) {
  client.connecting(kT0);
  EXPECT_FALSE(client.ready_for_text());
  client.connected(kT0);
  client.receive(":srv 001 scripter :Welcome", kT0);
  EXPECT_FALSE(client.ready_for_text()) << "JOIN #paste not answered yet";
  client.receive(":scripter!s@h JOIN #paste", kT0);
  EXPECT_TRUE(client.ready_for_text());
}

TEST_F(PacingTest, ARefusedJoinEndsTheWait) {
  client.connected(kT0);
  client.receive(":srv 001 scripter :Welcome", kT0);
  client.receive(":srv 474 scripter #paste :Cannot join channel (+b)", kT0);
  EXPECT_TRUE(client.ready_for_text());
}

TEST_F(PacingTest, AfterAReconnectTextWaitsForTheRejoin) {
  register_and_join();
  client.disconnected("reset", kT0);
  EXPECT_FALSE(client.ready_for_text());
  client.connecting(kT0);
  client.connected(kT0);
  client.receive(":srv 001 scripter :Welcome", kT0);
  EXPECT_FALSE(client.ready_for_text());
  client.receive(":scripter!s@h JOIN #paste", kT0);
  EXPECT_TRUE(client.ready_for_text());
}

}  // namespace
}  // namespace parley::client
