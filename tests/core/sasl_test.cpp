// SASL through the engine (src/core/commands/sasl.cpp) with the fake account backend.
#include "proto/sasl.h"

#include <gtest/gtest.h>

#include <string>

#include "core/numerics.h"
#include "crypto/crypto.h"
#include "crypto/scram.h"
#include "harness.h"

namespace parley::core::test {
namespace {

using namespace std::string_literals;

std::string b64(std::string_view s) { return crypto::base64_encode(s); }

class Sasl : public ::testing::Test {
 protected:
  Sasl() { h.accounts.add_account("jilles", "sesame"); }

  // Connects, requests sasl, starts `mechanism`; expects "AUTHENTICATE +".
  SessionId start(std::string_view mechanism, std::string ip = "127.0.0.1") {
    SessionId id = h.connect(std::move(ip));
    h.send(id, "CAP LS 302");
    h.send(id, "CAP REQ sasl");
    h.clear(id);
    h.send(id, "AUTHENTICATE " + std::string(mechanism));
    EXPECT_THAT(h.lines(id), AreLines(":parley.local AUTHENTICATE +"));
    h.clear(id);
    return id;
  }
  void plain(SessionId id, std::string_view account, std::string_view password) {
    h.send(id, "AUTHENTICATE " + b64("\0"s + std::string(account) + "\0"s + std::string(password)));
  }
  void finish_registration(SessionId id, const std::string& nick) {
    h.send(id, "NICK " + nick);
    h.send(id, "USER " + nick + " 0 * :Real");
    h.send(id, "CAP END");
  }

