// ChatClient without sockets: the test plays the server, feeding lines and reading the wire.
#include "client/chat_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "client/unpaced.h"

namespace parley::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Clock::time_point kT0 = Clock::from_time_t(1'800'000'000);

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() : client(unpaced(ClientOptions{"irc.test", "alice", "al", "Alice A", "", {"#parley"}})) {}

  // Connects and registers with the given offered capabilities; clears the queues.
  void register_with(std::string_view caps) {
    client.connecting(kT0);
    client.connected(kT0);
    client.receive(":srv CAP * LS :" + std::string(caps), kT0);
    if (!caps.empty()) client.receive(":srv CAP alice ACK :" + std::string(caps), kT0);
    client.receive(":srv 001 alice :Welcome to the test network alice", kT0);
    client.receive(":srv 005 alice PREFIX=(qov)~@+ CHANTYPES=# CASEMAPPING=ascii :are supported", kT0);
    drain();
  }
  void join(std::string_view channel, std::string_view names) {
    client.receive(":alice!al@host JOIN " + std::string(channel), kT0);
    client.receive(":srv 353 alice = " + std::string(channel) + " :" + std::string(names), kT0);
    client.receive(":srv 366 alice " + std::string(channel) + " :End of /NAMES list.", kT0);
  }
  void drain() {
    client.take_wire();
    client.take_events();
  }
  std::vector<std::string> lines(BufferId id) {
    std::vector<std::string> out;
    for (const Event& e : client.take_events())
      if (e.kind == Event::Kind::kLine && e.buffer == id) out.push_back(format_line(e));
    return out;
  }
  BufferId id_of(std::string_view name) {
    const Buffer* b = client.find(name);
    return b ? b->id : 0;
  }

  ChatClient client;
};

TEST_F(ClientTest, RegistrationStartsWithCapLsThenNickAndUser) {
  client.connected(kT0);
  EXPECT_THAT(client.take_wire(),
              ElementsAre("CAP LS 302\r\n", "NICK alice\r\n", "USER al 0 * :Alice A\r\n"));
  EXPECT_EQ(client.state(), ConnState::kRegistering);
}

TEST_F(ClientTest, PasswordIsSentBeforeNick) {
  ChatClient c(unpaced(ClientOptions{"h", "bob", "", "", "secret", {}}));
  c.connected(kT0);
  EXPECT_THAT(c.take_wire(),
              ElementsAre("CAP LS 302\r\n", "PASS secret\r\n", "NICK bob\r\n", "USER bob 0 * :bob\r\n"));
}

TEST_F(ClientTest, RequestsOnlyWantedOfferedCapsAcrossMultilineLs) {
  client.connected(kT0);
  client.take_wire();
  client.receive(":srv CAP * LS * :multi-prefix sasl=PLAIN", kT0);
  EXPECT_TRUE(client.take_wire().empty());
  client.receive(":srv CAP * LS :server-time echo-message batch", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("CAP REQ :server-time multi-prefix echo-message batch\r\n"));
  client.receive(":srv CAP alice ACK :multi-prefix server-time echo-message", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("CAP END\r\n"));
  EXPECT_THAT(client.enabled_caps(), ElementsAre("multi-prefix", "server-time", "echo-message"));
}

TEST_F(ClientTest, NakStillEndsNegotiation) {
  client.connected(kT0);
  client.take_wire();
  client.receive(":srv CAP * LS :away-notify", kT0);
  client.take_wire();
  client.receive(":srv CAP * NAK :away-notify", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("CAP END\r\n"));
  EXPECT_TRUE(client.enabled_caps().empty());
}

TEST_F(ClientTest, NothingWantedEndsNegotiationAtOnce) {
  client.connected(kT0);
  client.take_wire();
  client.receive(":srv CAP * LS :sasl", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("CAP END\r\n"));
}

TEST_F(ClientTest, NickInUseTriesFallbacksDuringRegistration) {
  client.connected(kT0);
  client.take_wire();
  client.receive(":srv 433 * alice :Nickname is already in use", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("NICK alice_\r\n"));
  client.receive(":srv 433 * alice_ :Nickname is already in use", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("NICK alice__\r\n"));
  client.receive(":srv 433 * alice__ :Nickname is already in use", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("NICK alice1\r\n"));
  client.receive(":srv 001 alice1 :Welcome", kT0);
  EXPECT_EQ(client.nick(), "alice1");
  EXPECT_EQ(client.state(), ConnState::kRegistered);
}

