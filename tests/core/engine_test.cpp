// Tests for the engine's transport entry points and shared machinery (src/core/engine.cpp,
// membership.cpp): connection limits, flood control, bad input, disconnects, shutdown, fan-out
// buffer sharing and clean removal of users. The limits are the ones config.h names; the
// fan-out rule is DESIGN.md's "serialise a message once per fan-out".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::IsEmpty;
using namespace std::chrono_literals;

// ---- connection limits -------------------------------------------------------------------------

TEST(ConnectionLimits, MaxClientsRefusesWithError) {
  EngineHarness h;
  h.config.limits.max_clients = 2;
  SessionId a = h.connect("10.0.0.1");
  SessionId b = h.connect("10.0.0.2");
  SessionId c = h.connect("10.0.0.3");
  EXPECT_TRUE(h.accepted(a));
  EXPECT_TRUE(h.accepted(b));
  EXPECT_FALSE(h.accepted(c));
  EXPECT_THAT(h.lines(c), AreLines("ERROR :Closing Link: 10.0.0.3 (Server is full)"));
  EXPECT_TRUE(h.closed(c));
  EXPECT_EQ(h.engine().user_count(), 2u);
}

TEST(ConnectionLimits, LeavingFreesAClientSlot) {
  EngineHarness h;
  h.config.limits.max_clients = 1;
  SessionId a = h.connect("10.0.0.1");
  h.engine().disconnect(a, "EOF", h.now());
  SessionId b = h.connect("10.0.0.2");
  EXPECT_TRUE(h.accepted(b));
}

TEST(ConnectionLimits, PerIpLimitRefusesOnlyThatAddress) {
  EngineHarness h;
  h.config.limits.max_clients_per_ip = 2;
  h.connect("10.0.0.1");
  h.connect("10.0.0.1");
  SessionId third = h.connect("10.0.0.1");
  SessionId other = h.connect("10.0.0.2");
  EXPECT_FALSE(h.accepted(third));
  EXPECT_THAT(h.lines(third),
              AreLines("ERROR :Closing Link: 10.0.0.1 (Too many connections from your IP address)"));
  EXPECT_TRUE(h.closed(third));
  EXPECT_TRUE(h.accepted(other));
}

TEST(ConnectionLimits, ExemptAddressIsNotLimitedPerIp) {
  EngineHarness h;
  h.config.limits.max_clients_per_ip = 1;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(h.accepted(h.connect("10.0.0.9", /*exempt=*/true))) << i;
}

TEST(ConnectionLimits, PerIpExemptAddressIsNotCountedButStillFloodLimited) {
  EngineHarness h;
  h.config.limits.max_clients_per_ip = 1;
  ConnectionInfo info;
  info.ip = "127.0.0.1";
  info.per_ip_exempt = true;
  std::vector<SessionId> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(h.connect(info));
    EXPECT_TRUE(h.accepted(ids.back())) << i;
  }
  for (int i = 0; i < 40; ++i) h.send(ids[0], "PING x");  // burst 20 + debt 10, no time passes
  EXPECT_EQ(h.close_reason(ids[0]), "Excess Flood");
}

TEST(ConnectionLimits, PerIpSlotIsReleasedByQuitAndDisconnect) {
  EngineHarness h;
  h.config.limits.max_clients_per_ip = 1;
  SessionId a = h.connect("10.0.0.1");
  h.send(a, "QUIT");
  SessionId b = h.connect("10.0.0.1");
  ASSERT_TRUE(h.accepted(b));
  h.engine().disconnect(b, "EOF", h.now());
  EXPECT_TRUE(h.accepted(h.connect("10.0.0.1")));
}

TEST(ConnectionLimits, RefusedConnectionDoesNotUseAPerIpSlot) {
  EngineHarness h;
  h.config.limits.max_clients_per_ip = 1;
  SessionId a = h.connect("10.0.0.1");
  h.connect("10.0.0.1");  // refused
  h.send(a, "QUIT");
  EXPECT_TRUE(h.accepted(h.connect("10.0.0.1")));
}

// ---- flood control -------------------------------------------------------------------------------

TEST(Flood, BurstIsAllowedThenExcessFloodCloses) {
  EngineHarness h;  // burst 20, rate 2/s, max_debt 10
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.clock.advance(30s);  // refill
  h.clear_all();
  for (int i = 0; i < 30; ++i) h.send(a, "PING n" + std::to_string(i));
  EXPECT_EQ(h.count(a, " PONG "), 30u);
  EXPECT_FALSE(h.closed(a));
  h.send(a, "PING last");
  EXPECT_TRUE(h.closed(a));
  EXPECT_EQ(h.close_reason(a), "Excess Flood");
  EXPECT_FALSE(h.has_line(a, "PONG parley.local last"));
  EXPECT_TRUE(h.has_line(a, "ERROR :Closing Link: 127.0.0.1 (Excess Flood)")) << h.dump(a);
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 QUIT :Excess Flood"));
}

