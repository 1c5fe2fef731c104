// Tests for REDACT (src/core/commands/redact.cpp) and the recent-message index it consults
// (src/core/recent_messages.h). Expected behaviour follows the ircv3.net draft specification
// "Message redaction" (draft/message-redaction).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::IsEmpty;
using namespace std::chrono_literals;

const std::vector<std::string> kCaps = {"message-tags", "echo-message", "draft/message-redaction"};

std::string msgid_of(const std::string& line) {
  std::smatch m;
  std::regex re("[@;]msgid=([^; ]*)");
  return std::regex_search(line, m, re) ? m[1].str() : std::string();
}

// alice (op, redaction), bob (redaction), carol (no redaction) in #c.
struct Channel3 {
  EngineHarness h;
  std::vector<SessionId> ids;
  Channel3() {
    ids = h.channel_with_caps("#c", {{"alice", kCaps}, {"bob", kCaps}, {"carol", {"message-tags"}}});
  }
  SessionId alice() const { return ids[0]; }
  SessionId bob() const { return ids[1]; }
  SessionId carol() const { return ids[2]; }
  // `who` says something in #c; returns its msgid.
  std::string say(SessionId who, const std::string& text = "hello") {
    h.send(who, "PRIVMSG #c :" + text);
    std::string id = msgid_of(h.lines(carol()).back());
    h.clear_all();
    return id;
  }
};

TEST(Redact, CapabilityIsAdvertised) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP LS 302");
  EXPECT_TRUE(h.has_line(a, "draft/message-redaction"));
}

TEST(Redact, AuthorRedactsOwnMessageForMembersWithTheCapOnly) {
  Channel3 t;
  std::string id = t.say(t.bob());
  ASSERT_FALSE(id.empty());
  t.h.send(t.bob(), "REDACT #c " + id + " :typo");
  std::string expected = ":bob!~bob@127.0.0.1 REDACT #c " + id + " :typo";
  EXPECT_THAT(without_tag(t.h.lines(t.bob()), "msgid"), AreLines(expected));
  EXPECT_THAT(without_tag(t.h.lines(t.alice()), "msgid"), AreLines(expected));
  EXPECT_FALSE(msgid_of(t.h.lines(t.alice())[0]).empty()) << "a REDACT has a msgid of its own";
  EXPECT_THAT(t.h.lines(t.carol()), IsEmpty());
}

TEST(Redact, ChannelOperatorRedactsOthersButOthersCannot) {
  Channel3 t;
  std::string by_alice = t.say(t.alice());
  t.h.send(t.bob(), "REDACT #c " + by_alice);
  EXPECT_THAT(t.h.lines(t.bob()), AreLines(":parley.local FAIL REDACT REDACT_FORBIDDEN #c " + by_alice +
                                           " :You are not authorised to delete this message"));
  EXPECT_THAT(t.h.lines(t.alice()), IsEmpty());
  std::string by_bob = t.say(t.bob());
  t.h.send(t.alice(), "REDACT #c " + by_bob + " spam");
  EXPECT_THAT(without_tag(t.h.lines(t.bob()), "msgid"),
              AreLines(":alice!~alice@127.0.0.1 REDACT #c " + by_bob + " :spam"));
}

TEST(Redact, UnknownMsgidAndInvalidTargets) {
  Channel3 t;
  SessionId dave = t.h.register_user("dave", kCaps);
  t.h.send(t.alice(), "REDACT #c nosuchid");
  EXPECT_THAT(t.h.take(t.alice()),
              AreLines(":parley.local FAIL REDACT UNKNOWN_MSGID #c nosuchid :This message "
                       "does not exist or is too old"));
  std::string id = t.say(t.alice());
  t.h.send(dave, "REDACT #c " + id);
  t.h.send(dave, "REDACT #nowhere " + id);
  t.h.send(dave, "REDACT nobody " + id);
  EXPECT_THAT(t.h.lines(dave),
              AreLines(":parley.local FAIL REDACT INVALID_TARGET #c :You cannot delete messages from #c",
                       ":parley.local FAIL REDACT INVALID_TARGET #nowhere :You cannot delete "
                       "messages from #nowhere",
                       ":parley.local FAIL REDACT INVALID_TARGET nobody :You cannot delete "
                       "messages from nobody"));
}

