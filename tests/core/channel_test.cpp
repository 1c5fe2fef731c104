// Tests for channel membership commands (src/core/commands/channel.cpp, membership.cpp):
// JOIN, PART, TOPIC, NAMES, LIST, KICK, INVITE and the IRCv3 extended-join capability.
// Expected behaviour follows modern.ircdocs.horse ("Channel Operations"), RFC 2812 section 3.2
// and ircv3.net "extended-join".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// The entries of every RPL_NAMREPLY for `channel` that `id` received, in any order.
std::multiset<std::string> names_of(EngineHarness& h, SessionId id, const std::string& channel) {
  std::multiset<std::string> out;
  for (const Line& l : h.replies(id, "353")) {
    if (l.params.size() != 4 || l.params[2] != channel) continue;
    std::string_view rest = l.params[3];
    while (!rest.empty()) {
      auto sp = rest.find(' ');
      if (sp != 0) out.emplace(rest.substr(0, sp));
      if (sp == std::string_view::npos) break;
      rest.remove_prefix(sp + 1);
    }
  }
  return out;
}

// ---- JOIN -----------------------------------------------------------------------------------

TEST(Join, CreatesChannelWithCreatorAsOperator) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #c");
  EXPECT_THAT(h.lines(a), AreLines(":alice!~alice@127.0.0.1 JOIN #c", ":parley.local 353 alice = #c :@alice",
                                   ":parley.local 366 alice #c :End of /NAMES list"));
  ASSERT_NE(h.channel("#c"), nullptr);
  EXPECT_TRUE(h.channel("#c")->is_op(*h.user(a)));
  EXPECT_EQ(h.engine().channel_count(), 1u);
}

TEST(Join, NewChannelHasModesNt) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #c");
  h.clear(a);
  h.send(a, "MODE #c");
  EXPECT_TRUE(h.has_line(a, ":parley.local 324 alice #c +nt")) << h.dump(a);
}

TEST(Join, EveryMemberSeesTheJoinAndJoinerGetsNames) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #c");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":bob!~bob@127.0.0.1 JOIN #c"));
  EXPECT_EQ(h.lines(b).front(), ":bob!~bob@127.0.0.1 JOIN #c");
  EXPECT_THAT(names_of(h, b, "#c"), UnorderedElementsAre("@alice", "bob"));
  EXPECT_FALSE(h.channel("#c")->is_op(*h.user(b)));
}

TEST(Join, ChannelNamesCompareCaseInsensitively) {
  EngineHarness h;
  auto ids = h.channel_with("#Chan", {"alice"});
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #CHAN");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":bob!~bob@127.0.0.1 JOIN #Chan"));
  EXPECT_EQ(h.engine().channel_count(), 1u);
}

TEST(Join, AlreadyMemberIsIgnored) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[1], "JOIN #c");
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
}

TEST(Join, SeveralChannelsInOneCommand) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #a,#b,&c");
  EXPECT_EQ(h.count(a, ":alice!~alice@127.0.0.1 JOIN "), 3u) << h.dump(a);
  EXPECT_EQ(h.engine().channel_count(), 3u);
  EXPECT_EQ(h.user(a)->channels.size(), 3u);
}

TEST(Join, SeveralChannelsWithKeysInOrder) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #a,#b");
  h.send(a, "MODE #a +k alpha");
  h.send(a, "MODE #b +k beta");
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #a,#b,#new alpha,beta");
  EXPECT_TRUE(h.has_line(b, ":bob!~bob@127.0.0.1 JOIN #a")) << h.dump(b);
  EXPECT_TRUE(h.has_line(b, ":bob!~bob@127.0.0.1 JOIN #b")) << h.dump(b);
  EXPECT_TRUE(h.has_line(b, ":bob!~bob@127.0.0.1 JOIN #new")) << h.dump(b);
  EXPECT_FALSE(h.has_line(b, " 475 "));
}

