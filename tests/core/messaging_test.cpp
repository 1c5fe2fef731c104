// Tests for PRIVMSG, NOTICE, TAGMSG and AWAY (src/core/commands/messaging.cpp) and the IRCv3
// capabilities that shape delivery: echo-message, server-time, message-tags, away-notify.
// Expected behaviour follows modern.ircdocs.horse ("PRIVMSG", "NOTICE", "AWAY", ISUPPORT
// "STATUSMSG"), RFC 2812 section 3.3 and the ircv3.net specifications of those capabilities.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;
using namespace std::chrono_literals;

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// ---- PRIVMSG ----------------------------------------------------------------------------------

TEST(Privmsg, ToChannelReachesEveryMemberButTheSender) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"bob", {}}, {"carol", {}}});
  h.send(ids[0], "PRIVMSG #c :hello all");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :hello all"));
  EXPECT_THAT(h.lines(ids[2]), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :hello all"));
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
}

TEST(Privmsg, ToNickReachesOnlyThatUser) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  SessionId c = h.register_user("carol");
  h.send(a, "PRIVMSG bob :hi there");
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 PRIVMSG bob :hi there"));
  EXPECT_THAT(h.lines(a), IsEmpty());
  EXPECT_THAT(h.lines(c), IsEmpty());
}

TEST(Privmsg, NickTargetIsCaseInsensitive) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "PRIVMSG BOB :hi");
  EXPECT_EQ(h.count(b, " PRIVMSG "), 1u) << h.dump(b);
}

TEST(Privmsg, SeveralTargetsEachGetTheirOwnLine) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"carol", {}}});
  SessionId b = h.register_user("bob");
  h.send(ids[0], "PRIVMSG bob,#c :hi both");
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 PRIVMSG bob :hi both"));
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :hi both"));
}

TEST(Privmsg, UnknownNickOrChannelIs401) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "PRIVMSG ghost :boo");
  h.send(a, "PRIVMSG #void :boo");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 401 alice ghost :No such nick/channel",
                                   ":parley.local 401 alice #void :No such nick/channel"));
}

TEST(Privmsg, NoRecipientIs411) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "PRIVMSG");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 411 alice :No recipient given (PRIVMSG)"));
}

TEST(Privmsg, NoTextIs412) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "PRIVMSG bob");
  h.send(a, "PRIVMSG bob :");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 412 alice :No text to send",
                                   ":parley.local 412 alice :No text to send"));
  EXPECT_THAT(h.lines(b), IsEmpty());
}

TEST(Privmsg, NoExternalMessagesIs404ForNonMembers) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}});
  SessionId out = h.register_user("outsider");
  h.send(out, "PRIVMSG #c :let me in");
  EXPECT_THAT(h.lines(out), AreLines(":parley.local 404 outsider #c :Cannot send to channel (+n)"));
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  h.send(ids[0], "MODE #c -n");
  h.clear_all();
  h.send(out, "PRIVMSG #c :now?");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":outsider!~outsider@127.0.0.1 PRIVMSG #c :now?"));
}

TEST(Privmsg, ModeratedChannelIs404UnlessVoicedOrOperator) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"bob", {}}, {"carol", {}}});
  h.send(ids[0], "MODE #c +m");
  h.clear_all();
  h.send(ids[1], "PRIVMSG #c :can I talk?");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 404 bob #c :Cannot send to channel (+m)"));
  EXPECT_THAT(h.lines(ids[2]), IsEmpty());
  h.send(ids[0], "MODE #c +v bob");
  h.clear_all();
  h.send(ids[1], "PRIVMSG #c :now I can");
  h.send(ids[0], "PRIVMSG #c :ops can too");
  EXPECT_THAT(h.lines(ids[2]), AreLines(":bob!~bob@127.0.0.1 PRIVMSG #c :now I can",
                                        ":alice!~alice@127.0.0.1 PRIVMSG #c :ops can too"));
}

TEST(Privmsg, BannedMemberIs404UnlessVoiced) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"bob", {}}, {"carol", {}}});
  h.send(ids[0], "MODE #c +b bob!*@*");
  h.clear_all();
  h.send(ids[1], "PRIVMSG #c :still here");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 404 bob #c :Cannot send to channel (+b)"));
  EXPECT_THAT(h.lines(ids[2]), IsEmpty());
  h.send(ids[0], "MODE #c +v bob");
  h.clear_all();
  h.send(ids[1], "PRIVMSG #c :voiced");
  EXPECT_THAT(h.lines(ids[2]), AreLines(":bob!~bob@127.0.0.1 PRIVMSG #c :voiced"));
}

