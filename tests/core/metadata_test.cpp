// Tests for IRCv3 metadata (src/core/metadata.cpp, src/core/commands/metadata.cpp): the
// draft/metadata-3 capability, METADATA GET/LIST/SET/CLEAR/SUB/UNSUB/SUBS/SYNC, notifications,
// the JOIN and registration syncs, and the limits. Expected behaviour follows the ircv3.net
// "Metadata" specification as revised for draft/metadata-3 (761/766 for every value report,
// INVALID_KEY/INVALID_VALUE/INVALID_PARAMS/LIMIT_REACHED failure codes).
#include "core/metadata.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::vector<std::string> kMeta = {"draft/metadata-3", "batch"};
const std::vector<std::string> kMetaLabeled = {"draft/metadata-3", "batch", "labeled-response"};

// Lines without their batch tag, BATCH lines dropped: the content of a reply, batched or not.
std::vector<std::string> content(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    std::string bare = without_tag(l, "batch");
    if (parse_line(bare).command != "BATCH") out.push_back(bare);
  }
  return out;
}

// Batch references renamed A, B, ... in order of first appearance, so that expectations do not
// depend on how many batches the session saw before (registration opens one).
std::vector<std::string> refs(const std::vector<std::string>& lines) {
  std::map<std::string, std::string> names;
  std::regex ref_re("(batch=|BATCH [+-])([A-Za-z0-9]+)");
  std::vector<std::string> out;
  for (const auto& l : lines) {
    std::string renamed;
    auto begin = std::sregex_iterator(l.begin(), l.end(), ref_re);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      auto [pos, inserted] =
          names.emplace((*it)[2].str(), std::string(1, static_cast<char>('A' + names.size())));
      renamed += l.substr(last, it->position(2) - last) + pos->second;
      last = it->position(2) + it->length(2);
    }
    out.push_back(renamed + l.substr(last));
  }
  return out;
}

// ---- storage and validation ---------------------------------------------------------------------

TEST(MetadataMap, KeepsKeysSortedAndRespectsTheKeyLimit) {
  MetadataMap m;
  EXPECT_TRUE(m.set("b", "2", 2));
  EXPECT_TRUE(m.set("a", "1", 2));
  EXPECT_FALSE(m.set("c", "3", 2));   // a new key past the limit
  EXPECT_TRUE(m.set("a", "one", 2));  // replacing is always allowed
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.begin()->first, "a");
  EXPECT_EQ(*m.find("a"), "one");
  EXPECT_EQ(m.find("c"), nullptr);
  EXPECT_TRUE(m.erase("a"));
  EXPECT_FALSE(m.erase("a"));
  EXPECT_EQ(m.take_all().size(), 1u);
  EXPECT_TRUE(m.empty());
}

TEST(MetadataKey, AllowsLowercaseDigitsAndPunctuationOnly) {
  EXPECT_TRUE(is_valid_metadata_key("display-name"));
  EXPECT_TRUE(is_valid_metadata_key("example.org/x_y"));
  EXPECT_FALSE(is_valid_metadata_key(""));
  EXPECT_FALSE(is_valid_metadata_key("Display-Name"));
  EXPECT_FALSE(is_valid_metadata_key("$url$"));
  EXPECT_FALSE(is_valid_metadata_key("a:b"));
  EXPECT_FALSE(is_valid_metadata_key(std::string(kMaxMetadataKeyBytes + 1, 'a')));
}

// ---- capability ---------------------------------------------------------------------------------

TEST(Metadata, CapabilityValueShowsTheConfiguredLimits) {
  EngineHarness h;
  h.config.limits.metadata_max_subs = 7;
  h.config.limits.metadata_max_keys = 3;
  h.config.limits.metadata_max_value_bytes = 100;
  SessionId a = h.connect();
  h.send(a, "CAP LS 302");
  EXPECT_TRUE(h.has_line(a, "draft/metadata-3=before-connect,max-subs=7,max-keys=3,max-value-bytes=100"))
      << h.dump(a);
}

