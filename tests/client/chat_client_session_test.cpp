// ChatClient over a session's life: invalid nicks, the user's own /quit, WHOIS idle times and what
// a reconnect forgets. The test plays the server, feeding lines and reading the wire.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/chat_client.h"

namespace parley::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Clock::time_point kT0 = Clock::from_time_t(1'800'000'000);

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() : client(ClientOptions{"irc.test", "alice", "al", "Alice A", "", {"#parley"}}) {}

  void register_now() {
    client.connecting(kT0);
    client.connected(kT0);
    client.receive(":srv CAP * LS :", kT0);
    client.receive(":srv 001 alice :Welcome", kT0);
    client.receive(":alice!al@host JOIN #parley", kT0);
    drain();
  }
  void drain() {
    client.take_wire();
    client.take_events();
  }
  std::vector<Event> lines() {
    std::vector<Event> out;
    for (Event& e : client.take_events())
      if (e.kind == Event::Kind::kLine) out.push_back(std::move(e));
    return out;
  }

  ChatClient client;
};

TEST_F(SessionTest, OwnQuitIsNotShownAsAnError) {
  register_now();
  client.input("/quit bye", kT0);
  client.receive("ERROR :Closing Link: 127.0.0.1 (Quit: bye)", kT0);
  client.disconnected("connection closed by the server", kT0);
  for (const Event& e : lines()) EXPECT_NE(e.style, Event::Style::kError) << e.text;
}

TEST_F(SessionTest, ServerClosingUnaskedIsStillAnError) {
  register_now();
  client.receive("ERROR :Closing Link: 127.0.0.1 (Killed)", kT0);
  const auto shown = lines();
  ASSERT_FALSE(shown.empty());
  EXPECT_EQ(shown[0].style, Event::Style::kError);
}

}  // namespace
}  // namespace parley::client