TEST(Join, KeyedChannelRejectsWrongKey) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +k secret");
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #c wrong");
  h.send(b, "JOIN #c");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 475 bob #c :Cannot join channel (+k)",
                                   ":parley.local 475 bob #c :Cannot join channel (+k)"));
  EXPECT_FALSE(h.channel("#c")->has(*h.user(b)));
  h.send(b, "JOIN #c secret");
  EXPECT_TRUE(h.channel("#c")->has(*h.user(b)));
}

TEST(Join, WrongKeyForOneChannelDoesNotStopTheOthers) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #a,#b");
  h.send(a, "MODE #a +k alpha");
  h.send(a, "MODE #b +k beta");
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #a,#b nope,beta");
  EXPECT_TRUE(h.has_line(b, ":parley.local 475 bob #a :Cannot join channel (+k)")) << h.dump(b);
  EXPECT_TRUE(h.has_line(b, ":bob!~bob@127.0.0.1 JOIN #b")) << h.dump(b);
}

TEST(Join, InvalidChannelNamesAre403) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN nochan");
  h.send(a, "JOIN #");
  h.send(a, "JOIN #" + std::string(h.config.limits.channel_length, 'x'));
  EXPECT_EQ(h.count(a, " 403 alice "), 3u) << h.dump(a);
  EXPECT_TRUE(h.has_line(a, ":parley.local 403 alice nochan :No such channel"));
  EXPECT_EQ(h.engine().channel_count(), 0u);
}

TEST(Join, ChannelLimitPerUserIs405) {
  EngineHarness h;
  h.config.limits.max_channels_per_user = 2;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #a,#b,#c");
  EXPECT_TRUE(h.has_line(a, ":parley.local 405 alice #c :You have joined too many channels")) << h.dump(a);
  EXPECT_EQ(h.user(a)->channels.size(), 2u);
  EXPECT_EQ(h.channel("#c"), nullptr);
}

TEST(Join, ZeroLeavesEveryChannel) {
  EngineHarness h;
  auto ids = h.channel_with("#a", {"alice", "bob"});
  h.send(ids[0], "JOIN #b");
  h.clear_all();
  h.send(ids[0], "JOIN 0");
  EXPECT_TRUE(h.has_line(ids[1], ":alice!~alice@127.0.0.1 PART #a")) << h.dump(ids[1]);
  EXPECT_EQ(h.count(ids[0], " PART "), 2u) << h.dump(ids[0]);
  EXPECT_TRUE(h.user(ids[0])->channels.empty());
  EXPECT_EQ(h.channel("#b"), nullptr);
  EXPECT_NE(h.channel("#a"), nullptr);
  EXPECT_TRUE(h.memberships_consistent());
}

TEST(Join, FullChannelIs471) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +l 2");
  SessionId c = h.register_user("carol");
  h.send(c, "JOIN #c");
  EXPECT_THAT(h.lines(c), AreLines(":parley.local 471 carol #c :Cannot join channel (+l)"));
  h.send(ids[1], "PART #c");
  h.send(c, "JOIN #c");
  EXPECT_TRUE(h.channel("#c")->has(*h.user(c)));
}

TEST(Join, InviteOnlyIs473) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +i");
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #c");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 473 bob #c :Cannot join channel (+i)"));
}

TEST(Join, BannedIs474) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +b bob!*@*");
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #c");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 474 bob #c :Cannot join channel (+b)"));
}

TEST(Join, InvitationOverridesInviteOnlyOnce) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +i");
  SessionId b = h.register_user("bob");
  h.send(ids[0], "INVITE bob #c");
  h.send(b, "JOIN #c");
  EXPECT_TRUE(h.channel("#c")->has(*h.user(b)));
  h.send(b, "PART #c");
  h.clear(b);
  h.send(b, "JOIN #c");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 473 bob #c :Cannot join channel (+i)"))
      << "an invitation is used up by the join";
}

