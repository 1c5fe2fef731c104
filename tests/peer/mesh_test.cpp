// The mesh rules over a simulated network with a fake clock (tests/peer/sim_net.h): delivery
// exactly once over any topology, healing after a peer dies, gap filling after a split, leaving,
// and bad input.
#include "peer/mesh.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "peer/sim_net.h"

namespace parley::peer {
namespace {

using testing::SimNet;
using namespace std::chrono_literals;
namespace mesh = proto::mesh;

void say(SimNet& net, std::size_t i, const std::string& text) {
  ASSERT_TRUE(net.peer(i).mesh.say(text, 1700000000000, net.now()));
}

// Every peer alive got every expected line exactly once, and each origin's lines in order.
void expect_exactly_once(SimNet& net, const std::vector<std::string>& expected,
                         const std::set<std::size_t>& skip = {}) {
  for (std::size_t i = 0; i < net.size(); ++i) {
    if (skip.contains(i)) continue;
    const auto c = testing::counts(net.peer(i));
    for (const auto& line : expected)
      EXPECT_EQ(c.count(line) ? c.at(line) : 0, 1) << "peer " << i << ": " << line;
    EXPECT_EQ(net.peer(i).delivered.size(), expected.size()) << "peer " << i;
    std::map<std::uint64_t, std::uint64_t> last;
    for (const auto& line : net.peer(i).delivered) {
      EXPECT_GT(line.seq, last[line.origin]) << "peer " << i << " out of order: " << line.text;
      last[line.origin] = line.seq;
    }
  }
}

std::vector<std::string> say_round(SimNet& net, const std::string& tag,
                                   const std::set<std::size_t>& skip = {}) {
  std::vector<std::string> expected;
  for (std::size_t i = 0; i < net.size(); ++i) {
    if (skip.contains(i)) continue;
    const std::string text = tag + " from " + std::to_string(i);
    say(net, i, text);
    expected.push_back("p" + std::to_string(i) + ": " + text);
  }
  return expected;
}

TEST(Mesh, TwoPeersExchangeMessages) {
  SimNet net;
  net.add_peer();
  net.add_peer({0});
  net.run_for(1s);
  EXPECT_EQ(net.peer(0).mesh.neighbour_count(), 1u);
  EXPECT_EQ(net.peer(1).mesh.neighbour_count(), 1u);
  auto expected = say_round(net, "hello");
  net.run_for(1s);
  expect_exactly_once(net, expected);
  EXPECT_TRUE(net.peer(0).delivered[0].own);
}

TEST(Mesh, LineDeliversEndToEnd) {
  SimNet net;
  MeshOptions o;
  o.degree = 1;  // keep it a line
  net.add_peer({}, o);
  for (std::size_t i = 1; i < 8; ++i) net.add_peer({i - 1}, o);
  net.run_for(2s);
  EXPECT_EQ(net.link_count(), 7u);
  auto expected = say_round(net, "line");
  net.run_for(2s);
  expect_exactly_once(net, expected);
}

TEST(Mesh, StarTreeRingAndDenseGraphsDeliverExactlyOnce) {
  for (int shape = 0; shape < 4; ++shape) {
    SimNet net;
    const std::size_t n = 12;
    net.add_peer();
    for (std::size_t i = 1; i < n; ++i) {
      switch (shape) {
        case 0: net.add_peer({0}); break;                   // star
        case 1: net.add_peer({(i - 1) / 2}); break;         // binary tree
        case 2: net.add_peer({i - 1}); break;               // ring (closed below)
        case 3: net.add_peer({i - 1, (i * 7) % i}); break;  // dense
      }
    }
    if (shape == 2) net.peer(0).mesh.add_seed(net.address_of(n - 1));
    net.run_for(3s);
    std::vector<std::string> expected;
    for (int round = 0; round < 3; ++round) {
      auto more = say_round(net, "r" + std::to_string(round));
      expected.insert(expected.end(), more.begin(), more.end());
      net.run_for(20ms);
    }
    net.run_for(3s);
    SCOPED_TRACE("shape " + std::to_string(shape));
    expect_exactly_once(net, expected);
  }
}

TEST(Mesh, KeepsTheTargetDegree) {
  SimNet net;
  net.add_peer();
  for (std::size_t i = 1; i < 10; ++i) net.add_peer({0});
  net.run_for(5s);
  for (std::size_t i = 0; i < net.size(); ++i) {
    EXPECT_GE(net.peer(i).mesh.neighbour_count(), 3u) << i;
    EXPECT_LE(net.peer(i).mesh.neighbour_count(), 8u) << i;
  }
}

TEST(Mesh, MiddlePeerDyingHealsWithinSeconds) {
  SimNet net;
  MeshOptions o;
  o.degree = 2;
  net.add_peer({}, o);
  for (std::size_t i = 1; i < 6; ++i) net.add_peer({i - 1}, o);
  net.run_for(3s);
  net.kill(2);
  net.run_for(2s);
  auto expected = say_round(net, "after", {2});
  net.run_for(2s);
  expect_exactly_once(net, expected, {2});
}

TEST(Mesh, SplitHealsAndFillsTheGapExactlyOnce) {
  SimNet net;
  for (std::size_t i = 0; i < 8; ++i)
    net.add_peer(i == 0 ? std::vector<std::size_t>{} : std::vector<std::size_t>{i - 1});
  net.run_for(3s);
  auto expected = say_round(net, "before");
  net.run_for(1s);
  net.partition({0, 1, 2, 3});
  net.run_for(1s);
  for (int k = 0; k < 5; ++k) {
    auto more = say_round(net, "during" + std::to_string(k));
    expected.insert(expected.end(), more.begin(), more.end());
  }
  net.run_for(2s);
  // Each side has its own messages only.
  EXPECT_EQ(testing::counts(net.peer(0)).count("p7: during0 from 7"), 0u);
  net.heal();
  net.run_for(6s);
  auto after = say_round(net, "after");
  expected.insert(expected.end(), after.begin(), after.end());
  net.run_for(2s);
  expect_exactly_once(net, expected);
}

TEST(Mesh, LinkCutWhileMessagesAreInFlightLosesNothing) {
  SimNet::Options so;
  so.latency = 30ms;
  SimNet net(so);
  for (std::size_t i = 0; i < 6; ++i)
    net.add_peer(i == 0 ? std::vector<std::size_t>{} : std::vector<std::size_t>{i - 1});
  net.run_for(3s);
  auto expected = say_round(net, "x");
  net.partition({0, 2, 4});  // cuts links mid-flight
  net.run_for(500ms);
  net.heal();
  net.run_for(5s);
  expect_exactly_once(net, expected);
}

TEST(Mesh, ThirtyPeersFiftyMessagesEachExactlyOnce) {
  SimNet net;
  net.add_peer();
  for (std::size_t i = 1; i < 30; ++i) net.add_peer({i / 2});
  net.run_for(4s);
  std::vector<std::string> expected;
  for (int k = 0; k < 50; ++k) {
    auto more = say_round(net, "m" + std::to_string(k));
    expected.insert(expected.end(), more.begin(), more.end());
    net.run_for(5ms);
  }
  net.run_for(4s);
  expect_exactly_once(net, expected);
}

TEST(Mesh, QuitIsAnnouncedAndNotRedialled) {
  SimNet net;
  net.add_peer();
  net.add_peer({0});
  net.add_peer({0});
  net.run_for(2s);
  net.peer(1).mesh.leave();
  net.peer(1).alive = false;
  net.run_for(3s);
  EXPECT_EQ(net.peer(0).mesh.neighbour_count(), 1u);
  EXPECT_EQ(net.peer(2).mesh.neighbour_count(), 1u);
  bool goodbye = false;
  for (const auto& line : net.peer(0).infos) goodbye |= line.find("left the chat") != std::string::npos;
  EXPECT_TRUE(goodbye);
  auto expected = say_round(net, "still", {1});
  net.run_for(1s);
  expect_exactly_once(net, expected, {1});
}

TEST(Mesh, ConnectAndLossCountPeersInGoodEnglish) {
  SimNet net;
  net.add_peer();
  net.add_peer({0});
  net.run_for(1s);
  ASSERT_FALSE(net.peer(1).infos.empty());
  EXPECT_EQ(net.peer(1).infos.front(), "connected to p0 (10.0.0.0:1000) (1 peer)");
  net.add_peer({0});
  net.run_for(1s);
  EXPECT_EQ(net.peer(0).infos.back(), "connected to p2 (10.0.0.2:1002) (2 peers)");
  net.kill(2);
  net.run_for(1s);
  EXPECT_EQ(net.peer(0).infos.back(), "lost p2 (10.0.0.2:1002): Connection reset (1 peer)");
}

TEST(Mesh, UnreachableSeedIsReportedToTheUserWhileItIsRetried) {
  SimNet net;
  net.add_peer();
  net.kill(0);
  net.add_peer({0});
  net.run_for(30s);
  std::vector<std::string> reports;
  for (const auto& line : net.peer(1).infos) {
    if (line.starts_with("cannot reach ")) reports.push_back(line);
  }
  ASSERT_GE(reports.size(), 4u);
  EXPECT_EQ(reports[0], "cannot reach 10.0.0.0:1000: Connection refused; trying again in 250 ms (attempt 1)");
  EXPECT_EQ(reports[1], "cannot reach 10.0.0.0:1000: Connection refused; trying again in 500 ms (attempt 2)");
  EXPECT_EQ(reports[2], "cannot reach 10.0.0.0:1000: Connection refused; trying again in 2 s (attempt 4)");
  EXPECT_EQ(reports[3], "cannot reach 10.0.0.0:1000: Connection refused; trying again in 5 s (attempt 8)");
}

TEST(Mesh, SimultaneousDialsLeaveOneLink) {
  SimNet net;
  net.add_peer({1});
  net.add_peer({0});
  net.run_for(3s);
  EXPECT_EQ(net.link_count(), 1u);
  EXPECT_EQ(net.peer(0).mesh.neighbour_count(), 1u);
}

TEST(Mesh, GarbageEndsOnlyThatLink) {
  SimNet net;
  net.add_peer();
  net.add_peer({0});
  net.run_for(1s);
  const LinkId raw = net.connect_raw(0);
  net.send_raw(0, raw, "GET / HTTP/1.0\r\n\r\n");
  net.run_for(200ms);
  EXPECT_FALSE(net.raw_link_open(0, raw));
  ASSERT_FALSE(net.peer(0).warnings.empty());
  EXPECT_NE(net.peer(0).warnings.back().find("unsupported frame version"), std::string::npos);
  auto expected = say_round(net, "fine");
  net.run_for(1s);
  expect_exactly_once(net, expected);
}

TEST(Mesh, OversizedFrameIsRejectedFromItsHeader) {
  SimNet net;
  net.add_peer();
  const LinkId raw = net.connect_raw(0);
  std::string header = {char(mesh::kVersion), 'M', 0x01, 0x00, 0x00, 0x00};  // 16 MiB
  net.send_raw(0, raw, header);
  net.run_for(100ms);
  EXPECT_FALSE(net.raw_link_open(0, raw));
  EXPECT_NE(net.peer(0).warnings.back().find("exceeds"), std::string::npos);
}

TEST(Mesh, MessagesBeforeHelloAreAProtocolError) {
  SimNet net;
  net.add_peer();
  const LinkId raw = net.connect_raw(0);
  net.send_raw(0, raw, mesh::encode_ping());
  net.run_for(100ms);
  EXPECT_FALSE(net.raw_link_open(0, raw));
}

TEST(Mesh, FloodingPeerIsDisconnected) {
  SimNet net;
  MeshOptions o;
  o.flood_rate = 10;
  o.flood_burst = 50;
  net.add_peer({}, o);
  const LinkId raw = net.connect_raw(0);
  std::string bytes = mesh::encode_hello({42, 0, "flooder"});
  for (int i = 0; i < 100; ++i) bytes += mesh::encode_ping();
  net.send_raw(0, raw, bytes);
  net.run_for(100ms);
  EXPECT_FALSE(net.raw_link_open(0, raw));
  EXPECT_NE(net.peer(0).warnings.back().find("flood"), std::string::npos);
}

TEST(Mesh, SilentLinkIsDropped) {
  SimNet net;
  net.add_peer();
  const LinkId raw = net.connect_raw(0);
  net.send_raw(0, raw, mesh::encode_hello({42, 0, "mute"}));
  net.run_for(1s);
  EXPECT_TRUE(net.raw_link_open(0, raw));
  EXPECT_EQ(net.peer(0).mesh.neighbour_count(), 1u);
  net.run_for(10s);
  EXPECT_FALSE(net.raw_link_open(0, raw));
}

TEST(Mesh, HopLimitStopsForwarding) {
  SimNet net;
  MeshOptions o;
  o.degree = 1;
  o.hop_limit = 2;
  o.sync_every = 1h;  // no anti-entropy: only flooding
  net.add_peer({}, o);
  for (std::size_t i = 1; i < 5; ++i) net.add_peer({i - 1}, o);
  net.run_for(2s);
  say(net, 0, "short");
  net.run_for(1s);
  EXPECT_EQ(net.peer(1).delivered.size(), 1u);
  EXPECT_EQ(net.peer(2).delivered.size(), 1u);
  EXPECT_EQ(net.peer(3).delivered.size(), 0u);
}

TEST(Mesh, RefusesEmptyAndOverlongText) {
  SimNet net;
  net.add_peer();
  EXPECT_FALSE(net.peer(0).mesh.say("", 0, net.now()));
  EXPECT_FALSE(net.peer(0).mesh.say(std::string(mesh::kMaxTextBytes + 1, 'x'), 0, net.now()));
  EXPECT_FALSE(net.peer(0).mesh.say("two\nlines", 0, net.now()));
}

}  // namespace
}  // namespace parley::peer
