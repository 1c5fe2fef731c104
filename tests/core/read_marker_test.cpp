// Tests for draft/read-marker (src/core/commands/read_marker.cpp, core/channel_replay.cpp): MARKREAD
// get and set, markers that only move forwards, the marker on join before the end of NAMES, and
// one account's markers shared by its sessions. Over the in-memory store with a fake clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/harness.h"
#include "core/history_test_support.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::vector<std::string> kCap = {"draft/read-marker"};
constexpr std::string_view kT1 = "2019-01-04T14:33:26.123Z";
constexpr std::string_view kT2 = "2019-06-01T12:00:00.000Z";

std::vector<std::string> markreads(EngineHarness& h, SessionId id) {
  std::vector<std::string> out;
  for (const std::string& l : h.lines(id)) {
    if (l.find(" MARKREAD ") != std::string::npos) out.push_back(l);
  }
  return out;
}

// Index of the first received line whose command is `command`, or -1.
long position(EngineHarness& h, SessionId id, const std::string& command) {
  auto cmds = h.commands(id);
  auto it = std::find(cmds.begin(), cmds.end(), command);
  return it == cmds.end() ? -1 : it - cmds.begin();
}

TEST(ReadMarker, CapIsOfferedWithHistory) {
  EngineHarness h;
  SessionId id = h.connect();
  h.send(id, "CAP LS 302");
  EXPECT_TRUE(h.has_line(id, "draft/read-marker"));
  EXPECT_TRUE(h.has_line(id, "znc.in/playback"));
}

TEST(ReadMarker, SessionMarkerStartsUnsetAndOnlyMovesForwards) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kCap);
  h.send(a, "MARKREAD #nosuchtarget");
  EXPECT_THAT(h.take(a), AreLines(":parley.local MARKREAD #nosuchtarget *"));
  h.send(a, "MARKREAD #test timestamp=" + std::string(kT2));
  EXPECT_THAT(h.take(a), AreLines(":parley.local MARKREAD #test timestamp=" + std::string(kT2)));
  h.send(a, "MARKREAD #TEST timestamp=" + std::string(kT1));  // older, and another case
  EXPECT_THAT(h.take(a), AreLines(":parley.local MARKREAD #TEST timestamp=" + std::string(kT2)));
  h.send(a, "MARKREAD bob timestamp=" + std::string(kT1));
  h.clear(a);
  h.send(a, "MARKREAD Bob");
  EXPECT_THAT(h.take(a), AreLines(":parley.local MARKREAD Bob timestamp=" + std::string(kT1)));
}

TEST(ReadMarker, MalformedCommandsAreStandardReplies) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kCap);
  auto one = [&](const std::string& line) {
    h.send(a, line);
    auto got = h.take(a);
    return got.size() == 1 ? got[0] : "<" + std::to_string(got.size()) + " lines>";
  };
  EXPECT_THAT(one("MARKREAD"), IsLine(":parley.local FAIL MARKREAD NEED_MORE_PARAMS :Missing parameters"));
  EXPECT_THAT(one("MARKREAD #test *"),
              IsLine(":parley.local FAIL MARKREAD INVALID_PARAMS #test :Invalid timestamp"));
  EXPECT_THAT(one("MARKREAD #test timestamp=not-a-timestamp"),
              IsLine(":parley.local FAIL MARKREAD INVALID_PARAMS #test :Invalid timestamp"));
  EXPECT_THAT(one("MARKREAD #test 2019-01-04T14:33:26.123Z"),
              IsLine(":parley.local FAIL MARKREAD INVALID_PARAMS #test :Invalid timestamp"));
  EXPECT_THAT(one("MARKREAD b@d timestamp=2019-01-04T14:33:26.123Z"),
              IsLine(":parley.local FAIL MARKREAD INVALID_PARAMS b@d :Invalid target"));
}

