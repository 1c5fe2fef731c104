// Tests for information queries (src/core/commands/query.cpp, welcome.cpp): WHO, WHOIS,
// WHOWAS, ISON, USERHOST, MOTD, LUSERS, VERSION, TIME, ADMIN, INFO. Expected behaviour follows
// modern.ircdocs.horse ("User-Based Queries", "Server Queries and Commands", "Numerics") and
// RFC 2812 sections 3.4 and 3.6.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using namespace std::chrono_literals;

// The nicks (6th parameter after <client>) of every RPL_WHOREPLY received.
std::vector<std::string> who_nicks(EngineHarness& h, SessionId id) {
  std::vector<std::string> out;
  for (const Line& l : h.replies(id, "352")) out.push_back(l.params.size() > 5 ? l.params[5] : "?");
  return out;
}

EngineConfig config_with_oper() {
  EngineConfig c = EngineHarness::default_config();
  c.operators.push_back(OperatorBlock{"root", FakeAccountBackend::hash("hunter2"), "*@*"});
  return c;
}

// ---- WHO --------------------------------------------------------------------------------------

TEST(Who, ChannelListsEveryMemberWithFlags) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  SessionId c = h.register_user("carol");
  h.send(c, "WHO #c");
  EXPECT_THAT(h.lines(c),
              UnorderedElementsAre(
                  IsLine(":parley.local 352 carol #c ~alice 127.0.0.1 parley.local alice H@ :0 Real alice"),
                  IsLine(":parley.local 352 carol #c ~bob 127.0.0.1 parley.local bob H :0 Real bob"),
                  IsLine(":parley.local 315 carol #c :End of WHO list")));
  EXPECT_EQ(h.parsed(c).back().command, "315") << "315 comes last";
}

TEST(Who, AwayIsGAndOperatorGetsStar) {
  EngineHarness h(config_with_oper());
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[1], "AWAY :out");
  h.send(ids[0], "OPER root hunter2");
  h.clear_all();
  h.send(ids[0], "WHO #c");
  std::map<std::string, std::string> flags;
  for (const Line& r : h.replies(ids[0], "352")) flags[r.params.at(5)] = r.params.at(6);
  EXPECT_EQ(flags, (std::map<std::string, std::string>{{"alice", "H*@"}, {"bob", "G"}})) << h.dump(ids[0]);
}

TEST(Who, MultiPrefixShowsAllPrefixes) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  SessionId m = h.register_user("mp", {"multi-prefix"});
  h.send(m, "JOIN #c");
  h.send(ids[0], "MODE #c +v alice");
  h.clear_all();
  h.send(m, "WHO #c");
  auto line = h.find_line(m, " alice ");
  ASSERT_TRUE(line.has_value()) << h.dump(m);
  EXPECT_EQ(parse_line(*line).params[6], "H@+");
}

TEST(Who, MaskMatchesNicksHostsAndRealnames) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.register_user("albert");
  h.register_user("bob");
  h.send(a, "WHO al*");
  EXPECT_THAT(who_nicks(h, a), UnorderedElementsAre("alice", "albert"));
  EXPECT_TRUE(h.has_line(a, ":parley.local 315 alice al* :End of WHO list"));
  h.clear(a);
  h.send(a, "WHO :Real bob");
  EXPECT_THAT(who_nicks(h, a), ElementsAre("bob"));
  h.clear(a);
  h.send(a, "WHO 127.0.0.*");
  EXPECT_THAT(who_nicks(h, a), UnorderedElementsAre("alice", "albert", "bob"));
}

TEST(Who, NoCommonChannelShowsStarAsChannel) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.register_user("bob");
  h.send(a, "WHO bob");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 352 alice * ~bob 127.0.0.1 parley.local bob H :0 Real bob",
                                   ":parley.local 315 alice bob :End of WHO list"));
}

TEST(Who, InvisibleUsersAreHiddenFromStrangers) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(b, "MODE bob +i");
  h.send(a, "WHO *");
  EXPECT_THAT(who_nicks(h, a), ElementsAre("alice"));
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.clear(a);
  h.send(a, "WHO *");
  EXPECT_THAT(who_nicks(h, a), UnorderedElementsAre("alice", "bob"));
}

