// IRC casemapping (modern.ircdocs.horse "CASEMAPPING"). Nicks and channel names are compared
// after folding; the server advertises which mapping it uses in ISUPPORT.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::proto {

enum class Casemapping : std::uint8_t {
  kAscii,    // A-Z -> a-z
  kRfc1459,  // also [ ] \ ~ -> { } | ^
};

std::string_view to_string(Casemapping cm);
std::optional<Casemapping> casemapping_from_string(std::string_view name);

inline char fold_char(char c, Casemapping cm) {
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c + 32);
  if (cm == Casemapping::kRfc1459) {
    switch (c) {
      case '[': return '{';
      case ']': return '}';
      case '\\': return '|';
      case '~': return '^';
      default: break;
    }
  }
  return c;
}

std::string fold(std::string_view s, Casemapping cm);
bool equal_folded(std::string_view a, std::string_view b, Casemapping cm);

// Glob match with '*' (any run) and '?' (one byte), folding case. Used for ban masks and WHO.
bool match_mask(std::string_view mask, std::string_view text, Casemapping cm);

// Completes a partial ban mask the way servers do: "nick" -> "nick!*@*", "user@host" ->
// "*!user@host", "nick!user" -> "nick!user@*".
std::string normalize_mask(std::string_view mask);

}  // namespace parley::proto