TEST(Flood, ExemptClientIsNeverFlooded) {
  EngineHarness h;
  SessionId a = h.connect("127.0.0.1", /*exempt=*/true);
  for (int i = 0; i < 200; ++i) h.send(a, "PING x");
  EXPECT_FALSE(h.closed(a));
  EXPECT_EQ(h.count(a, " PONG "), 200u);
}

TEST(Flood, TokensRefillAtTheConfiguredRate) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.clock.advance(30s);
  for (int i = 0; i < 30; ++i) h.send(a, "PING x");  // bucket at -max_debt
  ASSERT_FALSE(h.closed(a));
  h.clock.advance(1s);  // +2 tokens
  h.send(a, "PING y");
  h.send(a, "PING y");
  EXPECT_FALSE(h.closed(a));
  h.send(a, "PING z");
  EXPECT_TRUE(h.closed(a));
}

TEST(Flood, SteadyPaceAtTheRateIsNeverFlooded) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  for (int i = 0; i < 200; ++i) {
    h.clock.advance(500ms);
    h.send(a, "PING x");
  }
  EXPECT_FALSE(h.closed(a));
}

TEST(Flood, ConfiguredBurstIsUsed) {
  EngineHarness h;
  h.config.flood.burst = 5;
  h.config.flood.max_debt = 0;
  SessionId a = h.connect();
  for (int i = 0; i < 5; ++i) h.send(a, "PING x");
  EXPECT_FALSE(h.closed(a));
  h.send(a, "PING x");
  EXPECT_TRUE(h.closed(a));
}

// ---- bad input -----------------------------------------------------------------------------------

TEST(Input, NulByteIs400AndConnectionStays) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, std::string("PRIVMSG bob :a\0b", 16));
  EXPECT_THAT(h.lines(a),
              AreLines(":parley.local 400 alice * :Input line contained a NUL byte and was discarded"));
  EXPECT_THAT(h.lines(b), IsEmpty());
  EXPECT_FALSE(h.closed(a));
  h.send(a, "PRIVMSG bob :fine");
  EXPECT_EQ(h.lines(b).size(), 1u);
}

TEST(Input, LineTooLongFromTransportIs417AndConnectionStays) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.engine().line_too_long(a, h.now());
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 417 alice :Input line was too long"));
  EXPECT_FALSE(h.closed(a));
}

TEST(Input, OverlongLineIs417) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "PRIVMSG bob :" + std::string(600, 'x'));
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 417 alice :Input line was too long"));
  EXPECT_THAT(h.lines(b), IsEmpty());
}

TEST(Input, EmptyLineIsIgnored) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "");
  h.send(a, "   ");
  EXPECT_THAT(h.lines(a), IsEmpty());
}

TEST(Input, MalformedLineGetsAnErrorAndConnectionStays) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, ":only.a.source");
  h.send(a, "PRIV\x01MSG x");
  EXPECT_EQ(h.count(a, " 400 alice "), 2u) << h.dump(a);
  h.send(a, "PRIV-MSG x");  // well formed, just unknown
  EXPECT_EQ(h.count(a, " 421 alice PRIV-MSG "), 1u) << h.dump(a);
  EXPECT_FALSE(h.closed(a));
}

TEST(Input, LinesForUnknownSessionsAreIgnored) {
  EngineHarness h;
  h.engine().receive(999, "NICK ghost", h.now());
  h.engine().line_too_long(999, h.now());
  h.engine().disconnect(999, "EOF", h.now());
  EXPECT_THAT(h.lines(999), IsEmpty());
  EXPECT_EQ(h.engine().user_count(), 0u);
}

// ---- disconnect and shutdown ----------------------------------------------------------------------

TEST(Disconnect, TellsSharedChannelsQuitOnce) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #one,#two,#three");
  h.send(b, "JOIN #one,#two,#three");
  h.clear_all();
  h.engine().disconnect(a, "Connection reset by peer", h.now());
  EXPECT_THAT(h.lines(b), AreLines(":alice!~alice@127.0.0.1 QUIT :Connection reset by peer"));
  EXPECT_THAT(h.lines(a), IsEmpty()) << "the transport is gone: no ERROR";
  EXPECT_FALSE(h.closed(a)) << "the transport reported the loss; the engine must not close it again";
  EXPECT_EQ(h.user(a), nullptr);
  EXPECT_EQ(h.engine().user_count(), 1u);
  EXPECT_TRUE(h.memberships_consistent());
}

