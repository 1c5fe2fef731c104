// Tests for recording messages into history and the held echo (src/core/history_recording.cpp,
// docs/protocol.md "CHATHISTORY"). The backend runs in kManual mode so that the tests see each
// request and decide when, and how, it is answered.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/harness.h"
#include "core/history_test_support.h"

namespace parley::core::test {
namespace {

using ::testing::IsEmpty;
using Kind = HistoryRequest::Kind;

const std::vector<std::string> kEcho = {"message-tags", "echo-message", "server-time"};

HistoryAnswer failed() {
  HistoryAnswer a;
  a.outcome = HistoryAnswer::Outcome::kFailed;
  a.detail = "disk full";
  return a;
}

TEST(HistoryRecording, ChannelMessageIsAppendedDurablyWithEverythingItsRecipientsSaw) {
  EngineHarness h;
  SessionId alice = logged_in_user(h, "alice");
  SessionId bob = h.register_user("bob", {"message-tags", "server-time"});
  h.send(alice, "JOIN #Chan");
  h.send(bob, "JOIN #chan");
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.clear_all();
  h.send(alice, "@+draft/reply=abc PRIVMSG #Chan :hello there");
  ASSERT_EQ(h.replies(bob, "PRIVMSG").size(), 1u);
  std::string relayed = h.lines(bob).back();
  auto appends = queued(h, Kind::kAppend);
  ASSERT_EQ(appends.size(), 1u);
  const HistoryRequest& r = appends[0];
  EXPECT_TRUE(r.durable);
  EXPECT_EQ(r.entry.target, "#chan");
  EXPECT_EQ(r.entry.msgid, msgid_of(relayed));
  EXPECT_EQ(r.entry.time_ms, FakeClock::kStartMillis);
  EXPECT_EQ(time_of(relayed), "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(r.entry.source, "alice!~alice@user/alice");  // the account host (cloaks.account_hosts)
  EXPECT_EQ(r.entry.sender_folded, "alice");
  EXPECT_EQ(r.entry.account, "alice");
  EXPECT_EQ(r.entry.command, "PRIVMSG");
  EXPECT_EQ(r.entry.tags, "+draft/reply=abc");
  EXPECT_EQ(r.entry.params, "#Chan :hello there");
  EXPECT_EQ(r.entry.text, "hello there");
}

TEST(HistoryRecording, NoticeAndTagmsgAreRecordedTagmsgWithItsTagsAndNoText) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {"message-tags"}}, {"bob", {"message-tags"}}});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "NOTICE #c :heads up");
  h.send(ids[0], "@+typing=active TAGMSG #c");
  h.send(ids[0], "TAGMSG #c");  // no client tags: not relayed, not recorded
  auto appends = queued(h, Kind::kAppend);
  ASSERT_EQ(appends.size(), 2u);
  EXPECT_EQ(appends[0].entry.command, "NOTICE");
  EXPECT_EQ(appends[0].entry.params, "#c :heads up");
  EXPECT_EQ(appends[1].entry.command, "TAGMSG");
  EXPECT_EQ(appends[1].entry.params, "#c");
  EXPECT_EQ(appends[1].entry.tags, "+typing=active");
  EXPECT_EQ(appends[1].entry.text, "");
  EXPECT_EQ(appends[1].entry.account, "");  // alice is not logged in
}

TEST(HistoryRecording, RefusedStatusmsgAndNickServMessagesAreNotRecorded) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  SessionId outsider = h.register_user("mallory");
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(outsider, "PRIVMSG #c :not a member (+n)");
  h.send(ids[0], "PRIVMSG @#c :ops only");
  h.send(ids[0], "PRIVMSG nobody :no such nick");
  h.send(ids[0], "PRIVMSG NickServ :HELP");
  EXPECT_THAT(queued(h, Kind::kAppend), IsEmpty());
  h.send(ids[0], "MODE #c +m");
  h.history.queue.clear();  // the MODE (event-playback)
  h.send(ids[1], "PRIVMSG #c :moderated away");
  EXPECT_THAT(queued(h, Kind::kAppend), IsEmpty());
}

