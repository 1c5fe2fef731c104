// Small helpers for reading IRC messages in the client.
#pragma once

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

}  // namespace parley::client
