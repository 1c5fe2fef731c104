// The mesh wire format of `parley peer` (docs/protocol.md "Mesh").
//
// A frame is a version byte, a type byte, a four-byte unsigned payload length in network byte
// order (big-endian) and that many payload bytes:
//
//     +---------+------+----------------------+------------------------+
//     | version | type | length (u32, BE)     | payload (length bytes) |
//     +---------+------+----------------------+------------------------+
//
// Payload fields are fixed-width big-endian integers and length-prefixed byte strings; each
// frame type has a struct here with an encoder and a parser. Pure functions and a small state
// machine: no I/O, no clock.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/byte_order.h"

namespace parley::proto::mesh {

inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kHeaderBytes = 6;
// The largest payload a peer sends or has to accept: 32 KiB.
inline constexpr std::size_t kMaxPayloadBytes = 32 * 1024;
// Field limits (bytes).
inline constexpr std::size_t kMaxNameBytes = 32;
inline constexpr std::size_t kMaxTextBytes = 4096;
inline constexpr std::size_t kMaxReasonBytes = 256;
inline constexpr std::size_t kMaxHostBytes = 255;
// Most entries in one ADDRS / HAVE frame.
inline constexpr std::size_t kMaxAddrEntries = 64;
inline constexpr std::size_t kMaxHaveEntries = 1024;

enum class Type : std::uint8_t {
  kHello = 'H',  // first frame on a connection, both directions
  kMsg = 'M',    // one chat message
  kAddrs = 'A',  // addresses of peers the sender is connected to
  kHave = 'V',   // per-origin sequence vector: "I have everything up to here"
  kPing = 'P',   // keepalive; empty
  kBye = 'B',    // the sender closes this connection: "<code> <text>"
};

std::optional<Type> type_from_byte(std::uint8_t byte);
// "HELLO", "MSG", "ADDRS", "HAVE", "PING", "BYE".
std::string_view type_name(Type type);

struct Hello {
  std::uint64_t peer_id = 0;      // random, chosen at start; never 0
  std::uint16_t listen_port = 0;  // where the sender accepts peers (0: it does not)
  std::string name;               // 1..kMaxNameBytes bytes, no control characters
  bool operator==(const Hello&) const = default;
};

// MSG flags.
inline constexpr std::uint8_t kFlagOldestHeld = 0x01;  // gap fill: the sender holds nothing older
                                                       // from this origin than this message

struct Msg {
  std::uint64_t origin = 0;    // peer id of the author
  std::uint64_t seq = 0;       // 1, 2, 3... per origin
  std::uint64_t unix_ms = 0;   // author's clock when sent
  std::uint8_t hops_left = 0;  // forwarded only while > 1 (decremented per hop)
  std::uint8_t flags = 0;
  std::string name;  // author's name, as in HELLO
  std::string text;  // at most kMaxTextBytes, no CR/LF
  bool operator==(const Msg&) const = default;
};

struct AddrEntry {
  std::uint64_t peer_id = 0;
  std::uint16_t port = 0;
  std::string host;  // numeric address or host name, 1..kMaxHostBytes
  bool operator==(const AddrEntry&) const = default;
};

struct HaveEntry {
  std::uint64_t origin = 0;
  std::uint64_t high = 0;  // every seq <= high is held (or given up) by the sender
  bool operator==(const HaveEntry&) const = default;
};

struct Bye {
  std::string code;  // "quit", "full", "duplicate", "self", "protocol", "flood", "timeout"
  std::string text;
  bool operator==(const Bye&) const = default;
};

// True if `name` is a valid peer name (1..kMaxNameBytes, no bytes < 0x20, no DEL).
bool valid_name(std::string_view name);

// Encoders: a complete frame (header included). Preconditions: the fields are within the limits
// above (the parsers reject anything else).
std::string encode_hello(const Hello& hello);
std::string encode_msg(const Msg& msg);
std::string encode_addrs(const std::vector<AddrEntry>& entries);
std::string encode_have(const std::vector<HaveEntry>& entries);
std::string encode_ping();
std::string encode_bye(std::string_view code, std::string_view text);

// Parsers of a payload (what FrameDecoder hands over). nullopt: malformed (wrong size, a field
// beyond its limit, trailing bytes).
std::optional<Hello> parse_hello(std::string_view payload);
std::optional<Msg> parse_msg(std::string_view payload);
std::optional<std::vector<AddrEntry>> parse_addrs(std::string_view payload);
std::optional<std::vector<HaveEntry>> parse_have(std::string_view payload);
std::optional<Bye> parse_bye(std::string_view payload);

enum class DecodeError : std::uint8_t {
  kNone,
  kBadVersion,   // the first byte of a frame is not kVersion
  kUnknownType,  // the type byte names no frame type
  kTooLong,      // the length field exceeds the decoder's limit
};
std::string_view error_code(DecodeError error);

// Splits a byte stream into frames, however it is chunked. An error is reported as soon as the
// offending byte arrives; afterwards the decoder ignores all input. It buffers at most
// kHeaderBytes + max_payload bytes.
class FrameDecoder {
 public:
  enum class Status : std::uint8_t { kOk, kStopped, kError };

