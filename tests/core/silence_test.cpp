// Tests for SILENCE (src/core/commands/silence.cpp): the server-side ignore list, after ircu and
// UnrealIRCd (RPL_SILELIST 271, RPL_ENDOFSILELIST 272, ERR_SILELISTFULL 511, ISUPPORT SILENCE).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::IsEmpty;

TEST(Silence, IsAdvertisedWithItsConfiguredLimit) {
  EngineHarness h;
  h.config.limits.max_silence = 7;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :A");
  EXPECT_TRUE(h.has_line(a, " SILENCE=7 "));
}

TEST(Silence, AddConfirmsListShowsAndRemoveConfirms) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "SILENCE +bob");
  h.send(a, "SILENCE +*!*@10.0.0.*");
  EXPECT_THAT(h.take(a), AreLines(":alice!~alice@127.0.0.1 SILENCE +bob!*@*",
                                  ":alice!~alice@127.0.0.1 SILENCE +*!*@10.0.0.*"));
  h.send(a, "SILENCE");
  EXPECT_THAT(h.take(a),
              AreLines(":parley.local 271 alice alice bob!*@*", ":parley.local 271 alice alice *!*@10.0.0.*",
                       ":parley.local 272 alice :End of Silence List"));
  h.send(a, "SILENCE -BOB");
  EXPECT_THAT(h.take(a), AreLines(":alice!~alice@127.0.0.1 SILENCE -bob!*@*"));
  h.send(a, "SILENCE");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 271 alice alice *!*@10.0.0.*",
                                  ":parley.local 272 alice :End of Silence List"));
}

TEST(Silence, DuplicatesAndUnknownRemovalsChangeNothing) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "SILENCE +bob");
  h.clear(a);
  h.send(a, "SILENCE +Bob!*@*,-carol");
  EXPECT_THAT(h.lines(a), IsEmpty());
  EXPECT_EQ(h.user(a)->silence.size(), 1u);
}

TEST(Silence, FullListAnswers511AndKeepsTheList) {
  EngineHarness h;
  h.config.limits.max_silence = 2;
  SessionId a = h.register_user("alice");
  h.send(a, "SILENCE +one,+two");
  h.clear(a);
  h.send(a, "SILENCE +three");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 511 alice three!*@* :Your silence list is full"));
  EXPECT_EQ(h.user(a)->silence.size(), 2u);
}

TEST(Silence, DropsPrivmsgNoticeAndTagmsgFromAMatchingSenderOnly) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"message-tags"});
  SessionId b = h.register_user("bob");
  SessionId c = h.register_user("carol");
  h.send(a, "SILENCE +bob");
  h.clear(a);
  h.send(b, "PRIVMSG alice :hi");
  h.send(b, "NOTICE alice :hi");
  h.send(b, "@+typing=active TAGMSG alice");
  EXPECT_THAT(h.lines(a), IsEmpty());
  EXPECT_THAT(h.lines(b), IsEmpty()) << "the sender is not told";
  h.send(c, "PRIVMSG alice :hello");
  EXPECT_THAT(without_tag(h.lines(a), "msgid"), AreLines(":carol!~carol@127.0.0.1 PRIVMSG alice :hello"));
}

TEST(Silence, DropsChannelMessagesForTheSilencingMemberOnly) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob", "carol"});
  h.send(ids[0], "SILENCE +*!~bob@*");
  h.clear(ids[0]);
  h.send(ids[1], "PRIVMSG #c :spam");
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  EXPECT_THAT(h.lines(ids[2]), AreLines(":bob!~bob@127.0.0.1 PRIVMSG #c :spam"));
}

TEST(Silence, DropsInvitationsAndDoesNotGrantThem) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"bob"});
  SessionId a = h.register_user("alice");
  h.send(ids[0], "MODE #c +i");
  h.send(a, "SILENCE +bob");
  h.clear_all();
  h.send(ids[0], "INVITE alice #c");
  EXPECT_TRUE(h.has_line(ids[0], " 341 bob alice #c"));
  EXPECT_THAT(h.lines(a), IsEmpty());
  h.send(a, "JOIN #c");
  EXPECT_TRUE(h.has_line(a, " 473 alice #c "));
}

TEST(Silence, MasksFollowTheSendersNickChange) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "SILENCE +troll");
  h.send(b, "NICK troll");
  h.clear_all();
  h.send(b, "PRIVMSG alice :boo");
  EXPECT_THAT(h.lines(a), IsEmpty());
}

}  // namespace
}  // namespace parley::core::test
