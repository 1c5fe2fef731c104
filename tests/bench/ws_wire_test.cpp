#include "generator/ws_wire.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::bench {
namespace {

using proto::ws::Event;
using proto::ws::FrameDecoder;
using proto::ws::Opcode;

std::string answer(std::string_view accept, std::string_view extra = "") {
  std::string a =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  a.append(accept);
  a.append("\r\n");
  a.append(extra);
  a.append("\r\n");
  return a;
}

// What a server's decoder (which insists on masked frames) reads from `wire`.
std::vector<std::pair<Event::Kind, std::string>> server_reads(std::string_view wire) {
  std::vector<std::pair<Event::Kind, std::string>> got;
  FrameDecoder decoder(FrameDecoder::Role::kServer, 4096);
  decoder.feed(wire, [&](const Event& e) {
    got.emplace_back(e.kind, std::string(e.payload));
    return true;
  });
  return got;
}

TEST(WebSocketAccept, MatchesTheRfc6455Example) {
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketKey, IsSixteenBytesInBase64AndDiffersBySeed) {
  const std::string a = websocket_key(1);
  EXPECT_EQ(a.size(), 24u);
  EXPECT_EQ(a.substr(22), "==");
  EXPECT_NE(a, websocket_key(2));
  EXPECT_EQ(a, websocket_key(1));
}

TEST(UpgradeRequest, NamesEveryHeaderTheTransportNeeds) {
  const std::string r = upgrade_request("127.0.0.1:8097", "KEY", "text.ircv3.net");
  EXPECT_EQ(r.substr(0, 16), "GET / HTTP/1.1\r\n");
  EXPECT_NE(r.find("\r\nHost: 127.0.0.1:8097\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nSec-WebSocket-Key: KEY\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nSec-WebSocket-Protocol: text.ircv3.net\r\n"), std::string::npos);
  EXPECT_EQ(r.substr(r.size() - 4), "\r\n\r\n");
  EXPECT_EQ(upgrade_request("h:1", "KEY", "").find("Sec-WebSocket-Protocol"), std::string::npos);
}

TEST(UpgradeAnswer, AcceptsA101WithTheRightAcceptAndCountsItsHeader) {
  const std::string key = websocket_key(7);
  const std::string a = answer(websocket_accept(key), "Sec-WebSocket-Protocol: text.ircv3.net\r\n");
  const UpgradeAnswer r = parse_upgrade_answer(a + "\x81\x03"
                                                   "abc",
                                               key, "text.ircv3.net");
  EXPECT_EQ(r.status, UpgradeAnswer::Status::kAccepted) << r.error;
  EXPECT_EQ(r.header_bytes, a.size());
}

TEST(UpgradeAnswer, HeaderNamesAndTokensAreCaseInsensitive) {
  const std::string key = websocket_key(3);
  const std::string a =
      "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nCONNECTION: keep-alive, "
      "upgrade\r\nsec-websocket-accept:  " +
      websocket_accept(key) + "\r\n\r\n";
  EXPECT_EQ(parse_upgrade_answer(a, key, "").status, UpgradeAnswer::Status::kAccepted);
}

TEST(UpgradeAnswer, WaitsForTheEndOfTheHeader) {
  const std::string key = websocket_key(7);
  const std::string a = answer(websocket_accept(key));
  for (std::size_t n = 0; n + 1 < a.size(); ++n) {
    EXPECT_EQ(parse_upgrade_answer(std::string_view(a).substr(0, n), key, "").status,
              UpgradeAnswer::Status::kIncomplete)
        << n;
  }
  EXPECT_EQ(parse_upgrade_answer(a, key, "").status, UpgradeAnswer::Status::kAccepted);
}

TEST(UpgradeAnswer, RefusesOtherStatusesWithTheStatusLine) {
  const UpgradeAnswer r =
      parse_upgrade_answer("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", websocket_key(1), "");
  EXPECT_EQ(r.status, UpgradeAnswer::Status::kRefused);
  EXPECT_EQ(r.error, "WebSocket upgrade refused: HTTP/1.1 404 Not Found");
  EXPECT_EQ(parse_upgrade_answer(":irc.test NOTICE * :hello\r\n\r\n", websocket_key(1), "").status,
            UpgradeAnswer::Status::kRefused);
}

TEST(UpgradeAnswer, RefusesAnAnswerThatIsNotHttpAtOnce) {
  const UpgradeAnswer r = parse_upgrade_answer(":irc.test 451 * GET :You have not registered\r\n", "k", "");
  EXPECT_EQ(r.status, UpgradeAnswer::Status::kRefused);
  EXPECT_EQ(r.error,
            "the answer to the WebSocket upgrade is not HTTP: :irc.test 451 * GET :You have not registered");
  EXPECT_EQ(parse_upgrade_answer("HTT", "k", "").status, UpgradeAnswer::Status::kIncomplete);
  EXPECT_EQ(parse_upgrade_answer("HTX", "k", "").status, UpgradeAnswer::Status::kRefused);
}

TEST(UpgradeAnswer, RefusesAWrongAcceptMissingHeadersOrAnUnaskedSubprotocol) {
  const std::string key = websocket_key(9);
  EXPECT_EQ(parse_upgrade_answer(answer(websocket_accept(websocket_key(10))), key, "").status,
            UpgradeAnswer::Status::kRefused);
  EXPECT_EQ(parse_upgrade_answer(
                "HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: " + websocket_accept(key) + "\r\n\r\n", key, "")
                .status,
            UpgradeAnswer::Status::kRefused);
  const UpgradeAnswer r = parse_upgrade_answer(
      answer(websocket_accept(key), "Sec-WebSocket-Protocol: binary.ircv3.net\r\n"), key, "text.ircv3.net");
  EXPECT_EQ(r.status, UpgradeAnswer::Status::kRefused);
  EXPECT_NE(r.error.find("binary.ircv3.net"), std::string::npos);
}

TEST(UpgradeAnswer, RefusesAHeaderThatNeverEnds) {
  const std::string endless = "HTTP/1.1 101 Switching Protocols\r\nX: " + std::string(200, 'x');
  EXPECT_EQ(parse_upgrade_answer(endless, "k", "", 100).status, UpgradeAnswer::Status::kRefused);
  EXPECT_EQ(parse_upgrade_answer(endless, "k", "", 400).status, UpgradeAnswer::Status::kIncomplete);
}

TEST(FrameLines, OneMaskedFramePerLineWithoutCrLf) {
  std::string wire;
  std::uint32_t mask = 12345;
  const std::string lines = "NICK b1\r\nUSER b1 0 * :parley-bench\r\nPRIVMSG #c0 :x\n";
  EXPECT_EQ(frame_lines(lines, wire, mask, Opcode::kText), lines.size());
  const auto got = server_reads(wire);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], std::make_pair(Event::Kind::kText, std::string("NICK b1")));
  EXPECT_EQ(got[1], std::make_pair(Event::Kind::kText, std::string("USER b1 0 * :parley-bench")));
  EXPECT_EQ(got[2], std::make_pair(Event::Kind::kText, std::string("PRIVMSG #c0 :x")));
  // Masked: the payload bytes are not on the wire as they are.
  EXPECT_EQ(wire.find("NICK"), std::string::npos);
}

