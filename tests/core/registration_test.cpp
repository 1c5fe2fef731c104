// Tests for connection registration (src/core/commands/registration.cpp, welcome.cpp and the
// dispatcher in engine.cpp): CAP, PASS, NICK, USER, PING/PONG, QUIT, the welcome burst and the
// registration and ping timeouts. Expected behaviour follows modern.ircdocs.horse ("Connection
// Registration", "Numerics"), RFC 2812 section 3.1 and ircv3.net "Capability Negotiation".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

// {"001", "005", "005", "251"} -> {"001", "005", "251"}: the number of ISUPPORT lines is the
// engine's business, their position is not.
std::vector<std::string> collapse_repeats(std::vector<std::string> codes) {
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

// The ISUPPORT tokens of every 005 line: the parameters between <client> and the trailing text.
std::vector<std::string> isupport_tokens(EngineHarness& h, SessionId id) {
  std::vector<std::string> tokens;
  for (const Line& l : h.replies(id, "005")) {
    for (std::size_t i = 1; i + 1 < l.params.size(); ++i) tokens.push_back(l.params[i]);
  }
  return tokens;
}

SessionId connect_and_register(EngineHarness& h, const std::string& nick) {
  SessionId id = h.connect();
  h.send(id, "NICK " + nick);
  h.send(id, "USER " + nick + " 0 * :Real " + nick);
  return id;
}

// ---- welcome burst ---------------------------------------------------------------------------

TEST(Welcome, BurstIs001To005ThenLusersThenNoMotd) {
  EngineHarness h;
  SessionId a = connect_and_register(h, "alice");
  EXPECT_THAT(collapse_repeats(h.commands(a)),
              ElementsAre("001", "002", "003", "004", "005", "251", "254", "255", "265", "266", "422"))
      << h.dump(a);
  EXPECT_EQ(h.lines(a).front(),
            ":parley.local 001 alice :Welcome to the Parley IRC Network alice!~alice@127.0.0.1");
}

TEST(Welcome, MyInfoNamesServerVersionAndModes) {
  EngineHarness h;
  SessionId a = connect_and_register(h, "alice");
  auto r = h.replies(a, "004");
  ASSERT_EQ(r.size(), 1u) << h.dump(a);
  EXPECT_THAT(r[0].params,
              ElementsAre("alice", "parley.local", "parley-0.1.0", "Biosw", "CIbeiklmnopstv", "Ibeklov"));
}

TEST(Welcome, ConfiguredMotdReplaces422) {
  EngineHarness h;
  h.config.motd = {"first line", "second line"};
  SessionId a = connect_and_register(h, "alice");
  EXPECT_THAT(collapse_repeats(h.commands(a)), ElementsAre("001", "002", "003", "004", "005", "251", "254",
                                                           "255", "265", "266", "375", "372", "376"))
      << h.dump(a);
  EXPECT_EQ(h.count(a, " 372 alice :- "), 2u);
  EXPECT_TRUE(h.has_line(a, ":parley.local 372 alice :- second line"));
  EXPECT_FALSE(h.has_line(a, " 422 "));
}

TEST(Welcome, LusersInBurstCountsUnknownConnections) {
  EngineHarness h;
  h.connect();  // never registers
  SessionId a = connect_and_register(h, "alice");
  EXPECT_TRUE(h.has_line(a, ":parley.local 253 alice 1 :unknown connection(s)")) << h.dump(a);
  EXPECT_TRUE(h.has_line(a, ":parley.local 251 alice :There are 1 users and 0 invisible on 1 servers"))
      << h.dump(a);
}

TEST(Isupport, AdvertisesCasemappingPrefixChanmodesAndLimits) {
  EngineHarness h;
  h.config.limits.nick_length = 9;
  h.config.limits.topic_length = 300;
  h.config.network_name = "TestNet";
  SessionId a = connect_and_register(h, "alice");
  auto tokens = isupport_tokens(h, a);
  for (const char* expected :
       {"CASEMAPPING=rfc1459", "CHANTYPES=#&", "PREFIX=(ov)@+", "CHANMODES=beI,k,Hl,Cimnpst", "NICKLEN=9",
        "TOPICLEN=300", "NETWORK=TestNet", "STATUSMSG=@+", "MODES=4", "CHANNELLEN=50", "CHANLIMIT=#&:50",
        "AWAYLEN=200", "KICKLEN=255"}) {
    EXPECT_THAT(tokens, Contains(expected));
  }
}

TEST(Isupport, EachLineHasAtMost13TokensAndTheTrailingText) {
  EngineHarness h;
  SessionId a = connect_and_register(h, "alice");
  auto lines = h.replies(a, "005");
  ASSERT_FALSE(lines.empty());
  for (const Line& l : lines) {
    ASSERT_GE(l.params.size(), 3u) << l.raw;
    EXPECT_LE(l.params.size() - 2, 13u) << l.raw;
    EXPECT_EQ(l.params.back(), "are supported by this server") << l.raw;
  }
}

TEST(Isupport, NickLengthIsEnforcedAsAdvertised) {
  EngineHarness h;
  h.config.limits.nick_length = 9;
  SessionId a = h.connect();
  h.send(a, "NICK abcdefghij");
  EXPECT_TRUE(h.has_line(a, " 432 * abcdefghij :Erroneous nickname")) << h.dump(a);
  h.send(a, "NICK abcdefghi");
  h.send(a, "USER x 0 * :x");
  EXPECT_TRUE(h.has_line(a, " 001 abcdefghi ")) << h.dump(a);
}

// ---- CAP ------------------------------------------------------------------------------------

TEST(Cap, LsListsExactlyTheImplementedCapabilities) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP LS 302");
  EXPECT_THAT(
      h.lines(a),
      AreLines(":parley.local CAP * LS * :account-notify account-tag away-notify batch cap-notify chghost "
               "draft/account-registration=before-connect,custom-account-name draft/channel-rename "
               "draft/chathistory draft/event-playback "
               "draft/message-redaction draft/metadata-3=before-connect,max-subs=50,max-keys=20,"
               "max-value-bytes=300 draft/multiline=max-bytes=4096,max-lines=32 draft/read-marker "
               "echo-message extended-join extended-monitor",
               ":parley.local CAP * LS :invite-notify labeled-response message-tags multi-prefix "
               "no-implicit-names sasl=PLAIN,EXTERNAL,SCRAM-SHA-256 server-time setname soju.im/search "
               "userhost-in-names znc.in/playback"));
}

