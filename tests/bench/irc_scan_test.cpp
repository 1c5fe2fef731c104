#include "metrics/irc_scan.h"

#include <gtest/gtest.h>

namespace parley::bench {
namespace {

TEST(ScanLine, SplitsPrefixCommandAndParams) {
  const auto s = scan_line(":irc.test 001 b1 :Welcome to the network b1");
  EXPECT_EQ(s.prefix, "irc.test");
  EXPECT_EQ(s.command, "001");
  EXPECT_EQ(s.params, "b1 :Welcome to the network b1");
}

TEST(ScanLine, HandlesNoPrefixTagsAndBareCommands) {
  auto s = scan_line("PING :token");
  EXPECT_EQ(s.prefix, "");
  EXPECT_EQ(s.command, "PING");
  EXPECT_EQ(trailing_param(s.params), "token");
  s = scan_line("@time=2024 :n!u@h JOIN #c");
  EXPECT_EQ(s.prefix, "n!u@h");
  EXPECT_EQ(s.command, "JOIN");
  EXPECT_EQ(first_param(s.params), "#c");
  s = scan_line("QUIT");
  EXPECT_EQ(s.command, "QUIT");
  EXPECT_EQ(s.params, "");
}

TEST(ScanLine, JoinEchoFormsOfDifferentServers) {
  // InspIRCd and Parley send "JOIN :#c", ngIRCd "JOIN :#c" or "JOIN #c".
  EXPECT_EQ(first_param(scan_line(":b1!b@127.0.0.1 JOIN :#c0").params), "#c0");
  EXPECT_EQ(first_param(scan_line(":b1!b@127.0.0.1 JOIN #c0").params), "#c0");
  EXPECT_EQ(prefix_nick("b1!b@127.0.0.1"), "b1");
  EXPECT_EQ(prefix_nick("irc.test"), "irc.test");
}

TEST(TrailingParam, LastParameterWithOrWithoutColon) {
  EXPECT_EQ(trailing_param("b1 #c :hello there"), "hello there");
  EXPECT_EQ(trailing_param("b1 #c hello"), "hello");
  EXPECT_EQ(trailing_param(":only"), "only");
  EXPECT_EQ(trailing_param(""), "");
}

TEST(PrivmsgText, FindsTheTextOfAChannelMessage) {
  EXPECT_EQ(privmsg_text(":b1!b@127.0.0.1 PRIVMSG #c3 :Bpayload here"), "Bpayload here");
  EXPECT_EQ(privmsg_text(":b1 PRIVMSG #c3 Bword"), "Bword");
}

TEST(PrivmsgText, IgnoresEverythingElse) {
  EXPECT_EQ(privmsg_text(":b1!b@h NOTICE #c3 :text"), "");
  EXPECT_EQ(privmsg_text("PRIVMSG #c3 :no prefix"), "");
  EXPECT_EQ(privmsg_text(":b1!b@h PRIVMSG #c3"), "");
  EXPECT_EQ(privmsg_text(":b1!b@h PRIVMSG"), "");
  EXPECT_EQ(privmsg_text(":server"), "");
  EXPECT_EQ(privmsg_text(""), "");
}

}  // namespace
}  // namespace parley::bench