TEST(Disconnect, LaterLinesFromThatSessionAreIgnored) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.engine().disconnect(a, "EOF", h.now());
  h.send(a, "PRIVMSG bob :ghost");
  EXPECT_THAT(h.lines(b), IsEmpty());
}

TEST(Shutdown, SendsErrorToEveryClientAndClosesThem) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  SessionId u = h.connect("10.0.0.5");  // unregistered
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.clear_all();
  h.engine().shutdown("Server shutting down");
  for (SessionId id : {a, b}) {
    EXPECT_THAT(h.lines(id), AreLines("ERROR :Closing Link: 127.0.0.1 (Server shutting down)")) << id;
    EXPECT_EQ(h.close_reason(id), "Server shutting down");
  }
  EXPECT_THAT(h.lines(u), AreLines("ERROR :Closing Link: 10.0.0.5 (Server shutting down)"));
  EXPECT_TRUE(h.closed(u));
  EXPECT_EQ(h.engine().user_count(), 0u);
  EXPECT_EQ(h.engine().channel_count(), 0u);
}

TEST(Shutdown, LeavesAUsableEngine) {
  EngineHarness h;
  h.register_user("alice");
  h.engine().shutdown("restart");
  h.register_user("alice");  // the nick is free again; expects RPL_WELCOME
  EXPECT_EQ(h.engine().user_count(), 1u);
}

// ---- fan-out ---------------------------------------------------------------------------------------

TEST(FanOut, ChannelMembersWithSameCapsShareOneBuffer) {
  EngineHarness h;
  auto ids =
      h.channel_with_caps("#c", {{"alice", {}}, {"bob", {}}, {"carol", {}}, {"dave", {}}, {"eve", {}}});
  h.send(ids[0], "PRIVMSG #c :one buffer");
  std::set<const std::string*> buffers;
  for (std::size_t i = 1; i < ids.size(); ++i) {
    const auto& d = h.sink.deliveries(ids[i]);
    ASSERT_EQ(d.size(), 1u) << "member " << i;
    buffers.insert(d[0].get());
  }
  EXPECT_EQ(buffers.size(), 1u) << "every member must receive the same SharedLine";
}

TEST(FanOut, OneBufferPerCapabilityVariant) {
  EngineHarness h;
  auto ids = h.channel_with_caps(
      "#c", {{"alice", {}}, {"p1", {}}, {"p2", {}}, {"t1", {"server-time"}}, {"t2", {"server-time"}}});
  h.send(ids[0], "PRIVMSG #c :variants");
  auto ptr = [&](SessionId id) {
    const auto& d = h.sink.deliveries(id);
    return d.size() == 1 ? d[0].get() : nullptr;
  };
  ASSERT_NE(ptr(ids[1]), nullptr);
  ASSERT_NE(ptr(ids[3]), nullptr);
  EXPECT_EQ(ptr(ids[1]), ptr(ids[2]));
  EXPECT_EQ(ptr(ids[3]), ptr(ids[4]));
  EXPECT_NE(ptr(ids[1]), ptr(ids[3]));
}

TEST(FanOut, QuitIsSharedAcrossChannels) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  SessionId c = h.register_user("carol");
  h.send(a, "JOIN #x,#y");
  h.send(b, "JOIN #x");
  h.send(c, "JOIN #y");
  h.clear_all();
  h.send(a, "QUIT :bye");
  ASSERT_EQ(h.sink.deliveries(b).size(), 1u);
  ASSERT_EQ(h.sink.deliveries(c).size(), 1u);
  EXPECT_EQ(h.sink.deliveries(b)[0].get(), h.sink.deliveries(c)[0].get());
}

// ---- wire format of replies ------------------------------------------------------------------------
// RFC 1459 2.3.1 / modern.ircdocs.horse "Parameters": a middle parameter never starts with ':'
// and never contains a space. Numerics that echo what the client sent must keep that rule, or
// the client parses a different message (parameters shift into the trailing text).

TEST(WireFormat, EchoedNickWithSpaceStaysOneParameter) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "WHOIS :no body");
  auto r = h.replies(a, "401");
  ASSERT_EQ(r.size(), 1u) << h.dump(a);
  EXPECT_EQ(r[0].params.size(), 3u) << r[0].raw;
  EXPECT_EQ(r[0].params.back(), "No such nick/channel") << r[0].raw;
}

TEST(WireFormat, EchoedParameterStartingWithColonStaysOneParameter) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK ::colon");
  auto r = h.replies(a, "432");
  ASSERT_EQ(r.size(), 1u) << h.dump(a);
  EXPECT_EQ(r[0].params.size(), 3u) << r[0].raw;
  EXPECT_EQ(r[0].params.back(), "Erroneous nickname") << r[0].raw;
}