TEST(Join, TopicIsSentBeforeNames) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "TOPIC #c :the topic");
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #c");
  EXPECT_THAT(h.commands(b), ElementsAre("JOIN", "332", "333", "353", "366")) << h.dump(b);
  EXPECT_TRUE(h.has_line(b, ":parley.local 332 bob #c :the topic"));
}

TEST(ExtendedJoin, CapHoldersSeeAccountAndRealname) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"extended-join"});
  SessionId c = h.register_user("carol");
  h.send(a, "JOIN #c");
  h.send(c, "JOIN #c");
  h.clear_all();
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #c");
  EXPECT_THAT(h.lines(a), AreLines(":bob!~bob@127.0.0.1 JOIN #c * :Real bob"));
  EXPECT_THAT(h.lines(c), AreLines(":bob!~bob@127.0.0.1 JOIN #c"));
}

TEST(ExtendedJoin, JoinerWithCapSeesOwnExtendedJoin) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"extended-join"});
  h.send(a, "JOIN #c");
  EXPECT_EQ(h.lines(a).front(), ":alice!~alice@127.0.0.1 JOIN #c * :Real alice");
}

// ---- PART -----------------------------------------------------------------------------------

TEST(Part, WithReasonIsSeenByAllMembers) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "PART #c :see you later");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":alice!~alice@127.0.0.1 PART #c :see you later"));
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 PART #c :see you later"));
  EXPECT_FALSE(h.channel("#c")->has(*h.user(ids[0])));
  EXPECT_TRUE(h.user(ids[0])->channels.empty());
}

TEST(Part, WithoutReason) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[1], "PART #c");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":bob!~bob@127.0.0.1 PART #c"));
}

TEST(Part, SeveralChannels) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #a,#b");
  h.clear(a);
  h.send(a, "PART #a,#b :done");
  EXPECT_THAT(h.lines(a),
              AreLines(":alice!~alice@127.0.0.1 PART #a :done", ":alice!~alice@127.0.0.1 PART #b :done"));
  EXPECT_EQ(h.engine().channel_count(), 0u);
}

TEST(Part, NotOnChannelIs442) {
  EngineHarness h;
  h.channel_with("#c", {"alice"});
  SessionId b = h.register_user("bob");
  h.send(b, "PART #c");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 442 bob #c :You're not on that channel"));
}

TEST(Part, NoSuchChannelIs403) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "PART #nowhere");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 403 alice #nowhere :No such channel"));
}

TEST(Part, LastMemberLeavingDeletesTheChannel) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "PART #c");
  EXPECT_EQ(h.channel("#c"), nullptr);
  EXPECT_EQ(h.engine().channel_count(), 0u);
}

// ---- TOPIC ----------------------------------------------------------------------------------

TEST(Topic, QueryWithoutTopicIs331) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "TOPIC #c");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 331 alice #c :No topic is set"));
}

TEST(Topic, SetIsBroadcastAndQueryGives332And333) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "TOPIC #c :hello world");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":alice!~alice@127.0.0.1 TOPIC #c :hello world"));
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 TOPIC #c :hello world"));
  h.clear_all();
  h.send(ids[1], "TOPIC #c");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 332 bob #c :hello world",
                                        ":parley.local 333 bob #c alice!~alice@127.0.0.1 1767323045"));
}

TEST(Topic, ProtectedTopicNeedsOperator482) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[1], "TOPIC #c :mine now");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 482 bob #c :You're not channel operator"));
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  EXPECT_EQ(h.channel("#c")->topic, "");
}

TEST(Topic, UnprotectedTopicMayBeSetByAnyMember) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c -t");
  h.clear_all();
  h.send(ids[1], "TOPIC #c :mine now");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":bob!~bob@127.0.0.1 TOPIC #c :mine now"));
}

TEST(Topic, NonMemberCannotSet442) {
  EngineHarness h;
  h.channel_with("#c", {"alice"});
  SessionId b = h.register_user("bob");
  h.send(b, "TOPIC #c :drive-by");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 442 bob #c :You're not on that channel"));
}

