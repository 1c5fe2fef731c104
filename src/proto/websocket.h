// WebSocket framing (RFC 6455 section 5) without I/O: a decoder that turns a byte stream into
// messages and control frames, and an encoder for single-frame messages. The handshake (HTTP
// Upgrade) is not here: see web/websocket_handshake.h.
//
// FrameDecoder checks everything RFC 6455 asks a receiver to check and reports the first
// violation as an error carrying the close code to answer with (1002 protocol error, 1007
// invalid UTF-8 in a text message); after an error it reports nothing more. A data message
// longer than `max_message` is not an error: it is reported once as kTooLong and the rest of it
// is discarded as it arrives, so an oversized IRC line costs its sender an ERR_INPUTTOOLONG,
// never the connection, and never more memory than max_message.
//
// Memory: a message that arrives whole within one feed() is unmasked into a scratch buffer the
// decoder shares with every other decoder of its thread, so an idle decoder holds no buffer. Only
// a message split across reads (or fragmented into several frames) is kept in the decoder until
// it is complete.
//
// Thread: a decoder belongs to one thread (its scratch buffer is thread_local).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::proto::ws {

enum class Opcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xa,
};

// Close status codes (RFC 6455 section 7.4.1).
inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseGoingAway = 1001;
inline constexpr std::uint16_t kCloseProtocolError = 1002;
inline constexpr std::uint16_t kCloseNoStatus = 1005;  // never sent: a close frame without a code
inline constexpr std::uint16_t kCloseInvalidData = 1007;
inline constexpr std::uint16_t kClosePolicy = 1008;
inline constexpr std::uint16_t kCloseTooBig = 1009;
inline constexpr std::uint16_t kCloseInternalError = 1011;

// What the decoder reports, in the order the frames arrived.
struct Event {
  enum class Kind : std::uint8_t {
    kText,     // a complete text message (valid UTF-8); payload: its bytes
    kBinary,   // a complete binary message
    kTooLong,  // a data message past max_message; the rest of it is discarded
    kPing,     // payload: the ping's application data (<= 125 bytes), to echo in a pong
    kPong,
    kClose,  // the peer closes: code (kCloseNoStatus when it gave none) and payload = reason
    kError,  // the stream broke the protocol: answer with a close frame of `code`, then close
  };
  Kind kind;
  std::string_view payload;  // valid only during the sink call
  std::uint16_t code = 0;    // kClose, kError
};

class FrameDecoder {
 public:
  // kServer: we are the server, so every frame must be masked (section 5.1); kClient: none may be.
  enum class Role : std::uint8_t { kServer, kClient };

  FrameDecoder(Role role, std::size_t max_message) : max_message_(max_message), role_(role) {}

  // Calls sink(const Event&) for each message and control frame completed by `data`. Returns
  // false when the sink returned false (stop reading) or after an error was reported; the
  // decoder then ignores further input.
  template <typename Sink>
  bool feed(std::string_view data, Sink&& sink);

  // Bytes held between calls (a partial header, frame or fragmented message).
  std::size_t buffered() const { return message_.size() + control_.size() + header_size_; }
  bool failed() const { return failed_; }

 private:
  enum class Step : std::uint8_t { kNone, kEvent };
  // Consumes bytes of `data` into the current frame; may fill `out`. Returns how many it used.
  std::size_t step(std::string_view data, Event& out, Step& result);
  std::size_t read_header(std::string_view data, Event& out, Step& result);
  bool header_complete(Event& out);
  std::size_t read_payload(std::string_view data, Event& out, Step& result);
  bool finish_message(std::string_view payload, Event& out);
  void fail(Event& out, std::uint16_t code, std::string_view why);
  void unmask_into(std::string& into, std::string_view bytes);

  std::size_t max_message_;
  std::string message_;  // the data message being assembled (only when split across reads)
  std::string control_;  // a control frame's payload split across reads
  std::string reason_;   // an error's text
  std::array<std::uint8_t, 14> header_{};
  std::uint8_t header_size_ = 0;
  std::array<std::uint8_t, 4> mask_{};
  std::uint64_t remaining_ = 0;     // payload bytes of the current frame still to come
  std::uint64_t frame_offset_ = 0;  // payload bytes of the current frame seen (for the mask)
  Role role_;
  Opcode frame_opcode_ = Opcode::kContinuation;
  Opcode message_opcode_ = Opcode::kContinuation;  // kText/kBinary while a message is open
  bool in_payload_ = false;
  bool frame_fin_ = false;
  bool masked_ = false;
  bool discarding_ = false;  // the open message passed max_message
  bool failed_ = false;
};

// Appends one unfragmented frame carrying `payload`. With `mask` (a client's frames), the payload
// is masked with it. Control frames must carry at most 125 bytes.
void append_frame(std::string& out, Opcode opcode, std::string_view payload,
                  const std::array<std::uint8_t, 4>* mask = nullptr);
// A close frame's payload: the code, then the reason (cut to fit 125 bytes at a UTF-8 boundary).
std::string close_payload(std::uint16_t code, std::string_view reason);
// Appends `text` with every byte sequence that is not valid UTF-8 replaced by U+FFFD, as a text
// frame must be. Returns false when nothing needed replacing (out then holds `text` as it was).
bool append_valid_utf8(std::string& out, std::string_view text);

template <typename Sink>
bool FrameDecoder::feed(std::string_view data, Sink&& sink) {
  if (failed_) return false;
  while (!data.empty()) {
    Event event{Event::Kind::kError, {}, 0};
    Step result = Step::kNone;
    data.remove_prefix(step(data, event, result));
    if (result == Step::kNone) continue;
    if (!sink(static_cast<const Event&>(event)) || failed_) return false;
  }
  return true;
}

}  // namespace parley::proto::ws
