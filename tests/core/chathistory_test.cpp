// Tests for CHATHISTORY (src/core/commands/chathistory.cpp): parameters and errors, who may read
// what, the request the engine makes, and how entries are replayed to each client. Expected
// behaviour follows the ircv3.net draft/chathistory specification.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/harness.h"
#include "core/history_params.h"
#include "core/history_test_support.h"

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

TEST(ChathistoryPermissions, ChannelReadRules) {
  EngineHarness h;
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
  h.send(mallory, "CHATHISTORY LATEST #open * 10");  // public by default
  ASSERT_EQ(h.history.queue.size(), 1u);
  EXPECT_EQ(h.history.queue.front().second.query.target, "#open");
  h.answer_history_next(ok({}));
  h.send(mallory, "CHATHISTORY LATEST #gone * 10");  // no such channel: public too
  ASSERT_EQ(h.history.queue.size(), 1u);
  h.answer_history_next(ok({}));
  h.send(alice, "CHATHISTORY LATEST #secret * 10");  // a member reads +s
  ASSERT_EQ(h.history.queue.size(), 1u);
}

TEST(ChathistoryPermissions, MembersOnlyWhenChannelsAreNotPublic) {
  EngineHarness h;
  h.config.history.public_channels = false;
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

}  // namespace
}  // namespace parley::core::test
