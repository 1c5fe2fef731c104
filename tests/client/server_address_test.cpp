// parse_server_address: `parley chat`'s SERVER argument is checked before anything connects.
#include "client/server_address.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace parley::client {
namespace {

using ::testing::HasSubstr;

ServerAddress ok(std::string_view target, bool tls = false) {
  auto r = parse_server_address(target, tls);
  if (auto* error = std::get_if<std::string>(&r)) ADD_FAILURE() << target << ": " << *error;
  return std::holds_alternative<ServerAddress>(r) ? std::get<ServerAddress>(r) : ServerAddress{};
}

std::string error(std::string_view target) {
  auto r = parse_server_address(target, false);
  if (std::holds_alternative<ServerAddress>(r)) {
    ADD_FAILURE() << target << " was accepted";
    return {};
  }
  return std::get<std::string>(r);
}

TEST(ServerAddress, HostAndPortForms) {
  EXPECT_EQ(ok("127.0.0.1:6668").port, 6668);
  EXPECT_EQ(ok("127.0.0.1:6668").host, "127.0.0.1");
  EXPECT_EQ(ok("irc.example.org").port, 6667);
  EXPECT_EQ(ok("irc.example.org", true).port, 6697);
  EXPECT_EQ(ok("ircs://irc.example.org/").port, 6697);
  EXPECT_TRUE(ok("ircs://irc.example.org").tls);
  EXPECT_EQ(ok("irc://h:1").port, 1);
  EXPECT_EQ(ok("h:65535").port, 65535);
}

TEST(ServerAddress, Ipv6InBracketsKeepsWorking) {
  const ServerAddress a = ok("[::1]:6667");
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 6667);
  EXPECT_EQ(a.text(), "[::1]:6667");
  EXPECT_EQ(ok("[::1]").port, 6667);
  EXPECT_EQ(ok("::1").host, "::1");
}

TEST(ServerAddress, PortsOutsideOneTo65535AreErrorsNamingThePort) {
  EXPECT_THAT(error("127.0.0.1:99999"), HasSubstr("from 1 to 65535, not \"99999\""));
  EXPECT_THAT(error("127.0.0.1:0"), HasSubstr("not \"0\""));
  EXPECT_THAT(error("127.0.0.1:65536"), HasSubstr("not \"65536\""));
  EXPECT_THAT(error("127.0.0.1:abc"), HasSubstr("not \"abc\""));
  EXPECT_THAT(error("127.0.0.1:-1"), HasSubstr("not \"-1\""));
  EXPECT_THAT(error("127.0.0.1:"), HasSubstr("not \"\""));
  EXPECT_THAT(error("[::1]:99999"), HasSubstr("not \"99999\""));
  EXPECT_THAT(error("127.0.0.1:6667x"), HasSubstr("not \"6667x\""));
}

TEST(ServerAddress, EmptyHostIsAnError) {
  EXPECT_THAT(error(":6667"), HasSubstr("no host"));
  EXPECT_THAT(error(":0"), HasSubstr("no host"));
  EXPECT_THAT(error(""), HasSubstr("no host"));
  EXPECT_THAT(error("[]:6667"), HasSubstr("no host"));
  EXPECT_THAT(error("ircs://"), HasSubstr("no host"));
}

TEST(ServerAddress, MalformedBracketsAreErrors) {
  EXPECT_THAT(error("[::1"), HasSubstr("without ']'"));
  EXPECT_THAT(error("[::1]6667"), HasSubstr("after ']'"));
}

}  // namespace
}  // namespace parley::client