TEST(Who, ExactNickAnswersEvenForAnInvisibleStranger) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(b, "MODE bob +i");
  h.clear(a);
  h.send(a, "WHO bob");
  EXPECT_THAT(who_nicks(h, a), ElementsAre("bob"));
  h.clear(a);
  h.send(a, "WHO bo*");
  EXPECT_THAT(who_nicks(h, a), IsEmpty()) << "a mask still hides them";
}

TEST(Who, OFlagListsOnlyOperators) {
  EngineHarness h(config_with_oper());
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(b, "OPER root hunter2");
  h.send(a, "WHO * o");
  EXPECT_THAT(who_nicks(h, a), ElementsAre("bob"));
}

TEST(Who, UnregisteredConnectionsAreNotListed) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId u = h.connect();
  h.send(u, "NICK lurker");
  h.send(a, "WHO *");
  EXPECT_THAT(who_nicks(h, a), ElementsAre("alice"));
}

// ---- WHOIS ------------------------------------------------------------------------------------

TEST(Whois, GivesUserChannelsServerAwayIdleAndEnd) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.send(b, "JOIN #d");
  h.send(b, "AWAY :lunch break");
  h.clock.advance(42s);
  h.clear_all();
  h.send(a, "WHOIS bob");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 311 alice bob ~bob 127.0.0.1 * :Real bob",
                                   ":parley.local 319 alice bob :#c @#d",
                                   ":parley.local 312 alice bob parley.local :Parley IRC server",
                                   ":parley.local 301 alice bob :lunch break",
                                   ":parley.local 317 alice bob 42 1767323045 :seconds idle, signon time",
                                   ":parley.local 318 alice bob :End of /WHOIS list"));
}

TEST(Whois, IdleTimeRestartsWithEachMessage) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.clock.advance(100s);
  h.send(b, "PRIVMSG alice :hi");
  h.clock.advance(5s);
  h.clear(a);
  h.send(a, "WHOIS bob");
  auto r = h.replies(a, "317");
  ASSERT_EQ(r.size(), 1u) << h.dump(a);
  EXPECT_EQ(r[0].params[2], "5");
}

TEST(Whois, MultiPrefixIn319) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"multi-prefix"});
  h.send(a, "JOIN #c");
  h.send(a, "MODE #c +v alice");
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #c");
  h.clear_all();
  h.send(a, "WHOIS alice");
  h.send(b, "WHOIS alice");
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 319 alice alice :@+#c"));
  EXPECT_THAT(h.lines(b), HasLine(":parley.local 319 bob alice :@#c"));
}

TEST(Whois, SecretChannelsAreHiddenFromStrangers) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #open,#hidden");
  h.send(a, "MODE #hidden +s");
  SessionId b = h.register_user("bob");
  h.send(b, "WHOIS alice");
  auto r = h.replies(b, "319");
  ASSERT_EQ(r.size(), 1u) << h.dump(b);
  EXPECT_EQ(r[0].params[2], "@#open");
}

TEST(Whois, OperatorGets313) {
  EngineHarness h(config_with_oper());
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(b, "OPER root hunter2");
  h.send(a, "WHOIS bob");
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 313 alice bob :is an IRC operator"));
}

TEST(Whois, TlsUsersGet671AndTheirFingerprintOnlyToThemselvesAndOperators) {
  EngineHarness h(config_with_oper());
  ConnectionInfo tls;
  tls.ip = "127.0.0.1";
  tls.secure = true;
  SessionId t = h.connect(tls);
  h.engine().tls_established(t, "ab12");
  h.send(t, "NICK tina");
  h.send(t, "USER tina 0 * :Tina");
  SessionId a = h.register_user("alice");
  SessionId o = h.register_user("oscar");
  h.send(o, "OPER root hunter2");
  h.clear_all();
  h.send(a, "WHOIS tina");
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 671 alice tina :is using a secure connection"));
  EXPECT_FALSE(h.has_line(a, " 276 "));
  h.send(t, "WHOIS tina");
  EXPECT_THAT(h.lines(t), HasLine(":parley.local 276 tina tina :has client certificate fingerprint ab12"));
  h.send(o, "WHOIS tina");
  EXPECT_TRUE(h.has_line(o, " 276 oscar tina ")) << h.dump(o);
  h.send(t, "WHOIS alice");
  EXPECT_FALSE(h.has_line(t, " 671 tina alice ")) << "alice is not on TLS";
}

