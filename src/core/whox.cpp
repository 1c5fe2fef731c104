#include "core/whox.h"

namespace parley::core {

WhoOptions parse_who_options(std::string_view text) {
  WhoOptions out;
  auto percent = text.find('%');
  std::string_view flags = text.substr(0, percent);
  out.opers_only = flags.find('o') != std::string_view::npos;
  if (percent == std::string_view::npos) return out;
  out.whox = true;
  std::string_view rest = text.substr(percent + 1);
  auto comma = rest.find(',');
  for (char c : rest.substr(0, comma)) {
    auto i = kWhoxFieldOrder.find(c);
    if (i != std::string_view::npos) out.fields |= static_cast<std::uint16_t>(1u << i);
  }
  if (comma != std::string_view::npos) {
    std::string_view token = rest.substr(comma + 1);
    bool digits = !token.empty() && token.size() <= 3;
    for (char c : token) digits = digits && c >= '0' && c <= '9';
    if (digits) out.token = token;
  }
  return out;
}

}  // namespace parley::core
