// libFuzzer target for the server-ban rules (core/server_bans.h): the KLINE/DLINE duration and
// mask parsers and the ban list's matching. The input is "<duration>\n<mask>\n<user> <host> <ip>".
// Beyond "does not crash", it checks:
//   - a parsed duration is 0..ten years, and format_duration() of it parses back to it;
//   - a normalised K-line mask has exactly one '@' and normalises to itself; a D-line mask too;
//   - a ban list holding the normalised masks matches the same users before and after a copy of
//     it expires nothing (expiry 0 is permanent), and take_expired() past any expiry empties it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/server_bans.h"
#include "fuzz_support.h"

namespace {

using parley::core::format_duration;
using parley::core::normalise_dline_mask;
using parley::core::normalise_kline_mask;
using parley::core::parse_duration;
using parley::core::ServerBan;
using parley::core::ServerBanList;

std::string_view next_field(std::string_view& rest, char separator) {
  const auto at = rest.find(separator);
  std::string_view field = rest.substr(0, at);
  rest.remove_prefix(at == std::string_view::npos ? rest.size() : at + 1);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(bytes), size);
  const std::string_view duration_text = next_field(rest, '\n');
  const std::string_view mask_text = next_field(rest, '\n');
  const std::string_view user = next_field(rest, ' ');
  const std::string_view host = next_field(rest, ' ');
  const std::string_view ip = rest;

  constexpr std::int64_t kTenYears = std::int64_t{10} * 365 * 86400;
  const auto duration = parse_duration(duration_text);
  if (duration) {
    FUZZ_CHECK(*duration >= 0 && *duration <= kTenYears);
    FUZZ_CHECK(parse_duration(format_duration(*duration)) == duration);
  }

  ServerBanList list;
  std::string why;
  if (auto k = normalise_kline_mask(mask_text, why)) {
    FUZZ_CHECK(std::count(k->begin(), k->end(), '@') == 1);
    std::string again_why;
    FUZZ_CHECK(normalise_kline_mask(*k, again_why) == k);
    list.add(ServerBan{ServerBan::Kind::kUserHost, *k, "r", "s", 0, duration.value_or(0)});
  } else {
    FUZZ_CHECK(!why.empty());
  }
  why.clear();
  if (auto d = normalise_dline_mask(mask_text, why)) {
    std::string again_why;
    FUZZ_CHECK(normalise_dline_mask(*d, again_why) == d);
    list.add(ServerBan{ServerBan::Kind::kAddress, *d, "r", "s", 0, duration.value_or(0)});
  } else {
    FUZZ_CHECK(!why.empty());
  }

  const bool user_hit = list.match_user(user, host, ip, 0) != nullptr;
  const bool address_hit = list.match_address(ip, 0) != nullptr;
  ServerBanList copy = list;
  FUZZ_CHECK(copy.take_expired(0).empty());  // nothing expires at its own set time
  FUZZ_CHECK((copy.match_user(user, host, ip, 0) != nullptr) == user_hit);
  FUZZ_CHECK((copy.match_address(ip, 0) != nullptr) == address_hit);
  // Past every expiry, only the permanent bans are left.
  const std::size_t permanent = std::count_if(list.all().begin(), list.all().end(),
                                              [](const ServerBan& b) { return b.expires_at == 0; });
  copy.take_expired(kTenYears + 1);
  FUZZ_CHECK(copy.all().size() == permanent);
  return 0;
}