TEST(HistoryRecording, PrivateMessageBetweenAccountsIsDurableUnderTheirDmKey) {
  EngineHarness h;
  SessionId alice = logged_in_user(h, "alice");
  logged_in_user(h, "Bob");
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(alice, "PRIVMSG bob :hi");
  auto appends = queued(h, Kind::kAppend);
  ASSERT_EQ(appends.size(), 1u);
  EXPECT_TRUE(appends[0].durable);
  EXPECT_EQ(appends[0].entry.target, dm_key("alice", "bob"));
  EXPECT_EQ(appends[0].entry.params, "bob :hi");  // the target as sent
}

TEST(HistoryRecording, PrivateMessageWithAUserNotLoggedInIsEphemeralAndForgottenWhenEitherGoes) {
  EngineHarness h;
  SessionId alice = logged_in_user(h, "alice");
  SessionId bob = h.register_user("bob");
  SessionId carol = h.register_user("carol");
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(alice, "PRIVMSG bob :hi");
  h.send(carol, "PRIVMSG bob :hey");
  auto appends = queued(h, Kind::kAppend);
  ASSERT_EQ(appends.size(), 2u);
  EXPECT_FALSE(appends[0].durable);
  EXPECT_EQ(appends[0].entry.target, ephemeral_dm_key("alice", "bob"));
  EXPECT_EQ(appends[0].entry.target, "~alice bob");
  EXPECT_EQ(appends[1].entry.target, "~bob carol");
  EXPECT_THAT(queued(h, Kind::kForget), IsEmpty());
  h.send(bob, "NICK robert");  // the old nick's conversations must not pass to its next owner
  auto forgets = queued(h, Kind::kForget);
  ASSERT_EQ(forgets.size(), 2u);
  EXPECT_EQ(forgets[0].target, "~alice bob");
  EXPECT_EQ(forgets[1].target, "~bob carol");
  h.history.queue.clear();
  h.send(carol, "QUIT");
  forgets = queued(h, Kind::kForget);
  ASSERT_EQ(forgets.size(), 1u);
  EXPECT_EQ(forgets[0].target, "~bob carol");
}

TEST(HistoryRecording, SilencedPrivateMessageIsNotRecorded) {
  EngineHarness h;
  SessionId alice = h.register_user("alice");
  SessionId bob = h.register_user("bob");
  h.send(bob, "SILENCE +alice!*@*");
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(alice, "PRIVMSG bob :you will not see this");
  EXPECT_THAT(queued(h, Kind::kAppend), IsEmpty());
}

TEST(HistoryRecording, MultilineMessageIsOneEntryWithItsLinesJoined) {
  EngineHarness h;
  std::vector<std::string> caps = {"batch", "draft/multiline", "message-tags"};
  auto ids = h.channel_with_caps("#c", {{"alice", caps}, {"bob", caps}});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "BATCH +m draft/multiline #c");
  h.send(ids[0], "@batch=m PRIVMSG #c :first");
  h.send(ids[0], "@batch=m;draft/multiline-concat PRIVMSG #c : half");
  h.send(ids[0], "@batch=m PRIVMSG #c :second");
  h.send(ids[0], "BATCH -m");
  auto appends = queued(h, Kind::kAppend);
  ASSERT_EQ(appends.size(), 1u);
  EXPECT_EQ(appends[0].entry.text, "first half\nsecond");
  EXPECT_EQ(appends[0].entry.params, "#c :first half\nsecond");
  EXPECT_EQ(appends[0].entry.msgid, msgid_of(h.find_line(ids[1], "BATCH +").value_or("")));
}

TEST(HistoryRecording, DisabledHistoryRecordsNothingAndOffersNothing) {
  EngineHarness h;
  h.config.history.enabled = false;
  SessionId probe = h.connect();
  h.send(probe, "CAP LS 302");
  EXPECT_FALSE(h.has_line(probe, "draft/chathistory"));
  EXPECT_FALSE(h.has_line(probe, "draft/event-playback"));
  h.send(probe, "CAP REQ draft/chathistory");
  EXPECT_TRUE(h.has_line(probe, " NAK "));
  h.send(probe, "NICK probe");
  h.send(probe, "USER probe 0 * :p");
  h.send(probe, "CAP END");
  EXPECT_FALSE(h.has_line(probe, "CHATHISTORY="));
  auto ids = h.channel_with_caps("#c", {{"alice", kEcho}, {"bob", {}}});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "PRIVMSG #c :hi");
  h.send(ids[0], "PRIVMSG bob :hi");
  EXPECT_EQ(h.history.submitted, 0);
  EXPECT_EQ(h.replies(ids[0], "PRIVMSG").size(), 2u);  // echoes are not held
  h.send(ids[0], "CHATHISTORY LATEST #c * 10");
  EXPECT_THAT(h.lines(ids[0]).back(), IsLine(":parley.local 421 alice CHATHISTORY :Unknown command"));
}

