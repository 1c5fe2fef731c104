// Tests for server bans (src/core/server_bans.*, commands/server_bans.cpp): the duration and mask
// rules, KLINE/DLINE/UNKLINE/UNDLINE through the engine, STATS k and d, expiry, and what reaches
// the store (the harness's durable MemoryStore, through the production request routing).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---- pure rules ---------------------------------------------------------------------------------

TEST(ServerBanRules, DurationsInUnitsOrSeconds) {
  EXPECT_EQ(parse_duration("0"), 0);
  EXPECT_EQ(parse_duration("3600"), 3600);
  EXPECT_EQ(parse_duration("1h"), 3600);
  EXPECT_EQ(parse_duration("1d12h"), 36 * 3600);
  EXPECT_EQ(parse_duration("2w"), 14 * 86400);
  EXPECT_EQ(parse_duration("1y"), 365 * 86400);
  EXPECT_EQ(parse_duration("90m30s"), 90 * 60 + 30);
}

TEST(ServerBanRules, MalformedOrHugeDurationsAreRefused) {
  for (const char* bad : {"", "h", "1x", "-5", "1h30", "abc", "99999y", "1d 2h", "+5"})
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
}

TEST(ServerBanRules, DurationsAreFormattedWithTheLargestUnits) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(59), "59s");
  EXPECT_EQ(format_duration(3600), "1h");
  EXPECT_EQ(format_duration(90061), "1d1h1m1s");
}