TEST(Cap, Ls302HoldsRegistrationUntilCapEnd) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP LS 302");
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :Alice");
  EXPECT_FALSE(h.has_line(a, " 001 ")) << h.dump(a);
  EXPECT_FALSE(h.user(a)->registered);
  h.send(a, "CAP END");
  EXPECT_TRUE(h.has_line(a, ":parley.local 001 alice ")) << h.dump(a);
}

TEST(Cap, ReqAloneHoldsRegistrationUntilCapEnd) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "CAP REQ :multi-prefix");
  h.send(a, "USER alice 0 * :Alice");
  EXPECT_FALSE(h.has_line(a, " 001 ")) << h.dump(a);
  h.send(a, "CAP END");
  EXPECT_TRUE(h.has_line(a, " 001 alice ")) << h.dump(a);
}

TEST(Cap, ReqIsAcknowledgedAndListed) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP REQ :multi-prefix server-time");
  h.send(a, "CAP LIST");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local CAP * ACK :multi-prefix server-time",
                                   ":parley.local CAP * LIST :multi-prefix server-time"));
}

TEST(Cap, ListIsEmptyParameterWhenNothingEnabled) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP LIST");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local CAP * LIST :"));
}

TEST(Cap, ReqWithOneUnknownCapIsRejectedWhole) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP REQ :multi-prefix bogus-cap");
  h.send(a, "CAP LIST");
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local CAP * NAK :multi-prefix bogus-cap", ":parley.local CAP * LIST :"));
}