TEST(FrameLines, LeavesAPartialLineAndSkipsEmptyOnes) {
  std::string wire;
  std::uint32_t mask = 1;
  EXPECT_EQ(frame_lines("\r\nPING :a\r\nPONG :b", wire, mask, Opcode::kBinary), 11u);
  const auto got = server_reads(wire);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], std::make_pair(Event::Kind::kBinary, std::string("PING :a")));
  std::string none;
  EXPECT_EQ(frame_lines("no newline", none, mask, Opcode::kText), 0u);
  EXPECT_TRUE(none.empty());
}

TEST(FrameLines, LongLinesGetTheExtendedLengthAndEachFrameANewMask) {
  std::string wire;
  std::uint32_t mask = 0;  // replaced by a fixed seed: masks never stay zero
  const std::string long_line(300, 'a');
  frame_lines(long_line + "\r\n" + long_line + "\r\n", wire, mask, Opcode::kText);
  ASSERT_EQ(wire.size(), 2 * (2 + 2 + 4 + 300));
  EXPECT_EQ(static_cast<std::uint8_t>(wire[1]), 0x80 | 126);
  EXPECT_NE(wire.substr(4, 4), std::string(4, '\0'));
  EXPECT_NE(wire.substr(4, 4), wire.substr(308 + 4, 4));
  const auto got = server_reads(wire);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].second, long_line);
}

}  // namespace
}  // namespace parley::bench
