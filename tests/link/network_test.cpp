// Linked servers, sans I/O: engines joined by in-memory links (tests/link/mesh.h).
#include "link/network.h"

#include <gtest/gtest.h>

#include "core/channel.h"
#include "core/remote.h"
#include "core/user.h"
#include "crypto/password.h"
#include "link/mesh.h"

namespace parley::link::test {
namespace {

using core::test::HasLine;
using ::testing::Contains;
using ::testing::HasSubstr;

class LinkTest : public ::testing::Test {
 protected:
  Mesh m;
  Node& a = m.add("a.test", "1AA");
  Node& b = m.add("b.test", "2BB");
};

TEST_F(LinkTest, BurstIntroducesEveryUserAndChannelBothWays) {
  SessionId alice = a.h.register_user("alice");
  m.send(a, alice, "JOIN #c");
  m.send(a, alice, "TOPIC #c :hello world");
  m.send(a, alice, "MODE #c +b evil!*@*");
  SessionId bob = b.h.register_user("bob");
  m.link(a, b);

  core::User* remote_alice = b.engine().find_nick("alice");
  ASSERT_NE(remote_alice, nullptr);
  EXPECT_TRUE(remote_alice->remote);
  EXPECT_EQ(remote_alice->uid.substr(0, 3), "1AA");
  EXPECT_EQ(remote_alice->server->name, "a.test");
  ASSERT_NE(a.engine().find_nick("bob"), nullptr);
  core::Channel* c = b.engine().find_channel("#c");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->is_op(*remote_alice));
  EXPECT_EQ(c->topic, "hello world");
  ASSERT_EQ(c->bans.size(), 1u);
  EXPECT_EQ(c->bans[0].mask, "evil!*@*");
  EXPECT_EQ(core::remote::channel_ts(*c), core::remote::channel_ts(*a.engine().find_channel("#c")));
  EXPECT_EQ(b.engine().global_user_count(), 2u);

  b.h.clear_all();
  m.send(b, bob, "JOIN #c");
  EXPECT_TRUE(b.h.has_line(bob, "332 bob #c :hello world"));
  EXPECT_TRUE(b.h.has_line(bob, "@alice"));
  EXPECT_THAT(a.h.lines(alice), HasLine(":bob!~bob@127.0.0.1 JOIN #c"));
}

TEST_F(LinkTest, AChannelNewToThisServerTakesExactlyTheBurstsModes) {
  SessionId alice = a.h.register_user("alice");
  m.send(a, alice, "JOIN #open");
  m.send(a, alice, "MODE #open -nt+m");
  m.link(a, b);
  core::Channel* c = b.engine().find_channel("#open");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->mode_string(false), "+m");
}

TEST_F(LinkTest, ChannelMessagesCrossWithTheSameMsgidAndTime) {
  SessionId alice = a.h.register_user("alice", {"message-tags", "server-time"});
  SessionId bob = b.h.register_user("bob", {"message-tags", "server-time"});
  m.link(a, b);
  m.send(a, alice, "JOIN #c");
  m.send(b, bob, "JOIN #c");
  a.h.clear_all();
  b.h.clear_all();
  m.send(a, alice, "@+draft/react=x PRIVMSG #c :hi there");
  auto got = b.h.replies(bob, "PRIVMSG");
  ASSERT_EQ(got.size(), 1u) << b.h.dump(bob);
  EXPECT_EQ(got[0].source, "alice!~alice@127.0.0.1");
  EXPECT_EQ(got[0].params[1], "hi there");
  EXPECT_THAT(got[0].tags, HasSubstr("+draft/react=x"));
  EXPECT_THAT(got[0].tags, HasSubstr("msgid="));
  EXPECT_THAT(got[0].tags, HasSubstr("time="));
  m.send(b, bob, "PRIVMSG #c :and back");
  EXPECT_THAT(a.h.lines(alice), Contains(HasSubstr(":bob!~bob@127.0.0.1 PRIVMSG #c :and back")));
}