TEST(Topic, EmptyTopicClearsIt) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "TOPIC #c :something");
  h.clear_all();
  h.send(ids[0], "TOPIC #c :");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 TOPIC #c :"));
  h.send(ids[1], "TOPIC #c");
  EXPECT_TRUE(h.has_line(ids[1], ":parley.local 331 bob #c :No topic is set")) << h.dump(ids[1]);
}

TEST(Topic, LongTopicIsCutToTopicLenOnACharacterBoundary) {
  EngineHarness h;
  h.config.limits.topic_length = 10;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "TOPIC #c :abcdefghijklmnop");
  EXPECT_EQ(h.channel("#c")->topic, "abcdefghij");
  h.send(ids[0], "TOPIC #c :abcdefghi\xC3\xA9xyz");  // 'é' straddles the limit
  EXPECT_EQ(h.channel("#c")->topic, "abcdefghi");
}

TEST(Topic, SecretChannelIs403ForNonMembers) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +s");
  h.send(ids[0], "TOPIC #c :hidden");
  SessionId b = h.register_user("bob");
  h.send(b, "TOPIC #c");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 403 bob #c :No such channel"));
}

// ---- NAMES ----------------------------------------------------------------------------------

TEST(Names, SeveralChannelsUpToTargmax) {
  EngineHarness h;
  h.config.limits.max_targets = 2;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #a,#b,#c");
  h.clear(a);
  h.send(a, "NAMES #a,#b,#c");
  EXPECT_EQ(h.replies(a, "353").size(), 2u) << h.dump(a);
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 407 alice #c :Too many targets"));
  EXPECT_THAT(h.replies(a, "366"), ::testing::SizeIs(1)) << "one 366 for the whole list";
  EXPECT_THAT(h.lines(a).back(), IsLine(":parley.local 366 alice #a,#b,#c :End of /NAMES list"));
}

TEST(Names, ShowsHighestPrefixPerMember) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob", "carol"});
  h.send(ids[0], "MODE #c +ov bob bob");
  h.send(ids[0], "MODE #c +v carol");
  h.clear_all();
  h.send(ids[2], "NAMES #c");
  EXPECT_THAT(names_of(h, ids[2], "#c"), UnorderedElementsAre("@alice", "@bob", "+carol"));
  EXPECT_TRUE(h.has_line(ids[2], ":parley.local 366 carol #c :End of /NAMES list"));
}

TEST(Names, MultiPrefixShowsEveryPrefix) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  SessionId m = h.register_user("mp", {"multi-prefix"});
  h.send(m, "JOIN #c");
  h.send(ids[0], "MODE #c +ov bob bob");
  h.clear_all();
  h.send(m, "NAMES #c");
  EXPECT_THAT(names_of(h, m, "#c"), UnorderedElementsAre("@alice", "@+bob", "mp"));
}

TEST(Names, UserhostInNamesShowsFullMasks) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  SessionId u = h.register_user("uh", {"userhost-in-names"});
  h.send(u, "JOIN #c");
  EXPECT_THAT(names_of(h, u, "#c"), UnorderedElementsAre("@alice!~alice@127.0.0.1", "uh!~uh@127.0.0.1"));
}

TEST(Names, SecretChannelIsHiddenFromNonMembers) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +s");
  SessionId b = h.register_user("bob");
  h.send(b, "NAMES #c");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 366 bob #c :End of /NAMES list"));
}

TEST(Names, SecretChannelUsesAtSymbolForMembers) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +s");
  h.clear_all();
  h.send(ids[0], "NAMES #c");
  EXPECT_TRUE(h.has_line(ids[0], ":parley.local 353 alice @ #c :@alice")) << h.dump(ids[0]);
}

