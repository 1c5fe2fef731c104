// Tests for client batches of type draft/multiline (src/core/commands/multiline.cpp), after the
// ircv3.net draft specification "Multiline messages" and its interplay with batch, echo-message,
// labeled-response, message-ids and server-time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;
using namespace std::chrono_literals;

const std::vector<std::string> kMulti = {"message-tags",     "batch",          "echo-message", "server-time",
                                         "labeled-response", "draft/multiline"};
const std::string kTime = "time=2026-01-02T03:04:05.678Z";

std::string tag_value(const std::string& line, const std::string& key) {
  std::smatch m;
  std::regex re("[@;]" + key + "=([^; ]*)");
  return std::regex_search(line, m, re) ? m[1].str() : std::string();
}

// alice and bob with multiline, carol without it (but with tags), dave with nothing, in #c.
struct Room {
  EngineHarness h;
  std::vector<SessionId> ids;
  explicit Room(EngineConfig config = EngineHarness::default_config()) : h(std::move(config)) {
    ids = h.channel_with_caps("#c", {{"alice", kMulti},
                                     {"bob", kMulti},
                                     {"carol", {"message-tags", "batch", "server-time"}},
                                     {"dave", {}}});
  }
  SessionId alice() const { return ids[0]; }
  void send_batch(const std::vector<std::string>& lines, const std::string& open_tags = "") {
    h.send(alice(), open_tags + "BATCH +b1 draft/multiline #c");
    for (const auto& l : lines) h.send(alice(), l);
    h.send(alice(), "BATCH -b1");
  }
};

TEST(Multiline, CapabilityValueNamesTheConfiguredLimits) {
  EngineHarness h;
  h.config.limits.multiline_max_bytes = 1000;
  h.config.limits.multiline_max_lines = 5;
  SessionId a = h.connect();
  h.send(a, "CAP LS 302");
  EXPECT_TRUE(h.has_line(a, " draft/multiline=max-bytes=1000,max-lines=5"));
}

TEST(Multiline, DeliversOneBatchToMultilineClientsAndPlainLinesToOthers) {
  Room r;
  r.send_batch({"@batch=b1 PRIVMSG #c hello", "@batch=b1 PRIVMSG #c :how is ",
                "@batch=b1;draft/multiline-concat PRIVMSG #c :everyone?"});
  auto bob = r.h.lines(r.ids[1]);
  ASSERT_THAT(bob, SizeIs(5));
  std::string msgid = tag_value(bob[0], "msgid");
  std::string ref = parse_line(bob[0]).params[0].substr(1);
  EXPECT_THAT(
      bob, AreLines("@" + kTime + ";msgid=" + msgid + " :alice!~alice@127.0.0.1 BATCH +" + ref +
                        " draft/multiline #c",
                    "@batch=" + ref + " :alice!~alice@127.0.0.1 PRIVMSG #c :hello",
                    "@batch=" + ref + " :alice!~alice@127.0.0.1 PRIVMSG #c :how is ",
                    "@batch=" + ref + ";draft/multiline-concat :alice!~alice@127.0.0.1 PRIVMSG #c :everyone?",
                    ":alice!~alice@127.0.0.1 BATCH -" + ref));
  EXPECT_THAT(r.h.lines(r.ids[2]),
              AreLines("@" + kTime + ";msgid=" + msgid + " :alice!~alice@127.0.0.1 PRIVMSG #c :hello",
                       "@" + kTime + " :alice!~alice@127.0.0.1 PRIVMSG #c :how is ",
                       "@" + kTime + " :alice!~alice@127.0.0.1 PRIVMSG #c :everyone?"));
  EXPECT_THAT(r.h.lines(r.ids[3]), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :hello",
                                            ":alice!~alice@127.0.0.1 PRIVMSG #c :how is ",
                                            ":alice!~alice@127.0.0.1 PRIVMSG #c :everyone?"));
  EXPECT_EQ(r.h.lines(r.alice()), bob) << "the echo is the batch the others got";
}