TEST_F(LinkTest, LocalMembersAreKeptApartOnlyWhileAChannelHasRemoteOnes) {
  SessionId alice = a.h.register_user("alice");
  SessionId bob = b.h.register_user("bob");
  m.send(a, alice, "JOIN #c");
  core::Channel* c = a.engine().find_channel("#c");
  EXPECT_TRUE(c->local_members.empty());
  std::size_t ab = m.link(a, b);
  m.send(b, bob, "JOIN #c");
  EXPECT_EQ(c->remote_members, 1u);
  EXPECT_EQ(c->local_members.size(), 1u);
  SessionId carol = a.h.register_user("carol");
  m.send(a, carol, "JOIN #c");
  EXPECT_EQ(c->local_members.size(), 2u);
  m.send(a, carol, "PART #c");
  EXPECT_EQ(c->local_members.size(), 1u);
  m.cut(ab);  // bob leaves with the split
  EXPECT_EQ(c->remote_members, 0u);
  EXPECT_TRUE(c->local_members.empty());
  EXPECT_EQ(c->members.size(), 1u);
}

TEST_F(LinkTest, ChannelTextGoesOnlyToLinksWithMembers) {
  SessionId alice = a.h.register_user("alice");
  b.h.register_user("bob");
  std::size_t ab = m.link(a, b);
  m.send(a, alice, "JOIN #quiet");
  m.forget_crossed();
  m.send(a, alice, "PRIVMSG #quiet :nobody there");
  EXPECT_EQ(m.crossed(ab, a, "PRIVMSG"), 0u);
}

TEST_F(LinkTest, PrivateMessagesNickChangesAwayAndQuitCross) {
  SessionId alice = a.h.register_user("alice");
  SessionId bob = b.h.register_user("bob");
  m.link(a, b);
  m.send(a, alice, "PRIVMSG bob :psst");
  EXPECT_THAT(b.h.lines(bob), Contains(HasSubstr(":alice!~alice@127.0.0.1 PRIVMSG bob :psst")));
  m.send(b, bob, "JOIN #c");
  m.send(a, alice, "JOIN #c");
  m.send(a, alice, "NICK alicia");
  EXPECT_THAT(b.h.lines(bob), Contains(HasSubstr(":alice!~alice@127.0.0.1 NICK alicia")));
  EXPECT_NE(b.engine().find_nick("alicia"), nullptr);
  EXPECT_EQ(b.engine().find_nick("alice"), nullptr);
  m.send(a, alice, "AWAY :lunch");
  m.send(b, bob, "WHOIS alicia");
  EXPECT_THAT(b.h.lines(bob), HasLine(":b.test 301 bob alicia :lunch"));
  EXPECT_THAT(b.h.lines(bob), Contains(HasSubstr("312 bob alicia a.test")));
  m.send(a, alice, "QUIT :bye");
  EXPECT_THAT(b.h.lines(bob), Contains(HasSubstr(":alicia!~alice@127.0.0.1 QUIT :Quit: bye")));
  EXPECT_EQ(b.engine().find_nick("alicia"), nullptr);
  EXPECT_EQ(b.engine().global_user_count(), 1u);
}

TEST_F(LinkTest, ModesKicksAndTopicsCross) {
  SessionId alice = a.h.register_user("alice");
  SessionId bob = b.h.register_user("bob");
  m.link(a, b);
  m.send(a, alice, "JOIN #c");
  m.send(b, bob, "JOIN #c");
  m.send(a, alice, "MODE #c +o bob");
  core::Channel* on_b = b.engine().find_channel("#c");
  EXPECT_TRUE(on_b->is_op(*b.engine().find_nick("bob")));
  EXPECT_THAT(b.h.lines(bob), Contains(HasSubstr(":alice!~alice@127.0.0.1 MODE #c +o bob")));
  m.send(b, bob, "MODE #c +mk sesame");
  core::Channel* on_a = a.engine().find_channel("#c");
  EXPECT_TRUE(on_a->moderated);
  EXPECT_EQ(on_a->key, "sesame");
  m.send(b, bob, "TOPIC #c :from b");
  EXPECT_EQ(on_a->topic, "from b");
  EXPECT_THAT(a.h.lines(alice), Contains(HasSubstr(":bob!~bob@127.0.0.1 TOPIC #c :from b")));
  m.send(b, bob, "KICK #c alice :out");
  EXPECT_THAT(a.h.lines(alice), Contains(HasSubstr(":bob!~bob@127.0.0.1 KICK #c alice :out")));
  EXPECT_FALSE(a.engine().find_channel("#c")->has(*a.engine().find_nick("alice")));
  EXPECT_FALSE(on_b->has(*b.engine().find_nick("alice")));
}