TEST_F(ClientTest, WelcomeJoinsTheCommandLineChannels) {
  client.connected(kT0);
  client.take_wire();
  client.receive(":srv 001 alice :Welcome", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("JOIN #parley\r\n"));
}

TEST_F(ClientTest, OwnJoinOpensAWindowAndTracksNamesWithMultiPrefix) {
  register_with("multi-prefix");
  join("#parley", "~@bob +carol alice");
  const Buffer* b = client.find("#parley");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->joined);
  ASSERT_EQ(b->members.size(), 3u);
  EXPECT_EQ(b->members[0].nick, "bob");
  EXPECT_EQ(b->members[0].prefixes, "~@");
  EXPECT_EQ(client.buffers().size(), 2u);
}

TEST_F(ClientTest, SlashJoinSwitchesWhenTheServerConfirmsAndWhenAlreadyJoined) {
  register_with("");
  client.input("/join #rust", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("JOIN #rust\r\n"));
  client.receive(":alice!al@host JOIN #rust", kT0);
  EXPECT_EQ(client.current(), id_of("#rust"));
  client.select(client.server_buffer());
  client.input("/join #RUST", kT0);
  EXPECT_EQ(client.current(), id_of("#rust"));
  EXPECT_THAT(client.take_wire(), ElementsAre("MODE #rust\r\n"));  // from the first JOIN only
}

TEST_F(ClientTest, CreateIsJoinAndAddsAMissingChannelPrefix) {
  register_with("");
  client.input("/create lobby", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("JOIN #lobby\r\n"));
}

TEST_F(ClientTest, ChannelMessagesGoToTheirWindowWithActivityAndHighlight) {
  register_with("");
  join("#parley", "bob alice");
  const BufferId chan = id_of("#parley");
  client.select(client.server_buffer());
  drain();
  client.receive(":bob!b@h PRIVMSG #parley :hello all", kT0);
  EXPECT_EQ(client.find(chan)->activity, Activity::kMessages);
  client.receive(":bob!b@h PRIVMSG #parley :Alice: are you there?", kT0);
  EXPECT_EQ(client.find(chan)->activity, Activity::kHighlight);
  EXPECT_THAT(lines(chan), ElementsAre("<bob> hello all", "<bob> Alice: are you there?"));
  client.select(chan);
  EXPECT_EQ(client.find(chan)->activity, Activity::kNone);
}

TEST_F(ClientTest, StatusMessagesGoToTheChannel) {
  register_with("");
  join("#parley", "@bob alice");
  drain();
  client.receive(":bob!b@h NOTICE @#parley :ops only", kT0);
  EXPECT_THAT(lines(id_of("#parley")), ElementsAre("-bob- ops only"));
}

TEST_F(ClientTest, NickInsideAWordIsNoHighlight) {
  register_with("");
  join("#parley", "bob alice");
  client.select(client.server_buffer());
  client.receive(":bob!b@h PRIVMSG #parley :malice aforethought", kT0);
  EXPECT_EQ(client.find("#parley")->activity, Activity::kMessages);
}

TEST_F(ClientTest, PrivateMessageOpensAQueryAndTextThereAnswersIt) {
  register_with("");
  client.receive(":bob!b@h PRIVMSG alice :psst", kT0);
  const BufferId q = id_of("bob");
  ASSERT_NE(q, 0u);
  EXPECT_EQ(client.find(q)->kind, BufferKind::kQuery);
  EXPECT_EQ(client.find(q)->activity, Activity::kHighlight);
  EXPECT_THAT(lines(q), ElementsAre("<bob> psst"));
  client.select(q);
  client.input("hi bob", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("PRIVMSG bob :hi bob\r\n"));
  EXPECT_THAT(lines(q), ElementsAre("<alice> hi bob"));  // no echo-message: shown locally
}

TEST_F(ClientTest, EchoMessageShowsTheServersCopyOnly) {
  register_with("echo-message");
  join("#parley", "alice");
  client.select(id_of("#parley"));
  drain();
  client.input("hi", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("PRIVMSG #parley :hi\r\n"));
  EXPECT_TRUE(lines(id_of("#parley")).empty());
  client.receive(":alice!al@host PRIVMSG #parley :hi", kT0);
  EXPECT_THAT(lines(id_of("#parley")), ElementsAre("<alice> hi"));
}