TEST(Metadata, AdvertisedValueLimitKeepsLinesUnder512Bytes) {
  EngineConfig c = EngineHarness::default_config();
  c.limits.metadata_max_value_bytes = 10000;
  c.limits.nick_length = 100;
  c.limits.channel_length = 200;
  EXPECT_LT(metadata_max_value_bytes(c), 200u);
  EXPECT_EQ(metadata_max_value_bytes(EngineHarness::default_config()), 300u);
}

// ---- GET, SET, LIST, CLEAR ----------------------------------------------------------------------

TEST(Metadata, SetOwnKeyIsEchoedAndReadBackInABatch) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  h.send(a, "METADATA * SET display-name :Alice A");
  EXPECT_THAT(refs(h.take(a)), AreLines(":parley.local 761 alice alice display-name * :Alice A"));
  h.send(a, "METADATA alice GET display-name avatar");
  EXPECT_THAT(refs(h.lines(a)), AreLines(":parley.local BATCH +A metadata alice",
                                         "@batch=A :parley.local 761 alice alice display-name * :Alice A",
                                         "@batch=A :parley.local 766 alice alice avatar :Key not set",
                                         ":parley.local BATCH -A"));
}

TEST(Metadata, GetReportsInvalidKeysInOrderInsideTheBatch) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  h.send(a, "METADATA * GET $bad avatar");
  EXPECT_THAT(content(h.lines(a)), ElementsAre(HasSubstr("FAIL METADATA INVALID_KEY $bad "),
                                               HasSubstr(" 766 alice alice avatar ")));
}

TEST(Metadata, SetWithoutValueRemovesTheKey) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  h.send(a, "METADATA * SET avatar :https://example.com/a.png");
  h.clear(a);
  h.send(a, "METADATA * SET avatar");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 766 alice alice avatar :Key not set"));
  EXPECT_EQ(h.user(a)->metadata(), nullptr);  // nothing left: the extension is gone
  h.send(a, "METADATA * SET avatar");         // removing an unset key is not an error
  EXPECT_THAT(h.take(a), AreLines(":parley.local 766 alice alice avatar :Key not set"));
}

TEST(Metadata, ListShowsEveryKeyAndAnEmptyBatchWhenNone) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  h.send(a, "METADATA * LIST");
  EXPECT_THAT(refs(h.take(a)), AreLines(":parley.local BATCH +A metadata alice", ":parley.local BATCH -A"));
  h.send(a, "METADATA * SET color :#c90076");
  h.send(a, "METADATA * SET avatar :x");
  h.clear(a);
  h.send(a, "METADATA * LIST");
  EXPECT_THAT(content(h.lines(a)), ElementsAre(":parley.local 761 alice alice avatar * x",
                                               ":parley.local 761 alice alice color * #c90076"));
}

TEST(Metadata, UnknownTargetIsInvalidTargetOnly) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  h.send(a, "METADATA nobody LIST");
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local FAIL METADATA INVALID_TARGET nobody :Invalid metadata target"));
}

TEST(Metadata, InvalidKeyAndInvalidValuesChangeNothing) {
  EngineHarness h;
  h.config.utf8_only = false;  // with UTF8ONLY the engine refuses the broken line before METADATA sees it
  SessionId a = h.register_user("alice", kMeta);
  h.send(a, "METADATA * SET Display-Name :x");
  h.send(a, "METADATA * SET display-name :broken \xc3");
  h.send(a, "METADATA * SET display-name :" + std::string(301, 'a'));
  auto got = h.take(a);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_THAT(got[0], HasSubstr("FAIL METADATA INVALID_KEY Display-Name "));
  EXPECT_THAT(got[1], HasSubstr("FAIL METADATA INVALID_VALUE display-name "));
  EXPECT_THAT(got[2], HasSubstr("FAIL METADATA INVALID_VALUE display-name "));
  EXPECT_EQ(h.user(a)->metadata(), nullptr);
}

