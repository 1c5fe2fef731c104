// Tests for MODE (src/core/commands/modes.cpp, channel.cpp): channel modes b i k l m n o s t v,
// ban matching, and user modes i o. Expected behaviour follows modern.ircdocs.horse ("MODE
// message", "Channel Modes", "User Modes", ISUPPORT "MODES"/"CHANMODES") and RFC 2811/2812.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// ---- query ----------------------------------------------------------------------------------

TEST(ChannelMode, QueryGives324And329) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c");
  EXPECT_THAT(h.lines(ids[0]),
              AreLines(":parley.local 324 alice #c +nt", ":parley.local 329 alice #c 1767323045"));
}

TEST(ChannelMode, QueryShowsKeyAndLimitAsSeparateParametersToMembers) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +kl sesame 5");
  h.clear_all();
  h.send(ids[0], "MODE #c");
  auto r = h.replies(ids[0], "324");
  ASSERT_EQ(r.size(), 1u) << h.dump(ids[0]);
  EXPECT_THAT(r[0].params, ElementsAre("alice", "#c", "+klnt", "sesame", "5"));
}

TEST(ChannelMode, QueryHidesKeyFromNonMembers) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +k sesame");
  SessionId b = h.register_user("bob");
  h.send(b, "MODE #c");
  auto r = h.replies(b, "324");
  ASSERT_EQ(r.size(), 1u) << h.dump(b);
  EXPECT_EQ(r[0].params[2], "+knt");
  EXPECT_FALSE(h.has_line(b, "sesame")) << h.dump(b);
}

TEST(ChannelMode, NoCtcpBlocksCtcpButNotActionOrText) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +C");
  EXPECT_TRUE(h.has_line(ids[1], "MODE #c +C")) << h.dump(ids[1]);
  h.clear_all();
  h.send(ids[1], "PRIVMSG #c :\x01VERSION\x01");
  h.send(ids[1], "NOTICE #c :\x01PING 1\x01");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 404 bob #c :Cannot send CTCP to channel (+C)"))
      << "NOTICE is refused silently";
  EXPECT_THAT(h.lines(ids[0]), ::testing::IsEmpty());
  h.clear_all();
  h.send(ids[1],
         "PRIVMSG #c :\x01"
         "ACTION waves\x01");
  h.send(ids[1], "PRIVMSG #c :plain text");
  EXPECT_EQ(h.replies(ids[0], "PRIVMSG").size(), 2u) << h.dump(ids[0]);
  h.send(ids[0], "MODE #c -C");
  h.clear_all();
  h.send(ids[1], "PRIVMSG #c :\x01VERSION\x01");
  EXPECT_EQ(h.replies(ids[0], "PRIVMSG").size(), 1u) << "-C lifts it";
}

TEST(ChannelMode, NoSuchChannelIs403) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MODE #nowhere +m");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 403 alice #nowhere :No such channel"));
}

// ---- o / v ----------------------------------------------------------------------------------

TEST(ChannelMode, OperatorGivesAndTakesOperatorStatus) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +o bob");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":alice!~alice@127.0.0.1 MODE #c +o bob"));
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 MODE #c +o bob"));
  EXPECT_TRUE(h.channel("#c")->is_op(*h.user(ids[1])));
  h.clear_all();
  h.send(ids[1], "MODE #c -o alice");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":bob!~bob@127.0.0.1 MODE #c -o alice"));
  EXPECT_FALSE(h.channel("#c")->is_op(*h.user(ids[0])));
}

TEST(ChannelMode, VoiceIsGivenAndTaken) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +v bob");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 MODE #c +v bob"));
  EXPECT_EQ(h.channel("#c")->flags(*h.user(ids[1])), kVoice);
  h.send(ids[0], "MODE #c -v bob");
  EXPECT_EQ(h.channel("#c")->flags(*h.user(ids[1])), 0);
}

TEST(ChannelMode, GivingStatusTwiceIsNotBroadcastAgain) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +v bob");
  h.clear_all();
  h.send(ids[0], "MODE #c +v bob");
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
}

TEST(ChannelMode, StatusForNonMemberIs441) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.register_user("bob");
  h.send(ids[0], "MODE #c +o bob");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 441 alice bob #c :They aren't on that channel"));
}

TEST(ChannelMode, StatusForUnknownNickIs401) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +v ghost");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 401 alice ghost :No such nick/channel"));
}

