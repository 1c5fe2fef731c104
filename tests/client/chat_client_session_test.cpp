// ChatClient over a session's life: invalid nicks, the user's own /quit, WHOIS idle times and what
// a reconnect forgets. The test plays the server, feeding lines and reading the wire.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "client/chat_client.h"
#include "client/unpaced.h"

namespace parley::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Clock::time_point kT0 = Clock::from_time_t(1'800'000'000);

class SessionTest : public ::testing::Test {
 protected:
  SessionTest() : client(unpaced(ClientOptions{"irc.test", "alice", "al", "Alice A", "", {"#parley"}})) {}

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

TEST_F(SessionTest, ErroneousNickDuringRegistrationStopsWithTheReasonInsteadOfFallbacks) {
  ChatClient c(unpaced(ClientOptions{"irc.test", "bad nick", "", "", "", {}}));
  c.connected(kT0);
  c.take_wire();
  c.receive(":srv 432 * :Erroneous nickname", kT0);
  c.receive(":srv 432 * bad :Erroneous nickname", kT0);
  for (const std::string& line : c.take_wire()) EXPECT_FALSE(line.starts_with("NICK")) << line;
  EXPECT_TRUE(c.failed());
  EXPECT_FALSE(c.reconnect_at().has_value());
  EXPECT_THAT(c.stop_reason(), HasSubstr("refuses the nick bad nick as invalid"));
  EXPECT_THAT(c.stop_reason(), HasSubstr("Erroneous nickname"));
  EXPECT_THAT(c.stop_reason(), ::testing::Not(HasSubstr("taken")));
}

TEST_F(SessionTest, ErroneousNickAfterRegistrationIsAnErrorNotAnInUseFallback) {
  register_now();
  client.input("/nick 9lives", kT0);
  client.take_wire();
  client.receive(":srv 432 alice 9lives :Erroneous nickname", kT0);
  EXPECT_TRUE(client.take_wire().empty());
  const auto shown = lines();
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].style, Event::Style::kError);
  EXPECT_EQ(shown[0].text, "Invalid nick 9lives: Erroneous nickname");
  EXPECT_FALSE(client.failed());
}

TEST(NickFromName, KeepsValidNamesAndRepairsInvalidOnes) {
  EXPECT_EQ(nick_from_name("alice"), "alice");
  EXPECT_EQ(nick_from_name("john.doe"), "john_doe");
  EXPECT_EQ(nick_from_name("bad nick"), "bad_nick");
  EXPECT_EQ(nick_from_name("1user"), "_1user");
  EXPECT_EQ(nick_from_name("-dash"), "_-dash");
  EXPECT_EQ(nick_from_name("[x]`_^{|}\\-"), "[x]`_^{|}\\-");
  EXPECT_EQ(nick_from_name("a-very-long-login-name-indeed"), "a-very-long-logi");
  EXPECT_EQ(nick_from_name("12345678901234567890").size(), kMaxDefaultNick);
  EXPECT_EQ(nick_from_name(""), "parley");
  EXPECT_EQ(nick_from_name("..."), "parley");
}

TEST_F(SessionTest, OwnQuitIsNotShownAsAnError) {
  register_now();
  client.input("/quit bye", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("QUIT :bye\r\n"));
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

TEST_F(SessionTest, WhoisIdleAndSignonAreADurationAndADate) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  register_now();
  // 1796565720 is 2026-12-06 14:02 UTC.
  client.receive(":srv 317 alice bob 7380 1796565720 :seconds idle, signon time", kT0);
  client.receive(":srv 317 alice bob 45 :seconds idle", kT0);
  client.receive(":srv 317 alice bob 200000 1796565720 :seconds idle, signon time", kT0);
  client.receive(":srv 317 alice bob 185 1796565720 :seconds idle, signon time", kT0);
  std::vector<std::string> texts;
  for (const Event& e : lines()) texts.push_back(e.text);
  EXPECT_THAT(texts, ElementsAre("bob is idle 2h 3m, signed on 2026-12-06 14:02", "bob is idle 45s",
                                 "bob is idle 2d 7h, signed on 2026-12-06 14:02",
                                 "bob is idle 3m 5s, signed on 2026-12-06 14:02"));
}

TEST_F(SessionTest, WhoisIdleThatIsNotANumberIsShownAsSent) {
  register_now();
  client.receive(":srv 317 alice bob soon :seconds idle", kT0);
  const auto shown = lines();
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].text, "bob soon seconds idle");
}

TEST_F(SessionTest, ReconnectForgetsTopicModesAndNicksUntilTheServerSendsThemAgain) {
  register_now();
  client.receive(":srv 332 alice #parley :old topic", kT0);
  client.receive(":srv 324 alice #parley +nt", kT0);
  client.receive(":srv 353 alice = #parley :alice bob", kT0);
  client.receive(":srv 366 alice #parley :End", kT0);
  client.input("/away lunch", kT0);
  client.receive(":srv 306 alice :You have been marked as being away", kT0);
  client.disconnected("connection reset", kT0);
  const Buffer* b = client.find("#parley");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->topic, "");
  EXPECT_EQ(b->modes, "");
  EXPECT_TRUE(b->members.empty());
  EXPECT_FALSE(client.away());

  client.connecting(kT0 + std::chrono::seconds(1));
  client.connected(kT0 + std::chrono::seconds(1));
  client.receive(":srv 001 alice :Welcome", kT0);
  client.receive(":alice!al@host JOIN #parley", kT0);
  client.receive(":srv 324 alice #parley +n", kT0);
  client.receive(":srv 353 alice = #parley :alice", kT0);
  client.receive(":srv 366 alice #parley :End", kT0);
  EXPECT_EQ(b->topic, "");
  EXPECT_EQ(b->modes, "+n");
  ASSERT_EQ(b->members.size(), 1u);
}

}  // namespace
}  // namespace parley::client