TEST(Cap, ReqMinusDisablesOnlyThatCap) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP REQ :multi-prefix echo-message");
  h.send(a, "CAP REQ :-multi-prefix");
  h.send(a, "CAP LIST");
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local CAP * ACK :multi-prefix echo-message",
                       ":parley.local CAP * ACK :-multi-prefix", ":parley.local CAP * LIST :echo-message"));
}

TEST(Cap, ReqMixingRemovalWithUnknownCapChangesNothing) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP REQ :multi-prefix");
  h.send(a, "CAP REQ :-multi-prefix server-time nope");
  h.send(a, "CAP LIST");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local CAP * ACK :multi-prefix",
                                   ":parley.local CAP * NAK :-multi-prefix server-time nope",
                                   ":parley.local CAP * LIST :multi-prefix"));
}

TEST(Cap, ReqAfterRegistrationAddressesTheNick) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "CAP REQ :echo-message");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local CAP alice ACK :echo-message"));
  EXPECT_TRUE(h.user(a)->caps.has(Cap::kEchoMessage));
}

TEST(Cap, Ls302ImpliesCapNotify) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP LS 302");
  h.clear(a);
  h.send(a, "CAP LIST");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local CAP * LIST :cap-notify"));
}

// ircv3.net capability-negotiation, "cap-notify": "servers MUST NOT disable the cap-notify
// capability if the client requests CAP LS with a version of 302 or newer."
TEST(Cap, Ls302ClientCannotDisableCapNotify) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP LS 302");
  h.send(a, "CAP REQ :-cap-notify");
  h.clear(a);
  h.send(a, "CAP LIST");
  EXPECT_THAT(h.lines(a), ElementsAre(HasSubstr("cap-notify"))) << h.dump(a);
}

TEST(Cap, UnknownSubcommandIs410) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP FROB");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 410 * FROB :Invalid CAP command"));
}

TEST(Cap, EndAfterRegistrationIsIgnored) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "CAP END");
  EXPECT_THAT(h.lines(a), IsEmpty());
}

TEST(Cap, WithoutParametersIs461) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 461 * CAP :Not enough parameters"));
}

// ---- PASS -----------------------------------------------------------------------------------

TEST(Pass, CorrectServerPasswordRegisters) {
  EngineHarness h;
  h.config.password_hash = FakeAccountBackend::hash("sesame");
  SessionId a = h.connect();
  h.send(a, "PASS sesame");
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :Alice");
  EXPECT_TRUE(h.has_line(a, " 001 alice ")) << h.dump(a);
  EXPECT_FALSE(h.closed(a));
  EXPECT_GE(h.accounts.submitted, 1);
}

TEST(Pass, WrongServerPasswordIs464ThenClosed) {
  EngineHarness h;
  h.config.password_hash = FakeAccountBackend::hash("sesame");
  SessionId a = h.connect();
  h.send(a, "PASS open");
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :Alice");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 464 alice :Password incorrect",
                                   "ERROR :Closing Link: 127.0.0.1 (Bad password)"));
  EXPECT_TRUE(h.closed(a));
  EXPECT_EQ(h.engine().user_count(), 0u);
}

TEST(Pass, MissingServerPasswordIs464ThenClosed) {
  EngineHarness h;
  h.config.password_hash = FakeAccountBackend::hash("sesame");
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :Alice");
  EXPECT_TRUE(h.has_line(a, " 464 alice :Password incorrect")) << h.dump(a);
  EXPECT_FALSE(h.has_line(a, " 001 "));
  EXPECT_TRUE(h.closed(a));
}

