#include "metrics/irc_scan.h"

namespace parley::bench {

namespace {

// Drops everything up to and including the first space, and any further spaces.
std::string_view after_word(std::string_view s) {
  const auto space = s.find(' ');
  if (space == std::string_view::npos) return {};
  s.remove_prefix(space + 1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

}  // namespace

ScannedLine scan_line(std::string_view line) {
  ScannedLine out;
  if (!line.empty() && line.front() == '@') line = after_word(line);
  if (!line.empty() && line.front() == ':') {
    const auto space = line.find(' ');
    out.prefix = line.substr(1, space == std::string_view::npos ? line.npos : space - 1);
    line = after_word(line);
  }
  const auto space = line.find(' ');
  out.command = line.substr(0, space);
  if (space != std::string_view::npos) {
    out.params = line.substr(space + 1);
    while (!out.params.empty() && out.params.front() == ' ') out.params.remove_prefix(1);
  }
  return out;
}

std::string_view prefix_nick(std::string_view prefix) { return prefix.substr(0, prefix.find('!')); }

std::string_view trailing_param(std::string_view params) {
  if (params.empty()) return {};
  if (params.front() == ':') return params.substr(1);
  const auto colon = params.find(" :");
  if (colon != std::string_view::npos) return params.substr(colon + 2);
  while (!params.empty() && params.back() == ' ') params.remove_suffix(1);
  const auto space = params.rfind(' ');
  return space == std::string_view::npos ? params : params.substr(space + 1);
}

std::string_view first_param(std::string_view params) {
  if (!params.empty() && params.front() == ':') return params.substr(1);
  return params.substr(0, params.find(' '));
}

std::string_view privmsg_text(std::string_view line) {
  constexpr std::string_view kCommand = "PRIVMSG ";
  if (line.empty() || line.front() != ':') return {};
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return {};
  line.remove_prefix(space + 1);
  if (line.substr(0, kCommand.size()) != kCommand) return {};
  line.remove_prefix(kCommand.size());
  const auto target_end = line.find(' ');
  if (target_end == std::string_view::npos || target_end + 1 >= line.size()) return {};
  line.remove_prefix(target_end + 1);
  if (line.front() == ':') line.remove_prefix(1);
  return line;
}

}  // namespace parley::bench
