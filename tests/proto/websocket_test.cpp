#include "proto/websocket.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace parley::proto::ws {
namespace {

constexpr std::array<std::uint8_t, 4> kMask{0x37, 0xfa, 0x21, 0x3d};

struct Seen {
  Event::Kind kind;
  std::string payload;
  std::uint16_t code;
  bool operator==(const Seen&) const = default;
};

std::string client_frame(Opcode op, std::string_view payload, bool fin = true) {
  std::string out;
  append_frame(out, op, payload, &kMask);
  if (!fin) out[0] = static_cast<char>(out[0] & 0x7f);
  return out;
}

std::vector<Seen> decode(FrameDecoder& d, std::string_view bytes) {
  std::vector<Seen> seen;
  d.feed(bytes, [&](const Event& e) {
    seen.push_back({e.kind, std::string(e.payload), e.code});
    return true;
  });
  return seen;
}

std::vector<Seen> decode_bytewise(FrameDecoder& d, std::string_view bytes) {
  std::vector<Seen> seen;
  for (char c : bytes) {
    auto more = decode(d, std::string_view(&c, 1));
    seen.insert(seen.end(), more.begin(), more.end());
  }
  return seen;
}

TEST(WebSocketFrames, Rfc6455MaskedHelloExample) {
  // RFC 6455 section 5.7: a single-frame masked text message containing "Hello".
  const std::string wire("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
  FrameDecoder d(FrameDecoder::Role::kServer, 512);
  EXPECT_EQ(decode(d, wire), (std::vector<Seen>{{Event::Kind::kText, "Hello", 0}}));
  EXPECT_EQ(client_frame(Opcode::kText, "Hello"), wire);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(WebSocketFrames, ServerFramesAreUnmaskedAndUseTheShortestLength) {
  std::string out;
  append_frame(out, Opcode::kText, "Hello");
  EXPECT_EQ(out, std::string("\x81\x05Hello", 7));
  out.clear();
  append_frame(out, Opcode::kBinary, std::string(126, 'x'));
  EXPECT_EQ(out.substr(0, 4), std::string("\x82\x7e\x00\x7e", 4));
  out.clear();
  append_frame(out, Opcode::kBinary, std::string(70000, 'x'));
  EXPECT_EQ(out.substr(0, 10), std::string("\x82\x7f\x00\x00\x00\x00\x00\x01\x11\x70", 10));
  EXPECT_EQ(out.size(), 70010u);
}

TEST(WebSocketFrames, SameMessagesHoweverTheStreamIsCut) {
  std::string wire = client_frame(Opcode::kText, "PRIVMSG #a :hi") + client_frame(Opcode::kPing, "p1") +
                     client_frame(Opcode::kBinary, std::string(300, 'b')) +
                     client_frame(Opcode::kText, std::string(70000, 't'));
  FrameDecoder whole(FrameDecoder::Role::kServer, 100000);
  FrameDecoder bytewise(FrameDecoder::Role::kServer, 100000);
  auto a = decode(whole, wire);
  auto b = decode_bytewise(bytewise, wire);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a[1], (Seen{Event::Kind::kPing, "p1", 0}));
  EXPECT_EQ(a[2].payload, std::string(300, 'b'));
  EXPECT_EQ(a[3].payload.size(), 70000u);
  EXPECT_EQ(bytewise.buffered(), 0u);
}

TEST(WebSocketFrames, FragmentedMessageWithAPingInTheMiddle) {
  std::string wire = client_frame(Opcode::kText, "PRIV", false) + client_frame(Opcode::kPing, "") +
                     client_frame(Opcode::kContinuation, "MSG ", false) +
                     client_frame(Opcode::kContinuation, "x :y");
  FrameDecoder d(FrameDecoder::Role::kServer, 512);
  EXPECT_EQ(decode(d, wire),
            (std::vector<Seen>{{Event::Kind::kPing, "", 0}, {Event::Kind::kText, "PRIVMSG x :y", 0}}));
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(WebSocketFrames, EmptyMessagesAreMessages) {
  FrameDecoder d(FrameDecoder::Role::kServer, 512);
  EXPECT_EQ(decode(d, client_frame(Opcode::kBinary, "")), (std::vector<Seen>{{Event::Kind::kBinary, "", 0}}));
}

TEST(WebSocketFrames, TooLongMessageIsReportedOnceAndDiscarded) {
  FrameDecoder d(FrameDecoder::Role::kServer, 10);
  std::string wire = client_frame(Opcode::kText, "12345", false) +
                     client_frame(Opcode::kContinuation, "678901", false) +
                     client_frame(Opcode::kContinuation, "more") + client_frame(Opcode::kText, "ok");
  EXPECT_EQ(decode_bytewise(d, wire),
            (std::vector<Seen>{{Event::Kind::kTooLong, "", 0}, {Event::Kind::kText, "ok", 0}}));
  EXPECT_FALSE(d.failed());
  // A single huge frame is discarded without being buffered.
  FrameDecoder big(FrameDecoder::Role::kServer, 10);
  std::string huge = client_frame(Opcode::kBinary, std::string(1 << 20, 'z'));
  EXPECT_EQ(decode(big, huge.substr(0, 4096)), (std::vector<Seen>{{Event::Kind::kTooLong, "", 0}}));
  EXPECT_LT(big.buffered(), 16u);
}

TEST(WebSocketFrames, CloseFrameCarriesCodeAndReasonAndEndsInput) {
  FrameDecoder d(FrameDecoder::Role::kServer, 512);
  std::string wire = client_frame(Opcode::kClose, close_payload(kCloseGoingAway, "bye")) +
                     client_frame(Opcode::kText, "after");
  EXPECT_EQ(decode(d, wire), (std::vector<Seen>{{Event::Kind::kClose, "bye", kCloseGoingAway}}));
  FrameDecoder empty(FrameDecoder::Role::kServer, 512);
  EXPECT_EQ(decode(empty, client_frame(Opcode::kClose, "")),
            (std::vector<Seen>{{Event::Kind::kClose, "", kCloseNoStatus}}));
}

struct Violation {
  const char* name;
  std::string wire;
  std::uint16_t code;
};

TEST(WebSocketFrames, ProtocolViolationsAreErrorsWithTheRightCloseCode) {
  const std::vector<Violation> cases = {
      {"unmasked client frame", std::string("\x81\x02hi", 4), kCloseProtocolError},
      {"reserved bit", std::string("\xc1\x80\0\0\0\0", 6), kCloseProtocolError},
      {"unknown opcode", std::string("\x83\x80\0\0\0\0", 6), kCloseProtocolError},
      {"fragmented control", client_frame(Opcode::kPing, "x", false), kCloseProtocolError},
      {"long control", client_frame(Opcode::kPing, std::string(126, 'p')), kCloseProtocolError},
      {"continuation first", client_frame(Opcode::kContinuation, "x"), kCloseProtocolError},
      {"text inside text", client_frame(Opcode::kText, "a", false) + client_frame(Opcode::kText, "b"),
       kCloseProtocolError},
      {"invalid UTF-8 text", client_frame(Opcode::kText, "caf\xe9"), kCloseInvalidData},
      {"one-byte close", client_frame(Opcode::kClose, "x"), kCloseProtocolError},
      {"close code 1005", client_frame(Opcode::kClose, close_payload(kCloseNoStatus, "")),
       kCloseProtocolError},
      {"close reason not UTF-8", client_frame(Opcode::kClose, std::string("\x03\xe8\xff", 3)),
       kCloseInvalidData},
      {"64-bit length MSB", std::string("\x82\xff\x80\0\0\0\0\0\0\0\0\0\0\0", 14), kCloseProtocolError},
  };
  for (const auto& c : cases) {
    FrameDecoder d(FrameDecoder::Role::kServer, 512);
    auto seen = decode(d, c.wire + client_frame(Opcode::kText, "later"));
    ASSERT_FALSE(seen.empty()) << c.name;
    EXPECT_EQ(seen.back().kind, Event::Kind::kError) << c.name;
    EXPECT_EQ(seen.back().code, c.code) << c.name;
    EXPECT_FALSE(seen.back().payload.empty()) << c.name;
    EXPECT_TRUE(d.failed()) << c.name;
    EXPECT_TRUE(decode(d, client_frame(Opcode::kText, "ignored")).empty()) << c.name;
  }
}

TEST(WebSocketFrames, BinaryMessagesMayHoldAnyBytes) {
  FrameDecoder d(FrameDecoder::Role::kServer, 512);
  EXPECT_EQ(decode(d, client_frame(Opcode::kBinary, "caf\xe9")),
            (std::vector<Seen>{{Event::Kind::kBinary, "caf\xe9", 0}}));
}

TEST(WebSocketFrames, ClientRoleReadsUnmaskedFramesAndRefusesMaskedOnes) {
  FrameDecoder d(FrameDecoder::Role::kClient, 512);
  std::string wire;
  append_frame(wire, Opcode::kText, "from server");
  EXPECT_EQ(decode(d, wire), (std::vector<Seen>{{Event::Kind::kText, "from server", 0}}));
  EXPECT_EQ(decode(d, client_frame(Opcode::kText, "masked")).back().kind, Event::Kind::kError);
}

TEST(WebSocketFrames, SinkReturningFalseStopsReading) {
  FrameDecoder d(FrameDecoder::Role::kServer, 512);
  int calls = 0;
  const std::string wire = client_frame(Opcode::kText, "a") + client_frame(Opcode::kText, "b");
  EXPECT_FALSE(d.feed(wire, [&](const Event&) { return ++calls > 5; }));
  EXPECT_EQ(calls, 1);
}

TEST(WebSocketText, InvalidSequencesBecomeReplacementCharacters) {
  std::string out;
  EXPECT_FALSE(append_valid_utf8(out, "caf\xc3\xa9 ok"));
  EXPECT_EQ(out, "caf\xc3\xa9 ok");
  out.clear();
  EXPECT_TRUE(append_valid_utf8(out, "caf\xe9!"));
  EXPECT_EQ(out, "caf\xef\xbf\xbd!");
  out.clear();
  EXPECT_TRUE(append_valid_utf8(out, "\xed\xa0\x80"));  // a surrogate: three bad bytes
  EXPECT_EQ(out, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(WebSocketText, ClosePayloadIsCutAtACharacterBoundary) {
  std::string reason;
  for (int i = 0; i < 100; ++i) reason += "\xc3\xa9";  // 200 bytes of two-byte characters
  const std::string p = close_payload(kClosePolicy, reason);
  EXPECT_LE(p.size(), 125u);
  EXPECT_EQ(p.size() % 2, 0u);  // two code bytes plus whole two-byte characters
  EXPECT_EQ(static_cast<std::uint8_t>(p[0]), 1008 >> 8);
  EXPECT_EQ(static_cast<std::uint8_t>(p[1]), 1008 & 0xff);
}

}  // namespace
}  // namespace parley::proto::ws