TEST(Names, InvisibleMembersAreHiddenFromNonMembers) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[1], "MODE bob +i");
  SessionId c = h.register_user("carol");
  h.send(c, "NAMES #c");
  EXPECT_THAT(names_of(h, c, "#c"), UnorderedElementsAre("@alice"));
}

TEST(Names, UnknownChannelGivesOnlyEndOfNames) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "NAMES #nope");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 366 alice #nope :End of /NAMES list"));
}

TEST(Names, LongMemberListIsSplitIntoLinesWithin512Bytes) {
  EngineHarness h;
  h.config.limits.max_clients_per_ip = 100;
  std::vector<std::string> nicks;
  for (int i = 0; i < 60; ++i) nicks.push_back("member_with_long_nick_" + std::to_string(i));
  auto ids = h.channel_with("#c", nicks);
  h.send(ids[0], "NAMES #c");
  EXPECT_GT(h.replies(ids[0], "353").size(), 1u);
  EXPECT_EQ(names_of(h, ids[0], "#c").size(), 60u);
  // (the 512-byte limit itself is checked by the harness sink on every line)
}

TEST(NoImplicitNames, JoinSendsNoNamesToClientsThatAskedForIt) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"no-implicit-names"});
  h.send(a, "JOIN #c");
  EXPECT_THAT(h.lines(a), AreLines(":alice!~alice@127.0.0.1 JOIN #c"));
  h.clear(a);
  h.send(a, "NAMES #c");
  EXPECT_TRUE(h.has_line(a, " 353 alice = #c :@alice")) << h.dump(a);
}

TEST(NoImplicitNames, TopicIsStillSent) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "TOPIC #c :hello");
  SessionId b = h.register_user("bob", {"no-implicit-names"});
  h.send(b, "JOIN #c");
  EXPECT_THAT(h.commands(b), ::testing::ElementsAre("JOIN", "332", "333")) << h.dump(b);
}

// ---- LIST -----------------------------------------------------------------------------------

TEST(List, ShowsChannelsWithMemberCountsAndTopics) {
  EngineHarness h;
  auto ids = h.channel_with("#a", {"alice", "bob"});
  h.send(ids[0], "TOPIC #a :about a");
  h.send(ids[0], "JOIN #b");
  h.clear_all();
  h.send(ids[1], "LIST");
  EXPECT_THAT(h.commands(ids[1]), ElementsAre("321", "322", "322", "323")) << h.dump(ids[1]);
  auto entries = h.replies(ids[1], "322");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].params[1], "#a");
  EXPECT_EQ(entries[0].params[2], "2");
  EXPECT_THAT(entries[0].params[3], HasSubstr("about a"));
  EXPECT_EQ(entries[1].params[1], "#b");
  EXPECT_EQ(entries[1].params[2], "1");
}

TEST(List, HidesSecretChannelsFromNonMembers) {
  EngineHarness h;
  auto ids = h.channel_with("#hidden", {"alice"});
  h.send(ids[0], "MODE #hidden +s");
  h.send(ids[0], "JOIN #open");
  SessionId b = h.register_user("bob");
  h.send(b, "LIST");
  h.send(b, "LIST #hidden");
  EXPECT_FALSE(h.has_line(b, "#hidden ")) << h.dump(b);
  EXPECT_TRUE(h.has_line(b, " 322 bob #open 1 ")) << h.dump(b);
  h.clear_all();
  h.send(ids[0], "LIST");
  EXPECT_TRUE(h.has_line(ids[0], " 322 alice #hidden 1 ")) << h.dump(ids[0]);
}

TEST(List, WithChannelNamesListsOnlyThose) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #a,#b,#c");
  h.clear(a);
  h.send(a, "LIST #a,#c");
  auto entries = h.replies(a, "322");
  ASSERT_EQ(entries.size(), 2u) << h.dump(a);
  EXPECT_EQ(entries[0].params[1], "#a");
  EXPECT_EQ(entries[1].params[1], "#c");
}

