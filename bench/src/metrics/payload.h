// The benchmark's message payload: who sent it, its sequence number and when it was sent.
//
// Wire form (the text of a PRIVMSG, after the ':'): 'B', 8 hex digits of sender index, 8 hex
// digits of sequence number, 16 hex digits of CLOCK_MONOTONIC nanoseconds, then optional
// padding ('x'). Fixed width and hex so that encoding and decoding are a handful of table
// lookups and never allocate. Any server relays it untouched: no spaces, no control codes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace parley::bench {

struct Payload {
  std::uint32_t sender = 0;
  std::uint32_t seq = 0;
  std::uint64_t sent_ns = 0;
  friend bool operator==(const Payload&, const Payload&) = default;
};

inline constexpr std::size_t kPayloadBytes = 1 + 8 + 8 + 16;
inline constexpr char kPayloadMagic = 'B';

// Writes kPayloadBytes + padding bytes at `out` (which must have room) and returns that count.
std::size_t encode_payload(const Payload& payload, std::size_t padding, char* out);

// Parses a payload from the start of `text` (padding after it is ignored). nullopt if `text` is
// not a payload: too short, wrong magic, or a non-hex digit.
std::optional<Payload> decode_payload(std::string_view text);

}  // namespace parley::bench
