// Small text helpers shared by command handlers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parley::core {

// "a,b,,c" -> {"a", "b", "c"}: empty items are dropped.
std::vector<std::string_view> split_list(std::string_view list, char sep = ',');

inline std::vector<std::string_view> split_words(std::string_view text) { return split_list(text, ' '); }

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code
// points past U+10FFFF).
bool is_valid_utf8(std::string_view text);

// `s` with a-z made A-Z and every other byte kept (command and subcommand names, help subjects).
std::string ascii_upper(std::string_view s);

// Cuts `text` to at most `max_bytes` without splitting a UTF-8 sequence.
std::string limit_utf8(std::string_view text, std::size_t max_bytes);
// How many bytes of `text` limit_utf8() keeps: at most `max_bytes`, backed up over UTF-8
// continuation bytes to a character boundary (0 when the first character is longer).
std::size_t utf8_prefix_length(std::string_view text, std::size_t max_bytes);

// The most bytes of text a relayed ":<source> <command> <target> :<text>\r\n" line may carry
// within proto::kMaxLineBytes (0 when even an empty text would not fit).
std::size_t relay_text_room(std::string_view source, std::string_view command, std::string_view target);

}  // namespace parley::core
