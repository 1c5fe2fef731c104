#include "core/channel.h"

#include <algorithm>
#include <string_view>

#include "core/user.h"

namespace parley::core {

std::string Channel::mode_string(bool with_values) const {
  std::string modes = "+";
  if (no_ctcp) modes += 'C';
  std::string values;
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
  if (secret) modes += 's';
  if (topic_protected) modes += 't';
  return modes + values;
}

namespace {

constexpr std::string_view kMutePrefix = "m:";

bool is_mute(std::string_view mask) { return mask.substr(0, kMutePrefix.size()) == kMutePrefix; }

// Whether an entry of `list` matches `u`: mutes only when `mutes`, other masks otherwise. The
// user's masks are built only when the list has a candidate entry.
bool list_matches(const std::vector<Ban>& list, const User& u, proto::Casemapping cm, bool mutes) {
  std::string full, by_ip;
  for (const Ban& b : list) {
    if (is_mute(b.mask) != mutes) continue;
    if (full.empty()) {
      full = u.prefix();
      by_ip = u.nick + "!" + u.username + "@" + std::string(u.ip());
    }
    std::string_view mask = b.mask;
    if (mutes) mask.remove_prefix(kMutePrefix.size());
    if (proto::match_mask(mask, full, cm) || proto::match_mask(mask, by_ip, cm)) return true;
  }
  return false;
}

}  // namespace

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
