// Tests for cloaked hosts (src/core/cloak.cpp) and what the engine shows of them: the cloak as
// the host, 396 after ISUPPORT, WHOIS 378 and WHOX %i only to the user and operators, bans on
// the cloak and on the real IP. docs/operations.md "Cloaks".
#include "core/cloak.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "core/harness.h"

namespace parley::core::test {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef";

// Three 8-character base32 segments (or one, for text that is no address) and the suffix.
const std::regex kCloakV4("[a-z2-7]{8}\\.[a-z2-7]{8}\\.[a-z2-7]{8}\\.ip");

std::string segment(const std::string& cloak, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = cloak.find('.', start) + 1;
  return cloak.substr(start, cloak.find('.', start) - start);
}

// ---- the function ---------------------------------------------------------------------------

TEST(Cloak, IsDeterministicForOneSecret) {
  EXPECT_EQ(cloak_host(kSecret, "192.0.2.10", "ip"), cloak_host(kSecret, "192.0.2.10", "ip"));
  EXPECT_EQ(cloak_host(kSecret, "2001:db8::1", "ip"), cloak_host(kSecret, "2001:db8::1", "ip"));
}

TEST(Cloak, FormatIsStable) {
  // docs/operations.md's examples. A change here changes every cloak, so every cloak ban.
  const std::string key(32, '\x42');
  EXPECT_EQ(cloak_host(key, "192.0.2.10", "ip"), "4bmocyhq.ukdadrtm.e4nlhmo2.ip");
  EXPECT_EQ(cloak_host(key, "192.0.2.99", "ip"), "yqi5bngj.ukdadrtm.e4nlhmo2.ip");
  EXPECT_EQ(cloak_host(key, "2001:db8:1:2::1", "ip"), "fwvxzuph.hhjmqbit.bivoazoh.ip");
}

TEST(Cloak, DiffersAcrossSecrets) {
  std::string a = cloak_host(kSecret, "192.0.2.10", "ip");
  std::string b = cloak_host("another secret of enough length!", "192.0.2.10", "ip");
  for (int i = 0; i < 3; ++i) EXPECT_NE(segment(a, i), segment(b, i)) << a << " vs " << b;
}

TEST(Cloak, Ipv4HasThreeSegmentsAndTheSuffix) {
  std::string c = cloak_host(kSecret, "192.0.2.10", "ip");
  EXPECT_TRUE(std::regex_match(c, kCloakV4)) << c;
  EXPECT_EQ(c.find("192"), std::string::npos) << c;
}

TEST(Cloak, Ipv4SegmentsFollowTheNetworks) {
  std::string a = cloak_host(kSecret, "192.0.2.10", "ip");
  std::string same24 = cloak_host(kSecret, "192.0.2.99", "ip");
  std::string same16 = cloak_host(kSecret, "192.0.77.10", "ip");
  std::string other = cloak_host(kSecret, "198.51.100.10", "ip");
  EXPECT_NE(segment(a, 0), segment(same24, 0));  // the address itself
  EXPECT_EQ(segment(a, 1), segment(same24, 1));  // the /24
  EXPECT_EQ(segment(a, 2), segment(same24, 2));  // the /16
  EXPECT_NE(segment(a, 1), segment(same16, 1));
  EXPECT_EQ(segment(a, 2), segment(same16, 2));
  EXPECT_NE(segment(a, 2), segment(other, 2));
}

TEST(Cloak, Ipv6SegmentsFollowThe64AndThe48) {
  std::string a = cloak_host(kSecret, "2001:db8:1:2::1", "ip");
  std::string same64 = cloak_host(kSecret, "2001:db8:1:2::ffff", "ip");
  std::string same48 = cloak_host(kSecret, "2001:db8:1:3::1", "ip");
  EXPECT_TRUE(std::regex_match(a, kCloakV4)) << a;
  EXPECT_EQ(a.find(':'), std::string::npos) << a;
  EXPECT_EQ(a.find("2001"), std::string::npos) << a;
  EXPECT_NE(segment(a, 0), segment(same64, 0));
  EXPECT_EQ(segment(a, 1), segment(same64, 1));
  EXPECT_NE(segment(a, 1), segment(same48, 1));
  EXPECT_EQ(segment(a, 2), segment(same48, 2));
}

TEST(Cloak, Ipv6DiffersFromIpv4WithTheSameBytes) {
  // ::c000:20a holds 192.0.2.10's bytes in its last four; the family is part of every hash.
  EXPECT_NE(cloak_host(kSecret, "::c000:20a", "ip"), cloak_host(kSecret, "192.0.2.10", "ip"));
}

TEST(Cloak, MappedIpv4AndTheZeroPrefixedFormCloakLikeTheAddress) {
  EXPECT_EQ(cloak_host(kSecret, "::ffff:192.0.2.10", "ip"), cloak_host(kSecret, "192.0.2.10", "ip"));
  EXPECT_EQ(cloak_host(kSecret, "0::1", "ip"), cloak_host(kSecret, "::1", "ip"));
}

TEST(Cloak, TextThatIsNoAddressGetsOneSegment) {
  std::string c = cloak_host(kSecret, "gateway", "ip");
  EXPECT_TRUE(std::regex_match(c, std::regex("[a-z2-7]{8}\\.ip"))) << c;
}

TEST(Cloak, IsAValidHostWithinHostlen) {
  std::string longest_suffix(kMaxCloakSuffix, 'x');
  for (const char* ip : {"255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1", "x"}) {
    std::string c = cloak_host(kSecret, ip, longest_suffix);
    EXPECT_LE(c.size(), 64u) << c;
    EXPECT_NE(c.front(), ':');
    EXPECT_EQ(c.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567x."), std::string::npos) << c;
  }
}

TEST(Cloak, SuffixValidation) {
  EXPECT_TRUE(is_valid_cloak_suffix("ip"));
  EXPECT_TRUE(is_valid_cloak_suffix("users.example-net.org"));
  EXPECT_FALSE(is_valid_cloak_suffix(""));
  EXPECT_FALSE(is_valid_cloak_suffix(".ip"));
  EXPECT_FALSE(is_valid_cloak_suffix("ip."));
  EXPECT_FALSE(is_valid_cloak_suffix("a..b"));
  EXPECT_FALSE(is_valid_cloak_suffix("a b"));
  EXPECT_FALSE(is_valid_cloak_suffix("a:b"));
  EXPECT_FALSE(is_valid_cloak_suffix(std::string(kMaxCloakSuffix + 1, 'x')));
}

// ---- in the engine --------------------------------------------------------------------------

EngineConfig cloaked_config() {
  EngineConfig c = EngineHarness::default_config();
  c.cloaks.enabled = true;
  c.cloaks.secret = kSecret;
  c.cloaks.suffix = "ip";
  return c;
}

TEST(CloakedUser, HostIsTheCloakAndTheUserIsToldWithVisibleHost) {
  EngineHarness h(cloaked_config());
  SessionId a = h.connect("192.0.2.10");
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :A");
  const std::string cloak = cloak_host(kSecret, "192.0.2.10", "ip");
  EXPECT_EQ(h.user(a)->host, cloak);
  EXPECT_EQ(h.user(a)->ip(), "192.0.2.10");
  auto cmds = h.commands(a);
  auto visible = std::find(cmds.begin(), cmds.end(), "396");
  ASSERT_NE(visible, cmds.end()) << h.dump(a);
  EXPECT_EQ(*(visible - 1), "005") << "396 comes right after ISUPPORT";
  EXPECT_EQ(*(visible + 1), "251") << "and before LUSERS";
  EXPECT_THAT(h.lines(a), HasLine(":parley.local 396 alice " + cloak + " :is now your displayed host"));
  EXPECT_TRUE(h.has_line(a, " 001 alice :Welcome to the Parley IRC Network alice!~alice@" + cloak));
}

TEST(CloakedUser, WithoutCloaksThereIsNo396) {
  EngineHarness h;
  SessionId a = h.connect("192.0.2.10");
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :A");
  EXPECT_EQ(h.user(a)->host, "192.0.2.10");
  EXPECT_FALSE(h.has_line(a, " 396 ")) << h.dump(a);
}

TEST(CloakedUser, OthersSeeOnlyTheCloak) {
  EngineHarness h(cloaked_config());
  SessionId alice = h.register_user("alice", {}, "192.0.2.10");
  SessionId bob = h.register_user("bob", {}, "198.51.100.7");
  h.send(alice, "JOIN #c");
  h.send(bob, "JOIN #c");
  h.clear_all();
  h.send(alice, "PRIVMSG #c :hi");
  h.send(bob, "WHOIS alice");
  h.send(bob, "WHO #c %tcuihnf,7");
  h.send(bob, "USERHOST alice");
  h.send(bob, "WHO 192.0.2.10");
  h.send(bob, "WHOWAS alice");
  for (const std::string& l : h.lines(bob)) {
    if (l.find(" 315 bob 192.0.2.10 ") != std::string::npos) continue;  // the mask bob sent, echoed
    EXPECT_EQ(l.find("192.0.2"), std::string::npos) << l;
  }
  EXPECT_FALSE(h.has_line(bob, " 352 ")) << "WHO by IP finds nobody for a non-operator\n" << h.dump(bob);
  EXPECT_FALSE(h.has_line(bob, " 378 ")) << h.dump(bob);
  EXPECT_TRUE(h.has_line(bob, " 354 bob 7 #c ~alice 255.255.255.255 ")) << h.dump(bob);
}

TEST(CloakedUser, WhoisShowsTheRealAddressToTheUserItself) {
  EngineHarness h(cloaked_config());
  SessionId alice = h.register_user("alice", {}, "192.0.2.10");
  h.send(alice, "WHOIS alice");
  EXPECT_THAT(h.lines(alice),
              HasLine(":parley.local 378 alice alice :is connecting from *@192.0.2.10 192.0.2.10"));
  h.clear_all();
  h.send(alice, "WHO alice %ti,1");
  EXPECT_THAT(h.lines(alice), HasLine(":parley.local 354 alice 1 192.0.2.10"));
}

TEST(CloakedUser, OperatorsSeeTheRealAddress) {
  EngineConfig c = cloaked_config();
  c.operators.push_back({"admin", FakeAccountBackend::hash("secret"), "*@192.0.2.*"});  // matches the IP
  EngineHarness h(c);
  SessionId op = h.register_user("op", {}, "192.0.2.1");
  SessionId bob = h.register_user("bob", {}, "198.51.100.7");
  h.send(op, "OPER admin secret");
  ASSERT_TRUE(h.has_line(op, " 381 ")) << "an operator block for the real IP admits a cloaked user\n"
                                       << h.dump(op);
  h.clear_all();
  h.send(op, "WHOIS bob");
  EXPECT_THAT(h.lines(op),
              HasLine(":parley.local 378 op bob :is connecting from *@198.51.100.7 198.51.100.7"));
  h.clear_all();
  h.send(op, "WHO 198.51.100.7 %tn,2");
  EXPECT_THAT(h.lines(op), HasLine(":parley.local 354 op 2 bob"));
  h.clear_all();
  h.send(op, "WHO bob %ti,3");
  EXPECT_THAT(h.lines(op), HasLine(":parley.local 354 op 3 198.51.100.7"));
  h.clear(bob);
}

TEST(CloakedUser, ErrorOnQuitNamesTheCloakNotTheAddress) {
  EngineHarness h(cloaked_config());
  SessionId alice = h.register_user("alice", {}, "192.0.2.10");
  h.send(alice, "QUIT :bye");
  ASSERT_TRUE(h.has_line(alice, "ERROR ")) << h.dump(alice);
  for (const std::string& l : h.lines(alice)) EXPECT_EQ(l.find("192.0.2"), std::string::npos) << l;
}

// ---- bans ------------------------------------------------------------------------------------

TEST(CloakedBan, CloakBanMatches) {
  EngineHarness h(cloaked_config());
  SessionId op = h.register_user("op", {}, "203.0.113.1");
  h.send(op, "JOIN #c");
  const std::string cloak = cloak_host(kSecret, "192.0.2.10", "ip");
  h.send(op, "MODE #c +b *!*@" + cloak);
  SessionId bad = h.register_user("bad", {}, "192.0.2.10");
  SessionId other = h.register_user("other", {}, "192.0.2.11");
  h.send(bad, "JOIN #c");
  h.send(other, "JOIN #c");
  EXPECT_TRUE(h.has_line(bad, " 474 bad #c ")) << h.dump(bad);
  EXPECT_TRUE(h.channel("#c")->has(*h.user(other)));
}

TEST(CloakedBan, NetworkBanOnTheCloakCoversTheSlash24) {
  EngineHarness h(cloaked_config());
  SessionId op = h.register_user("op", {}, "203.0.113.1");
  h.send(op, "JOIN #c");
  const std::string cloak = cloak_host(kSecret, "192.0.2.10", "ip");
  h.send(op, "MODE #c +b *!*@*." + cloak.substr(cloak.find('.') + 1));  // *.<H/24>.<H/16>.ip
  SessionId same = h.register_user("same", {}, "192.0.2.200");
  SessionId outside = h.register_user("outside", {}, "192.0.3.10");
  h.send(same, "JOIN #c");
  h.send(outside, "JOIN #c");
  EXPECT_TRUE(h.has_line(same, " 474 same #c ")) << h.dump(same);
  EXPECT_TRUE(h.channel("#c")->has(*h.user(outside)));
}

TEST(CloakedBan, RealIpBanMatches) {
  EngineHarness h(cloaked_config());
  SessionId op = h.register_user("op", {}, "203.0.113.1");
  h.send(op, "JOIN #c");
  h.send(op, "MODE #c +b *!*@192.0.2.*");
  SessionId bad = h.register_user("bad", {}, "192.0.2.10");
  h.send(bad, "JOIN #c");
  EXPECT_TRUE(h.has_line(bad, " 474 bad #c ")) << h.dump(bad);
}

TEST(CloakedBan, CidrMaskMatchesTheRealIp) {
  EngineHarness h(cloaked_config());
  SessionId op = h.register_user("op", {}, "203.0.113.1");
  h.send(op, "JOIN #c");
  h.send(op, "MODE #c +b *!*@192.0.2.0/23");
  h.send(op, "MODE #c +b *!~six@2001:db8:1::/48");
  SessionId in = h.register_user("in", {}, "192.0.3.200");
  SessionId mapped = h.register_user("mapped", {}, "::ffff:192.0.2.1");
  SessionId out = h.register_user("out", {}, "192.0.4.1");
  SessionId six = h.register_user("six", {}, "2001:db8:1:ffff::1");
  SessionId other_user = h.register_user("seven", {}, "2001:db8:1:ffff::2");
  for (SessionId s : {in, mapped, out, six, other_user}) h.send(s, "JOIN #c");
  EXPECT_TRUE(h.has_line(in, " 474 in #c ")) << h.dump(in);
  EXPECT_TRUE(h.has_line(mapped, " 474 mapped #c ")) << h.dump(mapped);
  EXPECT_TRUE(h.has_line(six, " 474 six #c ")) << h.dump(six);
  EXPECT_TRUE(h.channel("#c")->has(*h.user(out)));
  EXPECT_TRUE(h.channel("#c")->has(*h.user(other_user))) << "the user part must match too";
}

TEST(CloakedBan, MalformedCidrIsJustAGlob) {
  EngineHarness h(cloaked_config());
  SessionId op = h.register_user("op", {}, "203.0.113.1");
  h.send(op, "JOIN #c");
  for (const char* mask : {"*!*@192.0.2.0/33", "*!*@192.0.2.0/x", "*!*@/8", "*!*@::/129", "*!*@192.0.2.0/"})
    h.send(op, std::string("MODE #c +b ") + mask);
  SessionId user = h.register_user("user", {}, "192.0.2.10");
  h.send(user, "JOIN #c");
  EXPECT_TRUE(h.channel("#c")->has(*h.user(user))) << h.dump(user);
}

TEST(CloakedBan, CloakBanStillMatchesAfterTheHostChanges) {
  EngineConfig c = cloaked_config();
  c.operators.push_back({"admin", FakeAccountBackend::hash("secret"), "*@*"});
  EngineHarness h(c);
  SessionId op = h.register_user("op", {}, "203.0.113.1");
  h.send(op, "OPER admin secret");
  h.send(op, "JOIN #c");
  h.send(op, "MODE #c +b *!*@" + cloak_host(kSecret, "192.0.2.10", "ip"));
  SessionId bad = h.register_user("bad", {}, "192.0.2.10");
  h.send(op, "CHGHOST bad user/bad");
  ASSERT_EQ(h.user(bad)->host, "user/bad");
  h.send(bad, "JOIN #c");
  EXPECT_TRUE(h.has_line(bad, " 474 bad #c ")) << h.dump(bad);
  h.send(op, "MODE #c +b *!*@user/b?d");  // a host with '/' that is no CIDR block stays a glob
  h.send(op, "MODE #c -b *!*@" + cloak_host(kSecret, "192.0.2.10", "ip"));
  h.clear(bad);
  h.send(bad, "JOIN #c");
  EXPECT_TRUE(h.has_line(bad, " 474 bad #c ")) << h.dump(bad);
}

TEST(CloakedBan, ExceptionOnTheRealIpLiftsACloakBan) {
  EngineHarness h(cloaked_config());
  SessionId op = h.register_user("op", {}, "203.0.113.1");
  h.send(op, "JOIN #c");
  h.send(op, "MODE #c +b *!*@*.ip");
  h.send(op, "MODE #c +e *!*@192.0.2.10");
  SessionId friendly = h.register_user("friendly", {}, "192.0.2.10");
  h.send(friendly, "JOIN #c");
  EXPECT_TRUE(h.channel("#c")->has(*h.user(friendly))) << h.dump(friendly);
}

TEST(CloakedSilence, SilenceMatchesTheRealIpAndTheCloak) {
  EngineHarness h(cloaked_config());
  SessionId alice = h.register_user("alice", {}, "203.0.113.1");
  SessionId bob = h.register_user("bob", {}, "192.0.2.10");
  SessionId carol = h.register_user("carol", {}, "198.51.100.7");
  h.send(alice, "SILENCE +*!*@192.0.2.10");
  h.send(alice, "SILENCE +*!*@" + cloak_host(kSecret, "198.51.100.7", "ip"));
  h.clear_all();
  h.send(bob, "PRIVMSG alice :hi");
  h.send(carol, "PRIVMSG alice :hi");
  EXPECT_FALSE(h.has_line(alice, "PRIVMSG")) << h.dump(alice);
}

}  // namespace
}  // namespace parley::core::test