TEST(Multiline, NothingIsRelayedBeforeTheBatchCloses) {
  Room r;
  r.h.send(r.alice(), "BATCH +b1 draft/multiline #c");
  r.h.send(r.alice(), "@batch=b1 PRIVMSG #c :one");
  EXPECT_THAT(r.h.lines(r.ids[1]), IsEmpty());
  EXPECT_THAT(r.h.lines(r.ids[3]), IsEmpty());
  EXPECT_THAT(r.h.lines(r.alice()), IsEmpty());
}

TEST(Multiline, LabelGoesOnTheEchoedOpeningBatchOnly) {
  Room r;
  r.send_batch({"@batch=b1 PRIVMSG #c :a", "@batch=b1 PRIVMSG #c :b"}, "@label=xyz ");
  auto echo = r.h.lines(r.alice());
  ASSERT_THAT(echo, SizeIs(4)) << r.h.dump(r.alice());
  EXPECT_EQ(tag_value(echo[0], "label"), "xyz");
  EXPECT_EQ(parse_line(echo[0]).command, "BATCH");
  for (std::size_t i = 1; i < echo.size(); ++i) EXPECT_EQ(tag_value(echo[i], "label"), "") << echo[i];
}

TEST(Multiline, ALabeledBatchWithoutEchoIsAcknowledged) {
  EngineHarness h;
  auto ids =
      h.channel_with_caps("#c", {{"alice", {"batch", "labeled-response", "draft/multiline"}}, {"bob", {}}});
  h.send(ids[0], "@label=q BATCH +x draft/multiline #c");
  EXPECT_THAT(h.lines(ids[0]), IsEmpty()) << "no ACK before the batch closes";
  h.send(ids[0], "@batch=x PRIVMSG #c :a");
  h.send(ids[0], "BATCH -x");
  EXPECT_THAT(h.lines(ids[0]), AreLines("@label=q :parley.local ACK"));
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :a"));
}

TEST(Multiline, BlankLinesReachMultilineClientsOnlyAndClientTagsTravel) {
  Room r;
  r.send_batch({"@batch=b1 PRIVMSG #c :", "@batch=b1 PRIVMSG #c :text"}, "@+draft/reply=abc ");
  auto bob = r.h.parsed(r.ids[1]);
  ASSERT_THAT(bob, SizeIs(4));
  EXPECT_THAT(bob[0].tags, ::testing::HasSubstr("+draft/reply=abc"));
  EXPECT_EQ(bob[1].params, (std::vector<std::string>{"#c", ""}));
  auto carol = r.h.parsed(r.ids[2]);
  ASSERT_THAT(carol, SizeIs(1));
  EXPECT_EQ(carol[0].params, (std::vector<std::string>{"#c", "text"}));
  EXPECT_THAT(carol[0].tags, ::testing::HasSubstr("msgid="));
  EXPECT_THAT(carol[0].tags, ::testing::HasSubstr("+draft/reply=abc"));
}