  EngineHarness h;
};

TEST_F(Sasl, CapabilityListsTheMechanisms) {
  SessionId id = h.connect();
  h.send(id, "CAP LS 302");
  EXPECT_TRUE(h.has_line(id, "sasl=PLAIN,EXTERNAL,SCRAM-SHA-256"));
}

TEST_F(Sasl, PlainSuccessLogsInBeforeRegistration) {
  SessionId id = start("PLAIN");
  plain(id, "jilles", "sesame");
  EXPECT_THAT(h.lines(id),
              AreLines(":parley.local 900 * *!*@user/jilles jilles :You are now logged in as jilles",
                       ":parley.local 903 * :SASL authentication successful"));
  EXPECT_EQ(h.user(id)->account(), "jilles");
  EXPECT_FALSE(h.user(id)->sasl);
  finish_registration(id, "jil");
  EXPECT_TRUE(h.has_line(id, " 001 jil "));
}

TEST_F(Sasl, PlainWrongPasswordIs904AndLeavesNoState) {
  SessionId id = start("PLAIN");
  plain(id, "jilles", "millet");
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 904 * :SASL authentication failed"));
  EXPECT_EQ(h.user(id)->account(), "");
  EXPECT_FALSE(h.user(id)->sasl);
}

TEST_F(Sasl, PlainUnknownAccountLooksLikeAWrongPassword) {
  SessionId id = start("PLAIN");
  plain(id, "nobody", "sesame");
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 904 * :SASL authentication failed"));
}

TEST_F(Sasl, PlainAuthzidForAnotherAccountIsRefused) {
  SessionId id = start("PLAIN");
  h.send(id, "AUTHENTICATE " + b64("other\0jilles\0sesame"s));
  EXPECT_TRUE(h.has_line(id, " 904 "));
  EXPECT_EQ(h.accounts.submitted, 0);
}

TEST_F(Sasl, PlainInTwoChunks) {
  h.accounts.add_account("foo", std::string(300, 'b'));
  SessionId id = start("PLAIN");
  std::string all = b64("\0foo\0"s + std::string(300, 'b'));
  ASSERT_GT(all.size(), 400u);
  h.send(id, "AUTHENTICATE " + all.substr(0, 400));
  EXPECT_TRUE(h.lines(id).empty());
  h.send(id, "AUTHENTICATE " + all.substr(400));
  EXPECT_TRUE(h.has_line(id, " 903 "));
}

TEST_F(Sasl, ExactMultipleOf400NeedsPlus) {
  // authcid "foo", password sized so the base64 is exactly 400 characters (300 bytes).
  std::string password(300 - 5, 'p');
  h.accounts.add_account("foo", password);
  SessionId id = start("PLAIN");
  std::string all = b64("\0foo\0"s + password);
  ASSERT_EQ(all.size(), 400u);
  h.send(id, "AUTHENTICATE " + all);
  EXPECT_TRUE(h.lines(id).empty());
  h.send(id, "AUTHENTICATE +");
  EXPECT_TRUE(h.has_line(id, " 903 "));
}

TEST_F(Sasl, ChunkOver400Is905) {
  SessionId id = start("PLAIN");
  h.send(id, "AUTHENTICATE " + std::string(401, 'A'));
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 905 * :SASL message too long"));
  EXPECT_FALSE(h.user(id)->sasl);
}

TEST_F(Sasl, EndlessChunksAre904) {
  h.config.flood.burst = 1000;
  SessionId id = start("PLAIN");
  for (int i = 0; i < 10; ++i) h.send(id, "AUTHENTICATE " + std::string(400, 'A'));
  EXPECT_TRUE(h.lines(id).empty());
  h.send(id, "AUTHENTICATE " + std::string(400, 'A'));
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 904 * :SASL message too long"));
  EXPECT_FALSE(h.user(id)->sasl);
}

TEST_F(Sasl, MalformedBase64Is904) {
  SessionId id = start("PLAIN");
  h.send(id, "AUTHENTICATE !!!!");
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 904 * :Malformed base64"));
}

TEST_F(Sasl, MalformedPlainIs904) {
  SessionId id = start("PLAIN");
  h.send(id, "AUTHENTICATE " + b64("jilles"));
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 904 * :Malformed PLAIN message"));
}

TEST_F(Sasl, UnknownMechanismGets908Then904) {
  SessionId id = h.connect();
  h.send(id, "CAP REQ sasl");
  h.clear(id);
  h.send(id, "AUTHENTICATE FOO");
  EXPECT_THAT(h.lines(id),
              AreLines(":parley.local 908 * PLAIN,EXTERNAL,SCRAM-SHA-256 :are available SASL mechanisms",
                       ":parley.local 904 * :SASL authentication failed"));
}

TEST_F(Sasl, WithoutTheCapabilityIs904) {
  SessionId id = h.connect();
  h.send(id, "AUTHENTICATE PLAIN");
  EXPECT_TRUE(h.has_line(id, " 904 "));
  EXPECT_FALSE(h.user(id)->sasl);
}

TEST_F(Sasl, AbortIs906) {
  SessionId id = start("PLAIN");
  h.send(id, "AUTHENTICATE *");
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 906 * :SASL authentication aborted"));
  EXPECT_FALSE(h.user(id)->sasl);
}

// A client's lines are handled in order: an abort sent while the password check is pending is
// handled after its answer, as a server that reads one command at a time would.
TEST_F(Sasl, AbortSentWhileTheCheckIsPendingComesAfterTheAnswer) {
  h.accounts.mode = FakeAccountBackend::Mode::kManual;
  SessionId id = start("PLAIN");
  plain(id, "jilles", "sesame");
  ASSERT_EQ(h.accounts.queue.size(), 1u);
  h.send(id, "AUTHENTICATE *");
  EXPECT_TRUE(h.lines(id).empty());
  h.answer_all();
  const auto lines = h.take(id);
  ASSERT_EQ(lines.size(), 3u) << h.dump(id);
  EXPECT_THAT(lines[0], ::testing::HasSubstr(" 900 "));
  EXPECT_THAT(lines[1], ::testing::HasSubstr(" 903 "));
  EXPECT_THAT(lines[2], ::testing::HasSubstr(" 906 "));  // nothing left to abort; the login stands
  EXPECT_EQ(h.user(id)->account(), "jilles");
}

TEST_F(Sasl, AnswerForADisconnectedClientIsIgnored) {
  h.accounts.mode = FakeAccountBackend::Mode::kManual;
  SessionId id = start("PLAIN");
  plain(id, "jilles", "sesame");
  h.engine().disconnect(id, "gone", h.now());
  h.answer_all();
  EXPECT_EQ(h.engine().pending_requests(), 0u);
}

TEST_F(Sasl, SecondSaslAfterSuccessIs907) {
  SessionId id = start("PLAIN");
  plain(id, "jilles", "sesame");
  h.clear(id);
  h.send(id, "AUTHENTICATE PLAIN");
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 907 * :You have already authenticated using SASL"));
}

TEST_F(Sasl, CapEndDuringExchangeAborts) {
  SessionId id = start("PLAIN");
  h.send(id, "NICK a");
  h.send(id, "USER a 0 * :A");
  h.send(id, "CAP END");
  EXPECT_TRUE(h.has_line(id, " 906 "));
  EXPECT_TRUE(h.has_line(id, " 001 a "));
  EXPECT_FALSE(h.user(id)->sasl);
}

TEST_F(Sasl, StoreFailureIs904WithoutCountingAgainstTheBudget) {
  h.accounts.fail_all = true;
  SessionId id = start("PLAIN");
  plain(id, "jilles", "sesame");
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 904 * :Accounts are unavailable; try again later"));
  EXPECT_EQ(h.engine().account_limits().failed_logins.size(), 0u);
}

TEST_F(Sasl, FailedLoginsAreThrottledPerIp) {
  h.config.accounts.login_failures_per_minute = 2;
  for (int i = 0; i < 2; ++i) {
    SessionId id = start("PLAIN");
    plain(id, "jilles", "wrong");
    EXPECT_TRUE(h.has_line(id, " 904 "));
  }
  SessionId id = start("PLAIN");
  int before = h.accounts.submitted;
  plain(id, "jilles", "sesame");  // right, but the budget is spent
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 904 * :Too many failed logins; try again in a minute"));
  EXPECT_EQ(h.accounts.submitted, before);
  h.clock.advance(std::chrono::seconds(61));
  id = start("PLAIN");
  plain(id, "jilles", "sesame");
  EXPECT_TRUE(h.has_line(id, " 903 "));
}

TEST_F(Sasl, FailedLoginsAreThrottledPerAccount) {
  h.config.accounts.login_failures_per_minute = 2;
  for (int i = 0; i < 2; ++i) {
    SessionId id = start("PLAIN", "10.0.0." + std::to_string(i + 1));
    plain(id, "jilles", "wrong");
  }
  SessionId id = start("PLAIN", "10.0.0.9");
  plain(id, "jilles", "sesame");
  EXPECT_TRUE(h.has_line(id, "Too many failed logins"));
}

TEST_F(Sasl, UnverifiedAccountCannotLogIn) {
  h.accounts.add_account("waiting", "password1", /*verified=*/false);
  SessionId id = start("PLAIN");
  plain(id, "waiting", "password1");
  EXPECT_TRUE(h.has_line(id, " 904 * :Account not verified"));
}

TEST_F(Sasl, ExternalUsesTheCertificateFingerprint) {
  std::string fp(64, 'a');
  h.accounts.add_account("jilles2", "sesame");
  h.accounts.table["jilles2"].info.certfps = {fp};
  SessionId id = h.connect();
  h.engine().tls_established(id, fp);
  h.send(id, "CAP REQ sasl");
  h.send(id, "AUTHENTICATE EXTERNAL");
  h.clear(id);
  h.send(id, "AUTHENTICATE +");
  EXPECT_TRUE(h.has_line(id, " 900 * *!*@user/jilles2 jilles2 "));
  EXPECT_TRUE(h.has_line(id, " 903 "));
}

TEST_F(Sasl, ExternalWithoutCertificateIs904) {
  SessionId id = start("EXTERNAL");
  h.send(id, "AUTHENTICATE +");
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 904 * :No TLS client certificate to log in with"));
  EXPECT_EQ(h.accounts.submitted, 0);
}

TEST_F(Sasl, ExternalWithUnknownCertificateIs904) {
  SessionId id = h.connect();
  h.engine().tls_established(id, std::string(64, 'b'));
  h.send(id, "CAP REQ sasl");
  h.send(id, "AUTHENTICATE EXTERNAL");
  h.clear(id);
  h.send(id, "AUTHENTICATE +");
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 904 * :SASL authentication failed"));
}

// The client side of SCRAM-SHA-256, to drive the server.
struct ScramClient {
  std::string user, password, nonce = "clientnonce123", first_bare, auth_message;
  crypto::ScramClientKeys keys;