TEST(Metadata, KeyLimitAnswersLimitReachedButAllowsReplacing) {
  EngineHarness h;
  h.config.limits.metadata_max_keys = 2;
  SessionId a = h.register_user("alice", kMeta);
  h.send(a, "METADATA * SET a :1");
  h.send(a, "METADATA * SET b :2");
  h.clear(a);
  h.send(a, "METADATA * SET c :3");
  EXPECT_THAT(h.take(a),
              AreLines(":parley.local FAIL METADATA LIMIT_REACHED alice 2 :At most 2 metadata keys"));
  h.send(a, "METADATA * SET a :one");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 761 alice alice a * one"));
}

TEST(Metadata, OthersMayNotSetOrClearYourKeys) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kMeta}, {"bob", kMeta}});
  h.send(ids[1], "METADATA * SET color :blue");
  h.clear_all();
  h.send(ids[0], "METADATA bob SET display-name :Not Alice");
  h.send(ids[0], "METADATA bob CLEAR");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local FAIL METADATA KEY_NO_PERMISSION bob display-name "
                                        ":You may not change this target's metadata",
                                        ":parley.local FAIL METADATA KEY_NO_PERMISSION bob * "
                                        ":You may not change this target's metadata"));
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
  EXPECT_EQ(*h.user(ids[1])->metadata()->values.find("color"), "blue");
}

TEST(Metadata, OperatorMaySetAnotherUsersKeyAndThatUserIsTold) {
  EngineHarness h;
  h.config.operators.push_back(OperatorBlock{"root", FakeAccountBackend::hash("pw"), "*@*"});
  SessionId op = h.register_user("oper", kMeta);
  SessionId b = h.register_user("bob", kMeta);
  h.send(op, "OPER root pw");
  h.send(b, "METADATA * SUB display-name");
  h.clear_all();
  h.send(op, "METADATA bob SET display-name :Robert");
  EXPECT_THAT(h.lines(op), AreLines(":parley.local 761 oper bob display-name * Robert"));
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 761 * bob display-name * Robert"));
}

TEST(Metadata, ClearAnswersKeyNotSetForEachKeyInABatch) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  h.send(a, "JOIN #c");
  h.send(a, "METADATA #c SET display-name :Hash Channel");
  h.send(a, "METADATA #c SET avatar :x");
  h.clear(a);
  h.send(a, "METADATA #c CLEAR");
  EXPECT_THAT(refs(h.lines(a)), AreLines(":parley.local BATCH +A metadata #c",
                                         "@batch=A :parley.local 766 alice #c avatar :Key not set",
                                         "@batch=A :parley.local 766 alice #c display-name :Key not set",
                                         ":parley.local BATCH -A"));
  EXPECT_TRUE(h.channel("#c")->metadata.empty());
}

// ---- channels -----------------------------------------------------------------------------------

TEST(Metadata, ChannelOperatorsSetChannelKeysOthersMayNot) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kMeta}, {"bob", kMeta}});
  h.send(ids[1], "METADATA #c SET display-name :Bob's");
  EXPECT_THAT(h.take(ids[1]), AreLines(":parley.local FAIL METADATA KEY_NO_PERMISSION #c display-name "
                                       ":You may not change this target's metadata"));
  h.send(ids[0], "METADATA #C SET display-name :Hash Channel");
  EXPECT_THAT(h.take(ids[0]), AreLines(":parley.local 761 alice #c display-name * :Hash Channel"));
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());  // not subscribed
  h.send(ids[1], "METADATA #c GET display-name");
  EXPECT_THAT(content(h.lines(ids[1])), ElementsAre(":parley.local 761 bob #c display-name * :Hash Channel"));
}

TEST(Metadata, InviteOnlyChannelMetadataIsHiddenFromNonMembers) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  SessionId b = h.register_user("bob", kMeta);
  h.send(a, "JOIN #c");
  h.send(a, "METADATA #c SET display-name :Secret Name");
  h.send(a, "MODE #c +i");
  h.clear_all();
  for (std::string verb : {"GET display-name", "LIST", "SYNC"}) {
    h.send(b, "METADATA #c " + verb);
    EXPECT_THAT(h.take(b), AreLines(":parley.local FAIL METADATA KEY_NO_PERMISSION #c * "
                                    ":You may not see this channel's metadata"))
        << verb;
  }
}