TEST(ChannelMode, StatusWithoutNickIs461) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +o");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 461 alice MODE :Not enough parameters"));
}

// ---- k ----------------------------------------------------------------------------------------

TEST(ChannelMode, KeyIsSetAndRemoved) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +k sesame");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 MODE #c +k sesame"));
  EXPECT_EQ(h.channel("#c")->key, "sesame");
  h.clear_all();
  h.send(ids[0], "MODE #c -k sesame");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 MODE #c -k *"));
  EXPECT_EQ(h.channel("#c")->key, "");
}

TEST(ChannelMode, MissingOrMalformedKeyIs525) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +k");
  h.send(ids[0], "MODE #c +k a,b");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 525 alice #c :Key is not well-formed",
                                        ":parley.local 525 alice #c :Key is not well-formed"));
  EXPECT_EQ(h.channel("#c")->key, "");
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
}

// ---- l ----------------------------------------------------------------------------------------

TEST(ChannelMode, LimitIsSetAndRemoved) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +l 5");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 MODE #c +l 5"));
  EXPECT_EQ(h.channel("#c")->user_limit, 5u);
  h.clear_all();
  h.send(ids[0], "MODE #c -l");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 MODE #c -l"));
  EXPECT_EQ(h.channel("#c")->user_limit, 0u);
}

TEST(ChannelMode, InvalidLimitIs696) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +l abc");
  h.send(ids[0], "MODE #c +l 0");
  h.send(ids[0], "MODE #c +l -3");
  h.send(ids[0], "MODE #c +l 5x");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 696 alice #c l abc :Invalid limit",
                                        ":parley.local 696 alice #c l 0 :Invalid limit",
                                        ":parley.local 696 alice #c l -3 :Invalid limit",
                                        ":parley.local 696 alice #c l 5x :Invalid limit"));
  EXPECT_EQ(h.channel("#c")->user_limit, 0u);
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
}

// ---- i m n s t --------------------------------------------------------------------------------

TEST(ChannelMode, SimpleFlagsAreSetAndCleared) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +ims");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 MODE #c +ims"));
  h.send(ids[0], "MODE #c -nt");
  Channel* c = h.channel("#c");
  EXPECT_TRUE(c->invite_only);
  EXPECT_TRUE(c->moderated);
  EXPECT_TRUE(c->secret);
  EXPECT_FALSE(c->no_external);
  EXPECT_FALSE(c->topic_protected);
  h.clear_all();
  h.send(ids[1], "MODE #c");
  EXPECT_TRUE(h.has_line(ids[1], ":parley.local 324 bob #c +ims")) << h.dump(ids[1]);
}

TEST(ChannelMode, SettingAFlagAlreadySetIsNotBroadcast) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +nt");
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
}

TEST(ChannelMode, CombinedChangeIsBroadcastOnceAsOneLine) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob", "carol"});
  h.send(ids[0], "MODE #c +mv-t bob");
  for (SessionId id : ids) {
    EXPECT_THAT(h.lines(id), AreLines(":alice!~alice@127.0.0.1 MODE #c +mv-t bob")) << "session " << id;
  }
}

TEST(ChannelMode, SeveralStatusChangesInOneCommand) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob", "carol"});
  h.send(ids[0], "MODE #c +ov bob carol");
  EXPECT_THAT(h.lines(ids[2]), AreLines(":alice!~alice@127.0.0.1 MODE #c +ov bob carol"));
  EXPECT_TRUE(h.channel("#c")->is_op(*h.user(ids[1])));
  EXPECT_EQ(h.channel("#c")->flags(*h.user(ids[2])), kVoice);
}

TEST(ChannelMode, UnknownModeIs472AndOthersStillApply) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +zm");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 472 alice z :is unknown mode char to me",
                                        ":alice!~alice@127.0.0.1 MODE #c +m"));
  EXPECT_TRUE(h.channel("#c")->moderated);
}

TEST(ChannelMode, NonOperatorGets482OnceAndNothingChanges) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[1], "MODE #c +mi-t");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 482 bob #c :You're not channel operator"));
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  Channel* c = h.channel("#c");
  EXPECT_FALSE(c->moderated);
  EXPECT_FALSE(c->invite_only);
  EXPECT_TRUE(c->topic_protected);
}