TEST(Privmsg, TargetsBeyondMaxTargetsAre407) {
  EngineHarness h;
  h.config.limits.max_targets = 2;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  SessionId c = h.register_user("carol");
  SessionId d = h.register_user("dave");
  h.send(a, "PRIVMSG bob,carol,dave :hi");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 407 alice dave :Too many targets"));
  EXPECT_EQ(h.lines(b).size(), 1u);
  EXPECT_EQ(h.lines(c).size(), 1u);
  EXPECT_THAT(h.lines(d), IsEmpty());
}

TEST(Privmsg, ToAwayUserGives301) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(b, "AWAY :gone to lunch");
  h.send(a, "PRIVMSG bob :ping");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 301 alice bob :gone to lunch"));
}

TEST(Privmsg, RelayedLineMayUseAll512Bytes) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  // ":alice!~alice@127.0.0.1 PRIVMSG bob :" + text + CR LF is exactly 512 bytes.
  std::string head = ":alice!~alice@127.0.0.1 PRIVMSG bob :";
  std::string text(512 - 2 - head.size(), 'x');
  h.send(a, "PRIVMSG bob :" + text + "yz");
  ASSERT_THAT(h.lines(b), SizeIs(1));
  EXPECT_EQ(h.lines(b)[0], head + text) << "the text is cut exactly where the 512 bytes end";
}

TEST(Privmsg, LongTextIsCutToFit512BytesWithoutSplittingUtf8) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"bob", {"server-time"}}});
  std::string text = "x";
  while (text.size() + 2 <= 510 - std::string("PRIVMSG #c :").size()) text += "\xC3\xA9";  // é
  std::string line = "PRIVMSG #c :" + text;
  ASSERT_LE(line.size(), 510u);
  h.send(ids[0], line);
  auto got = h.replies(ids[1], "PRIVMSG");
  ASSERT_EQ(got.size(), 1u) << h.dump(ids[1]);
  std::string relayed = got[0].params[1];
  const std::string& raw = got[0].raw;
  std::size_t body = raw.size() - (raw.front() == '@' ? raw.find(' ') + 1 : 0);
  EXPECT_LE(body + 2, 512u) << "relayed line without tags must fit 512 bytes with CR LF";
  EXPECT_LT(relayed.size(), text.size()) << "text should have been cut";
  EXPECT_GT(relayed.size(), 400u) << "text was cut far more than needed";
  EXPECT_EQ(text.compare(0, relayed.size(), relayed), 0) << "relayed text is a prefix of the original";
  EXPECT_TRUE(valid_utf8(relayed)) << "cut in the middle of a UTF-8 sequence";
}

TEST(Privmsg, ShortTextIsRelayedUnchanged) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"bob", {}}});
  h.send(ids[0], "PRIVMSG #c :\xC3\xA9t\xC3\xA9 :) ");
  auto got = h.replies(ids[1], "PRIVMSG");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].params[1], "\xC3\xA9t\xC3\xA9 :) ");
}

// ---- NOTICE -----------------------------------------------------------------------------------

TEST(Notice, IsDelivered) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "NOTICE bob :psst");
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 NOTICE bob :psst"));
}

TEST(Notice, NeverTriggersErrorReplies) {
  EngineHarness h;
  h.config.limits.max_targets = 1;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}});
  h.send(ids[0], "MODE #c +m");
  SessionId o = h.register_user("outsider");
  h.register_user("bob");
  h.send(o, "NOTICE");
  h.send(o, "NOTICE bob");
  h.send(o, "NOTICE ghost :x");
  h.send(o, "NOTICE #void :x");
  h.send(o, "NOTICE #c :x");         // +n
  h.send(o, "NOTICE bob,ghost :x");  // beyond max_targets
  EXPECT_THAT(h.lines(o), IsEmpty());
}

TEST(Notice, ToAwayUserGivesNo301) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(b, "AWAY :gone");
  h.send(a, "NOTICE bob :hi");
  EXPECT_THAT(h.lines(a), IsEmpty());
}

// ---- echo-message ------------------------------------------------------------------------------

TEST(EchoMessage, SenderGetsItsOwnChannelMessage) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {"echo-message"}}, {"bob", {}}});
  h.send(ids[0], "PRIVMSG #c :hello");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :hello"));
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :hello"));
}

TEST(EchoMessage, PrivateMessagesAndNoticesAreEchoed) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"echo-message"});
  h.register_user("bob");
  h.send(a, "PRIVMSG bob :one");
  h.send(a, "NOTICE bob :two");
  EXPECT_THAT(h.lines(a), AreLines(":alice!~alice@127.0.0.1 PRIVMSG bob :one",
                                   ":alice!~alice@127.0.0.1 NOTICE bob :two"));
}

