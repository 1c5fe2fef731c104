// The talk wire format (`parley talk-server` / `parley talk`, docs/protocol.md "Talk").
//
// A frame is a one-byte tag, a four-byte unsigned length in network byte order (big-endian)
// and that many payload bytes:
//
//     +-----+----------------------+------------------------+
//     | tag | length (u32, BE)     | payload (length bytes) |
//     +-----+----------------------+------------------------+
//
// Payloads are at most kMaxPayloadBytes; a HANGUP carries none. Tags are ASCII letters so a
// capture reads well in a hex dump. Pure functions and a small state machine: no I/O, no clock.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/byte_order.h"

namespace parley::proto::talk {

inline constexpr std::size_t kHeaderBytes = 5;
// The largest payload either side may send or has to accept: 64 KiB.
inline constexpr std::size_t kMaxPayloadBytes = 64 * 1024;

enum class Tag : std::uint8_t {
  kMessage = 'M',   // client -> server: one line of text, the client's turn
  kHangup = 'H',    // client -> server: the session is over; empty payload
  kResponse = 'R',  // server -> client: the answer to the client's last MESSAGE
  kQueued = 'Q',    // server -> client: informational text (the message waits for the operator)
  kError = 'E',     // server -> client: "<code> <text>"; the server closes afterwards
};

// The tag a byte stands for, or nullopt for a byte that is no tag.
std::optional<Tag> tag_from_byte(std::uint8_t byte);
// "MESSAGE", "HANGUP", "RESPONSE", "QUEUED", "ERROR".
std::string_view tag_name(Tag tag);
// True for the tags a client sends (MESSAGE, HANGUP); the others are sent by servers.
bool sent_by_client(Tag tag);

// Appends one frame to `out`. Precondition: payload.size() <= kMaxPayloadBytes, and empty for
// kHangup (the receiver rejects anything else).
void append_frame(std::string& out, Tag tag, std::string_view payload);
std::string encode_frame(Tag tag, std::string_view payload);

// What made a FrameDecoder give up. The code names are the ones ERROR frames carry.
enum class DecodeError : std::uint8_t {
  kNone,
  kUnknownTag,       // "unknown-tag": the first byte of a frame is no tag
  kTooLong,          // "too-long": the length field exceeds the decoder's limit
  kPayloadOnHangup,  // "bad-length": a HANGUP with a non-zero length
};
std::string_view error_code(DecodeError error);

// Splits a byte stream into frames, however it is chunked.
//
// An error is reported as soon as the offending byte arrives (the tag byte, or the last byte of
// the length field), without waiting for the rest of the frame; afterwards the decoder is
// failed and ignores all input. It buffers at most kHeaderBytes + max_payload bytes, and a
// frame that arrives whole in one feed() is handed over without a copy.
class FrameDecoder {
 public:
  enum class Status : std::uint8_t {
    kOk,       // all input consumed
    kStopped,  // the sink returned false; the rest of this input was not read
    kError,    // the stream is malformed; see error()
  };

  explicit FrameDecoder(std::size_t max_payload = kMaxPayloadBytes) : max_payload_(max_payload) {}

  // Calls sink(Tag, std::string_view payload) -> bool for each complete frame in `data`, in
  // order. The payload view is valid only during the call. Returning false stops decoding; the
  // decoder is then at a frame boundary.
  template <typename Sink>
  Status feed(std::string_view data, Sink&& sink);

  DecodeError error() const { return error_; }
  // A sentence for logs and ERROR frames, e.g. "unknown message tag 0x47 ('G')".
  std::string error_text() const;

  // Bytes of an incomplete frame held; 0 at a frame boundary.
  std::size_t buffered() const { return buffer_.size(); }
  // Size of the incomplete frame being received (header + payload), once its header is in;
  // 0 otherwise. With buffered(), tells "connection closed after 7 of 12 bytes of a frame".
  std::size_t expected() const { return buffer_.size() >= kHeaderBytes ? kHeaderBytes + length_ : 0; }

 private:
  bool accept_tag(std::uint8_t byte);
  bool accept_length(std::uint8_t tag, std::uint32_t length);
  void reset_buffer();

  std::size_t max_payload_;
  std::string buffer_;        // the incomplete frame, header first
  std::uint32_t length_ = 0;  // payload length of the buffered frame, once its header is in
  DecodeError error_ = DecodeError::kNone;
  std::uint32_t error_value_ = 0;  // the bad tag byte or length
  std::uint8_t error_tag_ = 0;
};

template <typename Sink>
FrameDecoder::Status FrameDecoder::feed(std::string_view data, Sink&& sink) {
  if (error_ != DecodeError::kNone) return Status::kError;
  while (!data.empty()) {
    if (buffer_.empty()) {
      // At a frame boundary: check the tag at once, and take a whole frame without copying.
      if (!accept_tag(static_cast<std::uint8_t>(data[0]))) return Status::kError;
      if (data.size() >= kHeaderBytes) {
        const std::uint32_t length = read_be32(data.data() + 1);
        if (!accept_length(static_cast<std::uint8_t>(data[0]), length)) return Status::kError;
        if (data.size() - kHeaderBytes >= length) {
          const Tag tag = static_cast<Tag>(data[0]);
          const std::string_view payload = data.substr(kHeaderBytes, length);
          data.remove_prefix(kHeaderBytes + length);
          if (!sink(tag, payload)) return Status::kStopped;
          continue;
        }
      }
    }
    if (buffer_.size() < kHeaderBytes) {
      const std::size_t take = std::min(kHeaderBytes - buffer_.size(), data.size());
      buffer_.append(data.substr(0, take));
      data.remove_prefix(take);
      if (buffer_.size() < kHeaderBytes) break;
      length_ = read_be32(buffer_.data() + 1);
      if (!accept_length(static_cast<std::uint8_t>(buffer_[0]), length_)) return Status::kError;
    }
    const std::size_t frame_size = kHeaderBytes + length_;
    const std::size_t take = std::min(frame_size - buffer_.size(), data.size());
    buffer_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (buffer_.size() < frame_size) break;
    const bool go_on = sink(static_cast<Tag>(buffer_[0]), std::string_view(buffer_).substr(kHeaderBytes));
    reset_buffer();
    if (!go_on) return Status::kStopped;
  }
  return Status::kOk;
}

}  // namespace parley::proto::talk