// ---- KICK -----------------------------------------------------------------------------------

TEST(Kick, OperatorKicksAndEveryMemberSeesIt) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob", "carol"});
  h.send(ids[0], "KICK #c bob :behave yourself");
  const std::string kick = ":alice!~alice@127.0.0.1 KICK #c bob :behave yourself";
  EXPECT_THAT(h.lines(ids[0]), AreLines(kick));
  EXPECT_THAT(h.lines(ids[1]), AreLines(kick));
  EXPECT_THAT(h.lines(ids[2]), AreLines(kick));
  EXPECT_FALSE(h.channel("#c")->has(*h.user(ids[1])));
  EXPECT_TRUE(h.user(ids[1])->channels.empty());
}

TEST(Kick, DefaultReasonIsTheKickersNick) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "KICK #c bob");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 KICK #c bob alice"));
}

TEST(Kick, NonOperatorIs482) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[1], "KICK #c alice");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 482 bob #c :You're not channel operator"));
  EXPECT_TRUE(h.channel("#c")->has(*h.user(ids[0])));
}

TEST(Kick, TargetNotOnChannelIs441) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.register_user("bob");
  h.send(ids[0], "KICK #c bob");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 441 alice bob #c :They aren't on that channel"));
}

TEST(Kick, KickerNotOnChannelIs442) {
  EngineHarness h;
  h.channel_with("#c", {"alice"});
  SessionId b = h.register_user("bob");
  h.send(b, "KICK #c alice");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 442 bob #c :You're not on that channel"));
}

TEST(Kick, NoSuchChannelIs403) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "KICK #none bob");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 403 alice #none :No such channel"));
}

TEST(Kick, UnknownNickIs401) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "KICK #c ghost");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 401 alice ghost :No such nick/channel"));
}

TEST(Kick, SeveralTargetsAreEachKickedOnce) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob", "carol", "dave"});
  h.send(ids[0], "KICK #c bob,carol :out");
  EXPECT_THAT(h.lines(ids[3]), AreLines(":alice!~alice@127.0.0.1 KICK #c bob out",
                                        ":alice!~alice@127.0.0.1 KICK #c carol out"));
  EXPECT_THAT(h.lines(ids[2]), AreLines(":alice!~alice@127.0.0.1 KICK #c bob out",
                                        ":alice!~alice@127.0.0.1 KICK #c carol out"));
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 KICK #c bob out"));
  EXPECT_EQ(h.channel("#c")->members.size(), 2u);
}

TEST(Kick, SeveralChannelsArePairedWithTheUsersOneKickLineEach) {
  EngineHarness h;
  auto ids = h.channel_with("#a", {"alice", "bob", "carol"});
  h.send(ids[0], "JOIN #b");
  h.send(ids[2], "JOIN #b");
  h.clear_all();
  h.send(ids[0], "KICK #a,#b bob,carol :out");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":alice!~alice@127.0.0.1 KICK #a bob out",
                                        ":alice!~alice@127.0.0.1 KICK #b carol out"));
  EXPECT_FALSE(h.channel("#a")->has(*h.user(ids[1])));
  EXPECT_TRUE(h.channel("#a")->has(*h.user(ids[2])));
  EXPECT_FALSE(h.channel("#b")->has(*h.user(ids[2])));
}

TEST(Kick, SameChannelTwiceKicksBothUsers) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob", "carol", "dave"});
  h.send(ids[0], "KICK #c,#c bob,carol :bye");
  EXPECT_THAT(h.lines(ids[3]), AreLines(":alice!~alice@127.0.0.1 KICK #c bob bye",
                                        ":alice!~alice@127.0.0.1 KICK #c carol bye"));
}

TEST(Kick, ChannelAndUserCountsThatDoNotPairAre461) {
  EngineHarness h;
  auto ids = h.channel_with("#a", {"alice", "bob"});
  h.send(ids[0], "JOIN #b");
  h.clear_all();
  h.send(ids[0], "KICK #a,#b bob");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 461 alice KICK :Give one channel, or one channel per user"));
  EXPECT_TRUE(h.channel("#a")->has(*h.user(ids[1])));
}

