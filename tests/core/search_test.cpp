// Tests for SEARCH (src/core/commands/search.cpp, src/core/search_params.cpp): the attribute
// parser, the capability, who may search what, and the replies. Expected behaviour follows
// soju's doc/ext/search.md (soju.im/search); matching itself is the store's (its contract tests:
// tests/store/history_search_contract_test.cpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/harness.h"
#include "core/history_params.h"
#include "core/history_test_support.h"
#include "core/search_params.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Kind = HistoryRequest::Kind;

const std::vector<std::string> kFull = {"batch", "message-tags", "server-time", "soju.im/search",
                                        "echo-message"};

// ---- the attribute parser -----------------------------------------------------------------------

TEST(SearchParams, EveryAttributeParsesAndValuesAreUnescaped) {
  SearchParse p = parse_search(
      "in=#c;from=Bob;text=hello\\sworld\\:\\\\x;after=2026-01-02T03:04:05.678Z;before=2026-01-03T00:00:00Z;"
      "limit=5",
      1000);
  ASSERT_TRUE(p.attributes) << p.error.key << ": " << p.error.description;
  const SearchAttributes& a = *p.attributes;
  EXPECT_EQ(a.in, "#c");
  EXPECT_EQ(a.from, "Bob");
  EXPECT_EQ(a.text, "hello world;\\x");
  EXPECT_EQ(a.after_ms, parse_server_time("2026-01-02T03:04:05.678Z"));
  EXPECT_EQ(a.before_ms, parse_server_time("2026-01-03T00:00:00.000Z"));
  EXPECT_EQ(a.limit, 5u);
}

TEST(SearchParams, NoAttributesSearchEverythingWithTheDefaultLimit) {
  SearchParse p = parse_search("", 1000);
  ASSERT_TRUE(p.attributes);
  EXPECT_TRUE(p.attributes->in.empty());
  EXPECT_TRUE(p.attributes->text.empty());
  EXPECT_FALSE(p.attributes->after_ms);
  EXPECT_EQ(p.attributes->limit, kSearchDefaultLimit);
  EXPECT_EQ(parse_search(";;", 1000).attributes->limit, kSearchDefaultLimit);
  EXPECT_EQ(parse_search("", 20).attributes->limit, 20u);  // the default never passes the maximum
}

TEST(SearchParams, LimitIsFromOneAndClampedToTheMaximum) {
  EXPECT_EQ(parse_search("limit=1", 1000).attributes->limit, 1u);
  EXPECT_EQ(parse_search("limit=1000", 1000).attributes->limit, 1000u);
  EXPECT_EQ(parse_search("limit=1001", 1000).attributes->limit, 1000u);
  EXPECT_EQ(parse_search("limit=99999999999999999999999", 1000).attributes->limit, 1000u);
  for (const char* bad : {"limit=0", "limit=-1", "limit=+3", "limit=ten", "limit=1.5"}) {
    SearchParse p = parse_search(bad, 1000);
    EXPECT_FALSE(p.attributes) << bad;
    EXPECT_EQ(p.error.key, "limit") << bad;
    EXPECT_EQ(p.error.description, "Invalid limit") << bad;
  }
}

TEST(SearchParams, MalformedAttributesNameTheOffendingKey) {
  auto error = [](std::string_view text) {
    SearchParse p = parse_search(text, 1000);
    if (p.attributes) return std::string("<parsed>");
    return std::string(p.error.key) + ": " + std::string(p.error.description);
  };
  EXPECT_EQ(error("bogus=1"), "bogus: Unknown attribute");
  EXPECT_EQ(error("text=a;IN=#c"), "IN: Unknown attribute");  // keys are case-sensitive, as tags are
  EXPECT_EQ(error("text=a;text=b"), "text: Duplicate attribute");
  EXPECT_EQ(error("text"), "text: Missing value");
  EXPECT_EQ(error("in="), "in: Missing value");
  EXPECT_EQ(error("after=yesterday"), "after: Invalid timestamp");
  EXPECT_EQ(error("before=2026-02-30T00:00:00Z"), "before: Invalid timestamp");
  EXPECT_EQ(error("in=#a\\sb"), "in: Invalid target");
  EXPECT_EQ(error("in=#a,#b"), "in: Invalid target");
  EXPECT_EQ(error("from=a\\nb"), "from: Invalid nick");
  EXPECT_EQ(error("=x"), ": Unknown attribute");
}

