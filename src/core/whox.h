// The second parameter of WHO: legacy flags ("o") and the IRCv3 WHOX field selection
// ("%<fields>[,<token>]", ircv3.net/specs/extensions/whox). A pure parser, fuzzed by
// fuzz/who_options_fuzz.cpp; core/commands/query.cpp renders the 354 replies.
#pragma once

#include <cstdint>
#include <string_view>

namespace parley::core {

// WHOX fields in the order RPL_WHOSPCRPL (354) lists them. A field's bit is 1 << its index.
inline constexpr std::string_view kWhoxFieldOrder = "tcuihsnfdlaor";

struct WhoOptions {
  bool opers_only = false;   // the "o" flag before any '%'
  bool whox = false;         // a '%' was present: answer with 354, not 352
  std::uint16_t fields = 0;  // bit i set: kWhoxFieldOrder[i] was requested
  std::string_view token;    // 1-3 digits, a view into the parsed text; empty when absent or invalid

  bool has(char field) const {
    auto i = kWhoxFieldOrder.find(field);
    return i != std::string_view::npos && (fields & (1u << i));
  }
};

// Parses "o", "%cuhn", "o%tn,42", ... Unknown flags and fields are ignored, as the spec asks;
// a token that is not 1-3 digits is dropped (`t` is then answered with "0").
WhoOptions parse_who_options(std::string_view text);

}  // namespace parley::core
