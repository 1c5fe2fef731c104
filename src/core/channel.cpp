#include "core/channel.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include "core/user.h"

namespace parley::core {

std::string Channel::mode_string(bool with_values) const {
  std::string modes = "+";
  if (no_ctcp) modes += 'C';
  std::string values;
  if (history_lines) {
    modes += 'H';
    values += ' ';
    values += history_param;
  }
  if (invite_only) modes += 'i';
  if (!key.empty()) {
    modes += 'k';
    values += ' ';
    values += with_values ? key : "*";
  }
  if (user_limit) {
    modes += 'l';
    values += ' ';
    values += std::to_string(user_limit);
  }
  if (moderated) modes += 'm';
  if (no_external) modes += 'n';
  if (private_) modes += 'p';
  if (secret) modes += 's';
  if (topic_protected) modes += 't';
  return modes + values;
}

namespace {

constexpr std::string_view kMutePrefix = "m:";
constexpr std::string_view kAccountPrefix = "a:";

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Whether the textual address `ip` lies in `cidr` ("192.0.2.0/24", "2001:db8::/32"); false when
// `cidr` is no such block (a host glob such as "user/bob" is not). An IPv4-mapped IPv6 address
// counts as IPv4.
bool in_cidr(std::string_view cidr, std::string_view ip) {
  const auto slash = cidr.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  unsigned bits = 0;
  const char* end = cidr.data() + cidr.size();
  if (auto [p, ec] = std::from_chars(cidr.data() + slash + 1, end, bits); ec != std::errc{} || p != end)
    return false;
  const std::string net(cidr.substr(0, slash)), addr(ip);
  unsigned char n[16], a[16];
  std::size_t bytes = 0;
  if (::inet_pton(AF_INET, net.c_str(), n) == 1) {
    bytes = 4;
    if (::inet_pton(AF_INET, addr.c_str(), a) != 1) {
      static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
      unsigned char v6[16];
      if (::inet_pton(AF_INET6, addr.c_str(), v6) != 1 || !std::equal(v6, v6 + 12, kMapped)) return false;
      std::copy(v6 + 12, v6 + 16, a);
    }
  } else if (::inet_pton(AF_INET6, net.c_str(), n) == 1 && ::inet_pton(AF_INET6, addr.c_str(), a) == 1) {
    bytes = 16;
  } else {
    return false;
  }
  if (bits > 8 * bytes) return false;
  for (std::size_t i = 0; i < bytes && bits > 0; ++i, bits = bits > 8 ? bits - 8 : 0) {
    const unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((n[i] & mask) != (a[i] & mask)) return false;
  }
  return true;
}

// The nick!user@host forms a host glob is tried against, built once per check and only when a
// host glob is met: the displayed host, the real IP and the cloak (the latter two only when they
// differ from what is already there).
class HostForms {
 public:
  explicit HostForms(const User& u) : u_(u) {}
  bool matched_by(std::string_view glob, proto::Casemapping cm) {
    // nick!user@<CIDR block>: the block against the real IP.
    if (const auto at = glob.rfind('@');
        at != std::string_view::npos && glob.find('/', at) != std::string_view::npos &&
        in_cidr(glob.substr(at + 1), u_.ip()) &&
        proto::match_mask(glob.substr(0, at), u_.nick + "!" + u_.username, cm))
      return true;
    if (!built_) build();
    for (std::size_t i = 0; i < count_; ++i) {
      if (proto::match_mask(glob, forms_[i], cm)) return true;
    }
    return false;
  }

 private:
  void build() {
    built_ = true;
    forms_[count_++] = u_.prefix();
    std::string_view ip = u_.ip();
    if (ip != u_.host) forms_[count_++] = u_.nick + "!" + u_.username + "@" + std::string(ip);
    if (!u_.cloak.empty() && u_.cloak != u_.host)
      forms_[count_++] = u_.nick + "!" + u_.username + "@" + u_.cloak;
  }
  const User& u_;
  bool built_ = false;
  std::size_t count_ = 0;
  std::string forms_[3];
};

bool entry_matches(std::string_view mask, const User& u, HostForms& forms, proto::Casemapping cm) {
  if (starts_with(mask, kAccountPrefix)) {
    return !u.account().empty() && proto::match_mask(mask.substr(kAccountPrefix.size()), u.account(), cm);
  }
  return forms.matched_by(mask, cm);
}

// Whether an entry of `list` matches `u`: mutes only when `mutes`, other masks otherwise.
bool list_matches(const std::vector<Ban>& list, const User& u, proto::Casemapping cm, bool mutes) {
  HostForms forms(u);
  for (const Ban& b : list) {
    std::string_view mask = b.mask;
    if (starts_with(mask, kMutePrefix) != mutes) continue;
    if (mutes) mask.remove_prefix(kMutePrefix.size());
    if (entry_matches(mask, u, forms, cm)) return true;
  }
  return false;
}

// "$a", "$a:x", "$m:x" -> "a", "a:x", "m:x": the '$' spelling of charybdis and solanum.
std::string_view without_dollar(std::string_view raw) {
  if (raw.size() >= 2 && raw[0] == '$' && (raw[1] == 'a' || raw[1] == 'm') &&
      (raw.size() == 2 || raw[2] == ':'))
    raw.remove_prefix(1);
  return raw;
}

}  // namespace

bool ban_mask_matches(std::string_view mask, const User& u, proto::Casemapping cm) {
  HostForms forms(u);
  return entry_matches(mask, u, forms, cm);
}

std::string normalize_ban_mask(std::string_view raw) {
  raw = without_dollar(raw);
  if (raw == "a" || raw == kAccountPrefix) return "a:*";
  if (starts_with(raw, kAccountPrefix)) return std::string(raw);
  if (starts_with(raw, kMutePrefix) && raw.size() > kMutePrefix.size()) {
    std::string_view inner = without_dollar(raw.substr(kMutePrefix.size()));
    if (inner == "a" || inner == kAccountPrefix) return "m:a:*";
    if (starts_with(inner, kAccountPrefix)) return "m:" + std::string(inner);
    return "m:" + proto::normalize_mask(inner);
  }
  return proto::normalize_mask(raw);
}

bool Channel::is_banned(const User& u, proto::Casemapping cm) const {
  return !bans.empty() && list_matches(bans, u, cm, false) && !list_matches(excepts, u, cm, false);
}

bool Channel::is_muted(const User& u, proto::Casemapping cm) const {
  return !bans.empty() && list_matches(bans, u, cm, true) && !list_matches(excepts, u, cm, true);
}

bool Channel::is_invite_excepted(const User& u, proto::Casemapping cm) const {
  return !invexes.empty() && list_matches(invexes, u, cm, false);
}

std::string prefix_string(std::uint8_t flags, bool multi_prefix) {
  std::string out;
  if (flags & kOp) out += '@';
  if ((flags & kVoice) && (multi_prefix || out.empty())) out += '+';
  return out;
}

}  // namespace parley::core
