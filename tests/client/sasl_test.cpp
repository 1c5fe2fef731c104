// SASL in `parley chat` (src/client/sasl.cpp, sasl_client.cpp): the SCRAM-SHA-256 client against
// RFC 7677's example, and the whole AUTHENTICATE exchange of ChatClient with the test playing the
// server.
#include "client/sasl.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/chat_client.h"
#include "client/unpaced.h"
#include "crypto/crypto.h"

namespace parley::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// RFC 7677 section 3.
const std::string kNonce = "rOprNGfwEbeRWgbNEkqO";
const std::string kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const std::string kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+"
    "Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const std::string kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

TEST(ScramClient, FollowsTheRfc7677Example) {
  ScramClient scram("user", "pencil", kNonce);
  EXPECT_EQ(scram.client_first(), "n,,n=user,r=" + kNonce);
  auto final_message = scram.client_final(kServerFirst);
  ASSERT_TRUE(final_message) << scram.error();
  EXPECT_EQ(*final_message, kClientFinal);
  EXPECT_TRUE(scram.verify_server_final(kServerFinal)) << scram.error();
}

TEST(ScramClient, RefusesAWrongServerSignature) {
  ScramClient scram("user", "pencil", kNonce);
  ASSERT_TRUE(scram.client_final(kServerFirst));
  EXPECT_FALSE(scram.verify_server_final("v=" + crypto::base64_encode(std::string(32, 'x'))));
  EXPECT_THAT(scram.error(), HasSubstr("server signature"));
  EXPECT_FALSE(scram.verify_server_final("e=other-error"));
}