TEST_F(LinkTest, LusersCountsTheWholeNetwork) {
  SessionId alice = a.h.register_user("alice");
  SessionId bob = b.h.register_user("bob");
  m.send(b, bob, "MODE bob +i");
  m.link(a, b);
  a.h.clear_all();
  m.send(a, alice, "LUSERS");
  EXPECT_THAT(a.h.lines(alice), HasLine(":a.test 251 alice :There are 1 users and 1 invisible on 2 servers"));
  EXPECT_THAT(a.h.lines(alice), HasLine(":a.test 255 alice :I have 1 clients and 1 servers"));
  EXPECT_THAT(a.h.lines(alice), HasLine(":a.test 266 alice 2 2 :Current global users 2, max 2"));
  m.send(b, bob, "MODE bob -i");
  a.h.clear_all();
  m.send(a, alice, "LUSERS");
  EXPECT_THAT(a.h.lines(alice), HasLine(":a.test 251 alice :There are 2 users and 0 invisible on 2 servers"));
}

TEST_F(LinkTest, AKickForAnEarlierMembershipMissesTheRejoinedUser) {
  SessionId alice = a.h.register_user("alice");
  SessionId bob = b.h.register_user("bob");
  m.link(a, b);
  m.send(a, alice, "JOIN #c");
  m.send(b, bob, "JOIN #c");
  core::Channel* c = a.engine().find_channel("#c");
  core::User* bob_on_a = a.engine().find_nick("bob");
  const std::uint64_t membership = c->membership_ids.at(bob_on_a);
  const std::string kick = ":" + bob_on_a->uid + " KICK #c " + bob_on_a->uid + " ";
  a.network().link_line(1, kick + std::to_string(membership + 1) + " :stale", a.h.now());
  EXPECT_TRUE(c->has(*bob_on_a));
  a.network().link_line(1, kick + std::to_string(membership) + " :current", a.h.now());
  EXPECT_FALSE(c->has(*bob_on_a));
}

TEST_F(LinkTest, AccountsTravelWithTheirUsers) {
  SessionId alice = a.h.register_user("alice");
  a.h.accounts.add_account("alice", "correcthorse");
  m.send(a, alice, "NS IDENTIFY alice correcthorse");
  ASSERT_EQ(a.engine().find_nick("alice")->account(), "alice");
  m.link(a, b);
  EXPECT_EQ(b.engine().find_nick("alice")->account(), "alice");
}

// ---- collisions ---------------------------------------------------------------------------------

TEST(NickCollision, RulesFollowTimestampsAndUserHost) {
  using core::remote::CollisionLoser;
  using core::remote::nick_collision;
  EXPECT_EQ(nick_collision({10, "u", "1.1.1.1"}, {10, "v", "2.2.2.2"}), CollisionLoser::kBoth);
  EXPECT_EQ(nick_collision({10, "u", "1.1.1.1"}, {10, "u", "1.1.1.1"}), CollisionLoser::kBoth);
  // Different user@ip: the newer nick loses.
  EXPECT_EQ(nick_collision({10, "u", "1.1.1.1"}, {20, "v", "2.2.2.2"}), CollisionLoser::kTheirs);
  EXPECT_EQ(nick_collision({20, "u", "1.1.1.1"}, {10, "v", "2.2.2.2"}), CollisionLoser::kOurs);
  // The same user@ip: the older one is a ghost and loses.
  EXPECT_EQ(nick_collision({10, "u", "1.1.1.1"}, {20, "u", "1.1.1.1"}), CollisionLoser::kOurs);
  EXPECT_EQ(nick_collision({20, "u", "1.1.1.1"}, {10, "u", "1.1.1.1"}), CollisionLoser::kTheirs);
}

TEST(ChannelTimestamps, LowerWinsEqualMerges) {
  using core::remote::ChannelTs;
  EXPECT_EQ(core::remote::compare_channel_ts(100, 50), ChannelTs::kTheirsWin);
  EXPECT_EQ(core::remote::compare_channel_ts(100, 100), ChannelTs::kMerge);
  EXPECT_EQ(core::remote::compare_channel_ts(50, 100), ChannelTs::kOursWin);
}

