// Small helpers for HTTP header values (RFC 9110 section 5.6): optional whitespace, case-
// insensitive tokens, comma-separated lists. Beast parses the message; these read its values.
#pragma once

#include <string_view>

#include "proto/casemap.h"

namespace parley::web {

inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Case-insensitive comparison of tokens and header values (ASCII only, as HTTP's).
inline bool iequals(std::string_view a, std::string_view b) {
  return proto::equal_folded(a, b, proto::Casemapping::kAscii);
}

// Calls f(item) for each `separator`-separated item of `list`, trimmed; stops (and returns true)
// when f returns true.
template <class F>
bool any_item(std::string_view list, char separator, F&& f) {
  for (;;) {
    const auto at = list.find(separator);
    if (f(trim_ows(list.substr(0, at)))) return true;
    if (at == std::string_view::npos) return false;
    list.remove_prefix(at + 1);
  }
}

}  // namespace parley::web
