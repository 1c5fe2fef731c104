#include "proto/sasl.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::proto::sasl {
namespace {

using namespace std::string_literals;

TEST(SaslChunks, ShortChunkCompletesTheMessage) {
  ChunkBuffer b;
  EXPECT_EQ(b.add("abcd"), ChunkBuffer::Status::kComplete);
  EXPECT_EQ(b.take(), "abcd");
  EXPECT_EQ(b.buffered(), 0u);
}

TEST(SaslChunks, FullChunksWaitForMoreAndPlusEndsAMultipleOf400) {
  ChunkBuffer b;
  std::string chunk(kChunkBytes, 'A');
  EXPECT_EQ(b.add(chunk), ChunkBuffer::Status::kNeedMore);
  EXPECT_EQ(b.add(chunk), ChunkBuffer::Status::kNeedMore);
  EXPECT_EQ(b.add("+"), ChunkBuffer::Status::kComplete);
  EXPECT_EQ(b.take(), chunk + chunk);
}

TEST(SaslChunks, FullChunkThenShortOne) {
  ChunkBuffer b;
  EXPECT_EQ(b.add(std::string(kChunkBytes, 'A')), ChunkBuffer::Status::kNeedMore);
  EXPECT_EQ(b.add("BB"), ChunkBuffer::Status::kComplete);
  EXPECT_EQ(b.take().size(), kChunkBytes + 2);
}

TEST(SaslChunks, LonelyPlusIsTheEmptyMessage) {
  ChunkBuffer b;
  EXPECT_EQ(b.add("+"), ChunkBuffer::Status::kComplete);
  EXPECT_EQ(b.take(), "");
}

TEST(SaslChunks, ChunkOver400IsRefusedAndForgotten) {
  ChunkBuffer b;
  EXPECT_EQ(b.add(std::string(kChunkBytes, 'A')), ChunkBuffer::Status::kNeedMore);
  EXPECT_EQ(b.add(std::string(kChunkBytes + 1, 'A')), ChunkBuffer::Status::kChunkTooLong);
  EXPECT_EQ(b.buffered(), 0u);
}

TEST(SaslChunks, MessageOverTheTotalLimitIsRefusedAndForgotten) {
  ChunkBuffer b;
  std::string chunk(kChunkBytes, 'A');
  std::size_t sent = 0;
  ChunkBuffer::Status s = ChunkBuffer::Status::kNeedMore;
  while (s == ChunkBuffer::Status::kNeedMore) {
    s = b.add(chunk);
    sent += chunk.size();
    ASSERT_LE(sent, kMaxMessageBytes + kChunkBytes);
  }
  EXPECT_EQ(s, ChunkBuffer::Status::kMessageTooLong);
  EXPECT_GT(sent, kMaxMessageBytes);
  EXPECT_EQ(b.buffered(), 0u);
}

TEST(SaslPlain, ParsesAllThreeFields) {
  const std::string text = "zid\0jilles\0sesame"s;
  auto m = parse_plain(text);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->authzid, "zid");
  EXPECT_EQ(m->authcid, "jilles");
  EXPECT_EQ(m->password, "sesame");
}

TEST(SaslPlain, EmptyAuthzidIsAllowed) {
  const std::string text = "\0jilles\0sesame"s;
  auto m = parse_plain(text);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->authzid, "");
  EXPECT_EQ(m->authcid, "jilles");
}

TEST(SaslPlain, RefusesMissingFieldsAndExtraNul) {
  EXPECT_FALSE(parse_plain("jilles"));
  EXPECT_FALSE(parse_plain("a\0b"s));
  EXPECT_FALSE(parse_plain("\0\0pw"s));              // empty authcid
  EXPECT_FALSE(parse_plain("\0jilles\0"s));          // empty password
  EXPECT_FALSE(parse_plain("\0jilles\0pw\0more"s));  // a third NUL
  EXPECT_FALSE(parse_plain(""));
}

