// Tests for INVITE's invitation list and invite-notify, and for KNOCK
// (src/core/commands/invitation.cpp). Expected behaviour follows modern.ircdocs.horse ("INVITE",
// numerics 336/337 and 710-714) and ircv3.net "invite-notify".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::IsEmpty;

// ---- INVITE list ------------------------------------------------------------------------------

TEST(InviteList, WithoutParametersListsTheCallersInvitations) {
  EngineHarness h;
  auto ids = h.channel_with("#b", {"alice"});
  h.send(ids[0], "JOIN #a");
  SessionId bob = h.register_user("bob");
  h.send(ids[0], "INVITE bob #b");
  h.send(ids[0], "INVITE bob #a");
  h.clear_all();
  h.send(bob, "INVITE");
  EXPECT_THAT(h.lines(bob), AreLines(":parley.local 336 bob #a", ":parley.local 336 bob #b",
                                     ":parley.local 337 bob :End of /INVITE list"));
}

TEST(InviteList, IsEmptyWithoutInvitationsAndForgetsUsedOnes) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  SessionId bob = h.register_user("bob");
  h.send(bob, "INVITE");
  EXPECT_THAT(h.lines(bob), AreLines(":parley.local 337 bob :End of /INVITE list"));
  h.send(ids[0], "INVITE bob #c");
  h.send(bob, "JOIN #c");
  h.clear_all();
  h.send(bob, "INVITE");
  EXPECT_THAT(h.lines(bob), AreLines(":parley.local 337 bob :End of /INVITE list"));
}

TEST(InviteList, OneParameterIs461) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "INVITE bob");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 461 alice INVITE :Not enough parameters"));
}

// ---- invite-notify ----------------------------------------------------------------------------

TEST(InviteNotify, MembersWithTheCapabilitySeeTheInvite) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"bob", {"invite-notify"}}, {"carol", {}}});
  SessionId dave = h.register_user("dave");
  h.send(ids[0], "INVITE dave #c");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 INVITE dave #c"));
  EXPECT_THAT(h.lines(ids[2]), IsEmpty());
  EXPECT_THAT(h.lines(dave), AreLines(":alice!~alice@127.0.0.1 INVITE dave #c"));
}

TEST(InviteNotify, OnInviteOnlyChannelOnlyOperatorsAreTold) {
  EngineHarness h;
  auto ids = h.channel_with_caps(
      "#c", {{"alice", {"invite-notify"}}, {"bob", {"invite-notify"}}, {"carol", {"invite-notify"}}});
  h.send(ids[0], "MODE #c +io carol");
  h.register_user("dave");
  h.clear_all();
  h.send(ids[2], "INVITE dave #c");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":carol!~carol@127.0.0.1 INVITE dave #c"));
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
  EXPECT_THAT(h.lines(ids[2]), AreLines(":parley.local 341 carol dave #c"));
}

// ---- KNOCK ------------------------------------------------------------------------------------

TEST(Knock, OperatorsGet710AndKnockerGets711) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +i");
  SessionId carol = h.register_user("carol");
  h.clear_all();
  h.send(carol, "KNOCK #c :let me in please");
  EXPECT_THAT(h.lines(carol), AreLines(":parley.local 711 carol #c :Your KNOCK has been delivered"));
  EXPECT_THAT(h.lines(ids[0]),
              AreLines(":parley.local 710 alice #c carol!~carol@127.0.0.1 :let me in please"));
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
}

TEST(Knock, WithoutMessageSaysAskedForAnInvite) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +k secret");
  SessionId carol = h.register_user("carol");
  h.clear_all();
  h.send(carol, "KNOCK #c");
  EXPECT_THAT(h.lines(ids[0]),
              AreLines(":parley.local 710 alice #c carol!~carol@127.0.0.1 :has asked for an invite"));
}

TEST(Knock, LongMessageIsCutSoThe710FitsInALine) {
  EngineHarness h;
  h.config.limits.kick_length = 400;
  const std::string channel = "#" + std::string(49, 'c');
  const std::string knocker(30, 'k');
  auto ids = h.channel_with(channel, {"alice"});
  h.send(ids[0], "MODE " + channel + " +i");
  SessionId k = h.register_user(knocker);
  h.clear_all();
  h.send(k, "KNOCK " + channel + " :" + std::string(450, 'x'));
  auto knocks = h.replies(ids[0], "710");
  ASSERT_EQ(knocks.size(), 1u) << h.dump(ids[0]);
  EXPECT_LE(knocks[0].raw.size() + 2, 512u);
  EXPECT_GT(knocks[0].params[3].size(), 300u);
}

TEST(Knock, OpenChannelIs713) {
  EngineHarness h;
  h.channel_with("#c", {"alice"});
  SessionId carol = h.register_user("carol");
  h.send(carol, "KNOCK #c");
  EXPECT_THAT(h.lines(carol), AreLines(":parley.local 713 carol #c :Channel is open, just join it"));
}

TEST(Knock, MemberIs714) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +i");
  h.clear_all();
  h.send(ids[0], "KNOCK #c");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 714 alice #c :You're already on that channel"));
}

TEST(Knock, NoSuchChannelIs403AndBannedIs474) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +ib carol");
  SessionId carol = h.register_user("carol");
  h.clear_all();
  h.send(carol, "KNOCK #nowhere");
  h.send(carol, "KNOCK #c");
  EXPECT_THAT(h.lines(carol), AreLines(":parley.local 403 carol #nowhere :No such channel",
                                       ":parley.local 474 carol #c :Cannot knock on channel (+b)"));
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
}

TEST(Knock, SecretChannelIs403ToOutsiders) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +is");
  SessionId carol = h.register_user("carol");
  h.clear_all();
  h.send(carol, "KNOCK #c");
  EXPECT_THAT(h.lines(carol), AreLines(":parley.local 403 carol #c :No such channel"));
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
}

TEST(Knock, SecondKnockWithinTheIntervalIs712) {
  EngineHarness h;
  h.config.limits.knock_interval_seconds = 30;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "JOIN #d");
  h.send(ids[0], "MODE #c +i");
  h.send(ids[0], "MODE #d +i");
  SessionId carol = h.register_user("carol");
  h.send(carol, "KNOCK #c");
  h.clear_all();
  h.advance(std::chrono::seconds(29));
  h.send(carol, "KNOCK #d");  // another channel: the limit is per user
  EXPECT_THAT(h.lines(carol),
              AreLines(":parley.local 712 carol #d :Too many KNOCKs (user), try again later"));
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  h.clear_all();
  h.advance(std::chrono::seconds(2));
  h.send(carol, "KNOCK #d");
  EXPECT_TRUE(h.has_line(carol, " 711 carol #d ")) << h.dump(carol);
}

TEST(Knock, NoChannelIs461) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "KNOCK");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 461 alice KNOCK :Not enough parameters"));
}

}  // namespace
}  // namespace parley::core::test
