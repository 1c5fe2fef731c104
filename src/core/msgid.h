// Message ids (IRCv3 message-ids): 128 random bits per message, written as 22 characters of
// base64url (11 per 64-bit half). They are unique network-wide and stable, so history and redaction can
// refer to a message by them.
//
// The engine reads no entropy source itself: the app layer seeds the generator from the
// operating system at start-up (EngineConfig::msgid_seed); tests use a fixed seed and get
// repeatable ids. xoshiro256** is not a cryptographic generator, but ids only need to be unique
// and unguessable enough not to collide: 256 bits of seed from the OS make a collision between
// servers as unlikely as between truly random 128-bit values.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace parley::core {

class MsgIdGenerator {
 public:
  static constexpr std::size_t kLength = 22;  // ceil(128 / 6)

  explicit MsgIdGenerator(const std::array<std::uint64_t, 4>& seed);
  std::string next();
  void next(char* out);  // writes kLength characters

 private:
  std::uint64_t next64();
  std::array<std::uint64_t, 4> s_;
};

}  // namespace parley::core