TEST(Pass, NickOfRefusedClientIsFreedAgain) {
  EngineHarness h;
  h.config.password_hash = FakeAccountBackend::hash("sesame");
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :Alice");
  ASSERT_TRUE(h.closed(a));
  SessionId b = h.connect();
  h.send(b, "PASS sesame");
  h.send(b, "NICK alice");
  h.send(b, "USER alice 0 * :Alice");
  EXPECT_TRUE(h.has_line(b, " 001 alice ")) << h.dump(b);
}

TEST(Pass, AfterRegistrationIs462) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "PASS again");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 462 alice :You may not reregister"));
}

TEST(Pass, WithoutParameterIs461) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "PASS");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 461 * PASS :Not enough parameters"));
}

// ---- NICK -----------------------------------------------------------------------------------

TEST(Nick, MissingNicknameIs431) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK");
  h.send(a, "NICK :");
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local 431 * :No nickname given", ":parley.local 431 * :No nickname given"));
}

TEST(Nick, ErroneousNicknameIs432) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK 9lives");
  h.send(a, "NICK a#b");
  h.send(a, "NICK " + std::string(31, 'x'));
  EXPECT_EQ(h.count(a, " 432 * "), 3u) << h.dump(a);
  EXPECT_TRUE(h.has_line(a, ":parley.local 432 * 9lives :Erroneous nickname"));
  EXPECT_EQ(h.user(a)->nick, "");
}

TEST(Nick, NicknameInUseIs433) {
  EngineHarness h;
  h.register_user("alice");
  SessionId b = h.connect();
  h.send(b, "NICK alice");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 433 * alice :Nickname is already in use"));
}

TEST(Nick, NicknameInUseComparesWithRfc1459Casemapping) {
  EngineHarness h;
  h.register_user("al[ce]");
  SessionId b = h.connect();
  h.send(b, "NICK AL{CE}");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 433 * AL{CE} :Nickname is already in use"));
}

TEST(Nick, CaseOnlyChangeIsAcceptedAndAnnounced) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "NICK Alice");
  EXPECT_THAT(h.lines(a), AreLines(":alice!~alice@127.0.0.1 NICK Alice"));
  EXPECT_EQ(h.user(a)->nick, "Alice");
  EXPECT_EQ(h.engine().find_nick("ALICE"), h.user(a));
}

TEST(Nick, SameNickIsSilentlyIgnored) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "NICK alice");
  EXPECT_THAT(h.lines(a), IsEmpty());
}

TEST(Nick, ChangeIsBroadcastOncePerUserSharingChannels) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  SessionId c = h.register_user("carol");
  h.send(a, "JOIN #one,#two");
  h.send(b, "JOIN #one,#two");
  h.send(c, "JOIN #three");
  h.clear_all();
  h.send(a, "NICK alicia");
  EXPECT_THAT(h.lines(a), AreLines(":alice!~alice@127.0.0.1 NICK alicia"));
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 NICK alicia"));
  EXPECT_THAT(h.lines(c), IsEmpty());
}

TEST(Nick, OldNickIsReleasedAfterChange) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "NICK alicia");
  EXPECT_EQ(h.engine().find_nick("alice"), nullptr);
  h.register_user("alice");  // expects RPL_WELCOME
  EXPECT_EQ(h.engine().find_nick("alicia"), h.user(a));
}

TEST(Nick, ChangeBeforeRegistrationIsSilentAndUsedForWelcome) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK first");
  h.send(a, "NICK second");
  EXPECT_THAT(h.lines(a), IsEmpty());
  h.send(a, "USER x 0 * :X");
  EXPECT_TRUE(h.has_line(a, " 001 second ")) << h.dump(a);
  EXPECT_EQ(h.engine().find_nick("first"), nullptr);
}

// ---- USER -----------------------------------------------------------------------------------

TEST(User, TooFewParametersIs461) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "USER alice 0 *");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 461 * USER :Not enough parameters"));
}