// ---- the command --------------------------------------------------------------------------------

TEST(SearchCommand, CapabilityIsOfferedOnlyWithHistory) {
  EngineHarness on;
  SessionId probe = on.connect();
  on.send(probe, "CAP LS 302");
  EXPECT_TRUE(on.has_line(probe, "soju.im/search"));

  EngineHarness off;
  off.config.history.enabled = false;
  probe = off.connect();
  off.send(probe, "CAP LS 302");
  EXPECT_FALSE(off.has_line(probe, "soju.im/search"));
  off.send(probe, "CAP REQ soju.im/search");
  EXPECT_TRUE(off.has_line(probe, " NAK "));
  SessionId alice = off.register_user("alice");
  off.send(alice, "SEARCH text=hi");
  EXPECT_THAT(off.take(alice), AreLines(":parley.local 421 alice SEARCH :Unknown command"));
}

TEST(SearchCommand, WithoutTheCapabilityItFails) {
  EngineHarness h;
  SessionId alice = h.register_user("alice", {"batch"});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(alice, "SEARCH text=hi");
  EXPECT_THAT(h.take(alice), AreLines(":parley.local FAIL SEARCH NEED_CAPABILITY soju.im/search :The "
                                      "soju.im/search capability is not enabled"));
  EXPECT_THAT(h.history.queue, IsEmpty());
}

TEST(SearchCommand, MalformedSearchesGetFailAndNoRequest) {
  EngineHarness h;
  SessionId alice = h.register_user("alice", kFull);
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  auto one = [&](const std::string& line) {
    h.clear(alice);
    h.send(alice, line);
    auto lines = h.take(alice);
    return lines.size() == 1 ? lines[0] : "<" + std::to_string(lines.size()) + " lines>";
  };
  EXPECT_THAT(one("SEARCH"), IsLine(":parley.local FAIL SEARCH NEED_MORE_PARAMS :Missing parameters"));
  EXPECT_THAT(one("SEARCH limit=0"), IsLine(":parley.local FAIL SEARCH INVALID_PARAMS limit :Invalid limit"));
  EXPECT_THAT(one("SEARCH :text=a b;nope=1"),
              IsLine(":parley.local FAIL SEARCH INVALID_PARAMS nope :Unknown attribute"));
  EXPECT_THAT(one("SEARCH ::evil=1"),
              IsLine(":parley.local FAIL SEARCH INVALID_PARAMS evil :Unknown attribute"));
  EXPECT_THAT(one("SEARCH after=2026-13-01T00:00:00Z"),
              IsLine(":parley.local FAIL SEARCH INVALID_PARAMS after :Invalid timestamp"));
  EXPECT_THAT(one("SEARCH in=#a,#b"), IsLine(":parley.local FAIL SEARCH INVALID_PARAMS in :Invalid target"));
  EXPECT_THAT(h.history.queue, IsEmpty());
}