TEST(HistoryRecording, EnabledHistoryOffersTheCapsAndIsupportTokens) {
  EngineHarness h;
  h.config.history.max_query = 250;
  SessionId probe = h.connect();
  h.send(probe, "CAP LS 302");
  EXPECT_TRUE(h.has_line(probe, "draft/chathistory"));
  EXPECT_TRUE(h.has_line(probe, "draft/event-playback"));
  h.send(probe, "NICK probe");
  h.send(probe, "USER probe 0 * :p");
  h.send(probe, "CAP END");
  EXPECT_TRUE(h.has_line(probe, " CHATHISTORY=250 "));
  EXPECT_TRUE(h.has_line(probe, " MSGREFTYPES=timestamp,msgid "));
}

// ---- draft/event-playback -----------------------------------------------------------------------

TEST(HistoryRecording, ChannelEventsAreRecordedWithTheMsgidMembersSaw) {
  EngineHarness h;
  SessionId alice = h.register_user("alice", {"message-tags"});
  SessionId bob = h.register_user("bob");
  h.send(alice, "JOIN #c");
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.clear_all();
  h.send(bob, "JOIN #c");
  std::string join_id = msgid_of(h.find_line(alice, " JOIN ").value_or(""));
  h.send(alice, "TOPIC #c :new topic");
  std::string topic_id = msgid_of(h.find_line(alice, " TOPIC ").value_or(""));
  h.send(alice, "MODE #c +v bob");
  h.send(bob, "NICK robert");
  h.send(alice, "KICK #c robert :out");
  h.send(bob, "JOIN #c");
  h.send(bob, "PART #c :bye");
  h.send(bob, "JOIN #c");
  h.send(bob, "QUIT :done");
  auto appends = queued(h, Kind::kAppend);
  std::vector<std::string> events;
  for (const auto& r : appends) {
    EXPECT_TRUE(r.durable);
    EXPECT_EQ(r.entry.target, "#c");
    events.push_back(r.entry.source.substr(0, r.entry.source.find('!')) + " " + r.entry.command + " " +
                     r.entry.params);
  }
  EXPECT_THAT(events,
              ::testing::ElementsAre("bob JOIN #c", "alice TOPIC #c :new topic", "alice MODE #c +v bob",
                                     "bob NICK robert", "alice KICK #c robert :out", "robert JOIN #c",
                                     "robert PART #c :bye", "robert JOIN #c", "robert QUIT :Quit: done"));
  ASSERT_GE(appends.size(), 2u);
  EXPECT_FALSE(join_id.empty());
  EXPECT_EQ(appends[0].entry.msgid, join_id);
  EXPECT_EQ(appends[1].entry.msgid, topic_id);
}

TEST(HistoryRecording, WithoutHistoryEventsCarryNoMsgid) {
  EngineHarness h;
  h.config.history.enabled = false;
  SessionId alice = h.register_user("alice", {"message-tags"});
  h.send(alice, "JOIN #c");
  EXPECT_THAT(h.lines(alice), HasLine(":alice!~alice@127.0.0.1 JOIN #c"));
  EXPECT_EQ(h.history.submitted, 0);
}

// ---- the held echo ------------------------------------------------------------------------------

TEST(HeldEcho, OthersGetTheMessageAtOnceTheSenderItsEchoOnlyWhenStored) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kEcho}, {"bob", {}}});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "PRIVMSG #c :one");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :one"));
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  ASSERT_EQ(h.history.queue.size(), 1u);
  ASSERT_TRUE(h.answer_history_next());
  ASSERT_EQ(h.replies(ids[0], "PRIVMSG").size(), 1u);
  EXPECT_EQ(h.replies(ids[0], "PRIVMSG")[0].params[1], "one");
  EXPECT_EQ(h.engine().pending_requests(), 0u);
}

