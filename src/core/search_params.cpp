#include "core/search_params.h"

#include <array>

#include "core/history_params.h"
#include "proto/irc_message.h"

namespace parley::core {

namespace {

constexpr std::array<std::string_view, 6> kKeys = {"in", "from", "after", "before", "text", "limit"};

SearchParse failure(std::string_view key, std::string_view description) {
  SearchParse out;
  out.error = {key, description};
  return out;
}

// A target or nick: no character that could split it or end the line.
bool plain_name(std::string_view s) {
  for (char c : s) {
    if (c == ' ' || c == ',' || c == '\0' || c == '\r' || c == '\n') return false;
  }
  return true;
}

// Applies one attribute; an error description, or empty on success.
std::string_view apply(SearchAttributes& a, std::string_view key, std::string_view raw,
                       std::size_t max_limit) {
  std::string value = proto::unescape_tag_value(raw);
  if (value.empty()) return "Missing value";
  if (key == "in" || key == "from") {
    if (!plain_name(value)) return key == "in" ? "Invalid target" : "Invalid nick";
    (key == "in" ? a.in : a.from) = std::move(value);
  } else if (key == "after" || key == "before") {
    auto ms = parse_server_time(value);
    if (!ms) return "Invalid timestamp";
    (key == "after" ? a.after_ms : a.before_ms) = *ms;
  } else if (key == "text") {
    a.text = std::move(value);
  } else {  // limit
    auto limit = parse_history_limit(value, max_limit);
    if (!limit) return "Invalid limit";
    a.limit = *limit;
  }
  return {};
}

}  // namespace

SearchParse parse_search(std::string_view text, std::size_t max_limit) {
  SearchAttributes a;
  a.limit = max_limit != 0 && max_limit < kSearchDefaultLimit ? max_limit : kSearchDefaultLimit;
  std::array<bool, kKeys.size()> seen{};
  while (!text.empty()) {
    const std::size_t semi = text.find(';');
    std::string_view item = text.substr(0, semi);
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    if (item.empty()) continue;  // "a=1;;b=2": nothing between the separators
    const std::size_t eq = item.find('=');
    std::string_view key = item.substr(0, eq);
    std::string_view raw = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    std::size_t k = 0;
    while (k < kKeys.size() && kKeys[k] != key) ++k;
    if (k == kKeys.size()) return failure(key, "Unknown attribute");
    if (seen[k]) return failure(key, "Duplicate attribute");
    seen[k] = true;
    if (std::string_view why = apply(a, key, raw, max_limit); !why.empty()) return failure(key, why);
  }
  SearchParse out;
  out.attributes = std::move(a);
  return out;
}

}  // namespace parley::core