TEST(ChannelMode, NonOperatorCannotGiveStatus) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[1], "MODE #c +o bob");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 482 bob #c :You're not channel operator"));
  EXPECT_FALSE(h.channel("#c")->is_op(*h.user(ids[1])));
}

// ---- MODES limit ------------------------------------------------------------------------------

TEST(ChannelMode, MaxModesLimitsParameterisedChangesPerCommand) {
  EngineHarness h;
  h.config.limits.max_modes = 2;
  auto ids = h.channel_with("#c", {"alice", "bob", "carol", "dave"});
  h.send(ids[0], "MODE #c +vvv bob carol dave");
  EXPECT_THAT(h.lines(ids[3]), AreLines(":alice!~alice@127.0.0.1 MODE #c +vv bob carol"));
  EXPECT_EQ(h.channel("#c")->flags(*h.user(ids[3])), 0);
}

// config.h: "max_modes: parameterised mode changes per MODE command"; ISUPPORT MODES counts
// every type A, B and C mode (modern.ircdocs.horse "MODES parameter"), so +k and +l count too.
TEST(ChannelMode, MaxModesCountsKeyAndLimitToo) {
  EngineHarness h;
  h.config.limits.max_modes = 1;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +kl sesame 5");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 MODE #c +k sesame"));
  EXPECT_EQ(h.channel("#c")->user_limit, 0u);
}

// ---- b ------------------------------------------------------------------------------------------

TEST(Ban, IsAddedListedAndRemoved) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +b troll!*@*");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 MODE #c +b troll!*@*"));
  h.clear_all();
  h.send(ids[1], "MODE #c +b");  // listing needs no privileges
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 367 bob #c troll!*@* alice 1767323045",
                                        ":parley.local 368 bob #c :End of channel ban list"));
  h.clear_all();
  h.send(ids[0], "MODE #c -b troll!*@*");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 MODE #c -b troll!*@*"));
  EXPECT_TRUE(h.channel("#c")->bans.empty());
}

TEST(Ban, PartialMaskIsCompleted) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +b troll");
  h.send(ids[0], "MODE #c +b *@10.0.0.1");
  ASSERT_EQ(h.channel("#c")->bans.size(), 2u);
  EXPECT_EQ(h.channel("#c")->bans[0].mask, "troll!*@*");
  EXPECT_EQ(h.channel("#c")->bans[1].mask, "*!*@10.0.0.1");
}

TEST(Ban, DuplicateBanIsNotAddedTwice) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +b troll!*@*");
  h.clear_all();
  h.send(ids[0], "MODE #c +b TROLL!*@*");
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  EXPECT_EQ(h.channel("#c")->bans.size(), 1u);
}

TEST(Ban, FullBanListIs478) {
  EngineHarness h;
  h.config.limits.max_bans = 1;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +b one!*@*");
  h.clear_all();
  h.send(ids[0], "MODE #c +b two!*@*");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 478 alice #c two!*@* :Channel ban list is full"));
}

TEST(Ban, MatchesNickUserHostWithWildcards) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +b *!~b?b@127.0.0.*");
  SessionId bob = h.register_user("bob");
  SessionId rob = h.register_user("robert");
  h.send(bob, "JOIN #c");
  h.send(rob, "JOIN #c");
  EXPECT_THAT(h.lines(bob), AreLines(":parley.local 474 bob #c :Cannot join channel (+b)"));
  EXPECT_TRUE(h.channel("#c")->has(*h.user(rob)));
}

TEST(Ban, MatchingIgnoresCase) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +b BOB!*@*");
  SessionId bob = h.register_user("bob");
  h.send(bob, "JOIN #c");
  EXPECT_TRUE(h.has_line(bob, " 474 bob #c ")) << h.dump(bob);
}

TEST(Ban, HostBanMatchesOnlyThatAddress) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +b *!*@10.1.2.3");
  SessionId bad = h.register_user("bad", {}, "10.1.2.3");
  SessionId good = h.register_user("good", {}, "10.1.2.4");
  h.send(bad, "JOIN #c");
  h.send(good, "JOIN #c");
  EXPECT_TRUE(h.has_line(bad, " 474 bad #c ")) << h.dump(bad);
  EXPECT_TRUE(h.channel("#c")->has(*h.user(good)));
}

