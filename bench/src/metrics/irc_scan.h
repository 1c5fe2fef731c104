// Just enough IRC line scanning for a load generator: split a server line into prefix, command
// and the rest, and find a PRIVMSG's text. No allocation, no validation beyond what is needed
// to not misread a line; every view points into the caller's line.
#pragma once

#include <string_view>

namespace parley::bench {

struct ScannedLine {
  std::string_view prefix;   // without the ':' (empty if the line has none)
  std::string_view command;  // "PRIVMSG", "001", ...
  std::string_view params;   // everything after the command and its space (may be empty)
};

// `line` has no CR/LF. Message tags ("@...") are skipped.
ScannedLine scan_line(std::string_view line);

// The nick part of a prefix ("nick!user@host" -> "nick").
std::string_view prefix_nick(std::string_view prefix);

// The trailing parameter of `params` (the text after " :" or a leading ':'), or the last
// space-separated parameter when there is no ':'. Empty if `params` is empty.
std::string_view trailing_param(std::string_view params);

// The first parameter of `params` (up to the first space; a leading ':' is stripped).
std::string_view first_param(std::string_view params);

// The text of a "PRIVMSG <target> :<text>" line, or an empty view if `line` is anything else.
// The generator's hot path: one memchr for the prefix, one compare, one memchr for the target.
std::string_view privmsg_text(std::string_view line);

}  // namespace parley::bench