TEST_F(LinkTest, OnBurstTheNewerNickIsRenamedToItsUidEverywhere) {
  SessionId old_dave = a.h.register_user("dave", {}, "10.0.0.1");
  m.advance(std::chrono::seconds(5));
  SessionId new_dave = b.h.register_user("dave", {}, "10.0.0.2");
  m.link(a, b);
  core::User* on_b = b.engine().find_user(new_dave);
  EXPECT_EQ(on_b->nick, on_b->uid);
  EXPECT_EQ(on_b->nick_ts, 100);
  EXPECT_THAT(b.h.lines(new_dave), Contains(HasSubstr(":dave!~dave@10.0.0.2 NICK " + on_b->uid)));
  // Both servers agree on who is dave now.
  EXPECT_EQ(a.engine().find_nick("dave"), a.engine().find_user(old_dave));
  EXPECT_EQ(b.engine().find_nick("dave")->uid, a.engine().find_user(old_dave)->uid);
  EXPECT_NE(a.engine().find_nick(on_b->uid), nullptr);
  EXPECT_FALSE(a.h.sink.closed(old_dave));
  EXPECT_FALSE(b.h.sink.closed(new_dave));
}

TEST_F(LinkTest, EqualTimestampsRenameBoth) {
  SessionId da = a.h.register_user("dave", {}, "10.0.0.1");
  SessionId db = b.h.register_user("dave", {}, "10.0.0.2");
  m.link(a, b);
  core::User* ua = a.engine().find_user(da);
  core::User* ub = b.engine().find_user(db);
  EXPECT_EQ(ua->nick, ua->uid);
  EXPECT_EQ(ub->nick, ub->uid);
  EXPECT_EQ(a.engine().find_nick("dave"), nullptr);
  EXPECT_EQ(b.engine().find_nick("dave"), nullptr);
  EXPECT_NE(a.engine().find_uid(ub->uid), nullptr);
  EXPECT_EQ(a.engine().find_uid(ub->uid)->nick, ub->uid);
}

TEST_F(LinkTest, NickChangeIntoARemoteNickCollides) {
  SessionId alice = a.h.register_user("alice", {}, "10.0.0.1");
  SessionId bob = b.h.register_user("bob", {}, "10.0.0.2");
  m.link(a, b);
  m.advance(std::chrono::seconds(3));
  // Both change to "carol" before hearing of the other's change: the links deliver afterwards.
  a.h.send(alice, "NICK carol");
  m.advance(std::chrono::seconds(1));
  b.h.send(bob, "NICK carol");
  m.pump();
  // bob's is newer and from another user@ip: bob loses on both servers.
  core::User* bob_on_b = b.engine().find_user(bob);
  EXPECT_EQ(bob_on_b->nick, bob_on_b->uid);
  EXPECT_EQ(a.engine().find_nick("carol"), a.engine().find_user(alice));
  EXPECT_EQ(b.engine().find_nick("carol")->uid, a.engine().find_user(alice)->uid);
  EXPECT_EQ(a.engine().find_uid(bob_on_b->uid)->nick, bob_on_b->uid);
}

// ---- channel timestamps on burst ----------------------------------------------------------------

TEST_F(LinkTest, TheOlderChannelKeepsItsModesAndTheNewerLosesItsOps) {
  SessionId alice = a.h.register_user("alice");
  m.send(a, alice, "JOIN #c");
  m.send(a, alice, "MODE #c +i");
  m.advance(std::chrono::seconds(10));
  SessionId bob = b.h.register_user("bob");
  m.send(b, bob, "JOIN #c");
  m.send(b, bob, "MODE #c +m");
  b.h.clear_all();
  m.link(a, b);
  core::Channel* c = b.engine().find_channel("#c");
  EXPECT_FALSE(c->is_op(*b.engine().find_user(bob)));
  EXPECT_TRUE(c->is_op(*b.engine().find_nick("alice")));
  EXPECT_TRUE(c->invite_only);
  EXPECT_FALSE(c->moderated);
  EXPECT_EQ(core::remote::channel_ts(*c), core::remote::channel_ts(*a.engine().find_channel("#c")));
  EXPECT_THAT(b.h.lines(bob), Contains(HasSubstr("MODE #c -mnto")));
  // And the older side does not take the newer side's statuses.
  core::Channel* on_a = a.engine().find_channel("#c");
  EXPECT_FALSE(on_a->is_op(*a.engine().find_nick("bob")));
  EXPECT_FALSE(on_a->moderated);
}