TEST(User, EmptyRealnameIs461AndDoesNotRegister) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 461 alice USER :Not enough parameters"));
  EXPECT_FALSE(h.user(a)->registered);
  h.send(a, "USER alice 0 * :Alice");  // the refused USER did not count: a corrected one works
  EXPECT_TRUE(h.has_line(a, " 001 alice ")) << h.dump(a);
}

TEST(User, SecondUserBeforeRegistrationIs462) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "USER alice 0 * :Alice");
  h.send(a, "USER alice 0 * :Alice");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 462 * :You may not reregister"));
}

TEST(User, AfterRegistrationIs462) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "USER alice 0 * :Alice");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 462 alice :You may not reregister"));
}

TEST(User, UsernameGetsTildeAndIsCutToUserLen) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER averyverylongname 0 * :Alice");
  EXPECT_TRUE(h.has_line(a, "Welcome to the Parley IRC Network alice!~averyvery@127.0.0.1")) << h.dump(a);
  EXPECT_LE(h.user(a)->username.size(), h.config.limits.user_length);
}

TEST(User, RealnameIsKeptWithSpaces) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :Alice Liddell");
  EXPECT_EQ(h.user(a)->realname, "Alice Liddell");
}

// The engine cuts topics, away and kick texts on a UTF-8 boundary (limit_utf8); a realname that
// is cut mid-character would be relayed as invalid UTF-8 in WHOIS/WHO/extended-join.
TEST(User, LongRealnameIsCutWithoutSplittingUtf8) {
  EngineHarness h;
  SessionId a = h.connect();
  std::string realname = std::string(h.config.limits.realname_length - 1, 'r') + "\xC3\xA9";  // ...é
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :" + realname);
  EXPECT_EQ(h.user(a)->realname, std::string(h.config.limits.realname_length - 1, 'r'));
}

// ---- dispatcher -----------------------------------------------------------------------------

TEST(Dispatcher, CommandBeforeRegistrationIs451) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "JOIN #c");
  h.send(a, "PRIVMSG bob :hi");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 451 * :You have not registered",
                                   ":parley.local 451 * :You have not registered"));
}

TEST(Dispatcher, UnknownCommandBeforeRegistrationIs451) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "FROBNICATE x");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 451 * :You have not registered"));
}

TEST(Dispatcher, UnknownCommandAfterRegistrationIs421) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "FROBNICATE x");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 421 alice FROBNICATE :Unknown command"));
}

TEST(Dispatcher, CommandNamesAreCaseInsensitive) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "nick alice");
  h.send(a, "User alice 0 * :Alice");
  EXPECT_TRUE(h.has_line(a, " 001 alice ")) << h.dump(a);
  h.clear(a);
  h.send(a, "join #c");
  EXPECT_TRUE(h.has_line(a, ":alice!~alice@127.0.0.1 JOIN #c")) << h.dump(a);
}

TEST(Dispatcher, MissingParametersIs461WithCommandName) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "KICK #c");
  h.send(a, "invite bob");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 461 alice KICK :Not enough parameters",
                                   ":parley.local 461 alice INVITE :Not enough parameters"));
}

// ---- PING / PONG ----------------------------------------------------------------------------

TEST(Ping, IsAnsweredWithPongCarryingTheToken) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "PING :LAG12345");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local PONG parley.local LAG12345"));
}

TEST(Ping, WorksBeforeRegistration) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "PING abc");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local PONG parley.local abc"));
}

TEST(Pong, IsSilent) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "PONG :parley.local");
  EXPECT_THAT(h.lines(a), IsEmpty());
}

// ---- QUIT -----------------------------------------------------------------------------------

TEST(Quit, ReasonIsSeenByChannelMembersAndClientGetsError) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.clear_all();
  h.send(a, "QUIT :gone fishing");
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 QUIT :Quit: gone fishing"));
  EXPECT_THAT(h.lines(a), AreLines("ERROR :Closing Link: 127.0.0.1 (Quit: gone fishing)"));
  EXPECT_TRUE(h.closed(a));
  EXPECT_FALSE(h.closed(b));
  EXPECT_EQ(h.engine().find_nick("alice"), nullptr);
}