TEST(Kick, TargetsBeyondMaxTargetsAre407) {
  EngineHarness h;
  h.config.limits.max_targets = 1;
  auto ids = h.channel_with("#c", {"alice", "bob", "carol"});
  h.send(ids[0], "KICK #c bob,carol");
  EXPECT_TRUE(h.has_line(ids[0], ":parley.local 407 alice carol :Too many targets")) << h.dump(ids[0]);
  EXPECT_TRUE(h.channel("#c")->has(*h.user(ids[2])));
  EXPECT_FALSE(h.channel("#c")->has(*h.user(ids[1])));
}

TEST(Kick, KickingTheLastMemberDeletesTheChannel) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "KICK #c alice :self");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":alice!~alice@127.0.0.1 KICK #c alice self"));
  EXPECT_EQ(h.channel("#c"), nullptr);
  EXPECT_EQ(h.engine().channel_count(), 0u);
  EXPECT_TRUE(h.memberships_consistent());
}

TEST(Kick, LongReasonIsCutToKickLen) {
  EngineHarness h;
  h.config.limits.kick_length = 5;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "KICK #c bob :abcdefgh");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 KICK #c bob abcde"));
}

// ---- INVITE ---------------------------------------------------------------------------------

TEST(Invite, Is341ToInviterAndInviteToTarget) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  SessionId b = h.register_user("bob");
  h.send(ids[0], "INVITE bob #c");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 341 alice bob #c"));
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 INVITE bob #c"));
}

TEST(Invite, TargetAlreadyOnChannelIs443) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "INVITE bob #c");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 443 alice bob #c :is already on channel"));
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
}

TEST(Invite, InviterNotOnChannelIs442) {
  EngineHarness h;
  h.channel_with("#c", {"alice"});
  SessionId b = h.register_user("bob");
  SessionId c = h.register_user("carol");
  h.send(b, "INVITE carol #c");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 442 bob #c :You're not on that channel"));
  EXPECT_THAT(h.lines(c), IsEmpty());
}

TEST(Invite, UnknownNickIs401) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "INVITE ghost #c");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 401 alice ghost :No such nick/channel"));
}

TEST(Invite, InviteOnlyChannelNeedsOperator482) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "MODE #c +i");
  SessionId c = h.register_user("carol");
  h.clear_all();
  h.send(ids[1], "INVITE carol #c");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 482 bob #c :You're not channel operator"));
  EXPECT_THAT(h.lines(c), IsEmpty());
}

TEST(Invite, AnyMemberMayInviteToOpenChannel) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  SessionId c = h.register_user("carol");
  h.send(ids[1], "INVITE carol #c");
  EXPECT_THAT(h.lines(c), AreLines(":bob!~bob@127.0.0.1 INVITE carol #c"));
}

TEST(Invite, AwayTargetAlsoGives301) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  SessionId b = h.register_user("bob");
  h.send(b, "AWAY :lunch");
  h.send(ids[0], "INVITE bob #c");
  EXPECT_THAT(h.lines(ids[0]),
              AreLines(":parley.local 341 alice bob #c", ":parley.local 301 alice bob lunch"));
}

// ---- secret channels and WHO ------------------------------------------------------------------

TEST(SecretChannel, HiddenFromWhoForNonMembers) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice"});
  h.send(ids[0], "MODE #c +s");
  SessionId b = h.register_user("bob");
  h.send(b, "WHO #c");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 315 bob #c :End of WHO list"));
  h.clear_all();
  h.send(ids[0], "WHO #c");
  EXPECT_EQ(h.replies(ids[0], "352").size(), 1u) << h.dump(ids[0]);
}

}  // namespace
}  // namespace parley::core::test