// The delivery and the echo are two different things (IRCv3 labeled-response: only the echo is
// the reply), so a message to oneself arrives twice with echo-message, as with Ergo.
TEST(EchoMessage, MessageToSelfArrivesAsDeliveryAndEcho) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"echo-message"});
  h.send(a, "PRIVMSG alice :note to self");
  EXPECT_THAT(h.lines(a), AreLines(":alice!~alice@127.0.0.1 PRIVMSG alice :note to self",
                                   ":alice!~alice@127.0.0.1 PRIVMSG alice :note to self"));
}

TEST(EchoMessage, RejectedMessageIsNotEchoed) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"echo-message"});
  h.send(a, "PRIVMSG ghost :x");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 401 alice ghost :No such nick/channel"));
}

TEST(EchoMessage, WithoutCapSelfMessageStillArrivesOnce) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "PRIVMSG alice :note");
  EXPECT_THAT(h.lines(a), AreLines(":alice!~alice@127.0.0.1 PRIVMSG alice :note"));
}

// ---- server-time ------------------------------------------------------------------------------

TEST(ServerTime, TagIsUtcIsoWithMilliseconds) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"bob", {"server-time"}}});
  h.send(ids[0], "PRIVMSG #c :now");
  EXPECT_THAT(h.lines(ids[1]),
              AreLines("@time=2026-01-02T03:04:05.678Z :alice!~alice@127.0.0.1 PRIVMSG #c :now"));
  h.clear_all();
  h.clock.advance(1500ms);
  h.send(ids[0], "PRIVMSG #c :later");
  EXPECT_THAT(h.lines(ids[1]),
              AreLines("@time=2026-01-02T03:04:07.178Z :alice!~alice@127.0.0.1 PRIVMSG #c :later"));
}

TEST(ServerTime, OnlyCapHoldersGetTheTag) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"bob", {"server-time"}}, {"carol", {}}});
  h.send(ids[0], "PRIVMSG #c :hi");
  EXPECT_THAT(h.lines(ids[1]).at(0), StartsWith("@time="));
  EXPECT_THAT(h.lines(ids[2]), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :hi"));
}

TEST(ServerTime, FormatterPadsFields) {
  EXPECT_EQ(format_server_time(TimePoint(std::chrono::milliseconds(1000))), "1970-01-01T00:00:01.000Z");
  EXPECT_EQ(format_server_time(FakeClock::start()), "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(unix_seconds(FakeClock::start()), "1767323045");
}

// ---- message-tags -------------------------------------------------------------------------------

TEST(MessageTags, ClientTagsAreRelayedOnlyToMessageTagsUsers) {
  EngineHarness h;
  auto ids =
      h.channel_with_caps("#c", {{"alice", {"message-tags"}}, {"bob", {"message-tags"}}, {"carol", {}}});
  h.send(ids[0], "@+example.com/mood=happy;label=abc;+draft/flag PRIVMSG #c :tagged");
  EXPECT_THAT(without_tag(h.lines(ids[1]), "msgid"),
              AreLines("@+example.com/mood=happy;+draft/flag :alice!~alice@127.0.0.1 PRIVMSG #c :tagged"));
  EXPECT_THAT(h.lines(ids[2]), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :tagged"));
}

TEST(MessageTags, ServerTimeAndClientTagsCombine) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"bob", {"message-tags", "server-time"}}});
  h.send(ids[0], "@+a=b PRIVMSG #c :x");
  EXPECT_THAT(without_tag(h.lines(ids[1]), "msgid"),
              AreLines("@time=2026-01-02T03:04:05.678Z;+a=b :alice!~alice@127.0.0.1 PRIVMSG #c x"));
}

TEST(MessageTags, EscapedValuesAreRelayedVerbatim) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob", {"message-tags"});
  h.send(a, "@+note=a\\sb\\:c PRIVMSG bob :x");
  EXPECT_THAT(without_tag(h.lines(b), "msgid"), AreLines("@+note=a\\sb\\:c :alice!~alice@127.0.0.1 PRIVMSG bob x"));
}

// ---- TAGMSG ---------------------------------------------------------------------------------------

TEST(Tagmsg, ReachesOnlyMessageTagsUsers) {
  EngineHarness h;
  auto ids =
      h.channel_with_caps("#c", {{"alice", {"message-tags"}}, {"bob", {"message-tags"}}, {"carol", {}}});
  h.send(ids[0], "@+typing=active TAGMSG #c");
  EXPECT_THAT(without_tag(h.lines(ids[1]), "msgid"), AreLines("@+typing=active :alice!~alice@127.0.0.1 TAGMSG #c"));
  EXPECT_THAT(h.lines(ids[2]), IsEmpty());
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
}