TEST_F(ClientTest, ServerTimeStampsEvents) {
  register_with("server-time");
  join("#parley", "alice bob");
  drain();
  client.receive("@time=2027-01-02T03:04:05.678Z :bob!b@h PRIVMSG #parley :old news", kT0);
  const auto events = client.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].time, Clock::from_time_t(1798859045) + std::chrono::milliseconds(678));
}

TEST_F(ClientTest, ActionsAndNotices) {
  register_with("");
  join("#parley", "alice bob");
  drain();
  client.receive(
      ":bob!b@h PRIVMSG #parley :\x01"
      "ACTION waves\x01",
      kT0);
  client.receive(":bob!b@h NOTICE #parley :heads up", kT0);
  client.select(id_of("#parley"));
  EXPECT_THAT(lines(id_of("#parley")), ElementsAre("* bob waves", "-bob- heads up"));
  client.input("/me nods", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("PRIVMSG #parley :\x01"
                                              "ACTION nods\x01\r\n"));
}

TEST_F(ClientTest, JoinsPartsQuitsAndNickChangesUpdateMembers) {
  register_with("");
  join("#parley", "alice bob");
  client.receive(":carol!c@h JOIN #parley", kT0);
  client.receive(":bob!b@h NICK robert", kT0);
  client.receive(":carol!c@h PART #parley :bye", kT0);
  const Buffer* b = client.find("#parley");
  ASSERT_EQ(b->members.size(), 2u);
  EXPECT_EQ(b->members[1].nick, "robert");
  client.receive(":robert!b@h QUIT :Client exited", kT0);
  EXPECT_EQ(client.find("#parley")->members.size(), 1u);
  const auto shown = lines(id_of("#parley"));
  EXPECT_THAT(shown, ::testing::Contains(HasSubstr("robert quit (Client exited)")));
  EXPECT_THAT(shown, ::testing::Contains(HasSubstr("bob is now known as robert")));
}

TEST_F(ClientTest, NickChangeRenamesTheQuery) {
  register_with("");
  client.receive(":bob!b@h PRIVMSG alice :hi", kT0);
  const BufferId q = id_of("bob");
  client.receive(":bob!b@h NICK robert", kT0);
  EXPECT_EQ(client.find(q)->name, "robert");
}

TEST_F(ClientTest, ModesTopicAndPrefixChangesAreTracked) {
  register_with("");
  join("#parley", "@alice bob");
  client.receive(":srv 324 alice #parley +nt", kT0);
  client.receive(":alice!al@host MODE #parley +ov-t bob bob", kT0);
  client.receive(":alice!al@host TOPIC #parley :Parley dev", kT0);
  const Buffer* b = client.find("#parley");
  EXPECT_EQ(b->modes, "+n");
  EXPECT_EQ(b->members[1].prefixes, "@+");
  EXPECT_EQ(b->topic, "Parley dev");
  client.receive(":alice!al@host MODE #parley +kl key 10", kT0);
  EXPECT_EQ(client.find("#parley")->modes, "+nkl");
}

TEST_F(ClientTest, KickOfUsLeavesTheWindowOpenButNotJoined) {
  register_with("");
  join("#parley", "alice bob");
  client.receive(":bob!b@h KICK #parley alice :out", kT0);
  EXPECT_FALSE(client.find("#parley")->joined);
  client.select(id_of("#parley"));
  drain();
  client.input("anyone?", kT0);
  EXPECT_TRUE(client.take_wire().empty());
}

TEST_F(ClientTest, CommandsBuildTheirLines) {
  register_with("");
  join("#parley", "alice bob");
  client.select(id_of("#parley"));
  drain();
  const std::pair<std::string, std::string> cases[] = {
      {"/part see you", "PART #parley :see you\r\n"},
      {"/part #other", "PART #other\r\n"},
      {"/msg bob hello there", "PRIVMSG bob :hello there\r\n"},
      {"/nick al2", "NICK al2\r\n"},
      {"/topic new topic", "TOPIC #parley :new topic\r\n"},
      {"/topic", "TOPIC #parley\r\n"},
      {"/names", "NAMES #parley\r\n"},
      {"/list", "LIST\r\n"},
      {"/whois bob", "WHOIS bob\r\n"},
      {"/mode +m", "MODE #parley +m\r\n"},
      {"/mode bob +i", "MODE bob +i\r\n"},
      {"/kick bob behave", "KICK #parley bob :behave\r\n"},
      {"/invite carol", "INVITE carol #parley\r\n"},
      {"/away lunch", "AWAY :lunch\r\n"},
      {"/away", "AWAY\r\n"},
      {"/quote PRIVMSG bob :raw", "PRIVMSG bob :raw\r\n"},
      {"//not a command", "PRIVMSG #parley :/not a command\r\n"},
  };
  for (const auto& [typed, wire] : cases) {
    client.input(typed, kT0);
    EXPECT_THAT(client.take_wire(), ElementsAre(wire)) << typed;
  }
}

