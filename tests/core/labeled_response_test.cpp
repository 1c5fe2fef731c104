// Tests for the IRCv3 machinery in src/core/engine.cpp that every command shares: message ids
// (message-ids), labeled-response with batch, and standard replies. Expected behaviour follows
// the ircv3.net specifications "Message IDs", "Labeled responses", "Batches" and "Standard
// replies".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/harness.h"
#include "core/msgid.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::string tag_value(const std::string& line, const std::string& key) {
  std::smatch m;
  std::regex re("[@;]" + key + "=([^; ]*)");
  return std::regex_search(line, m, re) ? m[1].str() : std::string();
}

// ---- message ids ------------------------------------------------------------------------------

constexpr std::int64_t kSomeMillis = 1767323045678;  // 2026-01-02T03:04:05.678Z

TEST(MsgId, Is22CharactersOfBase64Url) {
  MsgIdGenerator gen({1, 2, 3, 4});
  std::regex shape("^[A-Za-z0-9_-]{22}$");
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(std::regex_match(gen.next(kSomeMillis + i / 10), shape));
}

TEST(MsgId, DoesNotRepeatWithinOneMillisecondOrAcrossTheSequenceCarry) {
  MsgIdGenerator gen({});
  std::set<std::string> seen;
  for (int i = 0; i < 100000; ++i)
    ASSERT_TRUE(seen.insert(gen.next(kSomeMillis)).second) << "repeat after " << i;
}

TEST(MsgId, SortInTheOrderIssuedAlsoWhenTheClockStepsBack) {
  MsgIdGenerator gen({3, 1, 4, 1});
  const std::int64_t times[] = {
      kSomeMillis, kSomeMillis, kSomeMillis + 1,         kSomeMillis - 5000, kSomeMillis + 1, kSomeMillis + 2,
      0,           -1,          kSomeMillis + 86'400'000};
  std::string previous;
  for (std::int64_t t : times) {
    std::string id = gen.next(t);
    EXPECT_LT(previous, id) << "at " << t;
    previous = id;
  }
}

TEST(MsgId, TheTimeOfAnIdIsTheMillisecondItWasIssuedIn) {
  MsgIdGenerator gen({5, 6, 7, 8});
  EXPECT_EQ(MsgIdGenerator::time_of(gen.next(kSomeMillis)), kSomeMillis);
  EXPECT_EQ(MsgIdGenerator::time_of(gen.next(kSomeMillis)), kSomeMillis) << "the second of that millisecond";
  EXPECT_EQ(MsgIdGenerator::time_of(gen.next(0)), kSomeMillis) << "the clock stepped back: the id stays ahead";
  EXPECT_EQ(MsgIdGenerator::time_of("not an id"), std::nullopt);
  EXPECT_EQ(MsgIdGenerator::time_of("zzzzzzzzzzzzzzzzzzzzzz"), std::nullopt) << "more than 64 bits";
  EXPECT_EQ(MsgIdGenerator::time_of("----------------------"), 0);
  EXPECT_EQ(MsgIdGenerator::time_of("-----------=----------"), std::nullopt);
  EXPECT_EQ(MsgIdGenerator::time_of("---------------------="), std::nullopt) << "a bad last character";
  EXPECT_EQ(MsgIdGenerator::time_of("----------\xc3----------\xa9"), std::nullopt) << "bytes above ASCII";
  EXPECT_EQ(MsgIdGenerator::time_of(std::string_view("----------\0-----------", 22)), std::nullopt);
}

TEST(MsgId, LaterMillisecondsSortLaterAcrossGenerators) {  // the time part leads
  MsgIdGenerator a({1, 0, 0, 0}), b({2, 0, 0, 0});
  for (int i = 0; i < 5; ++i) b.next(kSomeMillis + 1);  // b's sequence is ahead
  EXPECT_LT(b.next(kSomeMillis + 1), a.next(kSomeMillis + 2));
}

TEST(MsgId, SameSeedSameSequenceOtherSeedOtherSequence) {
  MsgIdGenerator a({7, 7, 7, 7}), b({7, 7, 7, 7}), c({7, 7, 7, 8});
  for (int i = 0; i < 10; ++i) {
    std::string x = a.next(kSomeMillis);
    EXPECT_EQ(x, b.next(kSomeMillis));
    EXPECT_NE(x, c.next(kSomeMillis));
  }
}

TEST(MsgId, RandomHalfUsesEveryCharacterOfTheAlphabet) {  // all 6-bit groups are drawn from the bits
  MsgIdGenerator gen({42, 0, 0, 0});
  std::set<char> chars;
  for (int i = 0; i < 2000; ++i) {
    std::string id = gen.next(kSomeMillis);
    chars.insert(id.begin() + 12, id.end());  // the half's first character holds only 4 bits
  }
  EXPECT_EQ(chars.size(), 64u);
}