TEST(Quit, WithoutReasonSaysClientQuit) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.clear_all();
  h.send(a, "QUIT");
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 QUIT :Client Quit"));
}

TEST(Quit, IsNotSeenByUsersWithoutACommonChannel) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #a");
  h.send(b, "JOIN #b");
  h.clear_all();
  h.send(a, "QUIT :bye");
  EXPECT_THAT(h.lines(b), IsEmpty());
}

// Like topics and kick reasons (limit_utf8), a long QUIT reason must be cut on a character
// boundary: it is relayed to every channel member.
TEST(Quit, LongReasonIsCutWithoutSplittingUtf8) {
  EngineHarness h;
  h.config.limits.kick_length = 5;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.clear_all();
  h.send(a, "QUIT :abcd\xC3\xA9");  // 'é' straddles the 5-byte limit
  auto r = h.replies(b, "QUIT");
  ASSERT_EQ(r.size(), 1u) << h.dump(b);
  EXPECT_EQ(r[0].params[0], "Quit: abcd");
}

TEST(Quit, BeforeRegistrationClosesTheConnection) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "QUIT :nope");
  EXPECT_THAT(h.lines(a), AreLines("ERROR :Closing Link: 127.0.0.1 (Quit: nope)"));
  EXPECT_TRUE(h.closed(a));
  EXPECT_EQ(h.engine().user_count(), 0u);
  EXPECT_EQ(h.engine().find_nick("alice"), nullptr);
}

// ---- timeouts -------------------------------------------------------------------------------

TEST(Timeout, UnregisteredClientIsClosedAfterRegistrationTimeout) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.advance(29s);
  EXPECT_FALSE(h.closed(a));
  h.send(a, "PING x");  // activity does not extend the registration deadline
  h.advance(1s);
  EXPECT_TRUE(h.closed(a));
  EXPECT_TRUE(h.has_line(a, "ERROR :Closing Link: 127.0.0.1 (Registration timed out)")) << h.dump(a);
  EXPECT_EQ(h.engine().user_count(), 0u);
}

TEST(Timeout, RegisteredClientIsNotHitByRegistrationTimeout) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.advance(31s);
  EXPECT_FALSE(h.closed(a));
}

TEST(Timeout, PingIsSentAfterPingIntervalIdle) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.advance(89s);
  EXPECT_THAT(h.lines(a), IsEmpty());
  h.advance(1s);
  EXPECT_THAT(h.lines(a), AreLines(":parley.local PING parley.local"));
  h.advance(1s);
  EXPECT_EQ(h.count(a, "PING"), 1u) << "only one PING per idle period";
}

TEST(Timeout, UnansweredPingClosesAfterPingTimeout) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.advance(90s);  // both pinged
  h.send(b, "PONG :parley.local");
  h.clear_all();
  h.advance(59s);
  EXPECT_FALSE(h.closed(a));
  h.advance(1s);
  EXPECT_TRUE(h.closed(a));
  EXPECT_EQ(h.close_reason(a), "Ping timeout: 150 seconds");
  EXPECT_THAT(h.lines(a), AreLines("ERROR :Closing Link: 127.0.0.1 (Ping timeout: 150 seconds)"));
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 QUIT :Ping timeout: 150 seconds"));
  EXPECT_FALSE(h.closed(b));
}

TEST(Timeout, AnyLineAnswersThePing) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.advance(90s);
  ASSERT_TRUE(h.has_line(a, "PING"));
  h.send(a, "LUSERS");  // not a PONG, still proof of life
  h.clear(a);
  h.advance(60s);
  EXPECT_FALSE(h.closed(a));
  EXPECT_THAT(h.lines(a), IsEmpty()) << "next PING only after a new idle interval";
  h.advance(30s);
  EXPECT_THAT(h.lines(a), AreLines(":parley.local PING parley.local"));
}