  explicit FrameDecoder(std::size_t max_payload = kMaxPayloadBytes) : max_payload_(max_payload) {}

  // Calls sink(Type, std::string_view payload) -> bool for each complete frame, in order. The
  // payload view is valid only during the call. Returning false stops decoding.
  template <typename Sink>
  Status feed(std::string_view data, Sink&& sink);

  DecodeError error() const { return error_; }
  // e.g. "unknown frame type 0x47 ('G')", "frame of 40000 bytes exceeds the 32768-byte limit".
  std::string error_text() const;
  std::size_t buffered() const { return buffer_.size(); }

 private:
  bool accept_byte(std::size_t index, std::uint8_t byte);
  bool accept_length(std::uint32_t length);

  std::size_t max_payload_;
  std::string buffer_;
  std::uint32_t length_ = 0;
  DecodeError error_ = DecodeError::kNone;
  std::uint32_t error_value_ = 0;
};

template <typename Sink>
FrameDecoder::Status FrameDecoder::feed(std::string_view data, Sink&& sink) {
  if (error_ != DecodeError::kNone) return Status::kError;
  while (!data.empty()) {
    if (buffer_.empty() && data.size() >= kHeaderBytes) {
      // At a frame boundary with a whole header: take a whole frame without copying.
      if (!accept_byte(0, static_cast<std::uint8_t>(data[0])) ||
          !accept_byte(1, static_cast<std::uint8_t>(data[1])))
        return Status::kError;
      const std::uint32_t length = read_be32(data.data() + 2);
      if (!accept_length(length)) return Status::kError;
      if (data.size() - kHeaderBytes >= length) {
        const Type type = static_cast<Type>(data[1]);
        const std::string_view payload = data.substr(kHeaderBytes, length);
        data.remove_prefix(kHeaderBytes + length);
        if (!sink(type, payload)) return Status::kStopped;
        continue;
      }
    }
    while (buffer_.size() < kHeaderBytes && !data.empty()) {
      if (!accept_byte(buffer_.size(), static_cast<std::uint8_t>(data[0]))) return Status::kError;
      buffer_.push_back(data[0]);
      data.remove_prefix(1);
      if (buffer_.size() == kHeaderBytes) {
        length_ = read_be32(buffer_.data() + 2);
        if (!accept_length(length_)) return Status::kError;
      }
    }
    if (buffer_.size() < kHeaderBytes) break;
    const std::size_t frame_size = kHeaderBytes + length_;
    const std::size_t take = std::min(frame_size - buffer_.size(), data.size());
    buffer_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (buffer_.size() < frame_size) break;
    const bool go_on = sink(static_cast<Type>(buffer_[1]), std::string_view(buffer_).substr(kHeaderBytes));
    buffer_.clear();
    if (buffer_.capacity() > 4096) buffer_.shrink_to_fit();
    if (!go_on) return Status::kStopped;
  }
  return Status::kOk;
}

}  // namespace parley::proto::mesh