TEST(SearchCommand, RequestCarriesTheAttributesWithInclusiveBounds) {
  EngineHarness h;
  SessionId alice = h.register_user("alice", kFull);
  h.send(alice, "JOIN #c");
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(
      alice,
      "SEARCH :in=#C;from=BOB;text=x y;after=2026-01-02T00:00:00.000Z;before=2026-01-03T00:00:00Z;limit=7");
  auto searches = queued(h, Kind::kSearch);
  ASSERT_EQ(searches.size(), 1u) << h.dump(alice);
  const SearchQuery& q = searches[0].search;
  EXPECT_THAT(q.targets, ElementsAre("#c"));
  EXPECT_EQ(q.from_folded, "bob");
  EXPECT_EQ(q.text, "x y");
  EXPECT_EQ(q.after_ms, *parse_server_time("2026-01-02T00:00:00Z") - 1);  // the spec's "at or after"
  EXPECT_EQ(q.before_ms, *parse_server_time("2026-01-03T00:00:00Z") + 1);
  EXPECT_EQ(q.limit, 7u);
  EXPECT_TRUE(searches[0].durable);
}

// ---- semantics, against the store (FakeHistoryBackend over store::MemoryStore) ------------------

// alice and bob (logged in) in #c; alice said "alpha one".."alpha four" there, bob "beta one",
// each 10 ms after the last; alice told bob "private alpha"; alice has +s #hidden with
// "hidden alpha"; mallory (not logged in) is in #c too.
struct Said {
  EngineHarness h;
  SessionId alice, bob, mallory;
  std::vector<std::string> times;  // of alice's "alpha" lines in #c
  Said() {
    alice = logged_in_user(h, "alice", kFull);
    bob = logged_in_user(h, "bob", kFull);
    mallory = h.register_user("mallory", kFull);
    for (SessionId id : {alice, bob, mallory}) h.send(id, "JOIN #c");
    h.send(alice, "JOIN #hidden");
    h.send(alice, "MODE #hidden +s");
    for (const char* n : {"one", "two", "three", "four"}) {
      say(alice, std::string("PRIVMSG #c :alpha ") + n);
      times.push_back(time_of(h.lines(alice).back()));
    }
    say(bob, "PRIVMSG #c :beta one");
    say(alice, "PRIVMSG bob :private alpha");
    say(alice, "PRIVMSG #hidden :hidden alpha");
    h.clear_all();
  }
  void say(SessionId who, const std::string& line) {
    h.clock.advance(std::chrono::milliseconds(10));
    h.send(who, line);
  }
  // The texts `who` gets back for `command`, checking the batch around them.
  std::vector<std::string> texts(const std::string& command, SessionId who = 0) {
    if (who == 0) who = alice;
    h.clear(who);
    h.send(who, command);
    auto lines = h.parsed(who);
    std::vector<std::string> out;
    if (lines.size() < 2 || lines.front().raw.find(" BATCH +") == std::string::npos ||
        lines.front().params.at(1) != "soju.im/search" || lines.back().command != "BATCH") {
      out.push_back("<no batch: " + h.dump(who) + ">");
      return out;
    }
    for (const Line& l : lines) {
      if (l.command == "PRIVMSG") out.push_back(l.params.back());
    }
    return out;
  }
};

TEST(SearchSemantics, TextFindsWholeWordsCaseInsensitivelyOldestFirst) {
  Said s;
  EXPECT_EQ(s.texts("SEARCH in=#c;text=ALPHA"),
            (std::vector<std::string>{"alpha one", "alpha two", "alpha three", "alpha four"}));
  EXPECT_EQ(s.texts("SEARCH :in=#c;text=one alpha"), (std::vector<std::string>{"alpha one"}));
  EXPECT_EQ(s.texts("SEARCH in=#c;text=alph"), (std::vector<std::string>{}));
  EXPECT_EQ(s.texts("SEARCH in=#c;text=\"*\""), (std::vector<std::string>{}));  // no word: nothing
}

TEST(SearchSemantics, LimitKeepsTheNewestMatches) {
  Said s;
  EXPECT_EQ(s.texts("SEARCH in=#c;text=alpha;limit=2"),
            (std::vector<std::string>{"alpha three", "alpha four"}));
  EXPECT_EQ(s.texts("SEARCH in=#c;limit=1"), (std::vector<std::string>{"beta one"}));
}

