// Tests for RENAME (src/core/commands/rename.cpp), after the IRCv3 draft/channel-rename
// specification: members with the capability see RENAME, others PART and JOIN again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::IsEmpty;

constexpr const char* kCap = "draft/channel-rename";

TEST(Rename, MembersWithTheCapabilitySeeRename) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#old", {{"alice", {kCap}}, {"bob", {kCap}}});
  h.send(ids[0], "RENAME #old #new :tidier");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":alice!~alice@127.0.0.1 RENAME #old #new :tidier"));
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 RENAME #old #new :tidier"));
  EXPECT_EQ(h.channel("#old"), nullptr);
  ASSERT_NE(h.channel("#new"), nullptr);
  EXPECT_EQ(h.channel("#new")->members.size(), 2u);
  EXPECT_TRUE(h.channel("#NEW")->is_op(*h.user(ids[0])));
}

TEST(Rename, WithoutReasonHasTwoParameters) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#old", {{"alice", {kCap}}});
  h.send(ids[0], "RENAME #old #new");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":alice!~alice@127.0.0.1 RENAME #old #new"));
}

TEST(Rename, OthersPartTheOldNameAndJoinTheNewWithTopicAndNames) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#old", {{"alice", {kCap}}, {"bob", {}}});
  h.send(ids[0], "TOPIC #old :the topic");
  h.clear_all();
  h.send(ids[0], "RENAME #old #new :tidier");
  auto lines = without_tag(h.lines(ids[1]), "time");
  ASSERT_GE(lines.size(), 6u) << h.dump(ids[1]);
  EXPECT_THAT(lines[0], IsLine(":bob!~bob@127.0.0.1 PART #old :Channel renamed to #new: tidier"));
  EXPECT_THAT(lines[1], IsLine(":bob!~bob@127.0.0.1 JOIN #new"));
  EXPECT_THAT(lines[2], IsLine(":parley.local 332 bob #new :the topic"));
  EXPECT_TRUE(h.has_line(ids[1], " 353 bob = #new :")) << h.dump(ids[1]);
  EXPECT_TRUE(h.has_line(ids[1], " 366 bob #new ")) << h.dump(ids[1]);
}

TEST(Rename, ModesListsAndInvitationsMoveWithTheChannel) {
  EngineHarness h;
  auto ids = h.channel_with("#old", {"alice"});
  h.send(ids[0], "MODE #old +ib troll");
  SessionId bob = h.register_user("bob");
  h.send(ids[0], "INVITE bob #old");
  h.send(ids[0], "RENAME #old #new");
  Channel* c = h.channel("#new");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->invite_only);
  EXPECT_EQ(c->bans.size(), 1u);
  h.clear_all();
  h.send(bob, "JOIN #new");
  EXPECT_TRUE(c->has(*h.user(bob))) << h.dump(bob);
}

TEST(Rename, CaseOnlyRenameIsAllowed) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#chan", {{"alice", {kCap}}});
  h.send(ids[0], "RENAME #chan #Chan");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":alice!~alice@127.0.0.1 RENAME #chan #Chan"));
  ASSERT_NE(h.channel("#chan"), nullptr);
  EXPECT_EQ(h.channel("#chan")->name, "#Chan");
}

TEST(Rename, ExistingNameIsFailChannelNameInUse) {
  EngineHarness h;
  auto ids = h.channel_with("#old", {"alice"});
  h.send(ids[0], "JOIN #taken");
  h.clear_all();
  h.send(ids[0], "RENAME #old #TAKEN");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local FAIL RENAME CHANNEL_NAME_IN_USE #old #TAKEN :A "
                                        "channel with that name already exists"));
  EXPECT_NE(h.channel("#old"), nullptr);
}

TEST(Rename, InvalidOrRetypedNameIsFailCannotRename) {
  EngineHarness h;
  auto ids = h.channel_with("#old", {"alice"});
  h.send(ids[0], "RENAME #old nochan");
  h.send(ids[0], "RENAME #old &amp");
  h.send(ids[0], "RENAME #old #old");
  EXPECT_THAT(
      h.lines(ids[0]),
      AreLines(":parley.local FAIL RENAME CANNOT_RENAME #old nochan :That is not a valid channel name",
               ":parley.local FAIL RENAME CANNOT_RENAME #old &amp :A rename cannot change the channel type",
               ":parley.local FAIL RENAME CANNOT_RENAME #old #old :The channel already has that name"));
}

TEST(Rename, NonOperatorIs482AndOutsiderIs442) {
  EngineHarness h;
  auto ids = h.channel_with("#old", {"alice", "bob"});
  SessionId carol = h.register_user("carol");
  h.send(ids[1], "RENAME #old #new");
  h.send(carol, "RENAME #old #new");
  h.send(carol, "RENAME #nowhere #new");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 482 bob #old :You're not channel operator"));
  EXPECT_THAT(h.lines(carol), AreLines(":parley.local 442 carol #old :You're not on that channel",
                                       ":parley.local 403 carol #nowhere :No such channel"));
  EXPECT_NE(h.channel("#old"), nullptr);
}

TEST(Rename, CapabilityIsAdvertised) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP LS 302");
  EXPECT_TRUE(h.has_line(a, "draft/channel-rename")) << h.dump(a);
}

}  // namespace
}  // namespace parley::core::test