TEST(Tagmsg, ToNickWithoutMessageTagsIsDropped) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"message-tags"});
  SessionId b = h.register_user("bob");
  SessionId c = h.register_user("carol", {"message-tags"});
  h.send(a, "@+typing=active TAGMSG bob");
  h.send(a, "@+typing=active TAGMSG carol");
  EXPECT_THAT(h.lines(b), IsEmpty());
  EXPECT_THAT(without_tag(h.lines(c), "msgid"), AreLines("@+typing=active :alice!~alice@127.0.0.1 TAGMSG carol"));
}

TEST(Tagmsg, IsEchoedToMessageTagsSenderWithEchoMessage) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"message-tags", "echo-message"});
  h.register_user("bob", {"message-tags"});
  h.send(a, "@+typing=paused TAGMSG bob");
  EXPECT_THAT(without_tag(h.lines(a), "msgid"), AreLines("@+typing=paused :alice!~alice@127.0.0.1 TAGMSG bob"));
}

// ---- STATUSMSG ------------------------------------------------------------------------------------

TEST(Statusmsg, AtChannelReachesOnlyOperators) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"bob", {}}, {"carol", {}}, {"dave", {}}});
  h.send(ids[0], "MODE #c +ov bob carol");
  h.clear_all();
  h.send(ids[2], "PRIVMSG @#c :ops only");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":carol!~carol@127.0.0.1 PRIVMSG @#c :ops only"));
  EXPECT_THAT(h.lines(ids[1]), AreLines(":carol!~carol@127.0.0.1 PRIVMSG @#c :ops only"));
  EXPECT_THAT(h.lines(ids[2]), IsEmpty());
  EXPECT_THAT(h.lines(ids[3]), IsEmpty());
}

TEST(Statusmsg, PlusChannelReachesVoicedAndOperators) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"bob", {}}, {"carol", {}}});
  h.send(ids[0], "MODE #c +v bob");
  h.clear_all();
  h.send(ids[0], "NOTICE +#c :voiced");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 NOTICE +#c :voiced"));
  EXPECT_THAT(h.lines(ids[2]), IsEmpty());
}

TEST(Statusmsg, StillObeysChannelRestrictions) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}});
  SessionId o = h.register_user("outsider");
  h.send(o, "PRIVMSG @#c :hi ops");
  EXPECT_THAT(h.lines(o), AreLines(":parley.local 404 outsider #c :Cannot send to channel (+n)"));
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
}

// ---- AWAY -----------------------------------------------------------------------------------------

TEST(Away, SettingAndClearingGive306And305) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "AWAY :brb");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 306 alice :You have been marked as being away"));
  EXPECT_EQ(h.user(a)->away, "brb");
  h.clear(a);
  h.send(a, "AWAY");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 305 alice :You are no longer marked as being away"));
  EXPECT_EQ(h.user(a)->away, "");
}

TEST(Away, LongMessageIsCutToAwayLen) {
  EngineHarness h;
  h.config.limits.away_length = 4;
  SessionId a = h.register_user("alice");
  h.send(a, "AWAY :abcdefgh");
  EXPECT_EQ(h.user(a)->away, "abcd");
}

TEST(AwayNotify, OnlyCapHoldersInCommonChannelsSeeChanges) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {}}, {"bob", {"away-notify"}}, {"carol", {}}});
  SessionId far = h.register_user("far", {"away-notify"});
  h.send(ids[0], "AWAY :brb");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 AWAY :brb"));
  EXPECT_THAT(h.lines(ids[2]), IsEmpty());
  EXPECT_THAT(h.lines(far), IsEmpty());
  h.clear_all();
  h.send(ids[0], "AWAY");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 AWAY"));
}

TEST(AwayNotify, SentOncePerUserSharingSeveralChannels) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob", {"away-notify"});
  h.send(a, "JOIN #x,#y");
  h.send(b, "JOIN #x,#y");
  h.clear_all();
  h.send(a, "AWAY :out");
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 AWAY :out"));
}

// ircv3.net away-notify: clients with the capability are sent AWAY "when a user sharing a
// channel with them sets, changes or removes their away state, as well as when a user joins
// and has an away message set."
TEST(AwayNotify, JoiningAwayUserIsAnnouncedAfterTheJoin) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"bob", {"away-notify"}}});
  SessionId a = h.register_user("alice");
  h.send(a, "AWAY :brb");
  h.clear_all();
  h.send(a, "JOIN #c");
  EXPECT_THAT(h.lines(ids[0]),
              AreLines(":alice!~alice@127.0.0.1 JOIN #c", ":alice!~alice@127.0.0.1 AWAY :brb"));
}

}  // namespace
}  // namespace parley::core::test