// Pipelining: an echo-message sender's further channel messages do not wait for the earlier ones'
// echoes; they go out at once and share the storage queue, and each echo follows its own answer.
TEST(HeldEcho, FurtherChannelMessagesGoOutAtOnceAndEachEchoFollowsItsOwnAnswer) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kEcho}, {"bob", {}}});
  h.send(ids[0], "JOIN #d");
  h.send(ids[1], "JOIN #d");
  h.clear_all();
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "PRIVMSG #c :one");
  h.send(ids[0], "NOTICE #c,#d :two");
  h.send(ids[0], "PRIVMSG #d :three");
  EXPECT_EQ(h.replies(ids[1], "PRIVMSG").size(), 2u);
  EXPECT_EQ(h.replies(ids[1], "NOTICE").size(), 2u);
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  ASSERT_EQ(h.history.queue.size(), 4u);  // one append per channel and message
  auto echoes = [&] { return without_tag(without_tag(h.lines(ids[0]), "msgid"), "time"); };
  ASSERT_TRUE(h.answer_history_next());
  EXPECT_THAT(echoes(), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :one"));
  ASSERT_TRUE(h.answer_history_next());  // #c's of "two": #d's is still to come
  EXPECT_EQ(h.lines(ids[0]).size(), 1u);
  ASSERT_TRUE(h.answer_history_next());
  ASSERT_TRUE(h.answer_history_next());
  EXPECT_THAT(
      echoes(),
      AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :one", ":alice!~alice@127.0.0.1 NOTICE #c :two",
               ":alice!~alice@127.0.0.1 NOTICE #d :two", ":alice!~alice@127.0.0.1 PRIVMSG #d :three"));
  EXPECT_EQ(h.engine().pending_requests(), 0u);
}

// Any other line waits for the echoes before it, and the lines after it wait behind it, so what
// the sender gets keeps the order of what it sent (a client that sends PING to learn that the
// server has handled its earlier lines gets PONG after their echoes).
TEST(HeldEcho, AnyOtherLineWaitsForTheEchoesBeforeIt) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kEcho}, {"bob", {}}});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "PRIVMSG #c :one");
  h.send(ids[0], "PING :sync");
  h.send(ids[0], "PRIVMSG #c :two");  // behind the PING
  h.send(ids[0], "PRIVMSG bob :hi");  // a private message is never handled early
  h.send(ids[0], "@label=x PRIVMSG #c :three");
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  EXPECT_EQ(h.replies(ids[1], "PRIVMSG").size(), 1u);
  ASSERT_EQ(h.history.queue.size(), 1u);
  ASSERT_TRUE(h.answer_history_next());  // "one": its echo, PONG, then "two" is handled
  EXPECT_EQ(h.replies(ids[1], "PRIVMSG").size(), 2u);
  ASSERT_TRUE(h.answer_history_next());  // "two": its echo, then the private message
  ASSERT_TRUE(h.answer_history_next());
  ASSERT_TRUE(h.answer_history_next());
  EXPECT_FALSE(h.answer_history_next());
  std::vector<std::string> got;
  for (const auto& l : h.lines(ids[0])) {
    const Line p = parse_line(l);
    got.push_back(p.command + " " + (p.params.empty() ? "" : p.params.back()));
  }
  EXPECT_THAT(
      got, ::testing::ElementsAre("PRIVMSG one", "PONG sync", "PRIVMSG two", "PRIVMSG hi", "PRIVMSG three"));
  EXPECT_EQ(h.replies(ids[1], "PRIVMSG").size(), 4u);
  EXPECT_EQ(h.engine().pending_requests(), 0u);
}

TEST(HeldEcho, FailedAppendStillEchoesAndTellsTheSenderItWasNotStored) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kEcho}, {"bob", {}}});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "PRIVMSG #c :lost");
  ASSERT_TRUE(h.answer_history_next(failed()));
  auto lines = without_tag(without_tag(h.lines(ids[0]), "msgid"), "time");
  EXPECT_THAT(lines,
              AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :lost",
                       ":parley.local FAIL PRIVMSG MESSAGE_ERROR #c :Message not stored in history: the "
                       "history store is unavailable"));
}

TEST(HeldEcho, SenderWithoutEchoOrLabelDoesNotWaitButLearnsOfAFailure) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "PRIVMSG #c :one");
  h.send(ids[0], "PRIVMSG #c :two");
  EXPECT_EQ(h.replies(ids[1], "PRIVMSG").size(), 2u);  // not deferred
  ASSERT_TRUE(h.answer_history_next());
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  ASSERT_TRUE(h.answer_history_next(failed()));
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local FAIL PRIVMSG MESSAGE_ERROR #c :Message not stored in "
                                        "history: the history store is unavailable"));
}