TEST(Multiline, InvalidBatchesFailWithTheSpecsCodes) {
  Room r;
  auto fails = [&](const std::vector<std::string>& lines) {
    r.h.clear_all();
    for (const auto& l : lines) r.h.send(r.alice(), l);
    auto got = r.h.replies(r.alice(), "FAIL");
    EXPECT_THAT(r.h.lines(r.ids[1]), IsEmpty());
    return got.empty() ? std::vector<std::string>{} : got[0].params;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(fails({"BATCH +1 draft/multiline #c", "@batch=2 PRIVMSG #c :hi", "BATCH -1"}),
            (V{"BATCH", "MULTILINE_INVALID", "Line tagged for another batch"}));
  EXPECT_EQ(fails({"BATCH +1 draft/multiline #c", "@batch=1 PRIVMSG #d :hi", "BATCH -1"}),
            (V{"BATCH", "MULTILINE_INVALID_TARGET", "#c", "#d", "Invalid multiline target"}));
  EXPECT_EQ(fails({"BATCH +1 draft/multiline #c", "@batch=1 PRIVMSG #c :hi",
                   "@batch=1;draft/multiline-concat PRIVMSG #c :", "BATCH -1"}),
            (V{"BATCH", "MULTILINE_INVALID", "A blank line cannot be concatenated"}));
  EXPECT_EQ(fails({"BATCH +1 draft/multiline #c", "@batch=1 PRIVMSG #c :", "BATCH -1"}),
            (V{"BATCH", "MULTILINE_INVALID", "A multiline message cannot be empty"}));
  EXPECT_EQ(
      fails({"BATCH +1 draft/multiline #c", "@batch=1 PRIVMSG #c :a", "@batch=1 NOTICE #c :b", "BATCH -1"}),
      (V{"BATCH", "MULTILINE_INVALID", "A multiline batch cannot mix PRIVMSG and NOTICE"}));
  EXPECT_EQ(fails({"BATCH -9"}), (V{"BATCH", "MULTILINE_INVALID", "No such multiline batch is open"}));
  EXPECT_EQ(fails({"@batch=9 PRIVMSG #c :x"}),
            (V{"BATCH", "MULTILINE_INVALID", "No multiline batch is open"}));
  EXPECT_EQ(fails({"BATCH +1 chathistory #c"}),
            (V{"BATCH", "MULTILINE_INVALID", "Only draft/multiline client batches are supported"}));
  EXPECT_FALSE(r.h.user(r.alice())->multiline) << "every failed batch is gone";
}

TEST(Multiline, LimitsAreEnforcedOnceAndTheRestOfTheBatchIsDropped) {
  Room r;
  r.h.send(r.alice(), "BATCH +1 draft/multiline #c");
  for (int i = 0; i < 40; ++i) r.h.send(r.alice(), "@batch=1 PRIVMSG #c hi");
  r.h.send(r.alice(), "BATCH -1");
  EXPECT_THAT(
      r.h.lines(r.alice()),
      AreLines(":parley.local FAIL BATCH MULTILINE_MAX_LINES 32 :Multiline batch max-lines exceeded"));
  r.h.clear_all();
  r.h.send(r.alice(), "BATCH +2 draft/multiline #c");
  std::string x(400, 'x');
  for (int i = 0; i < 11; ++i) r.h.send(r.alice(), "@batch=2 PRIVMSG #c " + x);
  r.h.send(r.alice(), "BATCH -2");
  EXPECT_THAT(
      r.h.lines(r.alice()),
      AreLines(":parley.local FAIL BATCH MULTILINE_MAX_BYTES 4096 :Multiline batch max-bytes exceeded"));
  EXPECT_THAT(r.h.lines(r.ids[1]), IsEmpty());
}

TEST(Multiline, ByteLimitCountsTheJoiningLineFeeds) {
  EngineConfig c = EngineHarness::default_config();
  c.limits.multiline_max_bytes = 10;
  Room r(c);
  r.send_batch({"@batch=b1 PRIVMSG #c :abcd", "@batch=b1 PRIVMSG #c :efgh",
                "@batch=b1;draft/multiline-concat PRIVMSG #c :i"});
  EXPECT_THAT(r.h.replies(r.alice(), "FAIL"), IsEmpty()) << "4 + 1 + 4 + 0 + 1 = 10 bytes fit";
  r.h.clear_all();
  r.send_batch({"@batch=b1 PRIVMSG #c :abcd", "@batch=b1 PRIVMSG #c :efgh", "@batch=b1 PRIVMSG #c :i"});
  EXPECT_THAT(r.h.replies(r.alice(), "FAIL"), SizeIs(1)) << "a second line feed makes 11";
}

TEST(Multiline, NeedsTheCapability) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {"batch"}}});
  h.send(ids[0], "BATCH +1 draft/multiline #c");
  EXPECT_THAT(
      h.lines(ids[0]),
      AreLines(":parley.local FAIL BATCH MULTILINE_INVALID :Negotiate draft/multiline and batch first"));
}

