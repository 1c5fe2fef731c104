#include "crypto/scram.h"

#include <gtest/gtest.h>

namespace parley::crypto {
namespace {

// RFC 7677 section 3: user "user", password "pencil".
constexpr std::string_view kClientFirstBare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kClientFinalWithoutProof = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view kProof = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kServerSignature = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

std::string auth_message() {
  return std::string(kClientFirstBare) + "," + std::string(kServerFirst) + "," + std::string(kClientFinalWithoutProof);
}
std::string salt() { return *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="); }

TEST(Scram, ClientProofMatchesRfc7677Vector) {
  const ScramClientKeys keys = derive_scram_client_keys("pencil", salt(), 4096);
  EXPECT_EQ(base64_encode(scram_client_proof(keys, auth_message())), kProof);
  EXPECT_EQ(base64_encode(scram_server_signature(keys.server_key, auth_message())), kServerSignature);
}

TEST(Scram, ServerVerifiesRfc7677ProofFromStoredCredentials) {
  const ScramCredentials stored = derive_scram_credentials("pencil", salt(), 4096);
  EXPECT_TRUE(scram_verify_proof(stored, auth_message(), *base64_decode(kProof)));
  EXPECT_EQ(base64_encode(scram_server_signature(stored.server_key, auth_message())), kServerSignature);
}

TEST(Scram, ServerRejectsWrongPasswordAlteredMessageAndShortProof) {
  const ScramCredentials stored = derive_scram_credentials("pencil", salt(), 4096);
  const ScramClientKeys wrong = derive_scram_client_keys("pencil2", salt(), 4096);
  EXPECT_FALSE(scram_verify_proof(stored, auth_message(), scram_client_proof(wrong, auth_message())));
  EXPECT_FALSE(scram_verify_proof(stored, auth_message() + "x", *base64_decode(kProof)));
  EXPECT_FALSE(scram_verify_proof(stored, auth_message(), base64_decode(kProof)->substr(1)));
  EXPECT_FALSE(scram_verify_proof(ScramCredentials{}, auth_message(), *base64_decode(kProof)));
}

TEST(Base64, RoundTripsEveryLength) {
  std::string data;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(base64_decode(base64_encode(data)), data) << i;
    data += static_cast<char>(i * 37 + 200);
  }
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
}

TEST(Base64, RejectsMalformedText) {
  for (std::string_view bad : {"Zm9", "Zm9v=mE=", "Zm9vYg=", "Zm9vYh==", "Zm 9v", "Zm9v\n", "=AAA", "Zg=A", "Zm-_"})
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  EXPECT_EQ(base64_decode(""), "");
}

TEST(Crypto, ConstantTimeEqualityAndHex) {
  EXPECT_TRUE(equal_constant_time("abc", "abc"));
  EXPECT_FALSE(equal_constant_time("abc", "abd"));
  EXPECT_FALSE(equal_constant_time("abc", "abcd"));
  EXPECT_EQ(to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace parley::crypto
