// REGISTER and VERIFY (draft/account-registration; src/core/commands/account_registration.cpp).
#include <gtest/gtest.h>

#include "harness.h"

namespace parley::core::test {
namespace {

TEST(AccountRegistration, CapValueFollowsThePolicy) {
  EngineHarness open;
  SessionId id = open.connect();
  open.send(id, "CAP LS 302");
  EXPECT_TRUE(open.has_line(id, "draft/account-registration=before-connect,custom-account-name"));

  EngineHarness closed;
  closed.config.accounts.registration = AccountPolicy::Registration::kClosed;
  id = closed.connect();
  closed.send(id, "CAP LS 302");
  EXPECT_TRUE(closed.has_line(id, "draft/account-registration "));
  EXPECT_FALSE(closed.has_line(id, "draft/account-registration="));
}

TEST(AccountRegistration, RegisterStarTakesTheNickAndLogsIn) {
  EngineHarness h;
  SessionId id = h.register_user("bar", {"draft/account-registration"});
  h.send(id, "REGISTER * * shivarampassphrase");
  EXPECT_TRUE(h.has_line(id, ":parley.local REGISTER SUCCESS bar :Account created"));
  EXPECT_TRUE(h.has_line(id, " 900 bar "));
  EXPECT_EQ(h.user(id)->account(), "bar");
  ASSERT_TRUE(h.accounts.find("bar"));
  EXPECT_TRUE(h.accounts.find("bar")->info.verified);
}

TEST(AccountRegistration, BeforeConnectWithANick) {
  EngineHarness h;
  SessionId id = h.connect();
  h.send(id, "CAP LS 302");
  h.send(id, "NICK bar");
  h.send(id, "REGISTER * * shivarampassphrase");
  EXPECT_TRUE(h.has_line(id, "REGISTER SUCCESS bar"));
}

TEST(AccountRegistration, BeforeANickIsCompleteConnectionRequired) {
  EngineHarness h;
  SessionId id = h.connect();
  h.send(id, "REGISTER * * shivarampassphrase");
  EXPECT_THAT(h.lines(id),
              AreLines(":parley.local FAIL REGISTER COMPLETE_CONNECTION_REQUIRED * :Choose a nick "
                       "before REGISTER"));
}

TEST(AccountRegistration, CustomNameAndEmail) {
  EngineHarness h;
  SessionId id = h.register_user("bar");
  h.send(id, "REGISTER foo foo@example.org shivarampassphrase");
  EXPECT_TRUE(h.has_line(id, "REGISTER SUCCESS foo"));
  EXPECT_EQ(h.accounts.find("foo")->info.email, "foo@example.org");
}

TEST(AccountRegistration, Refusals) {
  EngineHarness h;
  h.accounts.add_account("taken", "whatever1");
  SessionId id = h.register_user("bar");
  h.send(id, "REGISTER taken * shivarampassphrase");
  EXPECT_TRUE(h.has_line(id, "FAIL REGISTER ACCOUNT_EXISTS taken :"));
  h.send(id, "REGISTER foo * short");
  EXPECT_TRUE(h.has_line(id, "FAIL REGISTER UNACCEPTABLE_PASSWORD foo :"));
  h.send(id, "REGISTER 1bad * shivarampassphrase");
  EXPECT_TRUE(h.has_line(id, "FAIL REGISTER BAD_ACCOUNT_NAME 1bad :"));
  h.send(id, "REGISTER NickServ * shivarampassphrase");
  EXPECT_TRUE(h.has_line(id, "FAIL REGISTER BAD_ACCOUNT_NAME NickServ :"));
  h.send(id, "REGISTER foo not-an-email shivarampassphrase");
  EXPECT_TRUE(h.has_line(id, "FAIL REGISTER INVALID_EMAIL foo :"));
  EXPECT_EQ(h.accounts.table.size(), 1u);
}

TEST(AccountRegistration, AlreadyLoggedIn) {
  EngineHarness h;
  SessionId id = h.register_user("bar");
  h.send(id, "REGISTER * * shivarampassphrase");
  h.clear(id);
  h.send(id, "REGISTER other * shivarampassphrase");
  EXPECT_TRUE(h.has_line(id, "FAIL REGISTER ALREADY_AUTHENTICATED other :"));
}

TEST(AccountRegistration, ClosedRegistration) {
  EngineHarness h;
  h.config.accounts.registration = AccountPolicy::Registration::kClosed;
  SessionId id = h.register_user("bar");
  int before = h.accounts.submitted;
  h.send(id, "REGISTER * * shivarampassphrase");
  EXPECT_TRUE(h.has_line(id, "FAIL REGISTER TEMPORARILY_UNAVAILABLE bar :Registration is closed"));
  EXPECT_EQ(h.accounts.submitted, before);
}

TEST(AccountRegistration, OperatorVerifyLeavesTheAccountUnverifiedAndLoggedOut) {
  EngineHarness h;
  h.config.accounts.registration = AccountPolicy::Registration::kOperatorVerify;
  SessionId id = h.register_user("bar");
  h.send(id, "REGISTER * * shivarampassphrase");
  EXPECT_TRUE(h.has_line(id, ":parley.local REGISTER VERIFICATION_REQUIRED bar :"));
  EXPECT_EQ(h.user(id)->account(), "");
  EXPECT_FALSE(h.accounts.find("bar")->info.verified);
}

TEST(AccountRegistration, SuccessOnlyAfterTheBackendAnswers) {
  EngineHarness h;
  h.accounts.mode = FakeAccountBackend::Mode::kManual;
  SessionId id = h.register_user("bar");
  h.answer_all();  // nick protection's lookup
  h.send(id, "REGISTER * * shivarampassphrase");
  EXPECT_FALSE(h.has_line(id, "SUCCESS"));
  ASSERT_EQ(h.accounts.queue.size(), 1u);
  h.answer_next(AccountAnswer{AccountAnswer::Outcome::kFailed, std::nullopt, "disk full"});
  EXPECT_TRUE(h.has_line(id, "FAIL REGISTER TEMPORARILY_UNAVAILABLE bar"));
  EXPECT_EQ(h.user(id)->account(), "");
}

TEST(AccountRegistration, RegistrationsPerIpPerHour) {
  EngineHarness h;
  h.config.accounts.registrations_per_ip_per_hour = 2;
  for (std::string name : {"a1", "a2"}) {
    SessionId id = h.register_user(name);
    h.send(id, "REGISTER * * shivarampassphrase");
    EXPECT_TRUE(h.has_line(id, "REGISTER SUCCESS " + name));
  }
  SessionId id = h.register_user("a3");
  h.send(id, "REGISTER * * shivarampassphrase");
  EXPECT_TRUE(h.has_line(id, "FAIL REGISTER TEMPORARILY_UNAVAILABLE a3 :Too many registrations"));
  h.clock.advance(std::chrono::minutes(61));
  h.clear(id);
  h.send(id, "REGISTER * * shivarampassphrase");
  EXPECT_TRUE(h.has_line(id, "REGISTER SUCCESS a3"));
}

TEST(AccountRegistration, AccountsPerEmail) {
  EngineHarness h;
  h.config.accounts.max_accounts_per_email = 1;
  SessionId a = h.register_user("a1");
  h.send(a, "REGISTER * x@example.org shivarampassphrase");
  EXPECT_TRUE(h.has_line(a, "REGISTER SUCCESS a1"));
  SessionId b = h.register_user("b1");
  h.send(b, "REGISTER * x@example.org shivarampassphrase");
  EXPECT_TRUE(h.has_line(b, "FAIL REGISTER UNACCEPTABLE_EMAIL b1 :"));
}

TEST(AccountRegistration, VerifyExplainsThatOperatorsVerify) {
  EngineHarness h;
  SessionId id = h.register_user("bar");
  h.send(id, "VERIFY bar 1234");
  EXPECT_TRUE(h.has_line(id, "FAIL VERIFY INVALID_CODE bar :"));
}

}  // namespace
}  // namespace parley::core::test
