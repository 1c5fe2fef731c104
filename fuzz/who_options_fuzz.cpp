// libFuzzer target for the WHO options parser (core/whox.h): "o", "%fields,token". Beyond "does
// not crash", it checks:
//   - the token is a view into the input, 1-3 ASCII digits, or empty;
//   - only known field bits are set, and has(c) agrees with the bits for every byte value;
//   - without '%' nothing but opers_only is set; with one, `whox` is set;
//   - the canonical rendering ("o" if opers_only, '%', the fields in kWhoxFieldOrder order, ","
//     and the token) parses back to the same options.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/whox.h"
#include "fuzz_support.h"

namespace {

using parley::core::kWhoxFieldOrder;
using parley::core::parse_who_options;
using parley::core::WhoOptions;

bool inside(std::string_view view, std::string_view whole) {
  if (view.empty()) return true;
  return view.data() >= whole.data() && view.data() + view.size() <= whole.data() + whole.size();
}

std::string render(const WhoOptions& o) {
  std::string out = o.opers_only ? "o" : "";
  if (!o.whox) return out;
  out += '%';
  for (std::size_t i = 0; i < kWhoxFieldOrder.size(); ++i) {
    if (o.fields & (1u << i)) out += kWhoxFieldOrder[i];
  }
  if (!o.token.empty()) {
    out += ',';
    out += o.token;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(bytes), size);
  WhoOptions o = parse_who_options(text);

  FUZZ_CHECK(inside(o.token, text));
  FUZZ_CHECK(o.token.size() <= 3);
  for (char c : o.token) FUZZ_CHECK(c >= '0' && c <= '9');
  FUZZ_CHECK((o.fields >> kWhoxFieldOrder.size()) == 0);
  for (int b = 0; b < 256; ++b) {
    char c = static_cast<char>(b);
    auto i = kWhoxFieldOrder.find(c);
    FUZZ_CHECK(o.has(c) == (i != std::string_view::npos && (o.fields & (1u << i))));
  }
  bool percent = text.find('%') != std::string_view::npos;
  FUZZ_CHECK(o.whox == percent);
  if (!percent) FUZZ_CHECK(o.fields == 0 && o.token.empty());

  std::string canonical = render(o);
  WhoOptions again = parse_who_options(canonical);
  FUZZ_CHECK(again.opers_only == o.opers_only);
  FUZZ_CHECK(again.whox == o.whox);
  FUZZ_CHECK(again.fields == o.fields);
  FUZZ_CHECK(again.token == o.token);
  return 0;
}
