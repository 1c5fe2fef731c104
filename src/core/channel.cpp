#include "core/channel.h"

#include <algorithm>

#include "core/user.h"

namespace parley::core {

std::string Channel::mode_string(bool with_values) const {
  std::string modes = "+";
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

bool Channel::is_banned(const User& u, proto::Casemapping cm) const {
  if (bans.empty()) return false;
  std::string full = u.prefix();
  std::string by_ip = u.nick + "!" + u.username + "@" + std::string(u.ip());
  return std::any_of(bans.begin(), bans.end(), [&](const Ban& b) {
    return proto::match_mask(b.mask, full, cm) || proto::match_mask(b.mask, by_ip, cm);
  });
}

std::string prefix_string(std::uint8_t flags, bool multi_prefix) {
  std::string out;
  if (flags & kOp) out += '@';
  if ((flags & kVoice) && (multi_prefix || out.empty())) out += '+';
  return out;
}

}  // namespace parley::core
