// The talk frame codec: layout, limits and the incremental decoder's errors.
#include "proto/talk_frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::proto::talk {
namespace {

using namespace std::string_literals;

struct Decoded {
  Tag tag;
  std::string payload;
  bool operator==(const Decoded&) const = default;
};

struct Decoding {
  std::vector<Decoded> frames;
  FrameDecoder::Status status = FrameDecoder::Status::kOk;
};

// Feeds `bytes` in pieces of `chunk` bytes (0: all at once).
Decoding decode(FrameDecoder& decoder, const std::string& bytes, std::size_t chunk = 0) {
  Decoding run;
  auto sink = [&](Tag tag, std::string_view payload) {
    run.frames.push_back({tag, std::string(payload)});
    return true;
  };
  if (chunk == 0) chunk = bytes.size() + 1;
  for (std::size_t at = 0; at < bytes.size() && run.status == FrameDecoder::Status::kOk; at += chunk) {
    run.status = decoder.feed(std::string_view(bytes).substr(at, chunk), sink);
  }
  return run;
}

Decoding decode(const std::string& bytes, std::size_t chunk = 0) {
  FrameDecoder decoder;
  return decode(decoder, bytes, chunk);
}

TEST(TalkFrame, LayoutIsTagThenBigEndianLengthThenPayload) {
  EXPECT_EQ(encode_frame(Tag::kMessage, "hello"), "M\x00\x00\x00\x05hello"s);
  EXPECT_EQ(encode_frame(Tag::kHangup, ""), "H\x00\x00\x00\x00"s);
  EXPECT_EQ(encode_frame(Tag::kResponse, std::string(0x010203, 'x')).substr(0, 5), "R\x00\x01\x02\x03"s);
}

TEST(TalkFrame, TagsAreAsciiLettersWithNames) {
  EXPECT_EQ(static_cast<char>(Tag::kMessage), 'M');
  EXPECT_EQ(static_cast<char>(Tag::kHangup), 'H');
  EXPECT_EQ(static_cast<char>(Tag::kResponse), 'R');
  EXPECT_EQ(static_cast<char>(Tag::kQueued), 'Q');
  EXPECT_EQ(static_cast<char>(Tag::kError), 'E');
  EXPECT_EQ(tag_name(Tag::kQueued), "QUEUED");
  EXPECT_TRUE(sent_by_client(Tag::kMessage));
  EXPECT_TRUE(sent_by_client(Tag::kHangup));
  EXPECT_FALSE(sent_by_client(Tag::kResponse));
  EXPECT_FALSE(tag_from_byte('m'));
  EXPECT_FALSE(tag_from_byte(0));
  EXPECT_EQ(tag_from_byte('E'), Tag::kError);
}

TEST(TalkFrameDecoder, DecodesConsecutiveFramesInOneFeed) {
  const std::string bytes =
      encode_frame(Tag::kMessage, "one") + encode_frame(Tag::kMessage, "") + encode_frame(Tag::kHangup, "");
  Decoding run = decode(bytes);
  EXPECT_EQ(run.status, FrameDecoder::Status::kOk);
  EXPECT_EQ(run.frames,
            (std::vector<Decoded>{{Tag::kMessage, "one"}, {Tag::kMessage, ""}, {Tag::kHangup, ""}}));
}

TEST(TalkFrameDecoder, SameFramesHoweverTheStreamIsCut) {
  const std::string bytes = encode_frame(Tag::kMessage, "hello there") + encode_frame(Tag::kResponse, "hi") +
                            encode_frame(Tag::kQueued, std::string(3000, 'q'));
  const Decoding whole = decode(bytes);
  for (std::size_t chunk : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 13u, 1000u}) {
    FrameDecoder decoder;
    Decoding run = decode(decoder, bytes, chunk);
    EXPECT_EQ(run.frames, whole.frames) << "chunk " << chunk;
    EXPECT_EQ(decoder.buffered(), 0u);
  }
}