TEST(ScramClient, RefusesANonceThatDoesNotExtendOurs) {
  ScramClient scram("user", "pencil", kNonce);
  EXPECT_FALSE(scram.client_final("r=somethingelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
  EXPECT_THAT(scram.error(), HasSubstr("nonce"));
  ScramClient same("user", "pencil", kNonce);
  EXPECT_FALSE(same.client_final("r=" + kNonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));  // not extended
}

TEST(ScramClient, RefusesMalformedAndCostlyServerMessages) {
  for (const std::string& bad : std::vector<std::string>{
           "", "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "r=" + kNonce + "x,i=4096",
           "r=" + kNonce + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==", "r=" + kNonce + "x,s=not base64!,i=4096",
           "r=" + kNonce + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096x",
           "r=" + kNonce + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1",
           "r=" + kNonce + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999"}) {
    ScramClient scram("user", "pencil", kNonce);
    EXPECT_FALSE(scram.client_final(bad)) << bad;
    EXPECT_FALSE(scram.error().empty()) << bad;
  }
  ScramClient early("user", "pencil", kNonce);
  EXPECT_FALSE(early.verify_server_final(kServerFinal)) << "a server-final before server-first";
}

TEST(ScramClient, EscapesCommaAndEqualsInTheUserName) {
  EXPECT_EQ(ScramClient("a,b=c", "p", "n").client_first(), "n,,n=a=2Cb=3Dc,r=n");
}

TEST(SaslMechanism, PrefersScramAndUsesPlainOnlyWhenAllowed) {
  EXPECT_EQ(choose_sasl_mechanism("PLAIN,SCRAM-SHA-256", true), "SCRAM-SHA-256");
  EXPECT_EQ(choose_sasl_mechanism("PLAIN,EXTERNAL", true), "PLAIN");
  EXPECT_EQ(choose_sasl_mechanism("PLAIN", false), "");
  EXPECT_EQ(choose_sasl_mechanism("EXTERNAL", true), "");
  EXPECT_EQ(choose_sasl_mechanism("", false), "SCRAM-SHA-256");
  EXPECT_EQ(sasl_plain_message("bob", "pw"), std::string("\0bob\0pw", 7));
}

// ---- ChatClient --------------------------------------------------------------------------------

const Clock::time_point kT0 = Clock::from_time_t(1'800'000'000);

class SaslClientTest : public ::testing::Test {
 protected:
  static ClientOptions options(bool tls) {
    ClientOptions o = unpaced(ClientOptions{"irc.test", "alice", "al", "Alice A", "", {}});
    o.sasl_user = "user";
    o.sasl_password = "pencil";
    o.tls = tls;
    o.sasl_nonce = [] { return kNonce; };
    return o;
  }
  explicit SaslClientTest(bool tls = false) : client(options(tls)) {}

  // Connects; the server offers `caps`; returns what the client sent after CAP LS.
  std::vector<std::string> offer(const std::string& caps) {
    client.connecting(kT0);
    client.connected(kT0);
    client.take_wire();
    client.receive(":srv CAP * LS :" + caps, kT0);
    return client.take_wire();
  }
  std::vector<std::string> server(const std::string& line) {
    client.receive(line, kT0);
    return client.take_wire();
  }
  static std::string auth(const std::string& payload) {
    return "AUTHENTICATE " + crypto::base64_encode(payload) + "\r\n";
  }
  std::string errors() {
    std::string out;
    for (const Event& e : client.take_events())
      if (e.style == Event::Style::kError) out += e.text + "\n";
    return out;
  }

  ChatClient client;
};

TEST_F(SaslClientTest, ScramLoginThenCapEnd) {
  EXPECT_THAT(offer("multi-prefix sasl=PLAIN,SCRAM-SHA-256"), ElementsAre("CAP REQ :multi-prefix sasl\r\n"));
  EXPECT_THAT(server(":srv CAP alice ACK :multi-prefix sasl"), ElementsAre("AUTHENTICATE SCRAM-SHA-256\r\n"));
  EXPECT_THAT(server("AUTHENTICATE +"), ElementsAre(auth("n,,n=user,r=" + kNonce)));
  EXPECT_THAT(server("AUTHENTICATE " + crypto::base64_encode(kServerFirst)), ElementsAre(auth(kClientFinal)));
  EXPECT_THAT(server("AUTHENTICATE " + crypto::base64_encode(kServerFinal)),
              ElementsAre("AUTHENTICATE +\r\n"));
  EXPECT_THAT(server(":srv 900 alice alice!al@host user :You are now logged in as user"), ElementsAre());
  EXPECT_THAT(server(":srv 903 alice :SASL authentication successful"), ElementsAre("CAP END\r\n"));
  EXPECT_FALSE(client.failed());
  EXPECT_FALSE(client.quitting());
}

TEST_F(SaslClientTest, WrongPasswordStopsWithAClearMessage) {
  offer("sasl=SCRAM-SHA-256");
  server(":srv CAP alice ACK :sasl");
  server("AUTHENTICATE +");
  server("AUTHENTICATE " + crypto::base64_encode(kServerFirst));
  EXPECT_THAT(server(":srv 904 alice :SASL authentication failed"), ElementsAre("QUIT Leaving\r\n"));
  EXPECT_TRUE(client.failed());
  EXPECT_TRUE(client.quitting());
  EXPECT_THAT(errors(), HasSubstr("SASL login as user failed (904 SASL authentication failed)"));
  client.disconnected("closed", kT0);
  EXPECT_FALSE(client.reconnect_at()) << "a wrong password is not retried";
}

TEST_F(SaslClientTest, ABadServerSignatureAbortsTheLogin) {
  offer("sasl=SCRAM-SHA-256");
  server(":srv CAP alice ACK :sasl");
  server("AUTHENTICATE +");
  server("AUTHENTICATE " + crypto::base64_encode(kServerFirst));
  EXPECT_THAT(
      server("AUTHENTICATE " + crypto::base64_encode("v=" + crypto::base64_encode(std::string(32, 'x')))),
      ElementsAre("AUTHENTICATE *\r\n", "QUIT Leaving\r\n"));
  EXPECT_TRUE(client.failed());
  EXPECT_THAT(errors(), HasSubstr("could not prove"));
}

TEST_F(SaslClientTest, SuccessWithoutTheServerProofIsAFailure) {
  offer("sasl=SCRAM-SHA-256");
  server(":srv CAP alice ACK :sasl");
  server("AUTHENTICATE +");
  server("AUTHENTICATE " + crypto::base64_encode(kServerFirst));
  EXPECT_THAT(server(":srv 903 alice :SASL authentication successful"), ElementsAre("QUIT Leaving\r\n"));
  EXPECT_TRUE(client.failed());
}

TEST_F(SaslClientTest, ServerWithoutSaslStops) {
  EXPECT_THAT(offer("multi-prefix"), ElementsAre("QUIT Leaving\r\n"));
  EXPECT_TRUE(client.failed());
  EXPECT_THAT(errors(), HasSubstr("does not offer SASL"));
}

TEST_F(SaslClientTest, AnAckWithoutSaslStopsRatherThanRegisterLoggedOut) {
  offer("multi-prefix sasl=SCRAM-SHA-256");
  EXPECT_THAT(server(":srv CAP alice ACK :multi-prefix"), ElementsAre("QUIT Leaving\r\n"));
  EXPECT_TRUE(client.failed());
}

TEST_F(SaslClientTest, PlainOnlyIsRefusedWithoutTls) {
  EXPECT_THAT(offer("sasl=PLAIN"), ElementsAre("QUIT Leaving\r\n"));
  EXPECT_THAT(errors(), HasSubstr("unencrypted"));
}

class SaslTlsClientTest : public SaslClientTest {
 protected:
  SaslTlsClientTest() : SaslClientTest(true) {}
};

TEST_F(SaslTlsClientTest, PlainOverTls) {
  EXPECT_THAT(offer("sasl=PLAIN"), ElementsAre("CAP REQ :sasl\r\n"));
  EXPECT_THAT(server(":srv CAP alice ACK :sasl"), ElementsAre("AUTHENTICATE PLAIN\r\n"));
  EXPECT_THAT(server("AUTHENTICATE +"), ElementsAre(auth(std::string("\0user\0pencil", 12))));
  EXPECT_THAT(server(":srv 903 alice :SASL authentication successful"), ElementsAre("CAP END\r\n"));
  EXPECT_FALSE(client.failed());
}

TEST_F(SaslClientTest, LongMessagesAreSentIn400ByteChunks) {
  ClientOptions o = options(false);
  o.sasl_user = std::string(296, 'u');  // client-first: 5 + 296 + 3 + 20 = 324 bytes, base64 432
  ChatClient c(o);
  c.connected(kT0);
  c.receive(":srv CAP * LS :sasl=SCRAM-SHA-256", kT0);
  c.receive(":srv CAP alice ACK :sasl", kT0);
  c.take_wire();
  c.receive("AUTHENTICATE +", kT0);
  auto wire = c.take_wire();
  ASSERT_EQ(wire.size(), 2u);
  EXPECT_EQ(wire[0].size(), std::string("AUTHENTICATE \r\n").size() + 400);
  EXPECT_EQ(wire[1].size(), std::string("AUTHENTICATE \r\n").size() + 32);
  ClientOptions exact = options(false);
  exact.sasl_user = std::string(272, 'u');  // 300 bytes, base64 exactly 400: then "+"
  ChatClient d(exact);
  d.connected(kT0);
  d.receive(":srv CAP * LS :sasl=SCRAM-SHA-256", kT0);
  d.receive(":srv CAP alice ACK :sasl", kT0);
  d.take_wire();
  d.receive("AUTHENTICATE +", kT0);
  wire = d.take_wire();
  ASSERT_EQ(wire.size(), 2u);
  EXPECT_EQ(wire[1], "AUTHENTICATE +\r\n");
}

TEST_F(SaslClientTest, ChunkedServerMessagesAreJoined) {
  offer("sasl=SCRAM-SHA-256");
  server(":srv CAP alice ACK :sasl");
  server("AUTHENTICATE +");
  // server-first with a long salt: its base64 is longer than 400 bytes.
  const std::string first =
      "r=" + kNonce + "srv,s=" + crypto::base64_encode(std::string(300, 's')) + ",i=4096";
  const std::string encoded = crypto::base64_encode(first);
  ASSERT_GT(encoded.size(), 400u);
  EXPECT_THAT(server("AUTHENTICATE " + encoded.substr(0, 400)), ElementsAre());
  auto wire = server("AUTHENTICATE " + encoded.substr(400));
  ASSERT_EQ(wire.size(), 1u);
  auto decoded = crypto::base64_decode(wire[0].substr(13, wire[0].size() - 15));
  ASSERT_TRUE(decoded);
  EXPECT_THAT(*decoded, HasSubstr("c=biws,r=" + kNonce + "srv,p="));
}

TEST_F(SaslClientTest, GarbageFromTheServerAborts) {
  offer("sasl=SCRAM-SHA-256");
  server(":srv CAP alice ACK :sasl");
  server("AUTHENTICATE +");
  EXPECT_THAT(server("AUTHENTICATE !!!notbase64"), ElementsAre("AUTHENTICATE *\r\n", "QUIT Leaving\r\n"));
  EXPECT_TRUE(client.failed());
}

TEST_F(SaslClientTest, ReconnectLogsInAgain) {
  offer("sasl=SCRAM-SHA-256");
  server(":srv CAP alice ACK :sasl");
  server("AUTHENTICATE +");
  server("AUTHENTICATE " + crypto::base64_encode(kServerFirst));
  server("AUTHENTICATE " + crypto::base64_encode(kServerFinal));
  server(":srv 903 alice :SASL authentication successful");
  server(":srv 001 alice :Welcome");
  client.disconnected("reset", kT0);
  ASSERT_TRUE(client.reconnect_at());
  EXPECT_THAT(offer("sasl=SCRAM-SHA-256"), ElementsAre("CAP REQ :sasl\r\n"));
  EXPECT_THAT(server(":srv CAP alice ACK :sasl"), ElementsAre("AUTHENTICATE SCRAM-SHA-256\r\n"));
}

TEST(ChatClientWithoutSasl, RegistersAsBefore) {
  ChatClient c(unpaced(ClientOptions{"irc.test", "alice", "al", "Alice A", "", {}}));
  c.connected(kT0);
  c.take_wire();
  c.receive(":srv CAP * LS :sasl=PLAIN multi-prefix", kT0);
  EXPECT_THAT(c.take_wire(), ElementsAre("CAP REQ :multi-prefix\r\n"));
}

}  // namespace
}  // namespace parley::client
