// Tests for src/core/commands/users.cpp (SETNAME, CHGHOST, WALLOPS) and the user modes +B and +w
// with what they change elsewhere (bot tag, 335, WHO flag B). Expected behaviour follows
// ircv3.net "setname", "chghost", "Bot Mode" and modern.ircdocs.horse "WALLOPS message".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

EngineConfig config_with_oper() {
  EngineConfig c = EngineHarness::default_config();
  c.operators.push_back(OperatorBlock{"root", FakeAccountBackend::hash("pw"), "*@*"});
  return c;
}

// ---- SETNAME ------------------------------------------------------------------------------------

TEST(Setname, ConfirmsToTheAuthorAndTellsSetnameChannelMembersOnly) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {"setname"}}, {"bob", {"setname"}}, {"carol", {}}});
  h.send(ids[0], "SETNAME :Alice Liddell");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":alice!~alice@127.0.0.1 SETNAME :Alice Liddell"));
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 SETNAME :Alice Liddell"));
  EXPECT_THAT(h.lines(ids[2]), IsEmpty());
  h.send(ids[2], "WHOIS alice");
  EXPECT_EQ(h.replies(ids[2], "311").at(0).params.back(), "Alice Liddell");
}

TEST(Setname, EmptyOrTooLongIsRefusedAndChangesNothing) {
  EngineConfig c = EngineHarness::default_config();
  c.limits.realname_length = 10;
  EngineHarness h(c);
  SessionId a = h.register_user("alice", {"setname"});
  h.send(a, "SETNAME :12345678901");
  EXPECT_THAT(h.take(a),
              AreLines(":parley.local FAIL SETNAME INVALID_REALNAME :Realname must be 1 to 10 bytes"));
  h.send(a, "SETNAME :");
  EXPECT_THAT(h.commands(a), ElementsAre("FAIL"));
  EXPECT_EQ(h.user(a)->realname, "Real alice");
  h.clear_all();
  h.send(a, "SETNAME :1234567890");
  EXPECT_THAT(h.commands(a), ElementsAre("SETNAME")) << "exactly the limit is fine";
}

// ---- CHGHOST ------------------------------------------------------------------------------------

TEST(Chghost, OperatorOnly) {
  EngineHarness h(config_with_oper());
  SessionId a = h.register_user("alice");
  h.send(a, "CHGHOST alice new.host");
  EXPECT_THAT(h.commands(a), ElementsAre("481"));
  EXPECT_EQ(h.user(a)->host, "127.0.0.1");
}

TEST(Chghost, ChghostMembersSeeItOthersSeeNothingAndThePrefixChanges) {
  EngineHarness h(config_with_oper());
  auto ids =
      h.channel_with_caps("#c", {{"oper", {}}, {"bob", {"chghost"}}, {"carol", {"chghost"}}, {"dave", {}}});
  h.send(ids[0], "OPER root pw");
  h.clear_all();
  h.send(ids[0], "CHGHOST bob staff/bob");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":bob!~bob@127.0.0.1 CHGHOST ~bob staff/bob")) << "the user too";
  EXPECT_THAT(h.lines(ids[2]), AreLines(":bob!~bob@127.0.0.1 CHGHOST ~bob staff/bob"));
  EXPECT_THAT(h.lines(ids[3]), IsEmpty());
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local NOTICE oper :Changed the host of bob to staff/bob"));
  h.clear_all();
  h.send(ids[1], "PRIVMSG #c :hi");
  EXPECT_THAT(h.lines(ids[3]), AreLines(":bob!~bob@staff/bob PRIVMSG #c :hi"));
}

TEST(Chghost, TheRealAddressStillCountsForLimitsAndHidesFromWhox) {
  EngineHarness h(config_with_oper());
  SessionId o = h.register_user("oper");
  SessionId b = h.register_user("bob");
  SessionId c = h.register_user("carol");
  h.send(o, "OPER root pw");
  h.send(o, "CHGHOST bob cloak.example");
  h.clear_all();
  h.send(c, "WHO bob %nhi");
  EXPECT_THAT(h.replies(c, "354").at(0).params,
              ElementsAre("carol", "255.255.255.255", "cloak.example", "bob"));
  h.send(o, "WHO bob %i");
  EXPECT_THAT(h.replies(o, "354").at(0).params, ElementsAre("oper", "127.0.0.1"));
  EXPECT_EQ(h.user(b)->ip(), "127.0.0.1");
}

