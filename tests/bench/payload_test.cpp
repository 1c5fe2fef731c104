#include "metrics/payload.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::bench {
namespace {

std::string encode(const Payload& p, std::size_t padding = 0) {
  std::string out(kPayloadBytes + padding, '\0');
  EXPECT_EQ(encode_payload(p, padding, out.data()), out.size());
  return out;
}

TEST(Payload, RoundTripsExtremeValues) {
  for (const Payload p : {Payload{0, 0, 0}, Payload{1, 2, 3}, Payload{UINT32_MAX, UINT32_MAX, UINT64_MAX},
                          Payload{99999, 1234567, 1'700'000'000'123'456'789ull}}) {
    EXPECT_EQ(decode_payload(encode(p)), p);
  }
}

TEST(Payload, WireFormIsFixedWidthHex) {
  EXPECT_EQ(encode({0x1a, 0x2b, 0x3c}), "B0000001a0000002b000000000000003c");
}

TEST(Payload, PaddingIsIgnoredWhenDecoding) {
  const std::string text = encode({7, 8, 9}, 40);
  EXPECT_EQ(text.size(), kPayloadBytes + 40);
  EXPECT_EQ(text.back(), 'x');
  EXPECT_EQ(decode_payload(text), (Payload{7, 8, 9}));
}

TEST(Payload, AcceptsUpperCaseHex) {
  EXPECT_EQ(decode_payload("B000000FF00000001000000000000ABCD"), (Payload{255, 1, 0xabcd}));
}

TEST(Payload, RejectsNonPayloads) {
  EXPECT_EQ(decode_payload(""), std::nullopt);
  EXPECT_EQ(decode_payload("hello world"), std::nullopt);
  std::string text = encode({1, 2, 3});
  EXPECT_EQ(decode_payload(std::string_view(text).substr(0, kPayloadBytes - 1)), std::nullopt);
  text[0] = 'C';
  EXPECT_EQ(decode_payload(text), std::nullopt);
  text = encode({1, 2, 3});
  text[20] = 'g';
  EXPECT_EQ(decode_payload(text), std::nullopt);
  text[20] = ' ';
  EXPECT_EQ(decode_payload(text), std::nullopt);
}

TEST(Payload, EveryHexDigitDecodesInEveryPosition) {
  const std::string_view digits = "0123456789abcdefABCDEF";
  for (std::size_t pos = 1; pos < kPayloadBytes; ++pos) {
    for (char d : digits) {
      std::string text(kPayloadBytes, '0');
      text[0] = kPayloadMagic;
      text[pos] = d;
      const auto p = decode_payload(text);
      ASSERT_TRUE(p.has_value()) << pos << d;
      const std::uint64_t nibble = d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10;
      if (pos < 9)
        EXPECT_EQ(p->sender, nibble << (4 * (8 - pos)));
      else if (pos < 17)
        EXPECT_EQ(p->seq, nibble << (4 * (16 - pos)));
      else
        EXPECT_EQ(p->sent_ns, nibble << (4 * (32 - pos)));
    }
  }
}

TEST(Payload, RejectsBytesNextToTheHexRanges) {
  for (char bad : {'/', ':', '@', 'G', '`', 'g', '\x7f', '\x80', '\xff', '\0'}) {
    std::string text = "B0000001a0000002b000000000000003c";
    for (std::size_t pos = 1; pos < kPayloadBytes; pos += 5) {
      std::string t = text;
      t[pos] = bad;
      EXPECT_EQ(decode_payload(t), std::nullopt) << pos << static_cast<int>(bad);
    }
  }
}

}  // namespace
}  // namespace parley::bench