TEST_F(ClientTest, UnknownCommandsAndMissingArgumentsExplainThemselves) {
  register_with("");
  client.input("/frobnicate", kT0);
  client.input("/kick", kT0);
  client.input("hello", kT0);
  EXPECT_TRUE(client.take_wire().empty());
  const auto shown = lines(client.server_buffer());
  ASSERT_EQ(shown.size(), 3u);
  EXPECT_THAT(shown[0], HasSubstr("Unknown command /frobnicate"));
  EXPECT_THAT(shown[1], HasSubstr("Usage: /kick nick"));
  EXPECT_THAT(shown[2], HasSubstr("server window"));
}

TEST_F(ClientTest, HelpListsAndExplainsCommands) {
  client.input("/help", kT0);
  client.input("/help /join", kT0);
  const auto shown = lines(client.server_buffer());
  ASSERT_GE(shown.size(), 3u);
  EXPECT_THAT(shown[0], HasSubstr("quote"));
  EXPECT_THAT(shown[2], HasSubstr("/join #channel"));
}

TEST_F(ClientTest, QueryWindowCloseAndWindowSwitching) {
  register_with("");
  join("#parley", "alice bob");
  drain();
  client.input("/query bob", kT0);
  const BufferId q = id_of("bob");
  EXPECT_EQ(client.current(), q);
  client.input("/window 2", kT0);
  EXPECT_EQ(client.current(), id_of("#parley"));
  client.input("/window 9", kT0);
  EXPECT_EQ(client.current(), id_of("#parley"));
  client.input("/close", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("PART #parley\r\n"));
  EXPECT_EQ(client.find("#parley"), nullptr);
  EXPECT_EQ(client.current(), client.server_buffer());
  std::vector<Event::Kind> kinds;
  for (const Event& e : client.take_events())
    if (e.kind != Event::Kind::kLine) kinds.push_back(e.kind);
  EXPECT_THAT(kinds, ElementsAre(Event::Kind::kOpened, Event::Kind::kSelect, Event::Kind::kSelect,
                                 Event::Kind::kClosed, Event::Kind::kSelect));
}

TEST_F(ClientTest, CompletesCommandsChannelsAndNicksByRecentSpeech) {
  register_with("");
  join("#parley", "alice bob bella");
  join("#pascal", "alice");
  client.select(id_of("#parley"));
  EXPECT_THAT(client.complete("/jo", true), ElementsAre("/join "));
  EXPECT_THAT(client.complete("#pa", false), ElementsAre("#parley", "#pascal"));
  EXPECT_THAT(client.complete("b", true), ElementsAre("bella: ", "bob: "));
  client.receive(":bob!b@h PRIVMSG #parley :hi", kT0);
  EXPECT_THAT(client.complete("B", false), ElementsAre("bob", "bella"));
  EXPECT_TRUE(client.complete("al", false).empty());  // not ourselves
}

TEST_F(ClientTest, ReconnectBacksOffAndRejoins) {
  register_with("");
  join("#parley", "alice");
  join("#other", "alice");
  drain();
  client.disconnected("Connection reset by peer", kT0);
  EXPECT_EQ(client.state(), ConnState::kWaiting);
  EXPECT_EQ(client.reconnect_at(), kT0 + std::chrono::seconds(1));
  EXPECT_FALSE(client.find("#parley")->joined);
  client.connecting(kT0 + std::chrono::seconds(1));
  client.disconnected("Connection refused", kT0 + std::chrono::seconds(1));
  EXPECT_EQ(client.reconnect_at(), kT0 + std::chrono::seconds(3));
  client.connecting(kT0 + std::chrono::seconds(3));
  client.disconnected("Connection refused", kT0 + std::chrono::seconds(3));
  EXPECT_EQ(client.reconnect_at(), kT0 + std::chrono::seconds(7));
  client.connecting(kT0 + std::chrono::seconds(7));
  client.connected(kT0 + std::chrono::seconds(7));
  client.take_wire();
  client.receive(":srv 001 alice :Welcome back", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("JOIN #parley\r\n", "JOIN #other\r\n"));
  EXPECT_EQ(client.state(), ConnState::kRegistered);
  EXPECT_FALSE(client.reconnect_at().has_value());
}

