#include "proto/simple_frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::proto::simple {
namespace {

std::vector<std::string> decode_all(FrameDecoder& d, std::string_view bytes) {
  std::vector<std::string> out;
  d.feed(bytes, [&](std::string_view text) {
    out.emplace_back(text);
    return true;
  });
  return out;
}

bool is_utf8_boundary(std::string_view text, std::size_t pos) {
  return pos >= text.size() || (static_cast<unsigned char>(text[pos]) & 0xC0) != 0x80;
}

TEST(SimpleFrameEncode, PadsShortTextWithSpacesTo200Bytes) {
  const std::string frame = encode("hello");
  ASSERT_EQ(frame.size(), kFrameBytes);
  EXPECT_EQ(frame.substr(0, 5), "hello");
  EXPECT_EQ(frame.find_first_not_of(' ', 5), std::string::npos);
}

TEST(SimpleFrameEncode, EmptyTextIsOneFrameOfSpaces) { EXPECT_EQ(encode(""), std::string(kFrameBytes, ' ')); }

TEST(SimpleFrameEncode, ExactlyTwoHundredBytesIsOneFrame) {
  const std::string text(kFrameBytes, 'x');
  EXPECT_EQ(encode(text), text);
}

TEST(SimpleFrameEncode, LongerTextIsSplitIntoSeveralFramesNeverCut) {
  std::string text;
  for (int i = 0; i < 450; ++i) text += static_cast<char>('a' + i % 26);
  const std::string wire = encode(text);
  ASSERT_EQ(wire.size(), 3 * kFrameBytes);
  FrameDecoder d;
  auto texts = decode_all(d, wire);
  ASSERT_EQ(texts.size(), 3u);
  EXPECT_EQ(texts[0] + texts[1] + texts[2], text);
}

TEST(SimpleFrameEncode, NeverSplitsAUtf8Sequence) {
  // 199 ASCII bytes then a 3-byte character: the character must start the second frame.
  const std::string text = std::string(199, 'a') + "\xE2\x82\xAC" + "tail";
  auto pieces = split_text(text);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0], std::string(199, 'a'));
  EXPECT_EQ(pieces[1],
            "\xE2\x82\xAC"
            "tail");
  // Many multibyte characters: every cut lands on a boundary, nothing is lost.
  std::string emoji;
  for (int i = 0; i < 150; ++i) emoji += "\xF0\x9F\x98\x80";
  std::string joined;
  std::size_t offset = 0;
  for (std::string_view p : split_text(emoji)) {
    EXPECT_LE(p.size(), kFrameBytes);
    EXPECT_TRUE(is_utf8_boundary(emoji, offset));
    offset += p.size();
    joined += p;
  }
  EXPECT_EQ(joined, emoji);
}

TEST(SimpleFrameEncode, PrefersToSplitAtANewline) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "channel" + std::to_string(i) + "\n";
  text.pop_back();
  auto pieces = split_text(text);
  ASSERT_GE(pieces.size(), 2u);
  std::string joined;
  for (std::string_view p : pieces) {
    EXPECT_LE(p.size(), kFrameBytes);
    EXPECT_NE(p.back(), '\n');
    EXPECT_TRUE(p.starts_with("channel"));
    joined += std::string(p) + "\n";
  }
  joined.pop_back();
  EXPECT_EQ(joined, text);
}

TEST(SimpleFrameEncode, InvalidUtf8StillMakesProgress) {
  const std::string text(450, '\x80');
  auto pieces = split_text(text);
  std::size_t total = 0;
  for (auto p : pieces) total += p.size();
  EXPECT_EQ(total, text.size());
}

TEST(SimpleFrameDecode, StripsTrailingSpacesAndAStrayNewline) {
  EXPECT_EQ(strip_padding("hi   "), "hi");
  EXPECT_EQ(strip_padding("hi\n   "), "hi");
  EXPECT_EQ(strip_padding("hi\r\n"), "hi");
  EXPECT_EQ(strip_padding("  lead"), "  lead");
  EXPECT_EQ(strip_padding("a b  \n"), "a b");
  EXPECT_EQ(strip_padding("   "), "");
}

TEST(SimpleFrameDecode, BuffersPartialFramesUntilComplete) {
  FrameDecoder d;
  const std::string wire = encode("hello there");
  EXPECT_TRUE(decode_all(d, wire.substr(0, 150)).empty());
  EXPECT_EQ(d.buffered(), 150u);
  EXPECT_TRUE(decode_all(d, wire.substr(150, 49)).empty());
  auto got = decode_all(d, wire.substr(199));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "hello there");
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(SimpleFrameDecode, HandlesSeveralFramesInOneRead) {
  FrameDecoder d;
  const std::string wire = encode("one") + encode("two") + encode("three").substr(0, 10);
  auto got = decode_all(d, wire);
  EXPECT_EQ(got, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(d.buffered(), 10u);
  got = decode_all(d, encode("three").substr(10) + encode("four"));
  EXPECT_EQ(got, (std::vector<std::string>{"three", "four"}));
}

TEST(SimpleFrameDecode, OneByteAtATime) {
  FrameDecoder d;
  const std::string wire = encode("a") + encode("b");
  std::vector<std::string> got;
  for (char c : wire) {
    auto part = decode_all(d, std::string_view(&c, 1));
    got.insert(got.end(), part.begin(), part.end());
  }
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b"}));
}

TEST(SimpleFrameDecode, StopsWhenTheSinkSaysSo) {
  FrameDecoder d;
  int calls = 0;
  EXPECT_FALSE(d.feed(encode("a") + encode("b"), [&](std::string_view) { return ++calls < 1; }));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace parley::proto::simple