TEST(Multiline, AnUnfinishedBatchTimesOut) {
  Room r;
  r.h.send(r.alice(), "@label=t BATCH +1 draft/multiline #c");
  r.h.send(r.alice(), "@batch=1 PRIVMSG #c :a");
  r.h.advance(29s);
  EXPECT_TRUE(r.h.user(r.alice())->multiline);
  r.h.advance(1s);
  EXPECT_FALSE(r.h.user(r.alice())->multiline);
  EXPECT_THAT(r.h.lines(r.alice()),
              AreLines("@label=t :parley.local FAIL BATCH MULTILINE_INVALID :Multiline batch timed out"));
  EXPECT_THAT(r.h.lines(r.ids[1]), IsEmpty());
}

TEST(Multiline, QuittingWithAnOpenBatchRelaysNothingOfIt) {
  Room r;
  r.h.send(r.alice(), "BATCH +1 draft/multiline #c");
  r.h.send(r.alice(), "@batch=1 PRIVMSG #c :a");
  r.h.send(r.alice(), "QUIT :bye");
  EXPECT_THAT(r.h.commands(r.ids[3]), ::testing::ElementsAre("QUIT"));
  EXPECT_TRUE(r.h.memberships_consistent());
}

TEST(Multiline, PrivateBatchHonoursSilenceAndReachesTheTarget) {
  EngineHarness h;
  SessionId a = h.register_user("alice", kMulti);
  SessionId b = h.register_user("bob");
  SessionId c = h.register_user("carol", {"draft/multiline", "batch"});
  h.send(a, "BATCH +p draft/multiline bob");
  h.send(a, "@batch=p PRIVMSG bob :one");
  h.send(a, "@batch=p PRIVMSG bob :two");
  h.send(a, "BATCH -p");
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 PRIVMSG bob :one",
                                   ":alice!~alice@127.0.0.1 PRIVMSG bob :two"));
  h.send(c, "SILENCE +alice");
  h.clear(c);
  h.send(a, "BATCH +q draft/multiline carol");
  h.send(a, "@batch=q PRIVMSG carol :one");
  h.send(a, "BATCH -q");
  EXPECT_THAT(h.lines(c), IsEmpty());
}

TEST(Multiline, ABatchCostsNoMoreFloodBudgetThanItsBatchLines) {
  EngineHarness h;  // 127.0.0.1 is not flood-exempt in the harness: burst 20, debt 10
  auto ids = h.channel_with_caps("#c", {{"alice", kMulti}, {"bob", {}}});
  h.send(ids[0], "BATCH +f draft/multiline #c");
  for (int i = 0; i < 32; ++i) h.send(ids[0], "@batch=f PRIVMSG #c :line " + std::to_string(i));
  h.send(ids[0], "BATCH -f");
  EXPECT_FALSE(h.closed(ids[0]));
  EXPECT_THAT(h.lines(ids[1]), SizeIs(32));
}

TEST(Multiline, NoCtcpChannelRefusesABatchHoldingACtcp) {
  Room r;
  r.h.send(r.alice(), "MODE #c +C");
  r.h.clear_all();
  r.send_batch({"@batch=b1 PRIVMSG #c hello", "@batch=b1 PRIVMSG #c :\x01VERSION\x01"});
  EXPECT_TRUE(r.h.has_line(r.alice(), " 404 alice #c :Cannot send CTCP to channel (+C)")) << r.h.dump(r.alice());
  EXPECT_THAT(r.h.lines(r.ids[1]), IsEmpty()) << "nothing of the batch is relayed";
}

}  // namespace
}  // namespace parley::core::test
