// libFuzzer target for the talk wire format (proto/talk_frame.h) and the server's session logic
// on top of it (talk::Switchboard). Beyond "does not crash", it checks:
//   - the decoder yields the same frames and the same error however the stream is chunked;
//   - every frame has a known tag, a payload within the limit, and an empty HANGUP payload;
//     the decoder never buffers more than one header plus one maximal payload;
//   - re-encoding the decoded frames gives exactly the bytes that were consumed, and decoding
//     that again gives the same frames;
//   - a Switchboard fed the bytes (echo and interactive) only ever sends well-formed frames,
//     answers each MESSAGE in echo mode with its own text, and ends a failed session with
//     exactly one ERROR frame followed by a close.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "proto/talk_frame.h"
#include "talk/switchboard.h"

namespace {

namespace talk = parley::proto::talk;
using talk::DecodeError;
using talk::FrameDecoder;
using talk::Tag;

struct Frame {
  Tag tag;
  std::string payload;
  bool operator==(const Frame&) const = default;
};

struct Outcome {
  std::vector<Frame> frames;
  DecodeError error = DecodeError::kNone;
  std::string error_text;
  std::size_t buffered = 0;
  bool operator==(const Outcome&) const = default;
};

Outcome decode(std::string_view data, std::size_t max_payload, const std::vector<std::size_t>& cuts) {
  FrameDecoder decoder(max_payload);
  Outcome out;
  auto sink = [&](Tag tag, std::string_view payload) {
    FUZZ_CHECK(talk::tag_from_byte(static_cast<std::uint8_t>(tag)).has_value());
    FUZZ_CHECK(payload.size() <= max_payload);
    FUZZ_CHECK(tag != Tag::kHangup || payload.empty());
    out.frames.push_back({tag, std::string(payload)});
    return true;
  };
  auto feed = [&](std::string_view piece) {
    auto status = decoder.feed(piece, sink);
    FUZZ_CHECK(status != FrameDecoder::Status::kStopped);
    FUZZ_CHECK((status == FrameDecoder::Status::kError) == (decoder.error() != DecodeError::kNone));
    FUZZ_CHECK(decoder.buffered() <= talk::kHeaderBytes + max_payload);
    FUZZ_CHECK(decoder.expected() == 0 || decoder.buffered() < decoder.expected());
  };
  parley::fuzz::for_each_piece(data, cuts, feed);
  out.error = decoder.error();
  out.error_text = decoder.error_text();
  FUZZ_CHECK(out.error == DecodeError::kNone || !out.error_text.empty());
  out.buffered = decoder.buffered();
  return out;
}

void check_round_trip(std::string_view data, const Outcome& whole, std::size_t max_payload) {
  std::string wire;
  for (const auto& f : whole.frames) talk::append_frame(wire, f.tag, f.payload);
  // The frames are a prefix of the input, byte for byte.
  FUZZ_CHECK(data.substr(0, wire.size()) == wire);
  if (whole.error == DecodeError::kNone) FUZZ_CHECK(wire.size() + whole.buffered == data.size());
  Outcome again = decode(wire, max_payload, {});
  FUZZ_CHECK(again.frames == whole.frames);
  FUZZ_CHECK(again.error == DecodeError::kNone && again.buffered == 0);
}

class CheckingSink : public parley::talk::SwitchboardSink {
 public:
  void send(parley::talk::SessionId to, parley::proto::SharedLine frame) override {
    FUZZ_CHECK(to == 1);
    FUZZ_CHECK(!closed);
    FrameDecoder decoder;
    auto status = decoder.feed(*frame, [&](Tag tag, std::string_view payload) {
      FUZZ_CHECK(!talk::sent_by_client(tag));
      sent.push_back({tag, std::string(payload)});
      return true;
    });
    FUZZ_CHECK(status == FrameDecoder::Status::kOk && decoder.buffered() == 0);
  }
  void close(parley::talk::SessionId who) override {
    FUZZ_CHECK(who == 1 && !closed);
    closed = true;
  }
  void console(std::string_view) override {}
  void log(parley::talk::LogLevel, std::string_view) override {}
  std::vector<Frame> sent;
  bool closed = false;
};

void check_switchboard(std::string_view data, const std::vector<std::size_t>& cuts, bool echo) {
  CheckingSink sink;
  parley::talk::SwitchboardOptions options;
  options.mode = echo ? parley::talk::TalkMode::kEcho : parley::talk::TalkMode::kInteractive;
  parley::talk::Switchboard board(options, sink);
  board.connect(1, "127.0.0.1", 1);
  std::size_t pos = 0;
  std::size_t answers = 0;
  for (std::size_t cut : cuts) {
    if (cut <= pos || cut > data.size()) continue;
    board.receive(1, data.substr(pos, cut - pos));
    pos = cut;
    if (board.wants_answer()) {
      board.answer("answer");
      ++answers;
    }
  }
  board.receive(1, data.substr(pos));
  const Outcome decoded = decode(data, talk::kMaxPayloadBytes, {});
  std::size_t errors = 0;
  for (const auto& f : sink.sent) errors += f.tag == Tag::kError;
  FUZZ_CHECK(errors <= 1);
  if (errors == 1) {
    FUZZ_CHECK(sink.sent.back().tag == Tag::kError);
    FUZZ_CHECK(sink.closed);
  }
  if (decoded.error != DecodeError::kNone) FUZZ_CHECK(sink.closed);
  if (echo) {
    // Every MESSAGE up to the end of the session is echoed, in order.
    std::size_t r = 0;
    for (const auto& f : decoded.frames) {
      if (f.tag != Tag::kMessage) break;
      FUZZ_CHECK(r < sink.sent.size() && sink.sent[r] == (Frame{Tag::kResponse, f.payload}));
      ++r;
    }
  } else {
    std::size_t responses = 0;
    for (const auto& f : sink.sent) responses += f.tag == Tag::kResponse;
    FUZZ_CHECK(responses == answers);
  }
  FUZZ_CHECK(board.session_count() == (sink.closed ? 0u : 1u));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view data(reinterpret_cast<const char*>(bytes), size);

  // Chunk boundaries chosen from the data itself.
  const std::vector<std::size_t> cuts = parley::fuzz::cuts_from(data, 23);

  // The protocol's limit, and a small one so short inputs reach the too-long path.
  const std::size_t small_max = size ? bytes[0] % 32 : 0;
  for (std::size_t max_payload : {talk::kMaxPayloadBytes, small_max}) {
    const Outcome whole = parley::fuzz::check_cut_independence(
        data, 23, 512, [&](const std::vector<std::size_t>& at) { return decode(data, max_payload, at); });
    check_round_trip(data, whole, max_payload);
  }

  check_switchboard(data, cuts, /*echo=*/true);
  check_switchboard(data, cuts, /*echo=*/false);
  return 0;
}