TEST(Chghost, InvalidHostsAndUnknownNicksAreRefused) {
  EngineHarness h(config_with_oper());
  SessionId o = h.register_user("oper");
  h.send(o, "OPER root pw");
  h.clear_all();
  for (std::string bad : std::vector<std::string>{"-x", ":x", "a b", "a@b", "a!b", std::string(65, 'h')}) {
    h.send(o, "CHGHOST oper :" + bad);
    EXPECT_THAT(h.commands(o), ElementsAre("FAIL")) << bad;
    h.clear_all();
  }
  EXPECT_EQ(h.user(o)->host, "127.0.0.1");
  h.send(o, "CHGHOST nobody some.host");
  EXPECT_THAT(h.commands(o), ElementsAre("401"));
}

// ---- WALLOPS and +w -----------------------------------------------------------------------------

TEST(Wallops, ReachesUsersWithPlusWOnly) {
  EngineHarness h(config_with_oper());
  SessionId o = h.register_user("oper");
  SessionId w = h.register_user("reader");
  SessionId n = h.register_user("other");
  h.send(o, "OPER root pw");
  h.send(w, "MODE reader +w");
  EXPECT_THAT(h.take(w), AreLines(":reader!~reader@127.0.0.1 MODE reader +w"));
  h.clear_all();
  h.send(o, "WALLOPS :hi everyone");
  EXPECT_THAT(h.lines(w), AreLines(":oper!~oper@127.0.0.1 WALLOPS :hi everyone"));
  EXPECT_THAT(h.lines(n), IsEmpty());
  EXPECT_THAT(h.lines(o), IsEmpty()) << "the sender is not +w";
}

TEST(Wallops, NotForUsers) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "WALLOPS :hi");
  EXPECT_THAT(h.commands(a), ElementsAre("481"));
}

// ---- bot mode -----------------------------------------------------------------------------------

TEST(BotMode, PlusBIsEchoedAndShownInUmodeAndIsupport) {
  EngineHarness h;
  SessionId b = h.connect();
  h.send(b, "NICK robot");
  h.send(b, "USER robot 0 * :Robot");
  EXPECT_TRUE(h.has_line(b, " BOT=B "));
  EXPECT_TRUE(h.has_line(b, " 004 robot parley.local parley-0.1.0 Biosw "));
  h.clear_all();
  h.send(b, "MODE robot +B");
  EXPECT_THAT(h.take(b), AreLines(":robot!~robot@127.0.0.1 MODE robot +B"));
  h.send(b, "MODE robot +w");
  h.clear_all();
  h.send(b, "MODE robot");
  EXPECT_THAT(h.take(b), AreLines(":parley.local 221 robot +Bw"));
}

TEST(BotMode, MessagesFromBotsCarryTheBotTagForMessageTagsClients) {
  EngineHarness h;
  auto ids = h.channel_with_caps(
      "#c", {{"robot", {"message-tags", "echo-message"}}, {"tagged", {"message-tags"}}, {"plain", {}}});
  h.send(ids[0], "MODE robot +B");
  h.clear_all();
  h.send(ids[0], "PRIVMSG #c :beep");
  EXPECT_THAT(without_tag(h.lines(ids[1]), "msgid"),
              AreLines("@bot :robot!~robot@127.0.0.1 PRIVMSG #c :beep"));
  EXPECT_THAT(without_tag(h.lines(ids[0]), "msgid"),
              AreLines("@bot :robot!~robot@127.0.0.1 PRIVMSG #c :beep"))
      << "the echo too";
  EXPECT_THAT(h.lines(ids[2]), AreLines(":robot!~robot@127.0.0.1 PRIVMSG #c :beep"));
  h.clear_all();
  h.send(ids[0], "NOTICE tagged :boop");
  EXPECT_THAT(without_tag(h.lines(ids[1]), "msgid"),
              AreLines("@bot :robot!~robot@127.0.0.1 NOTICE tagged :boop"));
}

TEST(BotMode, HumansHaveNoBotTag) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"human", {}}, {"tagged", {"message-tags"}}});
  h.send(ids[0], "PRIVMSG #c :hello");
  EXPECT_EQ(h.lines(ids[1]).at(0).find("bot"), std::string::npos);
}

TEST(BotMode, WhoisSays335AndWhoShowsB) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"robot", "user"});
  h.send(ids[0], "MODE robot +B");
  h.clear_all();
  h.send(ids[1], "WHOIS robot");
  EXPECT_THAT(h.lines(ids[1]), HasLine(":parley.local 335 user robot :is a bot on Parley"));
  h.clear_all();
  h.send(ids[1], "WHO #c");
  EXPECT_THAT(h.lines(ids[1]),
              HasLine(":parley.local 352 user #c ~robot 127.0.0.1 parley.local robot HB@ :0 Real robot"));
  h.clear_all();
  h.send(ids[0], "MODE robot -B");
  h.send(ids[1], "WHOIS robot");
  EXPECT_EQ(h.count(ids[1], " 335 "), 0u);
}

}  // namespace
}  // namespace parley::core::test