// A sender who does not wait makes quiet appends (HistoryBackend::append): the backend may leave
// out their kOk, and any later answer tells the engine they were stored. A failed one is still
// answered, and reported with the target as the sender wrote it.
TEST(HeldEcho, QuietAppendsNeedNoAnswerOfTheirOwnUnlessTheyFail) {
  EngineHarness h;
  auto ids = h.channel_with("#a", {"alice", "bob"});
  h.send(ids[0], "JOIN #b");
  h.send(ids[1], "JOIN #b");
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.clear_all();
  h.send(ids[0], "PRIVMSG #a :one");
  h.send(ids[0], "PRIVMSG #B :two");
  h.send(ids[0], "PRIVMSG #a :three");
  h.send(ids[0], "PRIVMSG #a :four");
  ASSERT_EQ(h.history.queue.size(), 4u);
  for (const auto& [id, request] : h.history.queue) EXPECT_TRUE(h.history.quiet.contains(id)) << id;
  EXPECT_EQ(h.engine().pending_requests(), 4u);
  auto run_unanswered = [&] {
    h.history.answer_for(h.history.queue.front().second);  // stored; the answer is left out
    h.history.queue.pop_front();
  };
  run_unanswered();                              // "one"
  ASSERT_TRUE(h.answer_history_next(failed()));  // "two"
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local FAIL PRIVMSG MESSAGE_ERROR #B :Message not stored in "
                                        "history: the history store is unavailable"));
  EXPECT_EQ(h.engine().pending_requests(), 2u);
  run_unanswered();                   // "three"
  ASSERT_TRUE(h.answer_history_next());  // "four": "three" was stored too
  EXPECT_EQ(h.engine().pending_requests(), 0u);
  EXPECT_EQ(h.lines(ids[0]).size(), 1u);  // only the one FAIL
}

TEST(HeldEcho, BackloggedStoreHoldsEverySenderUntilItsMessageIsStoredNothingIsRefused) {
  EngineHarness h;
  h.config.history.max_backlog = 2;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "PRIVMSG #c :one");    // 0 outstanding: not held
  h.send(ids[0], "PRIVMSG #c :two");    // 1 outstanding: not held
  h.send(ids[0], "PRIVMSG #c :three");  // 2 outstanding: delivered, and alice waits for it
  EXPECT_EQ(h.replies(ids[1], "PRIVMSG").size(), 3u);
  EXPECT_FALSE(h.sink.input_paused(ids[0]));
  h.send(ids[0], "PRIVMSG #c :four");  // waits, and so does alice's connection
  EXPECT_EQ(h.replies(ids[1], "PRIVMSG").size(), 3u);
  EXPECT_TRUE(h.sink.input_paused(ids[0]));
  ASSERT_TRUE(h.answer_history_next());
  ASSERT_TRUE(h.answer_history_next());
  EXPECT_EQ(h.replies(ids[1], "PRIVMSG").size(), 3u);  // "three" is not stored yet
  ASSERT_TRUE(h.answer_history_next());
  EXPECT_EQ(h.replies(ids[1], "PRIVMSG").size(), 4u);
  EXPECT_FALSE(h.sink.input_paused(ids[0]));
  while (h.answer_history_next()) {
  }
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());  // no FAIL: everything was stored
  HistoryQuery all;
  all.target = "#c";
  all.from.kind = HistoryRef::Kind::kLatest;
  all.limit = 10;
  auto stored = h.history.durable.query_history(all);
  ASSERT_TRUE(stored.is_ok());
  EXPECT_EQ(stored.value().size(), 4u);
}

TEST(HeldEcho, RefusedForAFullQueueTheSenderIsToldSo) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kEcho}, {"bob", {}}});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "PRIVMSG #c :hi");
  HistoryAnswer full;
  full.outcome = HistoryAnswer::Outcome::kFailed;
  full.detail = std::string(kHistoryQueueFull);
  ASSERT_TRUE(h.answer_history_next(full));
  EXPECT_TRUE(h.has_line(
      ids[0], "FAIL PRIVMSG MESSAGE_ERROR #c :Message not stored in history: the history queue is full"))
      << h.dump(ids[0]);
}

