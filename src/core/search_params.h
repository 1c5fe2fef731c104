// The attributes of SEARCH (soju.im/search), parsed by a pure function (no engine, no clock).
// Fuzzed by fuzz/search_fuzz.cpp.
//
//   SEARCH <attributes>      attributes: key=value;key=value (message-tag syntax and escaping)
//
// Keys: in (a channel or nick), from (a nick), after and before (server-time timestamps,
// YYYY-MM-DDThh:mm:ss[.fraction]Z, both inclusive as the spec says), text (words to find),
// limit (a decimal number from 1; a larger one is lowered to the server's maximum, as
// CHATHISTORY's is). Every key is optional; each may appear once. An unknown key, a key without a
// value, a second occurrence, a bad timestamp or limit, or an in/from with a space, comma, NUL,
// CR or LF in it is INVALID_PARAMS naming that key. Values are unescaped as tag values are
// (proto::unescape_tag_value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::core {

// At most this many results when the client gives no limit (soju's default), and never more
// than the server's maximum.
inline constexpr std::size_t kSearchDefaultLimit = 100;

struct SearchAttributes {
  std::string in;    // empty: every target the asker may read
  std::string from;  // a nick as given (not folded); empty: anyone
  std::optional<std::int64_t> after_ms;
  std::optional<std::int64_t> before_ms;
  std::string text;       // empty: any text
  std::size_t limit = 0;  // 1..max_limit
};

// A parse failure: always INVALID_PARAMS (the spec's code for invalid selectors). `key` names the
// offending attribute (a view into the input); `description` says what is wrong with it.
struct SearchError {
  std::string_view key;
  std::string_view description;
};

struct SearchParse {
  std::optional<SearchAttributes> attributes;
  SearchError error;  // when !attributes
};

// `text`: SEARCH's one parameter. `max_limit`: the server's maximum (0: none). An empty string
// (no attributes) is valid: search everything readable.
SearchParse parse_search(std::string_view text, std::size_t max_limit);

}  // namespace parley::core
