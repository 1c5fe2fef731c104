// Nick protection (core/login.cpp): a registered nick used without logging in is renamed after
// the grace period, with a fake clock.
#include <gtest/gtest.h>

#include "harness.h"

namespace parley::core::test {
namespace {

class Enforcement : public ::testing::Test {
 protected:
  Enforcement() {
    h.config.accounts.enforce_grace = std::chrono::seconds(30);
    h.accounts.add_account("jilles", "sesame123");
  }
  EngineHarness h;
};

TEST_F(Enforcement, WarnedThenRenamedAfterTheGrace) {
  SessionId id = h.connect();
  h.send(id, "NICK jilles");
  h.send(id, "USER j 0 * :J");
  EXPECT_TRUE(h.has_line(id, "NOTICE jilles :The nick jilles is registered."));
  h.clear(id);
  h.advance_seconds(29);
  EXPECT_EQ(h.user(id)->nick, "jilles");
  h.advance_seconds(1);
  EXPECT_TRUE(h.has_line(id, ":jilles!~j@127.0.0.1 NICK Guest1"));
  EXPECT_EQ(h.user(id)->nick, "Guest1");
}

TEST_F(Enforcement, LoggingInInTimeCancels) {
  SessionId id = h.register_user("jilles");
  h.send(id, "NS IDENTIFY sesame123");
  h.advance_seconds(31);
  EXPECT_EQ(h.user(id)->nick, "jilles");
}

TEST_F(Enforcement, ChangingNickInTimeCancels) {
  SessionId id = h.register_user("jilles");
  h.send(id, "NICK other");
  h.advance_seconds(31);
  EXPECT_EQ(h.user(id)->nick, "other");
  h.send(id, "NICK jilles");  // back on it: a fresh grace period
  h.advance_seconds(10);
  EXPECT_EQ(h.user(id)->nick, "jilles");
  h.advance_seconds(21);
  EXPECT_EQ(h.user(id)->nick, "Guest1");
}

TEST_F(Enforcement, OffPerAccount) {
  h.accounts.table["jilles"].info.enforce = false;
  SessionId id = h.register_user("jilles");
  EXPECT_FALSE(h.has_line(id, "is registered"));
  h.advance_seconds(31);
  EXPECT_EQ(h.user(id)->nick, "jilles");
}

TEST_F(Enforcement, UnregisteredNickIsLeftAlone) {
  SessionId id = h.register_user("free");
  h.advance_seconds(31);
  EXPECT_EQ(h.user(id)->nick, "free");
}

TEST_F(Enforcement, GuestNumbersSkipTakenNicks) {
  h.register_user("Guest1");
  SessionId id = h.register_user("jilles");
  h.advance_seconds(31);
  EXPECT_EQ(h.user(id)->nick, "Guest2");
}

TEST_F(Enforcement, SaslLoginBeforeRegistrationMeansNoWarning) {
  SessionId id = h.connect();
  h.send(id, "CAP REQ sasl");
  h.send(id, "AUTHENTICATE PLAIN");
  h.send(id, "AUTHENTICATE " + crypto::base64_encode(std::string("\0jilles\0sesame123", 17)));
  h.send(id, "NICK jilles");
  h.send(id, "USER j 0 * :J");
  h.send(id, "CAP END");
  EXPECT_TRUE(h.has_line(id, " 001 jilles "));
  EXPECT_FALSE(h.has_line(id, "is registered"));
  h.advance_seconds(31);
  EXPECT_EQ(h.user(id)->nick, "jilles");
}

}  // namespace
}  // namespace parley::core::test