TEST(HeldEcho, LabeledMessageIsAcknowledgedOnlyWhenStored) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {"labeled-response", "batch"}}, {"bob", {}}});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "@label=L1 PRIVMSG #c :hi");
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  ASSERT_TRUE(h.answer_history_next());
  EXPECT_THAT(h.lines(ids[0]), AreLines("@label=L1 :parley.local ACK"));
}

TEST(HeldEcho, LabeledEchoCarriesTheLabelWhenItComes) {
  EngineHarness h;
  auto ids =
      h.channel_with_caps("#c", {{"alice", {"labeled-response", "batch", "echo-message"}}, {"bob", {}}});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "@label=L2 PRIVMSG #c :hi");
  EXPECT_THAT(h.lines(ids[0]), IsEmpty());
  ASSERT_TRUE(h.answer_history_next());
  EXPECT_THAT(h.lines(ids[0]), AreLines("@label=L2 :alice!~alice@127.0.0.1 PRIVMSG #c :hi"));
}

TEST(HeldEcho, SeveralTargetsReleaseTheirEchoesTogetherWithTheLastAnswer) {
  EngineHarness h;
  SessionId alice = h.register_user("alice", {"echo-message"});
  SessionId bob = h.register_user("bob");
  h.send(alice, "JOIN #a");
  h.send(alice, "JOIN #b");
  h.send(bob, "JOIN #a");
  h.clear_all();
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(alice, "PRIVMSG #a,#b :both");
  ASSERT_EQ(h.history.queue.size(), 2u);
  ASSERT_TRUE(h.answer_history_next(failed()));
  EXPECT_THAT(h.lines(alice), IsEmpty());
  ASSERT_TRUE(h.answer_history_next());
  EXPECT_THAT(h.lines(alice),
              AreLines(":alice!~alice@127.0.0.1 PRIVMSG #a :both", ":alice!~alice@127.0.0.1 PRIVMSG #b :both",
                       ":parley.local FAIL PRIVMSG MESSAGE_ERROR #a :Message not stored in "
                       "history: the history store is unavailable"));
}

TEST(HeldEcho, EphemeralPrivateMessageEchoesAtOnce) {
  EngineHarness h;
  SessionId alice = h.register_user("alice", {"echo-message"});
  SessionId bob = h.register_user("bob");
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(alice, "PRIVMSG bob :hi");
  EXPECT_EQ(h.replies(alice, "PRIVMSG").size(), 1u);
  EXPECT_EQ(h.replies(bob, "PRIVMSG").size(), 1u);
  EXPECT_EQ(h.history.queue.size(), 1u);
}

TEST(HeldEcho, DurablePrivateMessageToSelfIsDeliveredAtOnceAndEchoedWhenStored) {
  EngineHarness h;
  SessionId alice = logged_in_user(h, "alice", {"echo-message"});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(alice, "PRIVMSG alice :note to self");
  EXPECT_EQ(h.replies(alice, "PRIVMSG").size(), 1u);  // the delivery
  ASSERT_TRUE(h.answer_history_next());
  EXPECT_EQ(h.replies(alice, "PRIVMSG").size(), 2u);  // and the echo
}

TEST(HeldEcho, MultilineEchoIsHeldToo) {
  EngineHarness h;
  std::vector<std::string> caps = {"batch", "draft/multiline", "echo-message"};
  auto ids = h.channel_with_caps("#c", {{"alice", caps}, {"bob", caps}});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "BATCH +m draft/multiline #c");
  h.send(ids[0], "@batch=m PRIVMSG #c :one");
  h.send(ids[0], "BATCH -m");
  EXPECT_TRUE(h.has_line(ids[1], "BATCH +"));
  EXPECT_FALSE(h.has_line(ids[0], "BATCH +"));
  ASSERT_TRUE(h.answer_history_next());
  EXPECT_TRUE(h.has_line(ids[0], "BATCH +"));
}

TEST(HeldEcho, SenderWhoLeavesBeforeTheAnswerIsForgottenQuietly) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kEcho}, {"bob", {}}});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(ids[0], "PRIVMSG #c :bye");
  h.engine().disconnect(ids[0], "gone", h.now());
  EXPECT_EQ(h.history.queue.size(), 2u);  // the message and alice's QUIT (event-playback)
  while (h.answer_history_next()) {
  }
  EXPECT_EQ(h.engine().pending_requests(), 0u);
  EXPECT_EQ(h.replies(ids[0], "PRIVMSG").size(), 0u);
}

}  // namespace
}  // namespace parley::core::test
