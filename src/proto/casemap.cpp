#include "proto/casemap.h"

namespace parley::proto {

std::string_view to_string(Casemapping cm) { return cm == Casemapping::kAscii ? "ascii" : "rfc1459"; }

std::optional<Casemapping> casemapping_from_string(std::string_view name) {
  if (name == "ascii") return Casemapping::kAscii;
  if (name == "rfc1459") return Casemapping::kRfc1459;
  return std::nullopt;
}

std::string fold(std::string_view s, Casemapping cm) {
  std::string out(s);
  for (char& c : out) c = fold_char(c, cm);
  return out;
}

bool equal_folded(std::string_view a, std::string_view b, Casemapping cm) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (fold_char(a[i], cm) != fold_char(b[i], cm)) return false;
  }
  return true;
}

bool match_mask(std::string_view mask, std::string_view text, Casemapping cm) {
  // Iterative glob with single backtrack point: linear in practice, never exponential.
  std::size_t m = 0, t = 0;
  std::size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (m < mask.size() && (mask[m] == '?' || (mask[m] != '*' && fold_char(mask[m], cm) == fold_char(text[t], cm)))) {
      ++m;
      ++t;
    } else if (m < mask.size() && mask[m] == '*') {
      star = m++;
      star_t = t;
    } else if (star != std::string_view::npos) {
      m = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (m < mask.size() && mask[m] == '*') ++m;
  return m == mask.size();
}

std::string normalize_mask(std::string_view mask) {
  auto bang = mask.find('!');
  auto at = mask.find('@');
  std::string out;
  if (bang == std::string_view::npos && at == std::string_view::npos) {
    out.append(mask).append("!*@*");
  } else if (bang == std::string_view::npos) {
    out.append("*!").append(mask);
  } else if (at == std::string_view::npos) {
    out.append(mask).append("@*");
  } else {
    out.append(mask);
  }
  if (out.front() == '!') out.insert(out.begin(), '*');
  if (out.back() == '@') out.push_back('*');
  return out;
}

}  // namespace parley::proto