TEST(Whois, UnknownNickIs401Then318) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "WHOIS ghost");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 401 alice ghost :No such nick/channel",
                                   ":parley.local 318 alice ghost :End of /WHOIS list"));
}

TEST(Whois, UnregisteredNickIsNotRevealed) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId u = h.connect();
  h.send(u, "NICK lurker");
  h.send(a, "WHOIS lurker");
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 401 alice lurker :No such nick/channel"));
}

TEST(Whois, ServerParameterFormUsesTheSecondParameter) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.register_user("bob");
  h.send(a, "WHOIS parley.local bob");
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 311 alice bob ~bob 127.0.0.1 * :Real bob"));
}

TEST(Whois, NoParameterIs461) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "WHOIS");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 461 alice WHOIS :Not enough parameters"));
}

// ---- WHOWAS -----------------------------------------------------------------------------------

TEST(Whowas, RemembersNickAfterNickChange) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "NICK alicia");
  h.send(b, "WHOWAS alice");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 314 bob alice ~alice 127.0.0.1 * :Real alice",
                                   ":parley.local 312 bob alice parley.local :2026-01-02T03:04:05.678Z",
                                   ":parley.local 369 bob alice :End of WHOWAS"));
}

TEST(Whowas, RemembersNickAfterQuit) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "QUIT :bye");
  h.send(b, "WHOWAS ALICE");
  EXPECT_THAT(h.lines(b), HasLine(":parley.local 314 bob alice ~alice 127.0.0.1 * :Real alice"));
  EXPECT_THAT(h.lines(b), HasLine(":parley.local 369 bob ALICE :End of WHOWAS"));
}

TEST(Whowas, UnknownNickIs406Then369) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "WHOWAS nobody");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 406 alice nobody :There was no such nickname",
                                   ":parley.local 369 alice nobody :End of WHOWAS"));
}

TEST(Whowas, CountLimitsEntriesNewestFirst) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "NICK x1");
  h.send(a, "NICK alice");
  h.send(a, "NICK x2");
  h.send(b, "WHOWAS alice");
  EXPECT_EQ(h.replies(b, "314").size(), 2u) << h.dump(b);
  h.clear(b);
  h.send(b, "WHOWAS alice 1");
  EXPECT_EQ(h.replies(b, "314").size(), 1u) << h.dump(b);
}

TEST(Whowas, UnregisteredNickIsNotRemembered) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId u = h.connect();
  h.send(u, "NICK lurker");
  h.send(u, "QUIT");
  h.send(a, "WHOWAS lurker");
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 406 alice lurker :There was no such nickname"));
}

// ---- ISON / USERHOST ------------------------------------------------------------------------------

TEST(Ison, ListsTheOnlineNicksWithTheirOwnCase) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.register_user("Bob");
  h.send(a, "ISON ghost alice BOB");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 303 alice :alice Bob"));
}

TEST(Ison, AcceptsTrailingList) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.register_user("bob");
  h.send(a, "ISON :bob ghost");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 303 alice :bob"));
}

TEST(Ison, NobodyOnlineGivesEmptyList) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "ISON ghost");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 303 alice :"));
}

TEST(Userhost, ShowsOperAndAwayMarkers) {
  EngineHarness h(config_with_oper());
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "OPER root hunter2");
  h.send(b, "AWAY :zzz");
  h.clear(a);
  h.send(a, "USERHOST alice bob ghost");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 302 alice :alice*=+~alice@127.0.0.1 bob=-~bob@127.0.0.1"));
}

// ---- MOTD / LUSERS ----------------------------------------------------------------------------------

TEST(Motd, CommandRepeatsTheMotd) {
  EngineHarness h;
  h.config.motd = {"welcome"};
  SessionId a = h.register_user("alice");
  h.send(a, "MOTD");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 375 alice :- parley.local Message of the day - ",
                                   ":parley.local 372 alice :- welcome",
                                   ":parley.local 376 alice :End of /MOTD command."));
}

TEST(Motd, MissingMotdIs422) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MOTD");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 422 alice :MOTD File is missing"));
}

