// Tests for extended bans (src/core/channel.cpp, commands/modes.cpp): the account extban
// "a:<glob>" (also written "$a:<glob>", and "$a" for anyone logged in) in +b, +e and +I, beside
// the mute "m:". ISUPPORT EXTBAN=,am ACCOUNTEXTBAN=a; docs/protocol.md "Extended bans".
// Accounts are set directly with User::set_account(): the login flow is tested elsewhere.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/channel.h"
#include "core/harness.h"

namespace parley::core::test {
namespace {

TEST(BanMask, ExtbansTakeTheirCanonicalForm) {
  EXPECT_EQ(normalize_ban_mask("$a"), "a:*");
  EXPECT_EQ(normalize_ban_mask("a:"), "a:*");
  EXPECT_EQ(normalize_ban_mask("$a:Bob*"), "a:Bob*");
  EXPECT_EQ(normalize_ban_mask("a:bob"), "a:bob");
  EXPECT_EQ(normalize_ban_mask("m:bob"), "m:bob!*@*");
  EXPECT_EQ(normalize_ban_mask("$m:bob"), "m:bob!*@*");
  EXPECT_EQ(normalize_ban_mask("m:$a:bob"), "m:a:bob");
  EXPECT_EQ(normalize_ban_mask("m:$a"), "m:a:*");
  EXPECT_EQ(normalize_ban_mask("bob"), "bob!*@*");
  EXPECT_EQ(normalize_ban_mask("a"), "a:*");          // "$a" without its '$'
  EXPECT_EQ(normalize_ban_mask("$x:y"), "$x:y!*@*");  // no such extban: a host mask
}

// alice (op) in #c; bob logged in to `account` (empty: not logged in) tries to join.
struct AccountBanFixture {
  EngineHarness h;
  SessionId alice, bob;
  explicit AccountBanFixture(const std::string& account) {
    alice = h.register_user("alice");
    h.send(alice, "JOIN #c");
    bob = h.register_user("bob");
    h.user(bob)->set_account(account);
    h.clear_all();
  }
  bool bob_joins() {
    h.send(bob, "JOIN #c");
    return h.channel("#c")->has(*h.user(bob));
  }
};

TEST(AccountExtban, DollarFormIsStoredAndEchoedCanonically) {
  AccountBanFixture f("bob");
  f.h.send(f.alice, "MODE #c +b $a:bob");
  EXPECT_THAT(f.h.lines(f.alice), AreLines(":alice!~alice@127.0.0.1 MODE #c +b a:bob"));
  f.h.clear_all();
  f.h.send(f.alice, "MODE #c +b a:BOB");  // the same entry, casemapped
  EXPECT_THAT(f.h.lines(f.alice), ::testing::IsEmpty());
  f.h.send(f.alice, "MODE #c -b $a:bob");
  EXPECT_THAT(f.h.lines(f.alice), AreLines(":alice!~alice@127.0.0.1 MODE #c -b a:bob"));
  EXPECT_TRUE(f.h.channel("#c")->bans.empty());
}

TEST(AccountExtban, BansTheAccount) {
  AccountBanFixture f("Bob");
  f.h.send(f.alice, "MODE #c +b $a:bob");
  EXPECT_FALSE(f.bob_joins());
  EXPECT_TRUE(f.h.has_line(f.bob, " 474 bob #c ")) << f.h.dump(f.bob);
}

TEST(AccountExtban, GlobMatchesAccounts) {
  AccountBanFixture f("spammer42");
  f.h.send(f.alice, "MODE #c +b $a:spam*");
  EXPECT_FALSE(f.bob_joins());
}

TEST(AccountExtban, OtherAccountIsNotBanned) {
  AccountBanFixture f("robert");
  f.h.send(f.alice, "MODE #c +b $a:bob");
  EXPECT_TRUE(f.bob_joins());
}

TEST(AccountExtban, DoesNotMatchAUserWhoseNickIsTheAccountButIsNotLoggedIn) {
  AccountBanFixture f("");
  f.h.send(f.alice, "MODE #c +b $a:bob");
  EXPECT_TRUE(f.bob_joins());
}

TEST(AccountExtban, BareDollarABansEveryoneLoggedIn) {
  AccountBanFixture in("anyone");
  in.h.send(in.alice, "MODE #c +b $a");
  EXPECT_EQ(in.h.channel("#c")->bans[0].mask, "a:*");
  EXPECT_FALSE(in.bob_joins());
  AccountBanFixture out("");
  out.h.send(out.alice, "MODE #c +b $a");
  EXPECT_TRUE(out.bob_joins());
}

TEST(AccountExtban, ExceptionLetsTheAccountThroughAHostBan) {
  AccountBanFixture f("bob");
  f.h.send(f.alice, "MODE #c +b *!*@*");
  f.h.send(f.alice, "MODE #c +e $a:bob");
  EXPECT_TRUE(f.bob_joins());
}

TEST(AccountExtban, InviteExceptionLetsTheAccountIntoAnInviteOnlyChannel) {
  AccountBanFixture f("bob");
  f.h.send(f.alice, "MODE #c +i");
  f.h.send(f.alice, "MODE #c +I $a:bob");
  EXPECT_TRUE(f.bob_joins());
  AccountBanFixture g("");
  g.h.send(g.alice, "MODE #c +i");
  g.h.send(g.alice, "MODE #c +I $a");
  EXPECT_FALSE(g.bob_joins());
  EXPECT_TRUE(g.h.has_line(g.bob, " 473 bob #c ")) << g.h.dump(g.bob);
}

TEST(AccountExtban, MuteByAccount) {
  AccountBanFixture f("bob");
  f.h.send(f.alice, "MODE #c +b m:$a:bob");
  EXPECT_EQ(f.h.channel("#c")->bans[0].mask, "m:a:bob");
  ASSERT_TRUE(f.bob_joins()) << "a mute does not keep anyone out";
  f.h.clear_all();
  f.h.send(f.bob, "PRIVMSG #c :hello");
  EXPECT_TRUE(f.h.has_line(f.bob, " 404 bob #c ")) << f.h.dump(f.bob);
  EXPECT_FALSE(f.h.has_line(f.alice, "PRIVMSG"));
}

TEST(AccountExtban, HostMuteStillWorksBesideAccountBans) {
  AccountBanFixture f("bob");
  f.h.send(f.alice, "MODE #c +b $a:someoneelse");
  f.h.send(f.alice, "MODE #c +b m:bob");
  ASSERT_TRUE(f.bob_joins());
  f.h.clear_all();
  f.h.send(f.bob, "PRIVMSG #c :hello");
  EXPECT_TRUE(f.h.has_line(f.bob, " 404 bob #c ")) << f.h.dump(f.bob);
  f.h.send(f.alice, "MODE #c +e m:$a:bob");
  f.h.clear_all();
  f.h.send(f.bob, "PRIVMSG #c :hello");
  EXPECT_TRUE(f.h.has_line(f.alice, "PRIVMSG #c :hello")) << "an account mute exception lifts a host mute";
}

TEST(AccountExtban, ListsShowTheCanonicalForm) {
  AccountBanFixture f("bob");
  f.h.send(f.alice, "MODE #c +bI $a:bob $a");
  f.h.clear_all();
  f.h.send(f.alice, "MODE #c +b");
  f.h.send(f.alice, "MODE #c +I");
  EXPECT_TRUE(f.h.has_line(f.alice, " 367 alice #c a:bob alice ")) << f.h.dump(f.alice);
  EXPECT_TRUE(f.h.has_line(f.alice, " 346 alice #c a:* alice ")) << f.h.dump(f.alice);
}

}  // namespace
}  // namespace parley::core::test