TEST(Metadata, SecretChannelIsAnInvalidTargetForNonMembers) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  SessionId b = h.register_user("bob", kMeta);
  h.send(a, "JOIN #c");
  h.send(a, "MODE #c +s");
  h.clear_all();
  h.send(b, "METADATA #c LIST");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local FAIL METADATA INVALID_TARGET #c :Invalid metadata target"));
}

TEST(Metadata, ChannelMetadataGoesWithTheChannel) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  h.send(a, "JOIN #c");
  h.send(a, "METADATA #c SET avatar :x");
  h.send(a, "PART #c");
  h.send(a, "JOIN #c");
  h.clear(a);
  h.send(a, "METADATA #c LIST");
  EXPECT_THAT(content(h.lines(a)), IsEmpty());
}

// ---- subscriptions and notifications ------------------------------------------------------------

TEST(Metadata, SubscribersSharingAChannelAreToldOfChangesOthersAreNot) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kMeta}, {"bob", kMeta}, {"carol", kMeta}});
  SessionId outsider = h.register_user("dave", kMeta);
  for (SessionId s : {ids[1], outsider}) h.send(s, "METADATA * SUB display-name");
  h.send(ids[0], "METADATA * SUB display-name");  // the author is not told of its own change
  h.clear_all();
  h.send(ids[0], "METADATA * SET display-name :Alice");
  EXPECT_THAT(h.take(ids[1]), AreLines(":parley.local 761 * alice display-name * Alice"));
  EXPECT_THAT(h.lines(ids[2]), IsEmpty());    // not subscribed
  EXPECT_THAT(h.lines(outsider), IsEmpty());  // no common channel
  EXPECT_THAT(h.lines(ids[0]), AreLines(":parley.local 761 alice alice display-name * Alice"));
  h.send(ids[0], "METADATA * SET display-name :Alice");  // unchanged: nobody is told
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
  h.send(ids[0], "METADATA * SET display-name");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 766 * alice display-name :Key not set"));
}

TEST(Metadata, ChannelChangesReachSubscribedMembersOnce) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kMeta}, {"bob", kMeta}});
  h.send(ids[1], "JOIN #d");
  h.send(ids[0], "JOIN #d");
  h.send(ids[1], "METADATA * SUB avatar");
  h.clear_all();
  h.send(ids[0], "METADATA #c SET avatar :x");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 761 * #c avatar * x"));
  h.clear_all();
  h.send(ids[0], "METADATA * SET avatar :y");  // two common channels, one notification
  EXPECT_THAT(h.lines(ids[1]), AreLines(":parley.local 761 * alice avatar * y"));
}

TEST(Metadata, NotificationsNeedTheCapability) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kMeta}, {"bob", kMeta}});
  h.send(ids[1], "METADATA * SUB avatar");
  h.send(ids[1], "CAP REQ -draft/metadata-3");
  h.clear_all();
  h.send(ids[0], "METADATA * SET avatar :x");
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
}

TEST(Metadata, SubAcknowledgesKeysInOrderAndStopsAtTheLimit) {
  EngineHarness h;
  h.config.limits.metadata_max_subs = 3;
  SessionId a = h.register_user("alice", kMeta);
  h.send(a, "METADATA * SUB avatar");
  h.clear(a);
  h.send(a, "METADATA * SUB website $bad avatar color extra more");
  EXPECT_THAT(refs(h.take(a)),
              AreLines(":parley.local 770 alice website avatar color",
                       ":parley.local FAIL METADATA INVALID_KEY $bad "
                       ":Invalid key: use a-z 0-9 _ . / - (at most 50 bytes)",
                       ":parley.local FAIL METADATA LIMIT_REACHED extra 3 :At most 3 subscriptions"));
  h.send(a, "METADATA * SUBS");
  EXPECT_THAT(refs(h.take(a)),
              AreLines(":parley.local BATCH +A metadata-subs",
                       "@batch=A :parley.local 772 alice avatar color website", ":parley.local BATCH -A"));
  h.send(a, "METADATA * UNSUB color website nothing");
  EXPECT_THAT(refs(h.take(a)), AreLines(":parley.local 771 alice color website nothing"));
  h.send(a, "METADATA * UNSUB avatar");
  EXPECT_EQ(h.user(a)->metadata(), nullptr);  // back to an idle user's size
}