TEST(ServerBanRules, KlineMasksAreUserAtHost) {
  std::string why;
  EXPECT_EQ(normalise_kline_mask("192.0.2.7", why), "*@192.0.2.7");
  EXPECT_EQ(normalise_kline_mask("~bot@*.example.net", why), "~bot@*.example.net");
  for (const char* bad : {"@host", "user@", "a@b@c", "*@*", "*@*.*", "x@?", "has space@h", "n!u@h"}) {
    why.clear();
    EXPECT_EQ(normalise_kline_mask(bad, why), std::nullopt) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(ServerBanRules, DlineMasksAreCanonicalBlocksNoWiderThanASlash8) {
  std::string why;
  EXPECT_EQ(normalise_dline_mask("192.0.2.7", why), "192.0.2.7/32");
  EXPECT_EQ(normalise_dline_mask("2001:0db8::/32", why), "2001:db8::/32");
  EXPECT_EQ(normalise_dline_mask("10.0.0.0/8", why), "10.0.0.0/8");
  for (const char* bad : {"0.0.0.0/0", "10.0.0.0/7", "::/8", "*@host", "192.0.2.1/24", "banana"}) {
    why.clear();
    EXPECT_EQ(normalise_dline_mask(bad, why), std::nullopt) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(ServerBanRules, ListMatchesUntilExpiry) {
  ServerBanList list;
  list.add(ServerBan{ServerBan::Kind::kUserHost, "*@192.0.2.*", "r", "s", 100, 200});
  list.add(ServerBan{ServerBan::Kind::kAddress, "198.51.100.0/24", "r", "s", 100, 0});
  EXPECT_NE(list.match_user("bob", "cloak.ip", "192.0.2.9", 150), nullptr);
  EXPECT_EQ(list.match_user("bob", "cloak.ip", "192.0.2.9", 200), nullptr) << "expired at 200";
  EXPECT_EQ(list.match_user("bob", "cloak.ip", "203.0.113.1", 150), nullptr);
  EXPECT_NE(list.match_address("198.51.100.77", 1'000'000), nullptr);
  EXPECT_NE(list.match_address("::ffff:198.51.100.77", 1'000'000), nullptr);
  EXPECT_EQ(list.match_address("198.51.101.1", 1'000'000), nullptr);
  auto gone = list.take_expired(200);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].mask, "*@192.0.2.*");
  EXPECT_EQ(list.all().size(), 1u);
}

// ---- through the engine ---------------------------------------------------------------------------

EngineConfig with_operator() {
  EngineConfig c = EngineHarness::default_config();
  c.operators.push_back(OperatorBlock{"root", FakeAccountBackend::hash("pw"), "*@*"});
  return c;
}

SessionId oper_up(EngineHarness& h, const std::string& nick, const std::string& ip = "127.0.0.1") {
  SessionId id = h.register_user(nick, {}, ip);
  h.send(id, "OPER root pw");
  EXPECT_TRUE(h.user(id)->is_oper()) << h.dump(id);
  h.clear(id);
  return id;
}

std::vector<ServerBan> stored(EngineHarness& h) { return h.history.durable.list_server_bans().value(); }

TEST(Kline, IsForOperatorsOnly) {
  EngineHarness h(with_operator());
  SessionId a = h.register_user("alice");
  h.send(a, "KLINE *@192.0.2.7 1h :spam");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 481 alice :Permission Denied- You're not an IRC operator"));
  EXPECT_THAT(stored(h), IsEmpty());
}

TEST(Kline, DisconnectsMatchingUsersRefusesNewOnesAndIsStored) {
  EngineHarness h(with_operator());
  SessionId root = oper_up(h, "root");
  SessionId spammer = h.register_user("spammer", {}, "192.0.2.7");
  SessionId other = h.register_user("other", {}, "192.0.2.8");
  h.send(root, "KLINE *@192.0.2.7 1h :spam");
  EXPECT_TRUE(h.closed(spammer));
  EXPECT_TRUE(h.has_line(spammer, "ERROR :Closing Link: 192.0.2.7 (K-lined: spam)")) << h.dump(spammer);
  EXPECT_FALSE(h.closed(other));
  EXPECT_TRUE(h.has_line(root, "*** KLINE added on *@192.0.2.7 for 1h; 1 user disconnected")) << h.dump(root);
  ASSERT_EQ(stored(h).size(), 1u);
  EXPECT_EQ(stored(h)[0].mask, "*@192.0.2.7");
  EXPECT_EQ(stored(h)[0].reason, "spam");
  EXPECT_EQ(stored(h)[0].set_by, "root!~root@127.0.0.1");
  EXPECT_EQ(stored(h)[0].expires_at - stored(h)[0].set_at, 3600);

  SessionId again = h.connect("192.0.2.7");
  h.send(again, "NICK spammer2");
  h.send(again, "USER s 0 * :s");
  EXPECT_FALSE(h.has_line(again, " 001 "));
  EXPECT_TRUE(h.has_line(again, "ERROR :Closing Link: 192.0.2.7 (K-lined: spam)")) << h.dump(again);
  EXPECT_TRUE(h.closed(again));
}

TEST(Kline, ANickStandsForItsAddressAndTheReasonIsOptional) {
  EngineHarness h(with_operator());
  SessionId root = oper_up(h, "root");
  SessionId bob = h.register_user("bob", {}, "198.51.100.3");
  h.send(root, "KLINE bob 0");
  EXPECT_TRUE(h.has_line(bob, "(K-lined: No reason given)")) << h.dump(bob);
  ASSERT_EQ(stored(h).size(), 1u);
  EXPECT_EQ(stored(h)[0].mask, "*@198.51.100.3");
  EXPECT_EQ(stored(h)[0].expires_at, 0) << "0: permanent";
}

TEST(Kline, BadMaskOrDurationIsAFailAndAddsNothing) {
  EngineHarness h(with_operator());
  SessionId root = oper_up(h, "root");
  h.send(root, "KLINE *@* 1h :everyone");
  h.send(root, "KLINE *@192.0.2.7 soon :spam");
  const auto lines = h.take(root);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("FAIL KLINE INVALID_MASK *@* :the mask *@* would ban nearly everyone"));
  EXPECT_THAT(lines[1], HasSubstr("FAIL KLINE INVALID_DURATION soon :"));
  EXPECT_THAT(stored(h), IsEmpty());
  EXPECT_TRUE(h.engine().server_bans().all().empty());
}

TEST(Kline, ABanOnTheOperatorSettingItIsRefused) {
  EngineHarness h(with_operator());
  SessionId root = oper_up(h, "root", "203.0.113.5");
  h.send(root, "KLINE *@203.0.113.* 1h :oops");
  EXPECT_TRUE(h.has_line(root, "FAIL KLINE WOULD_BAN_SELF *@203.0.113.* :")) << h.dump(root);
  EXPECT_FALSE(h.closed(root));
  EXPECT_THAT(stored(h), IsEmpty());
}

TEST(Kline, StatsKListsItAndUnklineRemovesIt) {
  EngineHarness h(with_operator());
  SessionId root = oper_up(h, "root");
  h.send(root, "KLINE 192.0.2.7 30m :spam");
  h.clear(root);
  h.send(root, "STATS k");
  EXPECT_THAT(h.lines(root), AreLines(":parley.local 216 root K *@192.0.2.7 1800 root!~root@127.0.0.1 :spam",
                                      ":parley.local 219 root k :End of /STATS report"));
  h.clear(root);
  h.send(root, "UNKLINE 192.0.2.7");  // the same normalisation as KLINE: "*@192.0.2.7"
  EXPECT_TRUE(h.has_line(root, "*** KLINE on *@192.0.2.7 removed")) << h.dump(root);
  EXPECT_THAT(stored(h), IsEmpty());
  h.clear(root);
  h.send(root, "UNKLINE *@192.0.2.7");
  EXPECT_TRUE(h.has_line(root, "FAIL UNKLINE NO_SUCH_BAN *@192.0.2.7 :")) << h.dump(root);
  SessionId back = h.register_user("back", {}, "192.0.2.7");
  EXPECT_FALSE(h.closed(back));
}

TEST(Kline, StatsKIsForOperators) {
  EngineHarness h(with_operator());
  SessionId a = h.register_user("alice");
  h.send(a, "STATS k");
  EXPECT_TRUE(h.has_line(a, " 481 alice :Permission Denied- STATS k is for IRC operators")) << h.dump(a);
}

TEST(Kline, ExpiresOnTimeTellsOperatorsAndLeavesTheStore) {
  EngineHarness h(with_operator());
  SessionId root = oper_up(h, "root");
  h.send(root, "KLINE *@192.0.2.7 1m :cool down");
  h.clear(root);
  h.advance(std::chrono::seconds(59));
  EXPECT_EQ(stored(h).size(), 1u);
  EXPECT_TRUE(h.engine().server_bans().match_user("x", "h", "192.0.2.7", h.engine().unix_now()));
  h.advance(std::chrono::seconds(2));
  h.answer_automatic();  // the store's answer to the deletion
  EXPECT_TRUE(h.has_line(root, "*** The K-line on *@192.0.2.7 set by root!~root@127.0.0.1 has expired"))
      << h.dump(root);
  EXPECT_TRUE(h.engine().server_bans().all().empty());
  EXPECT_THAT(stored(h), IsEmpty());
  SessionId back = h.register_user("back", {}, "192.0.2.7");
  EXPECT_FALSE(h.closed(back));
}

TEST(Dline, RefusesTheConnectionBeforeItSaysAnything) {
  EngineHarness h(with_operator());
  SessionId root = oper_up(h, "root");
  SessionId victim = h.register_user("victim", {}, "198.51.100.20");
  h.send(root, "DLINE 198.51.100.0/24 1d :botnet");
  EXPECT_TRUE(h.has_line(victim, "(D-lined: botnet)")) << h.dump(victim);
  EXPECT_TRUE(h.closed(victim));
  SessionId next = h.connect("198.51.100.99");
  EXPECT_FALSE(h.accepted(next));
  EXPECT_THAT(h.lines(next), AreLines("ERROR :Closing Link: 198.51.100.99 (D-lined: botnet)"));
  SessionId outside = h.connect("198.51.101.1");
  EXPECT_TRUE(h.accepted(outside));
  h.clear(root);
  h.send(root, "STATS d");
  EXPECT_TRUE(h.has_line(root, " 225 root D 198.51.100.0/24 86400 root!~root@127.0.0.1 botnet")) << h.dump(root);
  h.send(root, "UNDLINE 198.51.100.0/24");
  EXPECT_THAT(stored(h), IsEmpty());
  EXPECT_TRUE(h.accepted(h.connect("198.51.100.99")));
}

TEST(Dline, TooWideABlockIsRefused) {
  EngineHarness h(with_operator());
  SessionId root = oper_up(h, "root");
  h.send(root, "DLINE 0.0.0.0/0 1h :all");
  EXPECT_TRUE(h.has_line(root, "FAIL DLINE INVALID_MASK 0.0.0.0/0 :")) << h.dump(root);
  EXPECT_TRUE(h.engine().server_bans().all().empty());
}

TEST(ServerBans, RestoredBansApplyFromTheFirstConnection) {
  EngineHarness h(with_operator());
  ServerBan d{ServerBan::Kind::kAddress, "192.0.2.0/24", "restored", "root!~root@127.0.0.1", 0, 0};
  h.engine().restore_server_bans({d});
  SessionId s = h.connect("192.0.2.1");
  EXPECT_FALSE(h.accepted(s));
  EXPECT_THAT(h.lines(s), AreLines("ERROR :Closing Link: 192.0.2.1 (D-lined: restored)"));
}

TEST(ServerBans, OtherOperatorsAreToldWithSnomaskX) {
  EngineHarness h(with_operator());
  SessionId root = oper_up(h, "root");
  SessionId watcher = oper_up(h, "watcher");
  h.send(root, "KLINE *@192.0.2.7 1h :spam");
  EXPECT_TRUE(h.has_line(watcher, ":parley.local NOTICE watcher :*** root added a K-line on *@192.0.2.7 (expires in "
                                  "1h): spam"))
      << h.dump(watcher);
  h.clear(watcher);
  h.send(watcher, "MODE watcher +s -x");
  h.send(root, "UNKLINE *@192.0.2.7");
  EXPECT_FALSE(h.has_line(watcher, "removed the K-line")) << h.dump(watcher);
}

}  // namespace
}  // namespace parley::core::test