TEST(SearchSemantics, FromMatchesTheSendersNickCaseInsensitively) {
  Said s;
  EXPECT_EQ(s.texts("SEARCH in=#c;from=BOB"), (std::vector<std::string>{"beta one"}));
  EXPECT_EQ(s.texts("SEARCH in=#c;from=bob;text=alpha"), (std::vector<std::string>{}));
}

TEST(SearchSemantics, AfterAndBeforeIncludeTheirOwnTime) {
  Said s;
  EXPECT_EQ(s.texts("SEARCH in=#c;text=alpha;after=" + s.times[2]),
            (std::vector<std::string>{"alpha three", "alpha four"}));
  EXPECT_EQ(s.texts("SEARCH in=#c;text=alpha;before=" + s.times[1]),
            (std::vector<std::string>{"alpha one", "alpha two"}));
  EXPECT_EQ(s.texts("SEARCH in=#c;after=" + s.times[1] + ";before=" + s.times[2]),
            (std::vector<std::string>{"alpha two", "alpha three"}));
  EXPECT_EQ(s.texts("SEARCH in=#c;before=2010-01-01T00:00:00.000Z"), (std::vector<std::string>{}));
}

TEST(SearchSemantics, WithoutInEveryReadableTargetIsSearched) {
  Said s;
  EXPECT_EQ(s.texts("SEARCH text=alpha;limit=3"),
            (std::vector<std::string>{"alpha four", "private alpha", "hidden alpha"}));
  EXPECT_EQ(s.texts("SEARCH text=private", s.bob), (std::vector<std::string>{"private alpha"}));
  // mallory is in #c only, and has no account: no #hidden, no alice/bob conversation.
  EXPECT_EQ(s.texts("SEARCH text=alpha", s.mallory),
            (std::vector<std::string>{"alpha one", "alpha two", "alpha three", "alpha four"}));
}

TEST(SearchPermissions, NonMembersCannotSearchASecretOrMembersOnlyChannel) {
  Said s;
  s.h.send(s.mallory, "SEARCH in=#hidden;text=alpha");
  EXPECT_THAT(s.h.take(s.mallory),
              AreLines(":parley.local FAIL SEARCH INVALID_PARAMS in :Messages could not be retrieved"));
  s.h.send(s.mallory, "PART #c");
  s.h.clear(s.mallory);
  s.h.send(s.mallory, "SEARCH in=#c;text=alpha");  // members only (public_channels is off)
  EXPECT_THAT(s.h.take(s.mallory),
              AreLines(":parley.local FAIL SEARCH INVALID_PARAMS in :Messages could not be retrieved"));
  EXPECT_EQ(s.texts("SEARCH text=alpha", s.mallory), (std::vector<std::string>{}));
}

TEST(SearchPermissions, PublicChannelsAreSearchedByAnyoneButNotSecretOnes) {
  EngineHarness h;
  h.config.history.public_channels = true;
  SessionId alice = h.register_user("alice", kFull);
  SessionId carol = h.register_user("carol", kFull);
  h.send(alice, "JOIN #open");
  h.send(alice, "JOIN #hidden");
  h.send(alice, "MODE #hidden +s");
  h.send(alice, "PRIVMSG #open :open words");
  h.send(alice, "PRIVMSG #hidden :hidden words");
  h.clear_all();
  h.send(carol, "SEARCH text=words");
  auto found = h.replies(carol, "PRIVMSG");
  ASSERT_EQ(found.size(), 1u) << h.dump(carol);
  EXPECT_EQ(found[0].params.back(), "open words");
}