TEST(Ban, NonOperatorCannotBan) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[1], "MODE #c +b alice!*@*");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 482 bob #c :You're not channel operator"));
  EXPECT_TRUE(h.channel("#c")->bans.empty());
}

// ---- user modes ----------------------------------------------------------------------------------

TEST(UserMode, QueryGives221) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MODE alice");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 221 alice +"));
  h.send(a, "MODE alice +i");
  h.clear(a);
  h.send(a, "MODE alice");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 221 alice +i"));
}

TEST(UserMode, InvisibleIsSetAndCleared) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MODE alice +i");
  EXPECT_THAT(h.lines(a), AreLines(":alice!~alice@127.0.0.1 MODE alice +i"));
  EXPECT_TRUE(h.user(a)->invisible);
  h.clear(a);
  h.send(a, "MODE alice -i");
  EXPECT_THAT(h.lines(a), AreLines(":alice!~alice@127.0.0.1 MODE alice -i"));
  EXPECT_FALSE(h.user(a)->invisible);
}

TEST(UserMode, ChangeIsNotSentToChannelMembers) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE alice +i");
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
}

TEST(UserMode, OtherUsersModesAre502) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.register_user("bob");
  h.send(a, "MODE bob +i");
  h.send(a, "MODE bob");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 502 alice :Cant change mode for other users",
                                   ":parley.local 502 alice :Cant change mode for other users"));
}

TEST(UserMode, UnknownFlagIs501) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MODE alice +x");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 501 alice :Unknown MODE flag"));
}

TEST(UserMode, UnknownFlagDoesNotStopKnownOnes) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MODE alice +xi");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 501 alice :Unknown MODE flag",
                                   ":alice!~alice@127.0.0.1 MODE alice +i"));
  EXPECT_TRUE(h.user(a)->invisible);
}

TEST(UserMode, PlusOIsIgnoredWithoutOper) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MODE alice +o");
  EXPECT_THAT(h.lines(a), IsEmpty());
  EXPECT_FALSE(h.user(a)->is_oper());
}

TEST(UserMode, UnknownNickIs401) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "MODE ghost +i");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 401 alice ghost :No such nick/channel"));
}

// ---- ban exceptions (+e), invite exceptions (+I), mute extban (+b m:) ----------------------

TEST(BanException, IsAddedListedWith348And349AndRemoved) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +e friend!*@*");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 MODE #c +e friend!*@*"));
  h.clear_all();
  h.send(ids[1], "MODE #c +e");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 348 bob #c friend!*@* alice 1767323045",
                                        ":parley.local 349 bob #c :End of channel exception list"));
  h.clear_all();
  h.send(ids[0], "MODE #c -e friend!*@*");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 MODE #c -e friend!*@*"));
  EXPECT_TRUE(h.channel("#c")->excepts.empty());
}

TEST(BanException, MatchingUserJoinsDespiteBan) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +b *!*@*");
  h.send(ids[0], "MODE #c +e bob!*@*");
  SessionId bob = h.register_user("bob");
  SessionId carol = h.register_user("carol");
  h.send(bob, "JOIN #c");
  h.send(carol, "JOIN #c");
  EXPECT_TRUE(h.channel("#c")->has(*h.user(bob))) << h.dump(bob);
  EXPECT_THAT(h.lines(carol), AreLines(":parley.local 474 carol #c :Cannot join channel (+b)"));
}

TEST(BanException, ExceptedMemberMaySpeakDespiteBan) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +b bob!*@*");
  h.send(ids[1], "PRIVMSG #c :hi");
  EXPECT_TRUE(h.has_line(ids[1], " 404 bob #c ")) << h.dump(ids[1]);
  h.send(ids[0], "MODE #c +e *!~bob@*");
  h.clear_all();
  h.send(ids[1], "PRIVMSG #c :hi");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":bob!~bob@127.0.0.1 PRIVMSG #c :hi"));
}

TEST(InviteException, IsListedWith346And347) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +I *!*@10.0.0.*");
  h.clear_all();
  h.send(ids[0], "MODE #c +I");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 346 alice #c *!*@10.0.0.* alice 1767323045",
                                        ":parley.local 347 alice #c :End of channel invite exception list"));
}

