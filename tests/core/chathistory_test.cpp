// Tests for CHATHISTORY (src/core/commands/chathistory.cpp): parameters and errors, who may read
// what, the request the engine makes, and how entries are replayed to each client. Expected
// behaviour follows the ircv3.net draft/chathistory specification.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/harness.h"
#include "core/history_access.h"
#include "core/history_params.h"
#include "core/history_test_support.h"
#include "core/text.h"
#include "proto/irc_message.h"

namespace parley::core::test {
namespace {

using ::testing::IsEmpty;
using Kind = HistoryRequest::Kind;

const std::vector<std::string> kFull = {"batch", "draft/chathistory", "message-tags", "server-time"};

HistoryEntry entry(std::string target, std::string msgid, std::int64_t ms, std::string command,
                   std::string params, std::string text = {}, std::string tags = {},
                   std::string account = {}) {
  HistoryEntry e;
  e.target = std::move(target);
  e.msgid = std::move(msgid);
  e.time_ms = ms;
  e.source = "alice!~alice@127.0.0.1";
  e.sender_folded = "alice";
  e.account = std::move(account);
  e.command = std::move(command);
  e.tags = std::move(tags);
  e.params = std::move(params);
  e.text = std::move(text);
  return e;
}

HistoryAnswer ok(std::vector<HistoryEntry> entries) {
  HistoryAnswer a;
  a.outcome = HistoryAnswer::Outcome::kOk;
  a.entries = std::move(entries);
  return a;
}

// alice in #c with `caps`; history answered by hand.
struct Manual {
  EngineHarness h;
  SessionId alice;
  explicit Manual(const std::vector<std::string>& caps = kFull) {
    alice = h.register_user("alice", caps);
    h.send(alice, "JOIN #c");
    h.clear_all();
    h.history.mode = FakeHistoryBackend::Mode::kManual;
  }
  std::vector<std::string> fail_for(const std::string& command) {
    h.clear(alice);
    h.send(alice, command);
    return h.take(alice);
  }
};

// ---- parameters ---------------------------------------------------------------------------------

TEST(ChathistoryParams, MalformedCommandsGetStandardReplies) {
  Manual m;
  auto one = [&](const std::string& cmd) {
    auto lines = m.fail_for(cmd);
    return lines.size() == 1 ? lines[0] : "<" + std::to_string(lines.size()) + " lines>";
  };
  EXPECT_THAT(one("CHATHISTORY"),
              IsLine(":parley.local FAIL CHATHISTORY NEED_MORE_PARAMS * :Missing parameters"));
  EXPECT_THAT(one("CHATHISTORY FOO #c * 10"),
              IsLine(":parley.local FAIL CHATHISTORY UNKNOWN_COMMAND FOO :Unknown command"));
  EXPECT_THAT(one("CHATHISTORY latest #c *"),
              IsLine(":parley.local FAIL CHATHISTORY NEED_MORE_PARAMS LATEST :Missing parameters"));
  EXPECT_THAT(one("CHATHISTORY BETWEEN #c msgid=a 10"),
              IsLine(":parley.local FAIL CHATHISTORY NEED_MORE_PARAMS BETWEEN :Missing parameters"));
  EXPECT_THAT(one("CHATHISTORY LATEST #c * 0"),
              IsLine(":parley.local FAIL CHATHISTORY INVALID_PARAMS LATEST 0 :Invalid limit"));
  EXPECT_THAT(one("CHATHISTORY LATEST #c * -5"),
              IsLine(":parley.local FAIL CHATHISTORY INVALID_PARAMS LATEST -5 :Invalid limit"));
  EXPECT_THAT(one("CHATHISTORY LATEST #c * ten"),
              IsLine(":parley.local FAIL CHATHISTORY INVALID_PARAMS LATEST ten :Invalid limit"));
  EXPECT_THAT(one("CHATHISTORY BEFORE #c * 10"),
              IsLine(":parley.local FAIL CHATHISTORY INVALID_PARAMS BEFORE * :Invalid message reference"));
  EXPECT_THAT(one("CHATHISTORY AFTER #c timestamp=2026-02-30T00:00:00.000Z 10"),
              IsLine(":parley.local FAIL CHATHISTORY INVALID_PARAMS AFTER timestamp=2026-02-30T00:00:00.000Z "
                     ":Invalid message reference"));
  EXPECT_THAT(
      one("CHATHISTORY AROUND #c msgid= 10"),
      IsLine(":parley.local FAIL CHATHISTORY INVALID_PARAMS AROUND msgid= :Invalid message reference"));
  EXPECT_THAT(one("CHATHISTORY TARGETS msgid=a timestamp=2026-01-01T00:00:00Z 10"),
              IsLine(":parley.local FAIL CHATHISTORY INVALID_PARAMS TARGETS msgid=a :Invalid timestamp"));
  EXPECT_THAT(m.h.history.queue, IsEmpty());
}

TEST(ChathistoryParams, TimestampsParseToMillisecondsAndRejectImpossibleDates) {
  EXPECT_EQ(parse_server_time("2026-01-02T03:04:05.678Z"), FakeClock::kStartMillis);
  EXPECT_EQ(parse_server_time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_server_time("1970-01-01T00:00:00.5Z"), 500);
  EXPECT_EQ(parse_server_time("1970-01-01T00:00:01.123456789Z"), 1123);
  EXPECT_EQ(parse_server_time("2024-02-29T00:00:00.000Z"), 1709164800000);
  EXPECT_EQ(parse_server_time("2023-02-29T00:00:00.000Z"), std::nullopt);
  EXPECT_EQ(parse_server_time("2026-13-01T00:00:00.000Z"), std::nullopt);
  EXPECT_EQ(parse_server_time("2026-01-01T24:00:00.000Z"), std::nullopt);
  EXPECT_EQ(parse_server_time("2026-01-01T00:00:00.000"), std::nullopt);
  EXPECT_EQ(parse_server_time("2026-01-01T00:00:00.Z"), std::nullopt);
  EXPECT_EQ(parse_server_time("2026-01-01T00:00:00.1234567890Z"), std::nullopt);
  EXPECT_EQ(parse_server_time("1969-12-31T23:59:59.999Z"), std::nullopt);
  EXPECT_EQ(parse_server_time("2026-01-01 00:00:00.000Z"), std::nullopt);
  EXPECT_EQ(parse_server_time(""), std::nullopt);
}

TEST(ChathistoryParams, LimitIsClampedToTheMaximumAndHugeOnesDoNotOverflow) {
  EXPECT_EQ(parse_history_limit("50", 100), 50u);
  EXPECT_EQ(parse_history_limit("100", 100), 100u);
  EXPECT_EQ(parse_history_limit("101", 100), 100u);
  EXPECT_EQ(parse_history_limit("1000000000", 100), 100u);
  EXPECT_EQ(parse_history_limit("99999999999999999999999999999", 100), 100u);
  EXPECT_GT(parse_history_limit("99999999999999999999999999999", 0).value_or(0), 1000000u);
  EXPECT_EQ(parse_history_limit("0", 100), std::nullopt);
  EXPECT_EQ(parse_history_limit("", 100), std::nullopt);
  EXPECT_EQ(parse_history_limit("+5", 100), std::nullopt);
  EXPECT_EQ(parse_history_limit("5x", 100), std::nullopt);
}

TEST(ChathistoryParams, RequestCarriesKindReferencesLimitAndEventsFlag) {
  Manual m({"batch", "draft/chathistory", "draft/event-playback"});
  m.h.send(m.alice, "CHATHISTORY LATEST #C * 5");
  m.h.send(m.alice, "CHATHISTORY BETWEEN #c msgid=abc timestamp=2026-01-02T03:04:05.678Z 1000000000");
  ASSERT_TRUE(m.h.answer_history_next(ok({})));
  ASSERT_EQ(m.h.history.queue.size(), 1u);  // the second waited for the first's answer
  const HistoryRequest& between = m.h.history.queue.front().second;
  EXPECT_EQ(between.kind, Kind::kQuery);
  EXPECT_EQ(between.query.kind, HistoryQuery::Kind::kBetween);
  EXPECT_EQ(between.query.target, "#c");
  EXPECT_EQ(between.query.from.kind, HistoryRef::Kind::kMsgid);
  EXPECT_EQ(between.query.from.msgid, "abc");
  EXPECT_EQ(between.query.to.kind, HistoryRef::Kind::kTime);
  EXPECT_EQ(between.query.to.time_ms, FakeClock::kStartMillis);
  EXPECT_EQ(between.query.limit, 1000u);
  EXPECT_TRUE(between.query.include_events);
}

// ---- replay -------------------------------------------------------------------------------------

TEST(ChathistoryReplay, EntriesComeBackInAChathistoryBatchWithTimeAndMsgid) {
  Manual m;
  m.h.send(m.alice, "CHATHISTORY LATEST #c * 10");
  ASSERT_EQ(m.h.history.queue.size(), 1u);
  EXPECT_EQ(m.h.history.queue.front().second.query.kind, HistoryQuery::Kind::kLatest);
  EXPECT_EQ(m.h.history.queue.front().second.query.from.kind, HistoryRef::Kind::kLatest);
  EXPECT_FALSE(m.h.history.queue.front().second.query.include_events);
  ASSERT_TRUE(m.h.answer_history_next(ok({
      entry("#c", "id1", 1000, "PRIVMSG", "#c :hello", "hello", "+draft/reply=x", "alice"),
      entry("#c", "id2", 2500, "NOTICE", "#c :notice", "notice"),
  })));
  EXPECT_THAT(
      m.h.lines(m.alice),
      AreLines(":parley.local BATCH +1 chathistory #c",
               "@batch=1;time=1970-01-01T00:00:01.000Z;msgid=id1;+draft/reply=x :alice!~alice@127.0.0.1 "
               "PRIVMSG #c :hello",
               "@batch=1;time=1970-01-01T00:00:02.500Z;msgid=id2 :alice!~alice@127.0.0.1 NOTICE #c :notice",
               ":parley.local BATCH -1"));
}

TEST(ChathistoryReplay, PlainClientGetsBareLinesAndNoBatch) {
  Manual m({"draft/chathistory"});
  m.h.send(m.alice, "CHATHISTORY LATEST #c * 10");
  ASSERT_TRUE(
      m.h.answer_history_next(ok({entry("#c", "id1", 1000, "PRIVMSG", "#c :hello", "hello", "+t=1", "al")})));
  EXPECT_THAT(m.h.lines(m.alice), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :hello"));
}

TEST(ChathistoryReplay, AccountTagForClientsWithAccountTag) {
  Manual m({"batch", "account-tag"});
  m.h.send(m.alice, "CHATHISTORY LATEST #c * 10");
  ASSERT_TRUE(
      m.h.answer_history_next(ok({entry("#c", "id1", 1000, "PRIVMSG", "#c :hi", "hi", {}, "Alice")})));
  EXPECT_TRUE(m.h.has_line(m.alice, "@batch=1;account=Alice :alice!~alice@127.0.0.1 PRIVMSG #c :hi"));
}

TEST(ChathistoryReplay, EmptyResultIsAnEmptyBatch) {
  Manual m;
  m.h.send(m.alice, "CHATHISTORY BEFORE #c timestamp=2026-01-01T00:00:00.000Z 10");
  ASSERT_TRUE(m.h.answer_history_next(ok({})));
  EXPECT_THAT(m.h.lines(m.alice),
              AreLines(":parley.local BATCH +1 chathistory #c", ":parley.local BATCH -1"));
}

TEST(ChathistoryReplay, TagmsgAndEventsOnlyWithEventPlayback) {
  std::vector<HistoryEntry> entries = {
      entry("#c", "id1", 1000, "TAGMSG", "#c", {}, "+typing=active"),
      entry("#c", "id2", 2000, "PRIVMSG", "#c :hi", "hi"),
      entry("#c", "id3", 3000, "JOIN", "#c"),
  };
  Manual without;
  without.h.send(without.alice, "CHATHISTORY LATEST #c * 10");
  ASSERT_TRUE(without.h.answer_history_next(ok(entries)));
  EXPECT_EQ(without.h.replies(without.alice, "PRIVMSG").size(), 1u);
  EXPECT_THAT(without.h.replies(without.alice, "TAGMSG"), IsEmpty());
  EXPECT_THAT(without.h.replies(without.alice, "JOIN"), IsEmpty());

  std::vector<std::string> caps = kFull;
  caps.push_back("draft/event-playback");
  Manual with(caps);
  with.h.send(with.alice, "CHATHISTORY LATEST #c * 10");
  ASSERT_TRUE(with.h.answer_history_next(ok(entries)));
  EXPECT_EQ(with.h.commands(with.alice),
            (std::vector<std::string>{"BATCH", "TAGMSG", "PRIVMSG", "JOIN", "BATCH"}));
  EXPECT_TRUE(with.h.has_line(with.alice, "msgid=id1;+typing=active :alice!~alice@127.0.0.1 TAGMSG #c"));
}

TEST(ChathistoryReplay, MultilineEntryIsReplayedAsItsLinesWithTheMsgidOnTheFirst) {
  Manual m;
  m.h.send(m.alice, "CHATHISTORY LATEST #c * 10");
  ASSERT_TRUE(
      m.h.answer_history_next(ok({entry("#c", "id1", 1000, "PRIVMSG", "#c :one\n\ntwo", "one\n\ntwo")})));
  EXPECT_THAT(
      m.h.lines(m.alice),
      AreLines(":parley.local BATCH +1 chathistory #c",
               "@batch=1;time=1970-01-01T00:00:01.000Z;msgid=id1 :alice!~alice@127.0.0.1 PRIVMSG #c :one",
               "@batch=1;time=1970-01-01T00:00:01.000Z :alice!~alice@127.0.0.1 PRIVMSG #c :two",
               ":parley.local BATCH -1"));
}

// A client with draft/multiline gets a multiline message back as it was relayed: a
// draft/multiline batch (the message's tags on its BATCH line) nested in the chathistory batch.
TEST(ChathistoryReplay, MultilineEntryIsANestedMultilineBatchForAMultilineClient) {
  std::vector<std::string> caps = kFull;
  caps.push_back("draft/multiline");
  Manual m(caps);
  m.h.send(m.alice, "CHATHISTORY LATEST #c * 10");
  ASSERT_TRUE(m.h.answer_history_next(ok({
      entry("#c", "id1", 1000, "PRIVMSG", "#c :one\n\ntwo", "one\n\ntwo", "+draft/reply=x"),
      entry("#c", "id2", 2000, "PRIVMSG", "#c :single", "single"),
  })));
  EXPECT_THAT(m.h.lines(m.alice),
              AreLines(":parley.local BATCH +1 chathistory #c",
                       "@batch=1;time=1970-01-01T00:00:01.000Z;msgid=id1;+draft/reply=x :alice!~alice@127.0.0.1 "
                       "BATCH +2 draft/multiline #c",
                       "@batch=2 :alice!~alice@127.0.0.1 PRIVMSG #c :one",
                       "@batch=2 :alice!~alice@127.0.0.1 PRIVMSG #c :",
                       "@batch=2 :alice!~alice@127.0.0.1 PRIVMSG #c :two",
                       "@batch=1 :alice!~alice@127.0.0.1 BATCH -2",
                       "@batch=1;time=1970-01-01T00:00:02.000Z;msgid=id2 :alice!~alice@127.0.0.1 PRIVMSG #c "
                       ":single",
                       ":parley.local BATCH -1"));
}

// History keeps a multiline message's concatenated lines joined (one line of text, for SEARCH),
// so a replayed line can be longer than IRC allows: it is cut again to fit, on a character
// boundary, as draft/multiline-concat lines for a multiline client and as lines of their own
// for the others.
TEST(ChathistoryReplay, AJoinedLineTooLongForOneLineIsCutToFit) {
  std::string word;
  for (int i = 0; i < 400; ++i) word += "\xC3\xA9";  // é: 800 bytes
  const std::string text = word + "\nend";
  for (bool multiline : {false, true}) {
    std::vector<std::string> caps = kFull;
    if (multiline) caps.push_back("draft/multiline");
    Manual m(caps);
    m.h.send(m.alice, "CHATHISTORY LATEST #c * 10");
    ASSERT_TRUE(m.h.answer_history_next(ok({entry("#c", "id1", 1000, "PRIVMSG", "#c :" + text, text)})));
    std::string joined;
    std::vector<bool> concat;
    for (const Line& reply : m.h.replies(m.alice, "PRIVMSG")) {
      const std::string& line = reply.raw;
      const std::string untagged = line.substr(line.find(' ') + 1);  // every line here has tags
      EXPECT_LE(untagged.size() + 2, proto::kMaxLineBytes) << untagged;
      const std::string piece = untagged.substr(untagged.find(" :") + 2);
      EXPECT_TRUE(is_valid_utf8(piece)) << "cut inside a character";
      const bool continues = line.find("draft/multiline-concat") != std::string::npos;
      if (!joined.empty() && !continues) joined += '\n';
      joined += piece;
      concat.push_back(continues);
    }
    EXPECT_EQ(concat, (std::vector<bool>{false, multiline, false})) << (multiline ? "multiline" : "plain");
    if (multiline) {
      EXPECT_EQ(joined, text);
    }
  }
}

// Each piece of a stored text within the limit, split at line feeds and cut at character boundaries.
TEST(ChathistoryReplay, ReplayPiecesSplitAtLineFeedsAndCutLongLines) {
  auto texts = [](std::string_view text, std::size_t max) {
    std::vector<std::string> out;
    for (const ReplayPiece& p : replay_pieces(text, max))
      out.push_back((p.concat ? "+" : "") + std::string(p.text));
    return out;
  };
  EXPECT_EQ(texts("", 10), (std::vector<std::string>{""}));
  EXPECT_EQ(texts("a\n\nb", 10), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(texts("abcdefghij", 4), (std::vector<std::string>{"abcd", "+efgh", "+ij"}));
  EXPECT_EQ(texts("abcd\xC3\xA9" "efgh", 5), (std::vector<std::string>{"abcd", "+\xC3\xA9" "efg", "+h"}));
  EXPECT_EQ(texts("abcd\n", 4), (std::vector<std::string>{"abcd", ""}));
}

TEST(ChathistoryReplay, LabeledRequestLabelsTheBatch) {
  Manual m({"batch", "draft/chathistory", "labeled-response"});
  m.h.send(m.alice, "@label=q1 CHATHISTORY LATEST #c * 10");
  m.h.send(m.alice, "PING later");  // waits for the answer
  EXPECT_THAT(m.h.lines(m.alice), IsEmpty());
  ASSERT_TRUE(m.h.answer_history_next(ok({entry("#c", "id1", 1000, "PRIVMSG", "#c :hi", "hi")})));
  EXPECT_THAT(m.h.lines(m.alice),
              AreLines("@label=q1 :parley.local BATCH +1 chathistory #c",
                       "@batch=1 :alice!~alice@127.0.0.1 PRIVMSG #c :hi", ":parley.local BATCH -1",
                       ":parley.local PONG parley.local later"));
}

TEST(ChathistoryReplay, StoreFailureAndUnknownMsgidAreStandardReplies) {
  Manual m;
  m.h.send(m.alice, "CHATHISTORY LATEST #c * 10");
  HistoryAnswer down;
  down.outcome = HistoryAnswer::Outcome::kFailed;
  ASSERT_TRUE(m.h.answer_history_next(down));
  EXPECT_THAT(
      m.h.take(m.alice),
      AreLines(":parley.local FAIL CHATHISTORY MESSAGE_ERROR LATEST #c :Messages could not be retrieved"));
  m.h.send(m.alice, "CHATHISTORY AFTER #c msgid=nope 10");
  HistoryAnswer unknown;
  unknown.outcome = HistoryAnswer::Outcome::kNotFound;
  ASSERT_TRUE(m.h.answer_history_next(unknown));
  EXPECT_THAT(m.h.take(m.alice),
              AreLines(":parley.local FAIL CHATHISTORY INVALID_PARAMS AFTER msgid=nope :Unknown msgid"));
}

// ---- who may read what --------------------------------------------------------------------------

TEST(ChathistoryPermissions, PublicChannelsLetAnyoneReadChannelsWithoutSecret) {
  EngineHarness h;
  h.config.history.public_channels = true;
  SessionId alice = h.register_user("alice", kFull);
  SessionId mallory = h.register_user("mallory", kFull);
  h.send(alice, "JOIN #open");
  h.send(alice, "JOIN #secret");
  h.send(alice, "MODE #secret +s");
  h.clear_all();
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(mallory, "CHATHISTORY LATEST #secret * 10");
  EXPECT_THAT(h.take(mallory),
              AreLines(":parley.local FAIL CHATHISTORY INVALID_TARGET LATEST #secret :Messages "
                       "could not be retrieved"));
  h.send(mallory, "CHATHISTORY LATEST #open * 10");  // public_channels: anyone
  ASSERT_EQ(h.history.queue.size(), 1u);
  EXPECT_EQ(h.history.queue.front().second.query.target, "#open");
  h.answer_history_next(ok({}));
  h.send(mallory, "CHATHISTORY LATEST #gone * 10");  // no such channel: anyone too
  ASSERT_EQ(h.history.queue.size(), 1u);
  h.answer_history_next(ok({}));
  h.send(alice, "CHATHISTORY LATEST #secret * 10");  // a member reads +s
  ASSERT_EQ(h.history.queue.size(), 1u);
}

TEST(ChathistoryPermissions, MembersOnlyByDefault) {
  EngineHarness h;
  SessionId alice = h.register_user("alice", kFull);
  SessionId mallory = h.register_user("mallory", kFull);
  h.send(alice, "JOIN #open");
  h.clear_all();
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(mallory, "CHATHISTORY LATEST #open * 10");
  h.send(mallory, "CHATHISTORY LATEST #gone * 10");
  EXPECT_THAT(
      h.take(mallory),
      AreLines(
          ":parley.local FAIL CHATHISTORY INVALID_TARGET LATEST #open :Messages could not be retrieved",
          ":parley.local FAIL CHATHISTORY INVALID_TARGET LATEST #gone :Messages could not be retrieved"));
  EXPECT_THAT(h.history.queue, IsEmpty());
  h.send(alice, "CHATHISTORY LATEST #open * 10");
  EXPECT_EQ(h.history.queue.size(), 1u);
}

TEST(ChathistoryPermissions, PrivateTargetsMapToTheAskersOwnConversations) {
  EngineHarness h;
  SessionId alice = logged_in_user(h, "alice", kFull);
  logged_in_user(h, "bob", kFull);
  SessionId guest = h.register_user("guest", kFull);
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  auto key_for = [&](SessionId who, const std::string& target) {
    h.send(who, "CHATHISTORY LATEST " + target + " * 10");
    if (h.history.queue.empty()) return std::string("<no request>");
    const HistoryRequest& r = h.history.queue.front().second;
    std::string key = r.query.target + (r.durable ? "" : " (in memory)");
    h.answer_history_next(ok({}));
    return key;
  };
  EXPECT_EQ(key_for(alice, "BOB"), dm_key("alice", "bob"));
  EXPECT_EQ(key_for(alice, "carol"), dm_key("alice", "carol"));  // offline: the nick as account
  EXPECT_EQ(key_for(alice, "guest"), ephemeral_dm_key("alice", "guest") + " (in memory)");
  EXPECT_EQ(key_for(guest, "bob"), ephemeral_dm_key("bob", "guest") + " (in memory)");
  EXPECT_EQ(key_for(alice, "alice"), dm_key("alice", "alice"));
  h.clear(alice);
  h.send(alice, "CHATHISTORY LATEST a,b * 10");
  EXPECT_THAT(
      h.take(alice),
      AreLines(":parley.local FAIL CHATHISTORY INVALID_TARGET LATEST a,b :Messages could not be retrieved"));
}

// ---- semantics, against the store (FakeHistoryBackend over store::MemoryStore) ------------------

// alice (logged in, echo-message) said "m0".."m9" in #c, 10 ms apart; bob is there too.
struct Said {
  EngineHarness h;
  SessionId alice, bob;
  std::vector<std::string> ids, times;
  Said() {
    alice = logged_in_user(h, "alice",
                           {"batch", "draft/chathistory", "echo-message", "message-tags", "server-time"});
    bob = logged_in_user(h, "bob", {"batch", "draft/chathistory", "message-tags", "server-time"});
    h.send(alice, "JOIN #c");
    h.send(bob, "JOIN #c");
    h.clear_all();
    for (int i = 0; i < 10; ++i) {
      h.clock.advance(std::chrono::milliseconds(10));
      h.send(alice, "PRIVMSG #c :m" + std::to_string(i));
      std::string echo = h.lines(alice).back();
      ids.push_back(msgid_of(echo));
      times.push_back(time_of(echo));
    }
    h.clear_all();
  }
  // The texts of the PRIVMSGs `who` gets back for `command`, checking the batch around them.
  std::vector<std::string> texts(const std::string& command, SessionId who = 0) {
    if (who == 0) who = alice;
    h.clear(who);
    h.send(who, command);
    auto lines = h.parsed(who);
    std::vector<std::string> out;
    if (lines.size() < 2 || lines.front().command != "BATCH" || lines.back().command != "BATCH") {
      out.push_back("<no batch: " + h.dump(who) + ">");
      return out;
    }
    for (const Line& l : lines) {
      if (l.command == "PRIVMSG") out.push_back(l.params.back());
    }
    return out;
  }
  std::vector<std::string> range(int from, int to) {  // "m<from>".."m<to>", inclusive
    std::vector<std::string> out;
    for (int i = from; i <= to; ++i) out.push_back("m" + std::to_string(i));
    return out;
  }
};

TEST(ChathistorySemantics, Latest) {
  Said s;
  EXPECT_EQ(s.texts("CHATHISTORY LATEST #c * 100"), s.range(0, 9));
  EXPECT_EQ(s.texts("CHATHISTORY LATEST #c * 5"), s.range(5, 9));
  EXPECT_EQ(s.texts("CHATHISTORY LATEST #c * 1"), s.range(9, 9));
  EXPECT_EQ(s.texts("CHATHISTORY LATEST #c msgid=" + s.ids[4] + " 100"), s.range(5, 9));
  EXPECT_EQ(s.texts("CHATHISTORY LATEST #c timestamp=" + s.times[4] + " 100"), s.range(5, 9));
  EXPECT_EQ(s.texts("CHATHISTORY LATEST #C * 100", s.bob), s.range(0, 9));
}

TEST(ChathistorySemantics, BeforeAndAfterExcludeTheirReference) {
  Said s;
  EXPECT_EQ(s.texts("CHATHISTORY BEFORE #c msgid=" + s.ids[6] + " 100"), s.range(0, 5));
  EXPECT_EQ(s.texts("CHATHISTORY BEFORE #c timestamp=" + s.times[6] + " 100"), s.range(0, 5));
  EXPECT_EQ(s.texts("CHATHISTORY BEFORE #c timestamp=" + s.times[6] + " 2"), s.range(4, 5));
  EXPECT_EQ(s.texts("CHATHISTORY AFTER #c msgid=" + s.ids[3] + " 100"), s.range(4, 9));
  EXPECT_EQ(s.texts("CHATHISTORY AFTER #c timestamp=" + s.times[3] + " 3"), s.range(4, 6));
  EXPECT_EQ(s.texts("CHATHISTORY AFTER #c msgid=" + s.ids[9] + " 100"), s.range(0, -1));
  EXPECT_EQ(s.texts("CHATHISTORY BEFORE #c timestamp=2020-01-01T00:00:00.000Z 100"), s.range(0, -1));
}

TEST(ChathistorySemantics, BetweenEitherWayCountsFromTheFirstReference) {
  Said s;
  std::string a = "msgid=" + s.ids[0], z = "msgid=" + s.ids[9];
  EXPECT_EQ(s.texts("CHATHISTORY BETWEEN #c " + a + " " + z + " 100"), s.range(1, 8));
  EXPECT_EQ(s.texts("CHATHISTORY BETWEEN #c " + z + " " + a + " 100"), s.range(1, 8));
  EXPECT_EQ(s.texts("CHATHISTORY BETWEEN #c " + a + " " + z + " 3"), s.range(1, 3));
  EXPECT_EQ(s.texts("CHATHISTORY BETWEEN #c " + z + " " + a + " 3"), s.range(6, 8));
  std::string ta = "timestamp=" + s.times[0], tz = "timestamp=" + s.times[9];
  EXPECT_EQ(s.texts("CHATHISTORY BETWEEN #c " + ta + " " + tz + " 100"), s.range(1, 8));
  EXPECT_EQ(s.texts("CHATHISTORY BETWEEN #c " + tz + " " + ta + " 3"), s.range(6, 8));
}

TEST(ChathistorySemantics, AroundCentresOnItsReference) {
  Said s;
  auto three = s.texts("CHATHISTORY AROUND #c msgid=" + s.ids[7] + " 3");
  EXPECT_EQ(three, s.range(6, 8));
  auto ts = s.texts("CHATHISTORY AROUND #c timestamp=" + s.times[7] + " 4");
  EXPECT_EQ(ts.size(), 4u);
}

TEST(ChathistorySemantics, UnknownMsgidIsAnError) {
  Said s;
  s.h.send(s.alice, "CHATHISTORY BEFORE #c msgid=nosuchid 10");
  EXPECT_THAT(s.h.take(s.alice),
              AreLines(":parley.local FAIL CHATHISTORY INVALID_PARAMS BEFORE msgid=nosuchid :Unknown msgid"));
}

TEST(ChathistorySemantics, LimitIsCappedByTheServerMaximum) {
  EngineHarness h;
  h.config.history.max_query = 3;
  SessionId alice = h.register_user("alice", {"batch", "draft/chathistory"});
  h.send(alice, "JOIN #c");
  for (int i = 0; i < 5; ++i) h.send(alice, "PRIVMSG #c :x" + std::to_string(i));
  h.clear(alice);
  h.send(alice, "CHATHISTORY LATEST #c * 1000000000");
  EXPECT_EQ(h.replies(alice, "PRIVMSG").size(), 3u);
}

TEST(ChathistorySemantics, ReplayedLinesMatchWhatWasRelayed) {
  Said s;
  s.h.send(s.bob, "CHATHISTORY LATEST #c * 1");
  auto lines = s.h.lines(s.bob);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(without_tag(lines[1], "batch"),
            "@time=" + s.times[9] + ";msgid=" + s.ids[9] + " :alice!~alice@user/alice PRIVMSG #c :m9");
}

TEST(ChathistorySemantics, PrivateHistoryIsSharedByItsTwoAccountsOnly) {
  Said s;
  SessionId carol = logged_in_user(s.h, "carol", {"batch", "draft/chathistory"});
  s.h.send(s.alice, "PRIVMSG bob :hello bob");
  s.h.send(s.bob, "PRIVMSG alice :hello alice");
  std::vector<std::string> both = {"hello bob", "hello alice"};
  EXPECT_EQ(s.texts("CHATHISTORY LATEST bob * 10", s.alice), both);
  EXPECT_EQ(s.texts("CHATHISTORY LATEST ALICE * 10", s.bob), both);
  EXPECT_EQ(s.texts("CHATHISTORY LATEST alice * 10", carol), s.range(0, -1));
  EXPECT_EQ(s.texts("CHATHISTORY LATEST bob * 10", carol), s.range(0, -1));
  // bob sees his own nick as the target of alice's message, as it was relayed to him
  s.h.clear(s.bob);
  s.h.send(s.bob, "CHATHISTORY LATEST alice * 10");
  EXPECT_TRUE(s.h.has_line(s.bob, ":alice!~alice@user/alice PRIVMSG bob :hello bob"));
  EXPECT_TRUE(s.h.has_line(s.bob, ":bob!~bob@user/bob PRIVMSG alice :hello alice"));
  // the batch names the conversation as the asker wrote it
  s.h.clear(s.bob);
  s.h.send(s.bob, "CHATHISTORY LATEST ALICE * 10");
  ASSERT_FALSE(s.h.parsed(s.bob).empty());
  EXPECT_EQ(s.h.parsed(s.bob).front().params.back(), "ALICE");
}

TEST(ChathistorySemantics, RedactedMessagesAreDeletedFromHistory) {
  Said s;
  s.h.send(s.alice, "REDACT #c " + s.ids[9]);
  EXPECT_EQ(s.texts("CHATHISTORY LATEST #c * 10"), s.range(0, 8));
  s.h.send(s.alice, "PRIVMSG bob :oops");
  std::string oops = msgid_of(s.h.lines(s.alice).back());
  s.h.send(s.alice, "REDACT bob " + oops);
  EXPECT_EQ(s.texts("CHATHISTORY LATEST bob * 10"), s.range(0, -1));
}

TEST(ChathistorySemantics, EphemeralPrivateHistoryGoesWithTheNick) {
  EngineHarness h;
  std::vector<std::string> caps = {"batch", "draft/chathistory"};
  SessionId alice = h.register_user("alice", caps);
  SessionId bob = h.register_user("bob", caps);
  h.send(alice, "PRIVMSG bob :psst");
  h.clear_all();
  h.send(bob, "CHATHISTORY LATEST alice * 10");
  EXPECT_EQ(h.replies(bob, "PRIVMSG").size(), 1u);
  h.send(alice, "QUIT");
  SessionId mallory = h.register_user("alice", caps);  // takes the nick
  h.send(mallory, "CHATHISTORY LATEST bob * 10");
  EXPECT_THAT(h.replies(mallory, "PRIVMSG"), IsEmpty());
  h.clear(bob);
  h.send(bob, "CHATHISTORY LATEST alice * 10");
  EXPECT_THAT(h.replies(bob, "PRIVMSG"), IsEmpty());
}

TEST(ChathistorySemantics, EventPlaybackShowsTopicsAndTagmsgOnlyToClientsWithTheCap) {
  EngineHarness h;
  std::vector<std::string> caps = {"batch", "draft/chathistory", "message-tags"};
  std::vector<std::string> events = caps;
  events.push_back("draft/event-playback");
  SessionId alice = h.register_user("alice", events);
  SessionId bob = h.register_user("bob", caps);
  h.send(alice, "JOIN #c");
  h.send(bob, "JOIN #c");
  h.send(alice, "TOPIC #c :a topic");
  h.send(alice, "@+typing=active TAGMSG #c");
  h.send(alice, "PRIVMSG #c :words");
  h.clear_all();
  h.send(alice, "CHATHISTORY LATEST #c * 10");
  EXPECT_EQ(h.commands(alice),
            (std::vector<std::string>{"BATCH", "JOIN", "JOIN", "TOPIC", "TAGMSG", "PRIVMSG", "BATCH"}));
  h.send(bob, "CHATHISTORY LATEST #c * 10");
  EXPECT_EQ(h.commands(bob), (std::vector<std::string>{"BATCH", "PRIVMSG", "BATCH"}));
}

TEST(ChathistorySemantics, TargetsListsChannelsAndConversationsByLatestActivity) {
  Said s;
  s.h.clock.advance(std::chrono::milliseconds(10));
  s.h.send(s.alice, "PRIVMSG bob :later");
  std::string dm_time = time_of(s.h.lines(s.alice).back());
  s.h.clear(s.alice);
  s.h.send(s.alice,
           "CHATHISTORY TARGETS timestamp=2020-01-01T00:00:00.000Z timestamp=2262-01-01T00:00:00.000Z 10");
  auto lines = s.h.parsed(s.alice);
  ASSERT_EQ(lines.size(), 4u) << s.h.dump(s.alice);
  EXPECT_EQ(lines[0].command, "BATCH");
  EXPECT_EQ(lines[0].params[1], "draft/chathistory-targets");
  EXPECT_EQ(lines[1].params, (std::vector<std::string>{"TARGETS", "#c", s.times[9]}));
  EXPECT_EQ(lines[2].params, (std::vector<std::string>{"TARGETS", "bob", dm_time}));
}

// A private conversation kept in memory (either side not logged in) is listed too, under the
// other side's nick as it is now; once forgotten (the other side left) it is not.
TEST(ChathistorySemantics, TargetsListsInMemoryConversationsUnderTheOtherSidesNick) {
  Said s;
  const std::vector<std::string> caps = {"batch", "draft/chathistory", "message-tags", "server-time"};
  SessionId guest = s.h.register_user("Guest", caps);
  SessionId visitor = s.h.register_user("Visitor", caps);
  s.h.clock.advance(std::chrono::milliseconds(10));
  s.h.send(guest, "PRIVMSG alice :hi from a guest");
  s.h.clock.advance(std::chrono::milliseconds(10));
  s.h.send(guest, "PRIVMSG VISITOR :hello");
  auto targets = [&](SessionId who) {
    s.h.clear(who);
    s.h.send(who,
             "CHATHISTORY TARGETS timestamp=2020-01-01T00:00:00.000Z timestamp=2262-01-01T00:00:00.000Z 10");
    std::vector<std::string> out;
    for (const Line& l : s.h.parsed(who)) {
      if (l.command == "CHATHISTORY") out.push_back(l.params[1]);
    }
    return out;
  };
  EXPECT_EQ(targets(guest), (std::vector<std::string>{"alice", "Visitor"}));
  EXPECT_EQ(targets(s.alice), (std::vector<std::string>{"#c", "Guest"}));
  EXPECT_EQ(targets(visitor), (std::vector<std::string>{"Guest"}));
  s.h.send(visitor, "QUIT :bye");
  EXPECT_EQ(targets(guest), (std::vector<std::string>{"alice"}));
}

TEST(ChathistorySemantics, TargetsKeepsTargetsWhoseLatestMessageIsInTheWindowTheEarliestFirst) {
  Said s;
  s.h.clock.advance(std::chrono::milliseconds(10));
  s.h.send(s.alice, "PRIVMSG bob :later");
  auto names = [&](const std::string& from, const std::string& to, int limit) {
    s.h.clear(s.alice);
    s.h.send(s.alice,
             "CHATHISTORY TARGETS timestamp=" + from + " timestamp=" + to + " " + std::to_string(limit));
    std::vector<std::string> out;
    for (const Line& l : s.h.parsed(s.alice)) {
      if (l.command == "CHATHISTORY") out.push_back(l.params[1]);
    }
    return out;
  };
  const std::string before_all = "2020-01-01T00:00:00.000Z", after_all = "2262-01-01T00:00:00.000Z";
  EXPECT_EQ(names(before_all, after_all, 1), std::vector<std::string>{"#c"});
  EXPECT_EQ(names(after_all, before_all, 10), (std::vector<std::string>{"#c", "bob"}));
  // #c's latest message (m9) is past the window's end: #c is left out, not shown with m4
  EXPECT_THAT(names(before_all, s.times[5], 10), IsEmpty());
  EXPECT_EQ(names(s.times[9], after_all, 10), std::vector<std::string>{"bob"});
}

}  // namespace
}  // namespace parley::core::test