TEST(SearchPermissions, ANickMeansTheAskersOwnConversation) {
  Said s;
  // mallory names alice and bob: neither conversation is hers.
  EXPECT_EQ(s.texts("SEARCH in=bob;text=private", s.mallory), (std::vector<std::string>{}));
  EXPECT_EQ(s.texts("SEARCH in=alice;text=private", s.mallory), (std::vector<std::string>{}));
  EXPECT_EQ(s.texts("SEARCH in=alice;text=private", s.bob), (std::vector<std::string>{"private alpha"}));
  EXPECT_EQ(s.texts("SEARCH in=BOB", s.alice), (std::vector<std::string>{"private alpha"}));
  // A logged-in user who is not part of it: carol's conversation with alice is another one.
  SessionId carol = logged_in_user(s.h, "carol", kFull);
  EXPECT_EQ(s.texts("SEARCH text=private", carol), (std::vector<std::string>{}));
  EXPECT_EQ(s.texts("SEARCH in=bob;text=private", carol), (std::vector<std::string>{}));
}

// ---- replies ------------------------------------------------------------------------------------

TEST(SearchReplies, LinesCarryTimeAndMsgidInASearchBatch) {
  Said s;
  s.h.send(s.bob, "SEARCH in=#c;from=bob");
  auto lines = s.h.lines(s.bob);
  ASSERT_EQ(lines.size(), 3u) << s.h.dump(s.bob);
  EXPECT_THAT(lines[0], IsLine(":parley.local BATCH +1 soju.im/search"));
  EXPECT_THAT(lines[1], ::testing::MatchesRegex("@batch=1;time=[0-9T:.Z-]+;msgid=[^ ]+ :bob!~bob@[^ ]+ "
                                                "PRIVMSG #c :beta one"));
  EXPECT_THAT(lines[2], IsLine(":parley.local BATCH -1"));
}

TEST(SearchReplies, EmptyResultIsAnEmptyBatch) {
  Said s;
  s.h.send(s.alice, "SEARCH in=#c;text=nothing");
  EXPECT_THAT(s.h.take(s.alice), AreLines(":parley.local BATCH +1 soju.im/search", ":parley.local BATCH -1"));
}

TEST(SearchReplies, ClientWithoutBatchGetsBareLines) {
  EngineHarness h;
  SessionId alice = h.register_user("alice", {"soju.im/search"});
  h.send(alice, "JOIN #c");
  h.send(alice, "PRIVMSG #c :plain words");
  h.clear_all();
  h.send(alice, "SEARCH text=words");
  EXPECT_THAT(h.take(alice), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :plain words"));
}

TEST(SearchReplies, LabeledSearchLabelsTheBatchEvenAfterTheTargetsLookup) {
  Said s;
  EngineHarness& h = s.h;
  SessionId dave = logged_in_user(h, "dave", {"batch", "labeled-response", "soju.im/search"});
  h.history.mode = FakeHistoryBackend::Mode::kManual;
  h.send(dave, "@label=s1 SEARCH text=nothing");  // logged in: TARGETS first, then the search
  h.send(dave, "PING later");                     // waits for the answer
  EXPECT_THAT(h.lines(dave), IsEmpty());
  ASSERT_EQ(queued(h, Kind::kTargets).size(), 1u);
  ASSERT_TRUE(h.answer_history_next());
  ASSERT_EQ(queued(h, Kind::kSearch).size(), 1u);
  EXPECT_THAT(h.lines(dave), IsEmpty());
  ASSERT_TRUE(h.answer_history_next());
  EXPECT_THAT(h.take(dave), AreLines("@label=s1 :parley.local BATCH +1 soju.im/search",
                                     ":parley.local BATCH -1", ":parley.local PONG parley.local later"));
}

TEST(SearchReplies, StoreFailureIsInternalError) {
  Said s;
  s.h.history.fail_all = true;
  s.h.send(s.alice, "SEARCH in=#c;text=alpha");
  s.h.send(s.alice, "SEARCH text=alpha");
  EXPECT_THAT(s.h.take(s.alice),
              AreLines(":parley.local FAIL SEARCH INTERNAL_ERROR :The search could not be run",
                       ":parley.local FAIL SEARCH INTERNAL_ERROR :The search could not be run"));
}

}  // namespace
}  // namespace parley::core::test