TEST(Timeout, ActivityPostponesThePing) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.advance(60s);
  h.send(a, "PING x");
  h.clear(a);
  h.advance(60s);
  EXPECT_THAT(h.lines(a), IsEmpty());
  h.advance(30s);
  EXPECT_THAT(h.lines(a), AreLines(":parley.local PING parley.local"));
}

TEST(Timeout, ConfiguredIntervalsAreUsed) {
  EngineHarness h;
  h.config.timeouts.registration = 5s;
  SessionId a = h.connect();
  h.advance(4s);
  EXPECT_FALSE(h.closed(a));
  h.advance(1s);
  EXPECT_TRUE(h.closed(a));
}

// ---- PASS is checked off the engine thread ----------------------------------------------------

// A server with password "sesame" whose checks the test answers itself; returns a client that
// has sent PASS, NICK and USER, so its check is queued.
SessionId connect_with_pending_pass(EngineHarness& h, bool exempt = false) {
  h.config.password_hash = FakeAccountBackend::hash("sesame");
  h.accounts.mode = FakeAccountBackend::Mode::kManual;
  SessionId a = h.connect("127.0.0.1", exempt);
  h.send(a, "PASS sesame");
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :Alice");
  return a;
}

TEST(PassCheck, RegistrationWaitsForTheAnswerAndOthersAreServedMeanwhile) {
  EngineHarness h;
  SessionId a = connect_with_pending_pass(h);
  ASSERT_EQ(h.accounts.queue.size(), 1u);
  EXPECT_EQ(h.accounts.queue.front().second.kind, AccountRequest::Kind::kVerifyPassword);
  EXPECT_FALSE(h.has_line(a, " 001 "));
  // Another client is served while alice waits (its own check is queued behind hers).
  SessionId b = h.connect();
  h.send(b, "PING x");
  EXPECT_TRUE(h.has_line(b, "PONG")) << h.dump(b);
  // alice's own later lines wait for the answer, so her replies keep her commands' order.
  h.send(a, "NICK alice2");
  h.send(a, "PING after");
  EXPECT_EQ(h.accounts.queue.size(), 1u);
  EXPECT_FALSE(h.has_line(a, "PONG"));
  ASSERT_TRUE(h.answer_next());
  const auto lines = h.take(a);
  auto index_of = [&](std::string_view needle) {
    return std::find_if(lines.begin(), lines.end(),
                        [&](const std::string& l) { return l.find(needle) != std::string::npos; }) -
           lines.begin();
  };
  ASSERT_LT(index_of(" 001 alice "), static_cast<long>(lines.size())) << h.dump(a);
  EXPECT_LT(index_of(" 001 alice "), index_of(" NICK alice2"));
  EXPECT_LT(index_of(" NICK alice2"), index_of("PONG"));
  EXPECT_LT(index_of("PONG"), static_cast<long>(lines.size()));
}

TEST(PassCheck, LinesWhileWaitingPauseTheConnectionUntilTheAnswer) {
  EngineHarness h;
  SessionId a = connect_with_pending_pass(h);  // registration waits for the answer
  EXPECT_FALSE(h.sink.input_paused(a));
  h.send(a, "PING one");  // waits, and so does the connection
  EXPECT_TRUE(h.sink.input_paused(a));
  h.send(a, "PING two");  // still paused, not paused twice (the sink checks)
  EXPECT_TRUE(h.sink.input_paused(a));
  h.answer_all();
  EXPECT_FALSE(h.sink.input_paused(a));
  EXPECT_TRUE(h.has_line(a, " 001 alice ")) << h.dump(a);
  EXPECT_TRUE(h.has_line(a, "PONG")) << h.dump(a);
}