  std::string first() {
    first_bare = "n=" + user + ",r=" + nonce;
    return "n,," + first_bare;
  }
  // From the decoded server-first; empty if it does not parse.
  std::string final_message(const std::string& server_first) {
    auto r = server_first.find("r="), s = server_first.find(",s="), i = server_first.find(",i=");
    if (r != 0 || s == std::string::npos || i == std::string::npos) return {};
    std::string snonce = server_first.substr(2, s - 2);
    std::string salt = *crypto::base64_decode(server_first.substr(s + 3, i - s - 3));
    auto iterations = static_cast<std::uint32_t>(std::stoul(server_first.substr(i + 3)));
    keys = crypto::derive_scram_client_keys(password, salt, iterations);
    std::string without_proof = "c=biws,r=" + snonce;
    auth_message = first_bare + "," + server_first + "," + without_proof;
    return without_proof + ",p=" + b64(crypto::scram_client_proof(keys, auth_message));
  }
  std::string expected_server_final() const {
    return "v=" + b64(crypto::scram_server_signature(keys.server_key, auth_message));
  }
};

// The decoded payload of the one AUTHENTICATE line `id` received.
std::string challenge(EngineHarness& h, SessionId id) {
  auto lines = h.replies(id, "AUTHENTICATE");
  if (lines.size() != 1) return "<" + std::to_string(lines.size()) + " AUTHENTICATE lines>";
  return crypto::base64_decode(lines[0].params[0]).value_or("<bad base64>");
}

TEST_F(Sasl, ScramSuccess) {
  SessionId id = start("SCRAM-SHA-256");
  ScramClient c{"jilles", "sesame"};
  h.send(id, "AUTHENTICATE " + b64(c.first()));
  std::string server_first = challenge(h, id);
  EXPECT_TRUE(server_first.starts_with("r=clientnonce123")) << server_first;
  EXPECT_TRUE(server_first.ends_with(",i=64")) << server_first;
  h.clear(id);
  h.send(id, "AUTHENTICATE " + b64(c.final_message(server_first)));
  EXPECT_EQ(challenge(h, id), c.expected_server_final());
  EXPECT_EQ(h.user(id)->account(), "");  // not until the client accepts the server's signature
  h.clear(id);
  h.send(id, "AUTHENTICATE +");
  EXPECT_THAT(h.lines(id),
              AreLines(":parley.local 900 * *!*@user/jilles jilles :You are now logged in as jilles",
                       ":parley.local 903 * :SASL authentication successful"));
}

TEST_F(Sasl, ScramWrongPasswordFailsAtTheProof) {
  SessionId id = start("SCRAM-SHA-256");
  ScramClient c{"jilles", "millet"};
  h.send(id, "AUTHENTICATE " + b64(c.first()));
  std::string server_first = challenge(h, id);
  h.clear(id);
  h.send(id, "AUTHENTICATE " + b64(c.final_message(server_first)));
  EXPECT_THAT(h.lines(id), AreLines(":parley.local 904 * :SASL authentication failed"));
  EXPECT_FALSE(h.user(id)->sasl);
}

TEST_F(Sasl, ScramUnknownAccountGetsAStableFakeSaltAndFailsAtTheProof) {
  SessionId a = start("SCRAM-SHA-256");
  ScramClient c{"nobody", "sesame"};
  h.send(a, "AUTHENTICATE " + b64(c.first()));
  std::string first_a = challenge(h, a);
  ASSERT_NE(first_a.find(",s="), std::string::npos) << first_a;
  SessionId b = start("SCRAM-SHA-256");
  h.send(b, "AUTHENTICATE " + b64(c.first()));
  std::string first_b = challenge(h, b);
  auto salt = [](const std::string& s) { return s.substr(s.find(",s=")); };
  EXPECT_EQ(salt(first_a), salt(first_b));  // same salt each time, like a real account
  h.clear(a);
  h.send(a, "AUTHENTICATE " + b64(c.final_message(first_a)));
  EXPECT_THAT(h.lines(a), AreLines(":parley.local 904 * :SASL authentication failed"));
}

TEST_F(Sasl, ScramNonceMismatchAndChannelBindingAreRefused) {
  SessionId id = start("SCRAM-SHA-256");
  ScramClient c{"jilles", "sesame"};
  h.send(id, "AUTHENTICATE " + b64(c.first()));
  std::string server_first = challenge(h, id);
  h.clear(id);
  std::string final_message = c.final_message(server_first);
  final_message.replace(final_message.find(",r=") + 3, 1, "X");
  h.send(id, "AUTHENTICATE " + b64(final_message));
  EXPECT_TRUE(h.has_line(id, " 904 "));

  SessionId cb = start("SCRAM-SHA-256");
  h.send(cb, "AUTHENTICATE " + b64("p=tls-unique,,n=jilles,r=abc"));
  EXPECT_THAT(h.lines(cb), AreLines(":parley.local 904 * :Channel binding is not supported"));
}

TEST_F(Sasl, ScramConfirmMustBeEmpty) {
  SessionId id = start("SCRAM-SHA-256");
  ScramClient c{"jilles", "sesame"};
  h.send(id, "AUTHENTICATE " + b64(c.first()));
  std::string server_first = challenge(h, id);
  h.send(id, "AUTHENTICATE " + b64(c.final_message(server_first)));
  h.clear(id);
  h.send(id, "AUTHENTICATE " + b64("junk"));
  EXPECT_TRUE(h.has_line(id, " 904 "));
  EXPECT_EQ(h.user(id)->account(), "");
}

TEST_F(Sasl, LoginAfterRegistrationNotifiesChannelsAndChangesHost) {
  auto ids = h.channel_with_caps("#c", {{"watcher", {"account-notify", "chghost"}}, {"jil", {"sasl"}}});
  h.send(ids[1], "AUTHENTICATE PLAIN");
  plain(ids[1], "jilles", "sesame");
  EXPECT_THAT(h.lines(ids[0]), AreLines(":jil!~jil@127.0.0.1 CHGHOST ~jil user/jilles",
                                        ":jil!~jil@user/jilles ACCOUNT jilles"));
  EXPECT_THAT(h.commands(ids[1]), ::testing::ElementsAre("AUTHENTICATE", "900", "903"));
  EXPECT_FALSE(h.has_line(ids[1], " 396 ")) << "900 shows the new host; 396 would come between 900 and 903";
  EXPECT_TRUE(h.has_line(ids[1], " 900 jil jil!~jil@user/jilles jilles "));
}

TEST_F(Sasl, AccountHostsCanBeTurnedOff) {
  h.config.cloaks.account_hosts = false;
  SessionId id = start("PLAIN");
  plain(id, "jilles", "sesame");
  EXPECT_TRUE(h.has_line(id, " 900 * *!*@127.0.0.1 jilles "));
}

}  // namespace
}  // namespace parley::core::test