TEST(MsgId, PrivmsgCarriesTheSameIdToEveryMessageTagsRecipientAndTheEcho) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {"message-tags", "echo-message"}},
                                        {"bob", {"message-tags"}},
                                        {"carol", {"message-tags", "server-time"}},
                                        {"dave", {}}});
  h.send(ids[0], "PRIVMSG #c :hello");
  ASSERT_THAT(h.lines(ids[0]), SizeIs(1));
  std::string id = tag_value(h.lines(ids[0])[0], "msgid");
  EXPECT_EQ(id.size(), MsgIdGenerator::kLength);
  EXPECT_EQ(tag_value(h.lines(ids[1])[0], "msgid"), id);
  EXPECT_EQ(tag_value(h.lines(ids[2])[0], "msgid"), id);
  EXPECT_THAT(h.lines(ids[3]), ElementsAre(":alice!~alice@127.0.0.1 PRIVMSG #c :hello"))
      << "no tags without message-tags";
}

TEST(MsgId, EachMessageAndEachTargetGetsItsOwn) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob", {"message-tags"});
  SessionId c = h.register_user("carol", {"message-tags"});
  h.send(a, "PRIVMSG bob,carol :one");
  h.send(a, "NOTICE bob :two");
  h.send(a, "@+typing=active TAGMSG bob");
  std::set<std::string> seen;
  for (SessionId s : {b, c}) {
    for (const auto& l : h.lines(s)) {
      std::string id = tag_value(l, "msgid");
      EXPECT_FALSE(id.empty()) << l;
      EXPECT_TRUE(seen.insert(id).second) << "msgid reused: " << l;
    }
  }
  EXPECT_EQ(seen.size(), 4u);
}

TEST(MsgId, ServerTagsComeBeforeClientTags) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob", {"message-tags"});
  h.send(a, "@+a=b PRIVMSG bob :x");
  ASSERT_THAT(h.lines(b), SizeIs(1));
  EXPECT_TRUE(std::regex_match(h.lines(b)[0], std::regex("^@msgid=[A-Za-z0-9_-]{22};\\+a=b :alice.*")))
      << h.lines(b)[0];
}

// ---- labeled-response -----------------------------------------------------------------------

std::vector<std::string> kLabeled = {"labeled-response", "batch"};

TEST(LabeledResponse, OneLineReplyCarriesTheLabel) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kLabeled);
  h.send(a, "@label=abc PING token");
  EXPECT_THAT(h.lines(a), AreLines("@label=abc :parley.local PONG parley.local token"));
}

TEST(LabeledResponse, SeveralLinesAreALabeledBatch) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kLabeled);
  h.send(a, "@label=j1 JOIN #c");
  auto got = h.lines(a);
  ASSERT_GE(got.size(), 4u) << h.dump(a);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(got.front(), m,
                               std::regex("^@label=j1 :parley.local BATCH \\+(\\S+) labeled-response$")))
      << got.front();
  std::string ref = m[1];
  EXPECT_EQ(got.back(), ":parley.local BATCH -" + ref);
  for (std::size_t i = 1; i + 1 < got.size(); ++i) {
    EXPECT_EQ(got[i].rfind("@batch=" + ref + " ", 0), 0u) << got[i];
  }
  EXPECT_THAT(got[1], ::testing::HasSubstr(" JOIN #c"));
  EXPECT_THAT(got[got.size() - 2], ::testing::HasSubstr(" 366 alice #c "));
}

TEST(LabeledResponse, BatchTagJoinsExistingTags) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"labeled-response", "batch", "server-time"});
  h.send(a, "@label=x JOIN #c");
  auto got = h.lines(a);
  ASSERT_GE(got.size(), 3u);
  EXPECT_TRUE(std::regex_match(got[1], std::regex("^@batch=\\S+;time=\\S+ :alice!\\S+ JOIN #c$"))) << got[1];
}

TEST(LabeledResponse, SilentCommandIsAcknowledged) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kLabeled);
  h.send(a, "@label=p PONG parley.local");
  EXPECT_THAT(h.lines(a), AreLines("@label=p :parley.local ACK"));
}

TEST(LabeledResponse, EchoOfAMessageIsTheLabeledReply) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"labeled-response", "batch", "echo-message"});
  SessionId b = h.register_user("bob");
  h.send(a, "@label=m PRIVMSG bob :hi");
  EXPECT_THAT(h.lines(a), AreLines("@label=m :alice!~alice@127.0.0.1 PRIVMSG bob :hi"));
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 PRIVMSG bob :hi"))
      << "the label is the author's only";
}