TEST(WireFormat, InvalidLimitWithSpaceStaysOneParameter) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  h.send(a, "JOIN #c");
  h.clear(a);
  h.send(a, "MODE #c +l :5 x");
  auto r = h.replies(a, "696");
  ASSERT_EQ(r.size(), 1u) << h.dump(a);
  EXPECT_EQ(r[0].params.size(), 5u) << r[0].raw;
  EXPECT_EQ(r[0].params.back(), "Invalid limit") << r[0].raw;
}

TEST(WireFormat, BanMaskStartingWithColonIsListedIntact) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.send(a, "MODE #c +b ::weird");
  h.clear_all();
  h.send(b, "MODE #c +b");
  ASSERT_EQ(h.replies(b, "367").size(), 1u) << h.dump(b);
  for (const Line& l : h.replies(b, "367")) {
    EXPECT_EQ(l.params.size(), 5u) << "367 <client> <channel> <mask> <who> <set-ts>: " << l.raw;
  }
}

TEST(WireFormat, ModeBroadcastKeepsParametersApart) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #c");
  h.send(b, "JOIN #c");
  h.send(a, "MODE #c +k key");
  h.clear_all();
  h.send(a, "MODE #c +b-k ::weird");
  ASSERT_EQ(h.replies(b, "MODE").size(), 1u) << h.dump(b);
  for (const Line& l : h.replies(b, "MODE")) {
    // "#c" "+b-k" "<mask>" "*": the -k placeholder must stay its own parameter.
    EXPECT_EQ(l.params.size(), 4u) << l.raw;
  }
}

TEST(WireFormat, Ipv6LoopbackHostIsPrefixedSoItCannotStartWithColon) {
  EngineHarness h;
  SessionId a = h.connect("::1");
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :Alice");
  EXPECT_TRUE(h.has_line(a, "alice!~alice@0::1")) << h.dump(a);
  h.send(a, "QUIT");
  EXPECT_TRUE(h.has_line(a, "ERROR :Closing Link: 0::1 (Client Quit)")) << h.dump(a);
}

// ---- removal ---------------------------------------------------------------------------------------

TEST(Removal, QuitLeavesNoDanglingChannelMember) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "JOIN #one,#two,#solo");
  h.send(b, "JOIN #one,#two");
  User* alice = h.user(a);
  h.send(a, "QUIT");
  for (const auto& [key, c] : h.engine().channels()) {
    EXPECT_EQ(c->members.count(alice), 0u) << c->name;
  }
  EXPECT_EQ(h.channel("#solo"), nullptr);
  EXPECT_EQ(h.engine().channel_count(), 2u);
  EXPECT_TRUE(h.memberships_consistent());
  h.send(b, "PRIVMSG #one :still works");
  h.send(b, "NAMES #one");
  EXPECT_THAT(h.lines(b), HasLine(":parley.local 353 bob = #one :bob"));
}

TEST(Removal, FloodedKilledAndDisconnectedUsersLeaveNoTrace) {
  EngineHarness h;
  h.config.operators.push_back(OperatorBlock{"root", FakeAccountBackend::hash("pw"), "*@*"});
  SessionId op = h.register_user("op");
  h.send(op, "OPER root pw");
  std::vector<SessionId> victims;
  for (const char* nick : {"flooder", "killed", "dropped"}) {
    victims.push_back(h.register_user(nick));
    h.send(victims.back(), "JOIN #c,#d");
  }
  h.send(op, "JOIN #c");
  for (int i = 0; i < 40; ++i) h.send(victims[0], "PING x");
  h.send(op, "KILL killed :bye");
  h.engine().disconnect(victims[2], "EOF", h.now());
  EXPECT_EQ(h.engine().user_count(), 1u);
  EXPECT_EQ(h.engine().channel_count(), 1u) << "#d emptied and must be gone";
  EXPECT_TRUE(h.memberships_consistent());
  for (const char* nick : {"flooder", "killed", "dropped"})
    EXPECT_EQ(h.engine().find_nick(nick), nullptr) << nick;
  EXPECT_EQ(h.channel("#c")->members.size(), 1u);
}

TEST(Removal, MessagesToAQuitUserAre401) {
  EngineHarness h;
  SessionId a = h.register_user("alice");
  SessionId b = h.register_user("bob");
  h.send(a, "QUIT");
  h.send(b, "PRIVMSG alice :are you there?");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local 401 bob alice :No such nick/channel"));
}

}  // namespace
}  // namespace parley::core::test