TEST(Metadata, SubscriptionsAreYourOwn) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  h.register_user("bob", kMeta);
  h.send(a, "METADATA bob SUB avatar");
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local FAIL METADATA INVALID_TARGET bob :Subscriptions are your own: use *"));
}

TEST(Metadata, SubscribingSendsCurrentValuesOfCommonChannels) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", kMeta}, {"bob", kMeta}});
  h.send(ids[0], "METADATA * SET avatar :x");
  h.send(ids[0], "METADATA #c SET avatar :y");
  h.clear_all();
  h.send(ids[1], "METADATA * SUB avatar");
  EXPECT_THAT(refs(h.lines(ids[1])),
              AreLines(":parley.local 770 bob avatar", ":parley.local BATCH +A metadata #c",
                       "@batch=A :parley.local 761 bob #c avatar * y",
                       "@batch=A :parley.local 761 bob alice avatar * x", ":parley.local BATCH -A"));
}

TEST(Metadata, JoinSendsTheSubscribedKeysOfTheChannelAndItsMembers) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  SessionId b = h.register_user("bob", kMeta);
  h.send(a, "JOIN #c");
  h.send(a, "METADATA #c SET display-name :Hash Channel");
  h.send(a, "METADATA * SET display-name :Alice");
  h.send(a, "METADATA * SET color :red");  // bob does not subscribe to this one
  h.send(b, "METADATA * SUB display-name avatar");
  h.clear_all();
  h.send(b, "JOIN #c");
  auto got = h.lines(b);
  auto end_of_names = std::find_if(got.begin(), got.end(), [](auto& l) { return l.find(" 366 ") != l.npos; });
  ASSERT_NE(end_of_names, got.end()) << h.dump(b);
  std::vector<std::string> after(end_of_names + 1, got.end());
  EXPECT_THAT(refs(after), ElementsAre(":parley.local BATCH +A metadata #c",
                                       "@batch=A :parley.local 761 bob #c display-name * :Hash Channel",
                                       "@batch=A :parley.local 761 bob alice display-name * Alice",
                                       ":parley.local BATCH -A"));
}

TEST(Metadata, JoinWithoutSubscriptionsSendsNoMetadata) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  h.send(a, "JOIN #c");
  EXPECT_EQ(h.count(a, "BATCH"), 0u);
}

TEST(Metadata, JoiningALargeChannelAsksForSyncLater) {
  EngineHarness h;
  h.config.limits.metadata_sync_members = 1;
  SessionId a = h.register_user("alice", kMeta);
  SessionId b = h.register_user("bob", kMeta);
  h.send(a, "JOIN #c");
  h.send(a, "METADATA * SET avatar :x");
  h.send(b, "METADATA * SUB avatar");
  h.clear_all();
  h.send(b, "JOIN #c");
  EXPECT_EQ(h.lines(b).back(), ":parley.local 774 bob #c");
  h.clear(b);
  h.send(b, "METADATA #c SYNC");
  EXPECT_THAT(content(h.lines(b)), ElementsAre(":parley.local 761 bob alice avatar * x"));
}

TEST(Metadata, SyncOfAUserSendsItsSubscribedKeys) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  SessionId b = h.register_user("bob", kMeta);
  h.send(a, "METADATA * SET avatar :x");
  h.send(a, "METADATA * SET color :red");
  h.send(b, "METADATA * SUB color");
  h.clear_all();
  h.send(b, "METADATA alice SYNC");
  EXPECT_THAT(refs(h.lines(b)),
              AreLines(":parley.local BATCH +A metadata alice",
                       "@batch=A :parley.local 761 bob alice color * red", ":parley.local BATCH -A"));
}

// ---- before-connect, WHOIS, labeled-response ----------------------------------------------------

