// Small helpers for reading IRC messages in the client.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "proto/irc_message.h"

namespace parley::client {

// "nick!user@host" -> "nick" (also for NAMES entries with userhost-in-names).
inline std::string_view nick_of(std::string_view source) { return source.substr(0, source.find('!')); }

// Parameters from `from` on, joined with spaces (the text of a numeric or a MODE change).
inline std::string join_params(const proto::Message& m, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < m.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += m.param(i);
  }
  return out;
}

// "1 nick", "3 nicks": a count with its noun, singular or plural ("s" appended).
inline std::string count_of(std::size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

// server-time: "2026-11-21T21:56:24.123Z" -> time point (nullopt when malformed), and back
// (always with milliseconds). Defined in history.cpp.
// A message text framed as CTCP ("\x01ACTION waves\x01"): `ctcp` is the inside, without the
// framing (the closing \x01 may be missing); `action` when it is ACTION, and then `text` is what
// follows "ACTION ". A text that is not CTCP: framed false, text the whole text.
struct CtcpText {
  bool framed = false;
  std::string_view ctcp;
  bool action = false;
  std::string text;
};
inline CtcpText unwrap_ctcp(std::string_view text) {
  CtcpText out;
  if (text.size() < 2 || text.front() != '\x01') {
    out.text = std::string(text);
    return out;
  }
  std::string_view ctcp = text.substr(1);
  if (ctcp.back() == '\x01') ctcp.remove_suffix(1);
  out.framed = true;
  out.ctcp = ctcp;
  out.action = ctcp.starts_with("ACTION ") || ctcp == "ACTION";
  if (out.action) out.text = std::string(ctcp.substr(std::min<std::size_t>(7, ctcp.size())));
  return out;
}

std::optional<std::chrono::system_clock::time_point> parse_server_time(std::string_view s);
std::string format_server_time(std::chrono::system_clock::time_point t);

}  // namespace parley::client
