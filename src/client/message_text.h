// Small helpers for reading IRC messages in the client.
#pragma once

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
std::optional<std::chrono::system_clock::time_point> parse_server_time(std::string_view s);
std::string format_server_time(std::chrono::system_clock::time_point t);

}  // namespace parley::client
