// Tests for UTF8ONLY (ircv3.net utf8-only), enforced by Engine::dispatch_command in
// src/core/engine.cpp: lines that are not UTF-8 are refused with FAIL <command> INVALID_UTF8.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/harness.h"

namespace parley::core::test {
namespace {

using ::testing::IsEmpty;

const std::string kFail =
    " INVALID_UTF8 :Message rejected, your IRC software MUST use UTF-8 encoding on this network";

TEST(Utf8Only, IsOnByDefaultAndAdvertised) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :A");
  EXPECT_TRUE(h.has_line(a, std::regex(" 005 alice .* UTF8ONLY :are supported")));
}

TEST(Utf8Only, RefusesNonUtf8PrivmsgAndRelaysNothing) {
  EngineHarness h;
  auto ids = h.channel_with("#c", {"alice", "bob"});
  h.send(ids[0], "PRIVMSG #c :hi\xaa");
  h.send(ids[0], "privmsg bob :caf\xe9");
  EXPECT_THAT(h.lines(ids[0]),
              AreLines(":parley.local FAIL PRIVMSG" + kFail, ":parley.local FAIL PRIVMSG" + kFail));
  EXPECT_THAT(h.lines(ids[1]), IsEmpty());
  h.send(ids[0], "PRIVMSG #c :caf\xC3\xA9");
  EXPECT_THAT(h.lines(ids[1]), AreLines(":alice!~alice@127.0.0.1 PRIVMSG #c :caf\xC3\xA9"));
}

TEST(Utf8Only, TheFailIsLabeled) {
  EngineHarness h;
  auto ids = h.channel_with_caps("#c", {{"alice", {"batch", "labeled-response", "echo-message"}}});
  h.send(ids[0], "@label=xyz PRIVMSG #c hi\xaa");
  EXPECT_THAT(h.lines(ids[0]), AreLines("@label=xyz :parley.local FAIL PRIVMSG" + kFail));
}

TEST(Utf8Only, RefusesNonUtf8RealnameAndTagValues) {
  EngineHarness h;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :i\xe8rc\xe9");
  EXPECT_THAT(h.lines(a), AreLines(":parley.local FAIL USER" + kFail));
  EXPECT_FALSE(h.user(a)->registered);
  SessionId b = h.register_user("bob", {"message-tags"});
  h.send(b, "@+x=\xff TAGMSG alice");
  EXPECT_THAT(h.lines(b), AreLines(":parley.local FAIL TAGMSG" + kFail));
}

TEST(Utf8Only, OffRelaysBytesAsSentAndIsNotAdvertised) {
  EngineHarness h;
  h.config.utf8_only = false;
  SessionId a = h.connect();
  h.send(a, "NICK alice");
  h.send(a, "USER alice 0 * :A");
  EXPECT_FALSE(h.has_line(a, "UTF8ONLY"));
  h.clear(a);
  SessionId b = h.register_user("bob");
  h.send(b, "PRIVMSG alice :caf\xe9");
  EXPECT_THAT(h.lines(a), AreLines(":bob!~bob@127.0.0.1 PRIVMSG alice :caf\xe9"));
}

}  // namespace
}  // namespace parley::core::test
