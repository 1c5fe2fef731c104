// IRC message syntax (modern.ircdocs.horse "Message format", RFC 1459 section 2.3).
//
// parse_message() splits one line (without its CR/LF) into views that point into the caller's
// buffer: the Message is only valid while that buffer is. Tag values stay in their escaped wire
// form; unescape_tag_value() decodes one when a handler needs it. No allocation on the parse
// path, so the hot PRIVMSG path costs a scan of the line.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::proto {

inline constexpr std::size_t kMaxLineBytes = 512;      // message part, including CR LF
inline constexpr std::size_t kMaxTagBytes = 8191;      // tag section, including '@' and ' '
inline constexpr std::size_t kMaxClientTagBytes = 4094;  // client-sent tag data
inline constexpr std::size_t kMaxParams = 15;

struct Tag {
  std::string_view key;    // may start with '+' (client-only tag)
  std::string_view value;  // escaped, as on the wire; empty when the tag has no value
};

enum class ParseError : std::uint8_t {
  kEmpty,           // nothing but spaces
  kNoCommand,       // tags or source but no command
  kBadCommand,      // command is not letters or a three-digit numeric
  kTagsTooLong,     // tag section over kMaxTagBytes
  kLineTooLong,     // message part over kMaxLineBytes - 2
  kTooManyTags,
  kBadTag,          // empty key or malformed section
};

std::string_view to_string(ParseError error);

struct Message {
  static constexpr std::size_t kMaxTags = 32;

  std::string_view tags_raw;  // the tag section without '@' (empty if none)
  std::array<Tag, kMaxTags> tags{};
  std::uint8_t tag_count = 0;
  std::string_view source;   // without ':' (empty if none)
  std::string_view command;  // as sent; compare case-insensitively
  std::array<std::string_view, kMaxParams> params{};
  std::uint8_t param_count = 0;
  bool has_trailing = false;  // the last parameter was sent with ':'

  std::size_t size() const { return param_count; }
  std::string_view param(std::size_t i) const { return i < param_count ? params[i] : std::string_view{}; }
  std::optional<std::string_view> tag(std::string_view key) const;
};

struct ParseResult {
  std::optional<Message> message;
  ParseError error = ParseError::kEmpty;  // meaningful only when !message
};

// Parses one line without its terminator. Leading and repeated spaces between parameters are
// tolerated as modern servers do; a 16th parameter and beyond are folded into the 15th.
ParseResult parse_message(std::string_view line);

// Decodes an escaped tag value (\: \s \\ \r \n; a trailing lone backslash is dropped).
std::string unescape_tag_value(std::string_view escaped);
// Encodes a value for the wire.
std::string escape_tag_value(std::string_view raw);

// `line` (one serialised message, with or without CR LF) with `tag` ("key" or "key=escaped")
// put first in its tag section, which is created when the line has none. Used to label or batch
// a reply after it was built.
std::string add_tag(std::string_view line, std::string_view tag);

// True if `s` can be sent as a middle (non-trailing) parameter.
bool is_middle_param(std::string_view s);
// The longest valid middle parameter `s` starts with: text up to the first space, leading ':'
// removed, "*" if nothing is left. Echoing client input through this can never shift the
// parameters of a reply.
std::string_view safe_middle_param(std::string_view s);

// Builds an outgoing line: [@tags ][:source ]COMMAND params... CR LF. The last parameter is
// written with ':' whenever it needs one (empty, has a space, starts with ':') or when
// `force_trailing` asks for it (conventional for text such as PRIVMSG bodies and numerics).
class LineBuilder {
 public:
  explicit LineBuilder(std::string& out) : out_(out) {}

  LineBuilder& tags(std::string_view raw_tags);  // "k=v;k2" without '@'; ignored if empty
  LineBuilder& source(std::string_view source);
  LineBuilder& command(std::string_view command);
  LineBuilder& param(std::string_view p);         // middle parameter (made safe if it is not)
  LineBuilder& trailing(std::string_view p);      // last parameter, always with ':'
  LineBuilder& last(std::string_view p);          // last parameter, ':' only when needed
  void finish();                                  // appends CR LF

 private:
  std::string& out_;
};

// Validity of names as the server sees them.
bool is_valid_nick(std::string_view nick, std::size_t max_len);
bool is_channel_name(std::string_view name, std::string_view chantypes = "#&");
bool is_valid_channel_name(std::string_view name, std::size_t max_len, std::string_view chantypes = "#&");

}  // namespace parley::proto