TEST(PassCheck, TooManyLinesWhileWaitingIsExcessFlood) {
  EngineHarness h;
  // Exempt: flood control would act before the limit on waiting lines.
  SessionId a = connect_with_pending_pass(h, /*exempt=*/true);
  const std::string line = "PING " + std::string(995, 'x');  // 1000 bytes
  for (std::size_t i = 0; i < Engine::kMaxDeferredBytes / line.size(); ++i) h.send(a, line);
  EXPECT_FALSE(h.closed(a));
  h.send(a, line);  // one too many
  EXPECT_TRUE(h.closed(a));
  EXPECT_TRUE(h.has_line(a, "Too many commands while waiting for an answer")) << h.dump(a);
  h.answer_all();  // the answer for the departed session is ignored
}

TEST(PassCheck, ClientGoneBeforeTheAnswerIsForgotten) {
  EngineHarness h;
  SessionId a = connect_with_pending_pass(h);
  h.engine().disconnect(a, "Connection closed", h.now());
  EXPECT_EQ(h.engine().user_count(), 0u);
  ASSERT_TRUE(h.answer_next());  // nothing is sent to the departed session (the sink checks)
  EXPECT_EQ(h.engine().pending_requests(), 0u);
  SessionId b = h.connect();
  h.send(b, "PASS sesame");
  h.send(b, "NICK alice");
  h.send(b, "USER alice 0 * :Alice");
  h.answer_all();
  EXPECT_TRUE(h.has_line(b, " 001 alice ")) << h.dump(b);
}

TEST(PassCheck, BackendFailureRefusesLikeAWrongPassword) {
  EngineHarness h;
  SessionId a = connect_with_pending_pass(h);
  AccountAnswer failed;
  failed.outcome = AccountAnswer::Outcome::kFailed;
  ASSERT_TRUE(h.answer_next(failed));
  EXPECT_TRUE(h.has_line(a, " 464 alice :Password incorrect")) << h.dump(a);
  EXPECT_TRUE(h.closed(a));
}

// ircv3.net sts: offered only when the operator enables it; plaintext connections learn the TLS
// port, TLS connections the policy's duration; never requestable.
TEST(Sts, NotOfferedUnlessConfigured) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP LS 302");
  EXPECT_FALSE(h.has_line(a, "sts")) << h.dump(a);
  h.send(a, "CAP REQ sts");
  EXPECT_TRUE(h.has_line(a, " NAK sts")) << h.dump(a);
}

TEST(Sts, PlaintextGetsThePortAndTlsGetsTheDuration) {
  EngineConfig config = EngineHarness::default_config();
  config.sts.enabled = true;
  config.sts.port = 6697;
  config.sts.duration = std::chrono::seconds(2592000);
  EngineHarness h(config);
  SessionId plain = h.connect();
  h.send(plain, "CAP LS 302");
  EXPECT_TRUE(h.has_line(plain, " setname soju.im/search sts=port=6697 userhost-in-names")) << h.dump(plain);
  ConnectionInfo info;
  info.ip = "127.0.0.1";
  info.secure = true;
  SessionId secure = h.connect(info);
  h.engine().tls_established(secure, "");
  h.send(secure, "CAP LS 302");
  EXPECT_TRUE(h.has_line(secure, " sts=duration=2592000 ")) << h.dump(secure);
  h.send(secure, "CAP REQ :sts");
  EXPECT_TRUE(h.has_line(secure, " NAK sts")) << h.dump(secure);
}

TEST(Sts, PreloadIsAppendedAndOldClientsGetTheNameOnly) {
  EngineConfig config = EngineHarness::default_config();
  config.sts.enabled = true;
  config.sts.port = 7000;
  config.sts.preload = true;
  EngineHarness h(config);
  SessionId a = h.connect();
  h.send(a, "CAP LS 302");
  EXPECT_TRUE(h.has_line(a, " sts=port=7000,preload ")) << h.dump(a);
  SessionId old = h.connect();
  h.send(old, "CAP LS");
  EXPECT_TRUE(h.has_line(old, " setname soju.im/search sts userhost-in-names")) << h.dump(old);
}

}  // namespace
}  // namespace parley::core::test
