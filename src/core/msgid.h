// Message ids (IRCv3 message-ids): 22 characters of base64url, 11 for each of two 64-bit halves.
// The first half is the server time in milliseconds (48 bits) and a 16-bit sequence number within
// that millisecond; the second is 64 random bits. They are unique network-wide and stable, so
// history and redaction can refer to a message by them.
//
// Ordered: the alphabet is in ASCII order, so one server's ids sort (as byte strings) in the order
// they were issued, also when the clock steps back (the time part then stays where it was and the
// sequence goes on). That is for the database: the history table's msgid index grows at its end
// instead of at a random leaf for every message, which keeps a group commit's writes small
// (docs/storage.md "Measured cost"). Within one server the first half alone is unique; the random
// half keeps ids of different servers apart.
//
// The engine reads no entropy source or clock itself: the app layer seeds the generator from the
// operating system at start-up (EngineConfig::msgid_seed) and the engine passes its `now`; tests
// use a fixed seed and time and get repeatable ids. xoshiro256** is not a cryptographic
// generator, but ids need only be unique, not secret: they are sent to everyone.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::core {

class MsgIdGenerator {
 public:
  static constexpr std::size_t kLength = 22;  // 2 x 11 characters of 6 bits

  explicit MsgIdGenerator(const std::array<std::uint64_t, 4>& seed);
  // An id for a message sent at `now_ms` (milliseconds since the Unix epoch).
  std::string next(std::int64_t now_ms);
  void next(std::int64_t now_ms, char* out);  // writes kLength characters

  // The millisecond an id of this form was issued in (its first half's time part); nullopt for
  // any other text. Any server's id of this form gives a time, so the caller compares it with
  // what it knows (store/sqlite_store_history.cpp: the entry's own time).
  static std::optional<std::int64_t> time_of(std::string_view msgid);

 private:
  std::uint64_t next64();
  std::array<std::uint64_t, 4> s_;
  std::uint64_t last_ = 0;  // the first half of the last id: (ms << 16) | sequence
};

}  // namespace parley::core