TEST_F(LinkTest, EqualChannelTimestampsMerge) {
  SessionId alice = a.h.register_user("alice");
  SessionId bob = b.h.register_user("bob");
  m.send(a, alice, "JOIN #c");
  m.send(b, bob, "JOIN #c");  // the same second on the fake clocks
  m.send(a, alice, "MODE #c +i");
  m.send(b, bob, "MODE #c +m");
  m.link(a, b);
  for (Node* n : {&a, &b}) {
    core::Channel* c = n->engine().find_channel("#c");
    EXPECT_TRUE(c->invite_only) << n->name();
    EXPECT_TRUE(c->moderated) << n->name();
    EXPECT_TRUE(c->is_op(*n->engine().find_nick("alice"))) << n->name();
    EXPECT_TRUE(c->is_op(*n->engine().find_nick("bob"))) << n->name();
  }
}

// ---- three servers, splits ----------------------------------------------------------------------

class ThreeServers : public ::testing::Test {
 protected:
  Mesh m;
  Node& a = m.add("a.test", "1AA");
  Node& b = m.add("b.test", "2BB");
  Node& c = m.add("c.test", "3CC");
};

TEST_F(ThreeServers, LinesCrossTheMiddleOnceAndNeverComeBack) {
  SessionId alice = a.h.register_user("alice");
  SessionId carol = c.h.register_user("carol");
  std::size_t ab = m.link(a, b);
  std::size_t bc = m.link(b, c);
  ASSERT_NE(a.engine().find_nick("carol"), nullptr);
  EXPECT_EQ(a.engine().find_nick("carol")->server->name, "c.test");
  EXPECT_EQ(a.engine().find_nick("carol")->server->hops, 2u);
  m.send(a, alice, "JOIN #c");
  m.send(c, carol, "JOIN #c");
  m.forget_crossed();
  a.h.clear_all();
  m.send(c, carol, "PRIVMSG #c :from the far end");
  EXPECT_EQ(a.h.replies(alice, "PRIVMSG").size(), 1u);
  EXPECT_EQ(m.crossed(bc, c, "PRIVMSG"), 1u);
  EXPECT_EQ(m.crossed(ab, b, "PRIVMSG"), 1u);
  EXPECT_EQ(m.crossed(ab, a, "PRIVMSG"), 0u);  // never back where it came from
  EXPECT_EQ(m.crossed(bc, b, "PRIVMSG"), 0u);
  m.send(a, alice, "PRIVMSG carol :direct");
  EXPECT_THAT(c.h.lines(carol), Contains(HasSubstr("PRIVMSG carol :direct")));
}

TEST_F(ThreeServers, ASplitQuitsEveryoneBehindItAtOnceWithTheServerNames) {
  SessionId alice = a.h.register_user("alice");
  b.h.register_user("bob");
  SessionId carol = c.h.register_user("carol");
  m.link(a, b);
  std::size_t bc = m.link(b, c);
  m.send(a, alice, "JOIN #c");
  m.send(c, carol, "JOIN #c");
  a.h.clear_all();
  m.cut(bc);
  EXPECT_THAT(a.h.lines(alice), Contains(HasSubstr(":carol!~carol@127.0.0.1 QUIT :b.test c.test")));
  EXPECT_EQ(a.engine().find_nick("carol"), nullptr);
  EXPECT_EQ(a.engine().find_server_by_name("c.test"), nullptr);
  EXPECT_NE(a.engine().find_nick("bob"), nullptr);
  EXPECT_EQ(c.engine().find_nick("alice"), nullptr);
  EXPECT_EQ(c.engine().global_user_count(), 1u);
  // Relinking bursts again and converges.
  m.link(b, c);
  EXPECT_NE(a.engine().find_nick("carol"), nullptr);
  EXPECT_TRUE(a.engine().find_channel("#c")->has(*a.engine().find_nick("carol")));
}

