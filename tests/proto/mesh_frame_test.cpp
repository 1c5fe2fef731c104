#include "proto/mesh_frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::proto::mesh {
namespace {

struct Collected {
  std::vector<std::pair<Type, std::string>> frames;
  FrameDecoder::Status status = FrameDecoder::Status::kOk;
};

Collected feed_bytewise(FrameDecoder& d, const std::string& bytes) {
  Collected c;
  for (char ch : bytes) {
    c.status = d.feed(std::string_view(&ch, 1), [&](Type t, std::string_view p) {
      c.frames.emplace_back(t, std::string(p));
      return true;
    });
    if (c.status == FrameDecoder::Status::kError) break;
  }
  return c;
}

TEST(MeshFrame, HeaderIsVersionTypeAndBigEndianLength) {
  const std::string f = encode_bye("quit", "bye");
  ASSERT_EQ(f.size(), kHeaderBytes + 8);
  EXPECT_EQ(f[0], 1);
  EXPECT_EQ(f[1], 'B');
  EXPECT_EQ(f.substr(2, 4), std::string("\0\0\0\x08", 4));
  EXPECT_EQ(f.substr(6), "quit bye");
}

TEST(MeshFrame, EveryTypeRoundTrips) {
  Hello h{0x0102030405060708ULL, 4000, "alice"};
  Msg m{42, 7, 1700000000123ULL, 16, kFlagOldestHeld, "bob", "h\xC3\xA9llo"};
  std::vector<AddrEntry> a{{9, 4001, "127.0.0.1"}, {10, 4002, "::1"}};
  std::vector<HaveEntry> v{{42, 7}, {9, 0}};
  std::string wire = encode_hello(h) + encode_msg(m) + encode_addrs(a) + encode_have(v) + encode_ping() +
                     encode_bye("full", "try others");
  FrameDecoder d;
  auto c = feed_bytewise(d, wire);
  ASSERT_EQ(c.status, FrameDecoder::Status::kOk);
  ASSERT_EQ(c.frames.size(), 6u);
  EXPECT_EQ(parse_hello(c.frames[0].second), h);
  EXPECT_EQ(parse_msg(c.frames[1].second), m);
  EXPECT_EQ(parse_addrs(c.frames[2].second), a);
  EXPECT_EQ(parse_have(c.frames[3].second), v);
  EXPECT_EQ(c.frames[4].first, Type::kPing);
  EXPECT_EQ(parse_bye(c.frames[5].second), (Bye{"full", "try others"}));
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(MeshFrame, WholeFramesInOneFeed) {
  FrameDecoder d;
  int n = 0;
  const std::string wire = encode_ping() + encode_ping() + encode_ping();
  EXPECT_EQ(d.feed(wire, [&](Type, std::string_view) { return ++n, true; }), FrameDecoder::Status::kOk);
  EXPECT_EQ(n, 3);
}

TEST(MeshFrame, BadVersionIsRejectedAtTheFirstByte) {
  FrameDecoder d;
  auto c = feed_bytewise(d, "G");
  EXPECT_EQ(c.status, FrameDecoder::Status::kError);
  EXPECT_EQ(d.error(), DecodeError::kBadVersion);
  EXPECT_EQ(d.error_text(), "unsupported frame version 0x47 (expected 1)");
  EXPECT_EQ(error_code(d.error()), "bad-version");
}

TEST(MeshFrame, UnknownTypeIsRejected) {
  FrameDecoder d;
  auto c = feed_bytewise(d, std::string("\x01Z", 2));
  EXPECT_EQ(c.status, FrameDecoder::Status::kError);
  EXPECT_EQ(d.error_text(), "unknown frame type 0x5A ('Z')");
}

TEST(MeshFrame, OversizedLengthIsRejectedFromTheHeader) {
  FrameDecoder d;
  auto c = feed_bytewise(d, std::string("\x01M\x00\x00\x80\x01", 6));
  EXPECT_EQ(c.status, FrameDecoder::Status::kError);
  EXPECT_EQ(d.error(), DecodeError::kTooLong);
  EXPECT_EQ(d.error_text(), "frame of 32769 bytes exceeds the 32768-byte limit");
  EXPECT_EQ(d.feed(encode_ping(), [](Type, std::string_view) { return true; }), FrameDecoder::Status::kError);
}

TEST(MeshFrame, StoppingLeavesTheRestUnread) {
  FrameDecoder d;
  int n = 0;
  EXPECT_EQ(d.feed(encode_ping() + encode_ping(), [&](Type, std::string_view) { return ++n, false; }),
            FrameDecoder::Status::kStopped);
  EXPECT_EQ(n, 1);
}

TEST(MeshFrame, MalformedPayloadsAreRefused) {
  EXPECT_FALSE(parse_hello(""));
  EXPECT_FALSE(parse_hello(encode_hello({0, 1, "zero id"}).substr(kHeaderBytes)));
  EXPECT_FALSE(parse_hello(encode_hello({1, 1, ""}).substr(kHeaderBytes)));
  EXPECT_FALSE(parse_hello(encode_hello({1, 1, "a"}).substr(kHeaderBytes) + "x"));  // trailing byte
  EXPECT_FALSE(parse_hello(encode_hello({1, 1, "tab\there"}).substr(kHeaderBytes)));
  Msg m{1, 1, 0, 1, 0, "n", "two\nlines"};
  EXPECT_FALSE(parse_msg(encode_msg(m).substr(kHeaderBytes)));
  m.text = std::string(kMaxTextBytes + 1, 'x');
  EXPECT_FALSE(parse_msg(encode_msg(m).substr(kHeaderBytes)));
  m.text = "ok";
  m.seq = 0;
  EXPECT_FALSE(parse_msg(encode_msg(m).substr(kHeaderBytes)));
  EXPECT_FALSE(parse_addrs(std::string("\x00\x01", 2)));  // one entry promised, none there
  EXPECT_FALSE(parse_addrs(encode_addrs({{1, 1, "has space"}}).substr(kHeaderBytes)));
  EXPECT_FALSE(parse_have(std::string("\x00\x01\x00", 3)));
  EXPECT_FALSE(parse_bye(std::string(kMaxReasonBytes + 1, 'x')));
}

TEST(MeshFrame, NamesAreValidated) {
  EXPECT_TRUE(valid_name("alice"));
  EXPECT_TRUE(valid_name("Zoë 🙂"));
  EXPECT_FALSE(valid_name(""));
  EXPECT_FALSE(valid_name(std::string(kMaxNameBytes + 1, 'a')));
  EXPECT_FALSE(valid_name("bell\a"));
}

}  // namespace
}  // namespace parley::proto::mesh