TEST_F(ClientTest, BackoffIsCapped) {
  for (int i = 0; i < 20; ++i) client.disconnected("refused", kT0);
  EXPECT_EQ(client.reconnect_at(), kT0 + ChatClient::kMaxBackoff);
}

TEST_F(ClientTest, QuitSendsQuitAndDoesNotReconnect) {
  register_with("");
  client.input("/quit gone fishing", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("QUIT :gone fishing\r\n"));
  EXPECT_TRUE(client.quitting());
  client.disconnected("closed", kT0);
  EXPECT_FALSE(client.reconnect_at().has_value());
}

TEST_F(ClientTest, AnswersPing) {
  client.receive("PING :abc", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("PONG abc\r\n"));
}

TEST_F(ClientTest, AnswersCtcpQueriesWithNoticesAtMostOnceASecond) {
  register_with("");
  client.receive(":bob!b@h PRIVMSG alice :\x01VERSION\x01", kT0);
  EXPECT_THAT(client.take_wire(), ElementsAre("NOTICE bob :\x01VERSION parley chat\x01\r\n"));
  client.receive(":bob!b@h PRIVMSG alice :\x01PING 12345\x01", kT0);
  EXPECT_TRUE(client.take_wire().empty()) << "within a second of the last answer";
  const auto later = kT0 + std::chrono::seconds(1);
  client.receive(":bob!b@h PRIVMSG alice :\x01PING 12345\x01", later);
  EXPECT_THAT(client.take_wire(), ElementsAre("NOTICE bob :\x01PING 12345\x01\r\n"));
  client.receive(":bob!b@h PRIVMSG #parley :\x01TIME\x01", later + std::chrono::seconds(1));
  // kT0 is 2027-01-15 08:00:00 UTC.
  EXPECT_THAT(client.take_wire(), ElementsAre("NOTICE bob :\x01TIME Fri, 15 Jan 2027 08:00:02 GMT\x01\r\n"));
  client.receive(
      ":bob!b@h PRIVMSG alice :\x01"
      "CLIENTINFO\x01",
      later + std::chrono::seconds(2));
  EXPECT_THAT(client.take_wire(), ElementsAre("NOTICE bob :\x01"
                                              "CLIENTINFO ACTION CLIENTINFO PING TIME VERSION\x01\r\n"));
}

TEST_F(ClientTest, DoesNotAnswerCtcpRepliesUnknownQueriesOrItself) {
  register_with("");
  client.receive(":bob!b@h NOTICE alice :\x01VERSION other 1.0\x01", kT0);
  client.receive(
      ":bob!b@h PRIVMSG alice :\x01"
      "DCC SEND x 1 2 3\x01",
      kT0);
  client.receive(":alice!al@h PRIVMSG alice :\x01VERSION\x01", kT0);
  EXPECT_TRUE(client.take_wire().empty());
  std::vector<std::string> shown;
  for (const Event& e : client.take_events())
    if (e.kind == Event::Kind::kLine) shown.push_back(e.text);
  EXPECT_THAT(shown, ElementsAre("CTCP reply VERSION other 1.0 from bob", "CTCP DCC SEND x 1 2 3 from bob",
                                 "CTCP VERSION from alice"));
}

TEST_F(ClientTest, AwayNotifyMarksMembers) {
  register_with("away-notify");
  join("#parley", "alice bob");
  client.receive(":bob!b@h AWAY :lunch", kT0);
  EXPECT_TRUE(client.find("#parley")->members[1].away);
  client.receive(":bob!b@h AWAY", kT0);
  EXPECT_FALSE(client.find("#parley")->members[1].away);
}

TEST(NickColour, IsStableAndFoldsCase) {
  EXPECT_EQ(nick_colour("Alice", proto::Casemapping::kAscii),
            nick_colour("alice", proto::Casemapping::kAscii));
  EXPECT_GE(nick_colour("bob", proto::Casemapping::kAscii), 0);
  EXPECT_LT(nick_colour("bob", proto::Casemapping::kAscii), kNickColours);
}

}  // namespace
}  // namespace parley::client