TEST_F(ThreeServers, LeavesLinkingToAHubAtTheSameMomentAreAllAccepted) {
  a.h.register_user("alice");
  b.h.register_user("bob");
  c.h.register_user("carol");
  std::size_t ab = m.connect(b, a);
  std::size_t ac = m.connect(c, a);
  m.pump();
  EXPECT_TRUE(m.wire(ab).open);
  EXPECT_TRUE(m.wire(ac).open);
  EXPECT_THAT(m.closed_reasons, ::testing::IsEmpty());
  for (Node* n : {&a, &b, &c}) {
    EXPECT_EQ(n->engine().global_user_count(), 3u) << n->name();
    EXPECT_EQ(n->engine().remote_servers().size(), 2u) << n->name();
  }
  EXPECT_EQ(b.engine().find_server_by_name("c.test")->parent->name, "a.test");
}

TEST_F(ThreeServers, ALinkThatWouldCloseALoopIsRefusedAndTheTreeStays) {
  c.h.register_user("carol");
  m.link(a, b);
  m.link(b, c);
  std::size_t ca = m.link(c, a);  // a already reaches c through b
  EXPECT_FALSE(m.wire(ca).open);
  EXPECT_THAT(m.closed_reasons, Contains(HasSubstr("already exists")));
  EXPECT_EQ(a.engine().find_server_by_name("c.test")->parent->name, "b.test");
  EXPECT_NE(a.engine().find_nick("carol"), nullptr);
  EXPECT_EQ(c.engine().remote_servers().size(), 2u);
}

TEST_F(ThreeServers, SplittingTheMiddleServerIsolatesBothEnds) {
  SessionId alice = a.h.register_user("alice");
  b.h.register_user("bob");
  c.h.register_user("carol");
  std::size_t ab = m.link(a, b);
  m.link(b, c);
  a.h.clear_all();
  m.cut(ab);
  EXPECT_EQ(a.engine().global_user_count(), 1u);
  EXPECT_TRUE(a.engine().remote_servers().empty());
  EXPECT_EQ(c.engine().find_nick("alice"), nullptr);
  EXPECT_NE(c.engine().find_nick("bob"), nullptr);
  (void)alice;
}

// ---- bad input ----------------------------------------------------------------------------------

TEST_F(LinkTest, AWrongPasswordIsRefusedWithAClearReason) {
  b.links.links[0].receive_password = "something else";
  std::size_t ab = m.link(a, b);
  EXPECT_FALSE(m.wire(ab).open);
  EXPECT_THAT(m.closed_reasons, Contains(HasSubstr("Mismatched server name or password")));
  EXPECT_TRUE(a.engine().remote_servers().empty());
  EXPECT_TRUE(b.engine().remote_servers().empty());
}

TEST_F(LinkTest, AHashedReceivePasswordIsCheckedOffTheEngineThread) {
  crypto::init_sodium();
  b.links.links[0].receive_password.clear();
  b.links.links[0].receive_password_hash = *crypto::hash_password("pw-a.test");
  m.link(a, b);
  EXPECT_NE(b.engine().find_server_by_name("a.test"), nullptr);

  Mesh other;
  Node& x = other.add("a.test", "1AA");
  Node& y = other.add("b.test", "2BB");
  y.links.links[0].receive_password.clear();
  y.links.links[0].receive_password_hash = *crypto::hash_password("not what a.test sends");
  std::size_t xy = other.link(x, y);
  EXPECT_FALSE(other.wire(xy).open);
  EXPECT_THAT(other.closed_reasons, Contains(HasSubstr("Mismatched server name or password")));
}

TEST_F(LinkTest, DifferentChannelModesAreRefusedAtCapab) {
  a.network();
  b.network();
  std::size_t ab = m.link(a, b);
  ASSERT_TRUE(m.wire(ab).open);
  m.cut(ab);
  // A peer announcing a mode Parley lacks.
  a.network().link_connected(99, false, "", a.h.now());
  a.network().link_line(99, "CAPAB START 1205", a.h.now());
  a.network().link_line(99, "CAPAB CHANMODES :list:ban=b simple:zzz=Z", a.h.now());
  a.network().link_line(99, "CAPAB END", a.h.now());
  EXPECT_THAT(m.closed_reasons, Contains(HasSubstr("Channel modes not matched on these servers")));
}