TEST(Metadata, BeforeConnectValuesArriveInTheWelcomeBurst) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP LS 302");
  h.send(a, "CAP REQ :draft/metadata-3 batch");
  h.clear(a);
  h.send(a, "METADATA * SET display-name :Early Bird");
  EXPECT_THAT(h.take(a), AreLines(":parley.local 761 * * display-name * :Early Bird"));
  h.send(a, "METADATA someone GET avatar");
  EXPECT_THAT(h.take(a)[0], HasSubstr("FAIL METADATA KEY_NO_PERMISSION someone * "));
  h.send(a, "NICK early");
  h.send(a, "USER early 0 * :Early");
  h.send(a, "CAP END");
  auto cmds = h.commands(a);
  auto batch = std::find(cmds.begin(), cmds.end(), "BATCH");
  auto motd_end = std::find(cmds.begin(), cmds.end(), "422");
  ASSERT_NE(batch, cmds.end()) << h.dump(a);
  EXPECT_LT(batch, motd_end);
  EXPECT_TRUE(h.has_line(a, "@batch=1 :parley.local 761 early early display-name * :Early Bird"))
      << h.dump(a);
}

TEST(Metadata, EveryMetadataClientGetsAnEmptyBatchAtRegistration) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "CAP REQ :draft/metadata-3 batch");
  h.send(a, "NICK plain");
  h.send(a, "USER plain 0 * :Plain");
  h.send(a, "CAP END");
  EXPECT_TRUE(h.has_line(a, ":parley.local BATCH +1 metadata plain")) << h.dump(a);
  EXPECT_TRUE(h.has_line(a, ":parley.local BATCH -1"));
}

TEST(Metadata, BeforeRegistrationWithoutTheCapabilityIsNotRegistered) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "METADATA * SET avatar :x");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 451 * :You have not registered"));
}

TEST(Metadata, WhoisShowsKeysToMetadataClients) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  SessionId b = h.register_user("bob", kMeta);
  SessionId c = h.register_user("carol");
  h.send(a, "METADATA * SET display-name :Alice A");
  h.send(b, "WHOIS alice");
  h.send(c, "WHOIS alice");
  EXPECT_THAT(h.replies(b, "760").size(), 1u);
  EXPECT_TRUE(h.has_line(b, ":parley.local 760 bob alice display-name * :Alice A"));
  EXPECT_TRUE(h.replies(c, "760").empty());
}

// A reply that is one batch already is labeled on its opening line rather than wrapped.
TEST(Metadata, LabeledGetLabelsTheMetadataBatch) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMetaLabeled);
  h.send(a, "@label=q METADATA * GET avatar");
  EXPECT_THAT(refs(h.lines(a)), AreLines("@label=q :parley.local BATCH +A metadata alice",
                                         "@batch=A :parley.local 766 alice alice avatar :Key not set",
                                         ":parley.local BATCH -A"));
}

// Two batches (or a batch and more) are wrapped in a labeled-response batch; each keeps its tags.
TEST(Metadata, LabeledReplyOfABatchAndMoreNestsTheBatch) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMetaLabeled);
  h.send(a, "@label=q METADATA * GET avatar");
  h.clear(a);
  h.send(a, "@label=r JOIN #c");
  auto got = refs(h.lines(a));
  ASSERT_GE(got.size(), 3u) << h.dump(a);
  EXPECT_THAT(got.front(), IsLine("@label=r :parley.local BATCH +A labeled-response"));
  EXPECT_THAT(got.back(), IsLine(":parley.local BATCH -A"));
}

TEST(Metadata, UnknownSubcommandIsInvalidParams) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMeta);
  h.send(a, "METADATA * DESTROY");
  h.send(a, "METADATA * GET");
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local FAIL METADATA INVALID_PARAMS DESTROY :Unknown METADATA subcommand",
                       ":parley.local 461 alice METADATA :Not enough parameters"));
}

TEST(Metadata, IdleUsersCarryNoMetadata) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #c");
  EXPECT_EQ(h.user(a)->metadata(), nullptr);
}

}  // namespace
}  // namespace parley::core::test