TEST(Redact, WindowIsEnforcedAndNamed) {
  EngineHarness h;
  h.config.limits.redact_window = 60;
  auto ids = h.channel_with_caps("#c", {{"alice", kCaps}});
  h.send(ids[0], "PRIVMSG #c :old");
  std::string id = msgid_of(h.take(ids[0]).back());
  h.clock.advance(61s);
  h.send(ids[0], "REDACT #c " + id);
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local FAIL REDACT REDACT_WINDOW_EXPIRED #c " + id +
                                        " 60 :You can no longer delete this message"));
}

TEST(Redact, OnlyTheLatestMessagesOfATargetAreKept) {
  EngineHarness h;
  h.config.limits.redact_messages = 3;
  auto ids = h.channel_with_caps("#c", {{"alice", kCaps}});
  std::vector<std::string> sent;
  for (int i = 0; i < 4; ++i) {
    h.send(ids[0], "PRIVMSG #c :m" + std::to_string(i));
    sent.push_back(msgid_of(h.take(ids[0]).back()));
  }
  EXPECT_EQ(h.channel("#c")->recent->size(), 3u);
  h.send(ids[0], "REDACT #c " + sent[0]);
  EXPECT_TRUE(h.has_line(ids[0], "UNKNOWN_MSGID"));
  h.clear(ids[0]);
  h.send(ids[0], "REDACT #c " + sent[1]);
  EXPECT_TRUE(h.has_line(ids[0], " REDACT #c " + sent[1]));
}

TEST(Redact, AMessageIsRedactedOnce) {
  Channel3 t;
  std::string id = t.say(t.bob());
  t.h.send(t.bob(), "REDACT #c " + id);
  t.h.clear_all();
  t.h.send(t.alice(), "REDACT #c " + id);
  EXPECT_TRUE(t.h.has_line(t.alice(), "FAIL REDACT UNKNOWN_MSGID"));
  EXPECT_THAT(t.h.lines(t.bob()), IsEmpty());
}

TEST(Redact, TagmsgIsRedactable) {
  Channel3 t;
  t.h.send(t.alice(), "@+draft/react=x TAGMSG #c");
  std::string id = msgid_of(t.h.lines(t.bob()).back());
  t.h.clear_all();
  t.h.send(t.alice(), "REDACT #c " + id);
  EXPECT_TRUE(t.h.has_line(t.bob(), " REDACT #c " + id));
}

TEST(Redact, PrivateMessageByItsAuthorReachesBothPartiesOnly) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kCaps);
  SessionId b = h.register_user("bob", kCaps);
  h.send(a, "PRIVMSG bob :secret");
  std::string id = msgid_of(h.take(b).back());
  h.clear_all();
  h.send(b, "REDACT alice " + id);
  EXPECT_THAT(h.take(b), AreLines(":parley.local FAIL REDACT REDACT_FORBIDDEN alice " + id +
                                  " :You are not authorised to delete this message"));
  h.send(a, "REDACT bob " + id);
  std::string expected = ":alice!~alice@127.0.0.1 REDACT bob " + id;
  EXPECT_THAT(without_tag(h.lines(a), "msgid"), AreLines(expected));
  EXPECT_THAT(without_tag(h.lines(b), "msgid"), AreLines(expected));
}

TEST(Redact, ALabeledRedactIsAnsweredByTheLabeledRedact) {
  EngineHarness h;
  std::vector<std::string> caps = kCaps;
  caps.insert(caps.end(), {"batch", "labeled-response"});
  auto ids = h.channel_with_caps("#c", {{"alice", caps}});
  h.send(ids[0], "PRIVMSG #c :x");
  std::string id = msgid_of(h.take(ids[0]).back());
  h.send(ids[0], "@label=L1 REDACT #c " + id);
  ASSERT_EQ(h.lines(ids[0]).size(), 1u);
  EXPECT_THAT(h.lines(ids[0])[0], ::testing::StartsWith("@label=L1;msgid="));
}

}  // namespace
}  // namespace parley::core::test
