// libFuzzer target for the WebSocket framing (proto/websocket.h) and the web front door's HTTP
// path (web/web_session.h, where Beast's parser reads the requests). Beyond "does not crash":
//   - the frame decoder reports the same events however the stream is chunked, never holds more
//     than max_message bytes of a message, and reports nothing after an error or a close;
//   - every text message it reports is valid UTF-8 (re-encoding it replaces nothing);
//   - a WebSession fed the input as HTTP (a request, then frames) never sends after it closed,
//     and delivers only lines without CR or LF.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "proto/websocket.h"
#include "web/web_session.h"

namespace {

namespace ws = parley::proto::ws;
constexpr std::size_t kMaxMessage = 600;

struct Seen {
  ws::Event::Kind kind;
  std::string payload;
  std::uint16_t code;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> decode(std::string_view data, const std::vector<std::size_t>& cuts) {
  ws::FrameDecoder decoder(ws::FrameDecoder::Role::kServer, kMaxMessage);
  std::vector<Seen> out;
  bool ended = false;
  parley::fuzz::for_each_piece(data, cuts, [&](std::string_view piece) {
    decoder.feed(piece, [&](const ws::Event& e) {
      FUZZ_CHECK(!ended);
      FUZZ_CHECK(e.payload.size() <= kMaxMessage);
      if (e.kind == ws::Event::Kind::kText) {
        std::string copy;
        FUZZ_CHECK(!ws::append_valid_utf8(copy, e.payload));
      }
      if (e.kind == ws::Event::Kind::kError || e.kind == ws::Event::Kind::kClose) ended = true;
      out.push_back({e.kind, std::string(e.payload), e.code});
      return true;
    });
    FUZZ_CHECK(decoder.buffered() <= kMaxMessage + 125 + 14);
  });
  return out;
}

struct Host : parley::web::WebSessionHost {
  bool closed = false;
  void web_send(const parley::proto::SharedLine&) override { FUZZ_CHECK(!closed); }
  void web_upgraded(const parley::web::Upgrade&) override { FUZZ_CHECK(!closed); }
  void web_line(std::string_view line) override {
    FUZZ_CHECK(!closed);
    FUZZ_CHECK(!line.empty() && line.find_first_of("\r\n") == std::string_view::npos);
  }
  void web_line_too_long() override { FUZZ_CHECK(!closed); }
  void web_close(std::string_view) override {
    FUZZ_CHECK(!closed);
    closed = true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view data(reinterpret_cast<const char*>(bytes), size);
  const auto cuts = parley::fuzz::cuts_from(data, 97);
  FUZZ_CHECK(decode(data, {}) == decode(data, cuts));

  static const parley::web::StaticFiles files = parley::web::StaticFiles::embedded();
  parley::web::WebPolicy policy;
  policy.max_message = kMaxMessage;
  policy.trusted_proxies = parley::proto::CidrList({*parley::proto::Cidr::parse("127.0.0.0/8")});
  Host host;
  parley::web::WebSession session(policy, files, "127.0.0.1", false);
  const auto now = parley::web::WebSession::Clock::time_point{};
  // Half the inputs start with a valid upgrade, so the frame path behind it is reached too.
  if (size > 0 && bytes[0] & 1) {
    session.receive(
        "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        now, host);
    FUZZ_CHECK(session.upgraded());
  }
  parley::fuzz::for_each_piece(data, cuts,
                               [&](std::string_view piece) { session.receive(piece, now, host); });
  return 0;
}