TEST(TalkFrameDecoder, ReportsProgressOfAnIncompleteFrame) {
  FrameDecoder decoder;
  const std::string frame = encode_frame(Tag::kMessage, "abcdefg");
  EXPECT_EQ(decode(decoder, frame.substr(0, 3)).frames.size(), 0u);
  EXPECT_EQ(decoder.buffered(), 3u);
  EXPECT_EQ(decoder.expected(), 0u);  // header not complete yet
  decode(decoder, frame.substr(3, 4));
  EXPECT_EQ(decoder.buffered(), 7u);
  EXPECT_EQ(decoder.expected(), 12u);
  Decoding rest = decode(decoder, frame.substr(7));
  EXPECT_EQ(rest.frames, (std::vector<Decoded>{{Tag::kMessage, "abcdefg"}}));
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(TalkFrameDecoder, AcceptsAPayloadOfExactlyTheLimit) {
  const std::string payload(kMaxPayloadBytes, 'x');
  for (std::size_t chunk : {0u, 4096u}) {
    Decoding run = decode(encode_frame(Tag::kMessage, payload), chunk);
    ASSERT_EQ(run.frames.size(), 1u);
    EXPECT_EQ(run.frames[0].payload.size(), kMaxPayloadBytes);
  }
}

TEST(TalkFrameDecoder, UnknownTagFailsAtTheFirstByte) {
  FrameDecoder decoder;
  Decoding run = decode(decoder, "G");
  EXPECT_EQ(run.status, FrameDecoder::Status::kError);
  EXPECT_EQ(decoder.error(), DecodeError::kUnknownTag);
  EXPECT_EQ(error_code(decoder.error()), "unknown-tag");
  EXPECT_EQ(decoder.error_text(), "unknown message tag 0x47 ('G')");
}

TEST(TalkFrameDecoder, UnknownTagAfterAGoodFrameKeepsTheGoodFrame) {
  FrameDecoder decoder;
  Decoding run = decode(decoder, encode_frame(Tag::kMessage, "ok") + "\x00garbage"s);
  EXPECT_EQ(run.frames, (std::vector<Decoded>{{Tag::kMessage, "ok"}}));
  EXPECT_EQ(run.status, FrameDecoder::Status::kError);
  EXPECT_EQ(decoder.error_text(), "unknown message tag 0x00");
}

TEST(TalkFrameDecoder, OversizeLengthFailsAsSoonAsTheHeaderIsIn) {
  for (std::size_t chunk : {0u, 1u}) {
    FrameDecoder decoder;
    // Only the header: the decoder must not wait for 65537 bytes that may never come.
    Decoding run = decode(decoder, "M\x00\x01\x00\x01"s, chunk);
    EXPECT_EQ(run.status, FrameDecoder::Status::kError);
    EXPECT_EQ(decoder.error(), DecodeError::kTooLong);
    EXPECT_EQ(error_code(decoder.error()), "too-long");
    EXPECT_EQ(decoder.error_text(), "MESSAGE frame length 65537 exceeds the limit of 65536 bytes");
    EXPECT_EQ(decoder.buffered(), 0u);
  }
  FrameDecoder decoder;
  decode(decoder, "M\xff\xff\xff\xff"s);
  EXPECT_EQ(decoder.error_text(), "MESSAGE frame length 4294967295 exceeds the limit of 65536 bytes");
}

TEST(TalkFrameDecoder, HangupMustBeEmpty) {
  FrameDecoder decoder;
  Decoding run = decode(decoder, "H\x00\x00\x00\x02hi"s);
  EXPECT_EQ(run.status, FrameDecoder::Status::kError);
  EXPECT_EQ(decoder.error(), DecodeError::kPayloadOnHangup);
  EXPECT_EQ(error_code(decoder.error()), "bad-length");
}

TEST(TalkFrameDecoder, AFailedDecoderIgnoresFurtherInput) {
  FrameDecoder decoder;
  decode(decoder, "x");
  Decoding run = decode(decoder, encode_frame(Tag::kMessage, "late"));
  EXPECT_TRUE(run.frames.empty());
  EXPECT_EQ(run.status, FrameDecoder::Status::kError);
  EXPECT_EQ(decoder.error(), DecodeError::kUnknownTag);
}

TEST(TalkFrameDecoder, ASmallerLimitIsHonoured) {
  FrameDecoder decoder(4);
  Decoding run = decode(decoder, encode_frame(Tag::kMessage, "four") + encode_frame(Tag::kMessage, "five!"));
  EXPECT_EQ(run.frames.size(), 1u);
  EXPECT_EQ(decoder.error_text(), "MESSAGE frame length 5 exceeds the limit of 4 bytes");
}

TEST(TalkFrameDecoder, SinkCanStopDecoding) {
  FrameDecoder decoder;
  int calls = 0;
  const std::string bytes = encode_frame(Tag::kMessage, "a") + encode_frame(Tag::kMessage, "b");
  auto status = decoder.feed(bytes, [&](Tag, std::string_view) { return ++calls < 1; });
  EXPECT_EQ(status, FrameDecoder::Status::kStopped);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(TalkFrameDecoder, SinkCanStopOnABufferedFrame) {
  FrameDecoder decoder;
  const std::string frame = encode_frame(Tag::kMessage, "abc");
  decoder.feed(frame.substr(0, 2), [](Tag, std::string_view) { return true; });
  std::string seen;
  auto status = decoder.feed(frame.substr(2) + frame, [&](Tag, std::string_view p) {
    seen.append(p);
    return false;
  });
  EXPECT_EQ(status, FrameDecoder::Status::kStopped);
  EXPECT_EQ(seen, "abc");
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(TalkFrameDecoder, ArbitraryBytesInPayloadsSurvive) {
  std::string payload;
  for (int i = 0; i < 256; ++i) payload += static_cast<char>(i);
  Decoding run = decode(encode_frame(Tag::kMessage, payload), 7);
  ASSERT_EQ(run.frames.size(), 1u);
  EXPECT_EQ(run.frames[0].payload, payload);
}

}  // namespace
}  // namespace parley::proto::talk