TEST(SaslScram, ParsesRfc7677ClientFirst) {
  auto r = parse_scram_client_first("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  ASSERT_TRUE(r.message);
  EXPECT_EQ(r.message->gs2_header, "n,,");
  EXPECT_EQ(r.message->username, "user");
  EXPECT_EQ(r.message->nonce, "rOprNGfwEbeRWgbNEkqO");
  EXPECT_EQ(r.message->bare, "n=user,r=rOprNGfwEbeRWgbNEkqO");
  EXPECT_EQ(r.message->authzid, "");
}

TEST(SaslScram, UnescapesNamesAndReadsAuthzid) {
  auto r = parse_scram_client_first("y,a=bo=2Cb,n=a=3Db=2Cc,r=xyz,e=ext");
  ASSERT_TRUE(r.message);
  EXPECT_EQ(r.message->gs2_header, "y,a=bo=2Cb,");
  EXPECT_EQ(r.message->authzid, "bo,b");
  EXPECT_EQ(r.message->username, "a=b,c");
  EXPECT_EQ(r.message->bare, "n=a=3Db=2Cc,r=xyz,e=ext");
}

TEST(SaslScram, RefusesChannelBindingBadNamesAndGarbage) {
  EXPECT_EQ(parse_scram_client_first("p=tls-unique,,n=u,r=x").error, ScramError::kChannelBinding);
  EXPECT_EQ(parse_scram_client_first("n,,n=a=4Fb,r=x").error, ScramError::kBadUsername);
  EXPECT_EQ(parse_scram_client_first("n,,n=,r=x").error, ScramError::kBadUsername);
  EXPECT_EQ(parse_scram_client_first("n,,m=ext,n=u,r=x").error, ScramError::kExtensionRequired);
  EXPECT_FALSE(parse_scram_client_first("n,,n=u").message);     // no nonce
  EXPECT_FALSE(parse_scram_client_first("n,,n=u,r=").message);  // empty nonce
  EXPECT_FALSE(parse_scram_client_first("x,,n=u,r=a").message);
  EXPECT_FALSE(parse_scram_client_first("n,n=u,r=a").message);
  EXPECT_FALSE(parse_scram_client_first("").message);
  EXPECT_FALSE(parse_scram_client_first("n,,n=u,r=a\x01"s).message);
}

TEST(SaslScram, ParsesRfc7677ClientFinal) {
  auto m = parse_scram_client_final(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+"
      "Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->channel_binding, "biws");
  EXPECT_EQ(m->nonce, "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
  EXPECT_EQ(m->proof_base64, "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  EXPECT_EQ(m->without_proof, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
}

TEST(SaslScram, ClientFinalRefusesMissingOrMisplacedParts) {
  EXPECT_FALSE(parse_scram_client_final("c=biws,r=abc"));
  EXPECT_FALSE(parse_scram_client_final("r=abc,c=biws,p=AAAA"));
  EXPECT_FALSE(parse_scram_client_final("c=biws,p=AAAA"));
  EXPECT_FALSE(parse_scram_client_final("c=biws,r=abc,p="));
  EXPECT_FALSE(parse_scram_client_final("c=bi!s,r=abc,p=AAAA"));
  EXPECT_FALSE(parse_scram_client_final("c=biws,r=abc,p=AA AA"));
  EXPECT_FALSE(parse_scram_client_final(""));
}

TEST(SaslScram, ServerMessagesAndAuthMessage) {
  EXPECT_EQ(scram_server_first("abc", "W22ZaJ0SNY7soEsUEjb6gQ==", 4096),
            "r=abc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  EXPECT_EQ(scram_server_final("6rri"), "v=6rri");
  EXPECT_EQ(scram_auth_message("n=u,r=a", "r=ab,s=c,i=1", "c=biws,r=ab"), "n=u,r=a,r=ab,s=c,i=1,c=biws,r=ab");
}

}  // namespace
}  // namespace parley::proto::sasl