TEST_F(LinkTest, DifferentLimitsAreRefusedAtCapab) {
  b.h.config.limits.nick_length = 20;  // a nick a.test accepts would not fit on b.test
  std::size_t ab = m.link(a, b);
  EXPECT_FALSE(m.wire(ab).open);
  EXPECT_THAT(m.closed_reasons, Contains(HasSubstr("limits differ")));
  EXPECT_THAT(m.closed_reasons, Contains(HasSubstr("NICKMAX here 30, there 20")));
}

TEST_F(LinkTest, AnUnknownCommandEndsTheLinkAndSplits) {
  a.h.register_user("alice");
  SessionId bob = b.h.register_user("bob");
  m.link(a, b);
  b.network().link_line(1, ":1AA FOOBAR x", b.h.now());
  EXPECT_THAT(m.closed_reasons, Contains(HasSubstr("Unknown command: FOOBAR")));
  EXPECT_EQ(b.engine().find_nick("alice"), nullptr);
  EXPECT_THAT(b.h.lines(bob), ::testing::IsEmpty());  // alice shared no channel with bob
  m.pump();
  EXPECT_EQ(a.engine().find_nick("bob"), nullptr);
}

TEST_F(LinkTest, MalformedOrForgedLinesNeverCorruptTheView) {
  a.h.register_user("alice");
  m.link(a, b);
  // A UID for another server's SID, a UID reused, a bad timestamp, a UID with a lowercase letter
  // (it would fold to the same nick as another UID when both are saved): each ends the link.
  for (std::string bad :
       {":1AA UID 9ZZAAAAAA 1 x h h u 1.2.3.4 1 + :r", ":1AA UID 1AAAAAAAA 1 x h h u 1.2.3.4 1 + :r",
        ":1AA UID 1AAZZZZZZ 0 x h h u 1.2.3.4 1 + :r", ":1AA UID 1AAZZZzZZ 1 x h h u 1.2.3.4 1 + :r",
        ":1AA UID 1AAZZ-ZZZ 1 x h h u 1.2.3.4 1 + :r", ":1AA FJOIN #c notanumber + :"}) {
    Mesh fresh;
    Node& x = fresh.add("a.test", "1AA");
    Node& y = fresh.add("b.test", "2BB");
    x.h.register_user("alice");
    fresh.link(x, y);
    y.network().link_line(1, bad, y.h.now());
    EXPECT_THAT(fresh.closed_reasons, Contains(HasSubstr("Protocol violation"))) << bad;
    EXPECT_EQ(y.engine().global_user_count(), 0u) << bad;
  }
  // A line from a user who is not behind the link is ignored, not applied.
  SessionId bob = b.h.register_user("bob");
  m.send(b, bob, "JOIN #c");
  std::string bob_uid = b.engine().find_user(bob)->uid;
  b.network().link_line(1, ":" + bob_uid + " PART #c :forged", b.h.now());
  EXPECT_TRUE(b.engine().find_channel("#c")->has(*b.engine().find_user(bob)));
}

TEST_F(LinkTest, PingsKeepTheLinkAndSilenceEndsIt) {
  std::size_t ab = m.link(a, b);
  m.advance(std::chrono::seconds(61));
  m.tick();  // both PING, both answer
  EXPECT_TRUE(m.wire(ab).open);
  EXPECT_GE(m.crossed(ab, a, "PING"), 1u);
  EXPECT_GE(m.crossed(ab, b, "PONG"), 1u);
  // b stops answering: a drops it after the timeout.
  m.wire(ab).open = false;  // nothing gets through any more
  m.advance(std::chrono::seconds(61));
  a.network().tick(a.h.now());
  m.advance(std::chrono::seconds(121));
  a.network().tick(a.h.now());
  EXPECT_THAT(m.closed_reasons, Contains(HasSubstr("a.test: Ping timeout")));
  EXPECT_TRUE(a.engine().remote_servers().empty());
}

}  // namespace
}  // namespace parley::link::test