TEST(Lusers, CountsUsersInvisibleUnknownChannelsAndOperators) {
  EngineHarness h(config_with_oper());
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.register_user("carol");
  h.connect();  // unknown connection
  h.send(b, "MODE bob +i");
  h.send(a, "OPER root hunter2");
  h.send(a, "JOIN #one,#two");
  h.clear(a);
  h.send(a, "LUSERS");
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 251 alice :There are 2 users and 1 invisible on 1 servers"));
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 252 alice 1 :operator(s) online"));
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 253 alice 1 :unknown connection(s)"));
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 254 alice 2 :channels formed"));
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 255 alice :I have 3 clients and 0 servers"))
      << "255 counts users as 265 does; the unknown connection is 253's";
  EXPECT_EQ(h.replies(a, "265").size(), 1u);
  EXPECT_EQ(h.replies(a, "266").size(), 1u);
}

TEST(Lusers, ClientsAndLocalUsersWithoutUnknownConnections) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.register_user("bob");
  h.send(a, "LUSERS");
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 255 alice :I have 2 clients and 0 servers"));
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 265 alice 2 2 :Current local users 2, max 2"));
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 266 alice 2 2 :Current global users 2, max 2"));
  EXPECT_FALSE(h.has_line(a, " 252 ")) << "no operators, no 252";
  EXPECT_FALSE(h.has_line(a, " 253 ")) << "no unknown connections, no 253";
}

// RPL_LOCALUSERS "<u> <m>": u counts registered users, so m must count the same thing. Five
// connections that never register must not make the record five users higher than ever seen.
TEST(Lusers, MaxLocalUsersCountsUsersNotUnregisteredConnections) {
  EngineHarness h;
  std::vector<SessionId> lurkers;
  for (int i = 0; i < 5; ++i) lurkers.push_back(h.connect());
  for (SessionId l : lurkers) h.send(l, "QUIT");
  SessionId a = h.register_user("alice");
  h.send(a, "LUSERS");
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 265 alice 1 1 :Current local users 1, max 1"));
}

TEST(Lusers, CountsDropWhenUsersLeave) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #c");
  h.send(b, "QUIT");
  h.send(a, "LUSERS");
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 251 alice :There are 1 users and 0 invisible on 1 servers"));
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 254 alice 0 :channels formed"));
  EXPECT_EQ(h.engine().registered_count(), 1u);
}

// ---- VERSION / TIME / ADMIN / INFO ----------------------------------------------------------------

TEST(Version, Gives351AndIsupport) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "VERSION");
  ASSERT_FALSE(h.lines(a).empty());
  EXPECT_THAT(h.lines(a).front(),
              IsLine(":parley.local 351 alice parley-0.1.0 parley.local :Parley IRC server"));
  EXPECT_GE(h.replies(a, "005").size(), 1u);
}

TEST(Time, Gives391WithServerNameAndHumanTime) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "TIME");
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local 391 alice parley.local :Friday January 02 2026 -- 03:04:05 +00:00"));
}

TEST(Admin, Gives256To259) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "ADMIN");
  EXPECT_THAT(
      h.lines(a),
      AreLines(":parley.local 256 alice parley.local :Administrative info", ":parley.local 257 alice :Parley",
               ":parley.local 258 alice :An IRC server", ":parley.local 259 alice :admin@parley.local"));
}

TEST(Info, Gives371LinesThen374) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "INFO");
  auto codes = h.commands(a);
  ASSERT_GE(codes.size(), 2u);
  EXPECT_EQ(codes.back(), "374");
  codes.pop_back();
  for (const auto& c : codes) EXPECT_EQ(c, "371");
}

TEST(ServerQueries, OtherServerNamesAre402) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  for (const char* cmd : {"MOTD", "VERSION", "TIME", "ADMIN", "INFO"}) {
    h.clear(a);
    h.send(a, std::string(cmd) + " irc.example.org");
    EXPECT_THAT(h.lines(a), AreLines(":parley.local 402 alice irc.example.org :No such server")) << cmd;
  }
}

TEST(ServerQueries, OwnNameOrMaskIsAccepted) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "TIME parley.local");
  h.send(a, "ADMIN parley.*");
  EXPECT_EQ(h.replies(a, "391").size(), 1u) << h.dump(a);
  EXPECT_EQ(h.replies(a, "256").size(), 1u) << h.dump(a);
  EXPECT_FALSE(h.has_line(a, " 402 "));
}

}  // namespace
}  // namespace parley::core::test