TEST(ReadMarker, JoinSendsTheMarkerBeforeTheEndOfNames) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kCap);
  h.send(a, "JOIN #test");
  EXPECT_THAT(markreads(h, a), ElementsAre(":parley.local MARKREAD #test *"));
  EXPECT_LT(position(h, a, "MARKREAD"), position(h, a, "366"));
  h.send(a, "MARKREAD #test timestamp=" + std::string(kT1));
  h.send(a, "PART #test");
  h.clear(a);
  h.send(a, "JOIN #test");
  EXPECT_THAT(markreads(h, a), ElementsAre(":parley.local MARKREAD #test timestamp=" + std::string(kT1)));
  SessionId b = h.register_user("bob");
  h.send(b, "JOIN #test");
  EXPECT_THAT(markreads(h, b), IsEmpty());  // without the capability
}

TEST(ReadMarker, AccountMarkersAreStoredAndSharedWithItsOtherSessions) {
  EngineHarness h;
  SessionId laptop = logged_in_user(h, "alice", kCap);
  SessionId phone = h.register_user("alice_phone", kCap);
  h.send(phone, "NS IDENTIFY alice sesame123");
  SessionId old_client = h.register_user("alice_old");
  h.send(old_client, "NS IDENTIFY alice sesame123");
  SessionId bob = logged_in_user(h, "bob", kCap);
  h.clear_all();

  h.send(laptop, "MARKREAD #test timestamp=" + std::string(kT2));
  const std::string stored = ":parley.local MARKREAD #test timestamp=" + std::string(kT2);
  EXPECT_THAT(h.take(laptop), AreLines(stored));
  EXPECT_THAT(h.take(phone), AreLines(stored));
  EXPECT_THAT(markreads(h, old_client), IsEmpty());
  EXPECT_THAT(markreads(h, bob), IsEmpty());
  auto in_store = h.history.durable.read_marker("alice", "#test");
  ASSERT_TRUE(in_store.is_ok());
  EXPECT_EQ(in_store.value(), 1559390400000);

  // An older time changes nothing: the setter is told the stored value, nobody else anything.
  h.send(phone, "MARKREAD #test timestamp=" + std::string(kT1));
  EXPECT_THAT(h.take(phone), AreLines(stored));
  EXPECT_THAT(h.take(laptop), IsEmpty());
  h.send(bob, "MARKREAD #test");
  EXPECT_THAT(h.take(bob), AreLines(":parley.local MARKREAD #test *"));
}

TEST(ReadMarker, LoggedInJoinWaitsForTheStoredMarkerBeforeNames) {
  EngineHarness h;
  SessionId a = logged_in_user(h, "alice", kCap);
  ASSERT_TRUE(h.history.durable.set_read_marker("alice", "#test", 1559390400000).is_ok());
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(a, "JOIN #test");
  EXPECT_EQ(position(h, a, "JOIN"), 0);
  EXPECT_EQ(position(h, a, "353"), -1);        // NAMES waits for the marker
  h.send(a, "PRIVMSG #test :after the join");  // held until the answer, in order
  while (h.answer_history_next()) {
  }
  EXPECT_THAT(markreads(h, a), ElementsAre(":parley.local MARKREAD #test timestamp=" + std::string(kT2)));
  EXPECT_LT(position(h, a, "MARKREAD"), position(h, a, "366"));
  EXPECT_GT(position(h, a, "MARKREAD"), 0);
}

TEST(ReadMarker, StoreFailureIsInternalError) {
  EngineHarness h;
  SessionId a = logged_in_user(h, "alice", kCap);
  h.history.fail_all = true;
  h.send(a, "MARKREAD #test timestamp=" + std::string(kT1));
  EXPECT_THAT(
      h.take(a),
      AreLines(":parley.local FAIL MARKREAD INTERNAL_ERROR #test :The read marker could not be saved"));
  h.send(a, "JOIN #test");  // the join still completes, with no marker known
  EXPECT_THAT(markreads(h, a), ElementsAre(":parley.local MARKREAD #test *"));
  EXPECT_NE(position(h, a, "366"), -1);
}

}  // namespace
}  // namespace parley::core::test