TEST(LabeledResponse, MessageToOneselfIsNotTheReply) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kLabeled);
  h.send(a, "@label=s PRIVMSG alice :note to self");
  EXPECT_THAT(h.lines(a),
              AreLines(":alice!~alice@127.0.0.1 PRIVMSG alice :note to self", "@label=s :parley.local ACK"));
}

TEST(LabeledResponse, WithoutBatchOnlyTheFirstLineIsLabeled) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"labeled-response"});
  h.send(a, "@label=q JOIN #c");
  auto got = h.lines(a);
  ASSERT_GE(got.size(), 2u);
  EXPECT_EQ(got[0].rfind("@label=q :alice!", 0), 0u) << got[0];
  for (std::size_t i = 1; i < got.size(); ++i) EXPECT_EQ(got[i].find("label="), std::string::npos) << got[i];
}

TEST(LabeledResponse, NoLabelWithoutTheCapability) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"message-tags"});
  h.send(a, "@label=abc PING token");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local PONG parley.local token"));
}

TEST(LabeledResponse, OverlongLabelIsIgnored) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kLabeled);
  h.send(a, "@label=" + std::string(65, 'x') + " PING t");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local PONG parley.local t"));
}

TEST(LabeledResponse, ErrorRepliesAreLabeledToo) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kLabeled);
  h.send(a, "@label=e PRIVMSG nobody :x");
  EXPECT_THAT(h.lines(a), AreLines("@label=e :parley.local 401 alice nobody :No such nick/channel"));
  h.clear(a);
  h.send(a, "@label=u FROBNICATE");
  EXPECT_THAT(h.lines(a), AreLines("@label=u :parley.local 421 alice FROBNICATE :Unknown command"));
}

TEST(LabeledResponse, QuitReleasesTheReplyBeforeClosing) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kLabeled);
  h.send(a, "@label=bye QUIT :done");
  EXPECT_THAT(h.lines(a), AreLines("@label=bye ERROR :Closing Link: 127.0.0.1 (Quit: done)"));
  EXPECT_TRUE(h.closed(a));
}

TEST(LabeledResponse, MessageToOneselfWithEchoLabelsOnlyTheEcho) {
  EngineHarness h;
  SessionId a = h.register_user("alice", {"labeled-response", "batch", "echo-message"});
  h.send(a, "@label=s PRIVMSG alice :hi");
  EXPECT_THAT(h.lines(a), AreLines(":alice!~alice@127.0.0.1 PRIVMSG alice :hi",
                                   "@label=s :alice!~alice@127.0.0.1 PRIVMSG alice :hi"));
}

TEST(LabeledResponse, UnknownCommandWithPunctuationIs421AndLabeled) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kLabeled);
  h.send(a, "@label=d NO_SUCH_COMMAND x");
  EXPECT_THAT(h.lines(a), AreLines("@label=d :parley.local 421 alice NO_SUCH_COMMAND :Unknown command"));
}

TEST(LabeledResponse, OtherUsersOutputIsNotHeld) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kLabeled}, {"bob", kLabeled}});
  h.send(ids[0], "@label=t TOPIC #c :new topic");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 TOPIC #c :new topic"));
  EXPECT_THAT(h.lines(ids[0]), AreLines("@label=t :alice!~alice@127.0.0.1 TOPIC #c :new topic"));
}

TEST(LabeledResponse, BatchReferencesAreNotReused) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kLabeled);
  h.send(a, "@label=1 JOIN #a");
  h.send(a, "@label=2 JOIN #b");
  auto starts = h.replies(a, "BATCH");
  ASSERT_EQ(starts.size(), 4u);
  EXPECT_NE(starts[0].params[0], starts[2].params[0]);
}

// ---- standard replies -------------------------------------------------------------------------

TEST(StandardReplies, FailHasCommandCodeContextAndDescription) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.engine().fail(*h.user(a), "REDACT", "UNKNOWN_MSGID", {"#c", "abc", "This message does not exist"});
  h.engine().warn(*h.user(a), "*", "SOMETHING", {"Careful"});
  h.engine().note(*h.user(a), "NICK", "FYI", {"Just so you know"});
  EXPECT_THAT(
      h.lines(a),
      AreLines(":parley.local FAIL REDACT UNKNOWN_MSGID #c abc :This message does not exist",
               ":parley.local WARN * SOMETHING :Careful", ":parley.local NOTE NICK FYI :Just so you know"));
}

}  // namespace
}  // namespace parley::core::test