TEST(InviteException, MatchingUserJoinsInviteOnlyChannel) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +i");
  h.send(ids[0], "MODE #c +I bob");
  SessionId bob = h.register_user("bob");
  SessionId carol = h.register_user("carol");
  h.send(bob, "JOIN #c");
  h.send(carol, "JOIN #c");
  EXPECT_TRUE(h.channel("#c")->has(*h.user(bob))) << h.dump(bob);
  EXPECT_THAT(h.lines(carol), AreLines(":parley.local 473 carol #c :Cannot join channel (+i)"));
}

TEST(InviteException, DoesNotLiftABan) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +ib bob bob");
  h.send(ids[0], "MODE #c +I bob");
  SessionId bob = h.register_user("bob");
  h.send(bob, "JOIN #c");
  EXPECT_THAT(h.lines(bob), AreLines(":parley.local 474 bob #c :Cannot join channel (+b)"));
}

TEST(ListModes, ShareOneMaxListBudget) {
  EngineHarness h;
  h.config.limits.max_bans = 2;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +b one!*@*");
  h.send(ids[0], "MODE #c +e two!*@*");
  h.clear_all();
  h.send(ids[0], "MODE #c +I three!*@*");
  EXPECT_THAT(h.lines(ids[0]),
              AreLines(":parley.local 478 alice #c three!*@* :Channel invite exception list is full"));
  EXPECT_TRUE(h.channel("#c")->invexes.empty());
}

TEST(ListModes, NonOperatorCannotSetExceptions) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[1], "MODE #c +e bob");
  h.send(ids[1], "MODE #c +I bob");
  EXPECT_EQ(h.count(ids[1], " 482 bob #c "), 2u) << h.dump(ids[1]);
  EXPECT_TRUE(h.channel("#c")->excepts.empty());
  EXPECT_TRUE(h.channel("#c")->invexes.empty());
}

TEST(MuteExtban, MutedUserJoinsButCannotSpeak) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +b m:bob");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":alice!~alice@127.0.0.1 MODE #c +b m:bob!*@*"));
  SessionId bob = h.register_user("bob");
  h.send(bob, "JOIN #c");
  ASSERT_TRUE(h.channel("#c")->has(*h.user(bob))) << h.dump(bob);
  h.clear_all();
  h.send(bob, "PRIVMSG #c :hello");
  EXPECT_THAT(h.lines(bob), AreLines(":parley.local 404 bob #c :Cannot send to channel (you are muted)"));
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  h.send(ids[0], "MODE #c -b m:BOB!*@*");
  h.clear_all();
  h.send(bob, "PRIVMSG #c :hello");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":bob!~bob@127.0.0.1 PRIVMSG #c :hello"));
}

TEST(MuteExtban, VoiceLiftsTheMute) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +b m:bob!*@*");
  h.send(ids[0], "MODE #c +v bob");
  h.clear_all();
  h.send(ids[1], "PRIVMSG #c :hello");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":bob!~bob@127.0.0.1 PRIVMSG #c :hello"));
}

TEST(MuteExtban, MuteExceptionLiftsTheMute) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +b m:*!*@*");
  h.send(ids[0], "MODE #c +e m:*!~bob@*");
  h.clear_all();
  h.send(ids[1], "PRIVMSG #c :hello");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":bob!~bob@127.0.0.1 PRIVMSG #c :hello"));
}

TEST(MuteExtban, PlainExceptionDoesNotLiftAMute) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +b m:bob");
  h.send(ids[0], "MODE #c +e bob");
  h.clear_all();
  h.send(ids[1], "PRIVMSG #c :hello");
  EXPECT_TRUE(h.has_line(ids[1], " 404 bob #c ")) << h.dump(ids[1]);
}

TEST(MuteExtban, IsAdvertisedInIsupport) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :A");
  EXPECT_TRUE(h.has_line(a, " EXTBAN=,am ")) << h.dump(a);
  EXPECT_TRUE(h.has_line(a, " ACCOUNTEXTBAN=a ")) << h.dump(a);
  EXPECT_TRUE(h.has_line(a, " EXCEPTS=e ")) << h.dump(a);
  EXPECT_TRUE(h.has_line(a, " INVEX=I ")) << h.dump(a);
  EXPECT_TRUE(h.has_line(a, " MAXLIST=beI:100 ")) << h.dump(a);
  EXPECT_TRUE(h.has_line(a, " CHANMODES=beI,k,Hl,Cimnpst ")) << h.dump(a);
}

}  // namespace
}  // namespace parley::core::test
