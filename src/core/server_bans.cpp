#include "core/server_bans.h"

#include <algorithm>
#include <charconv>

#include "proto/casemap.h"
#include "proto/cidr.h"

namespace parley::core {

std::string_view ban_command(ServerBan::Kind kind) {
  return kind == ServerBan::Kind::kUserHost ? "KLINE" : "DLINE";
}

std::optional<std::string> normalise_kline_mask(std::string_view mask, std::string& why) {
  std::string full = mask.find('@') == std::string_view::npos ? "*@" + std::string(mask) : std::string(mask);
  const auto at = full.find('@');
  const std::string_view user = std::string_view(full).substr(0, at);
  const std::string_view host = std::string_view(full).substr(at + 1);
  if (user.empty() || host.empty() || host.find('@') != std::string_view::npos ||
      full.find_first_of(" ,!") != std::string::npos || full.size() > 200) {
    why = "a K-line mask is user@host, such as *@192.0.2.7 or *@*.example.net";
    return std::nullopt;
  }
  if (host.find_first_not_of("*?.") == std::string_view::npos) {
    why = "the mask " + full + " would ban nearly everyone";
    return std::nullopt;
  }
  return full;
}

std::optional<std::string> normalise_dline_mask(std::string_view mask, std::string& why) {
  const auto block = proto::Cidr::parse(mask);
  if (!block) {
    why = "a D-line mask is an IP address or block, such as 192.0.2.7 or 2001:db8::/32";
    return std::nullopt;
  }
  if (block->prefix_length() < (block->is_v4() ? 8u : 16u)) {
    why = "the block " + block->to_string() + " is wider than a D-line may be (/8 for IPv4, /16 for IPv6)";
    return std::nullopt;
  }
  return block->to_string();
}

std::optional<std::int64_t> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr std::int64_t kMax = std::int64_t{10} * 365 * 86400;
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;  // from_chars would take a '-'
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data() + i, text.data() + text.size(), n);
    if (ec != std::errc{} || p == text.data() + i || n > kMax) return std::nullopt;
    i = static_cast<std::size_t>(p - text.data());
    std::int64_t unit = 1;
    if (i < text.size()) {
      switch (text[i++]) {
        case 'y': unit = 365 * 86400; break;
        case 'w': unit = 7 * 86400; break;
        case 'd': unit = 86400; break;
        case 'h': unit = 3600; break;
        case 'm': unit = 60; break;
        case 's': unit = 1; break;
        default: return std::nullopt;
      }
    } else if (total != 0) {
      return std::nullopt;  // "1h30": a trailing number without its unit is a typo
    }
    total += n * unit;
    if (total > kMax) return std::nullopt;
  }
  return total;
}

std::string format_duration(std::int64_t seconds) {
  if (seconds <= 0) return "0s";
  std::string out;
  for (auto [size, unit] : {std::pair<std::int64_t, char>{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}) {
    if (seconds >= size) {
      out += std::to_string(seconds / size) + unit;
      seconds %= size;
    }
  }
  return out;
}

void ServerBanList::add(ServerBan ban) {
  auto same = std::find_if(bans_.begin(), bans_.end(),
                           [&](const ServerBan& b) { return b.kind == ban.kind && b.mask == ban.mask; });
  if (same != bans_.end()) {
    *same = std::move(ban);
  } else {
    bans_.push_back(std::move(ban));
  }
}

bool ServerBanList::remove(ServerBan::Kind kind, std::string_view mask) {
  return std::erase_if(bans_, [&](const ServerBan& b) { return b.kind == kind && b.mask == mask; }) != 0;
}

const ServerBan* ServerBanList::find(ServerBan::Kind kind, std::string_view mask) const {
  for (const ServerBan& b : bans_)
    if (b.kind == kind && b.mask == mask) return &b;
  return nullptr;
}

const ServerBan* ServerBanList::match_address(std::string_view ip, std::int64_t now) const {
  for (const ServerBan& b : bans_) {
    if (b.kind != ServerBan::Kind::kAddress || b.expired(now)) continue;
    // Stored masks were normalised, so they parse; a block is small to rebuild next to a connect.
    if (auto block = proto::Cidr::parse(b.mask); block && block->contains(ip)) return &b;
  }
  return nullptr;
}

const ServerBan* ServerBanList::match_user(std::string_view username, std::string_view host, std::string_view ip,
                                           std::int64_t now) const {
  const std::string user(username);
  const std::string by_ip = user + "@" + std::string(ip);
  const std::string by_host = user + "@" + std::string(host);
  for (const ServerBan& b : bans_) {
    if (b.kind != ServerBan::Kind::kUserHost || b.expired(now)) continue;
    if (proto::match_mask(b.mask, by_ip, proto::Casemapping::kAscii) ||
        proto::match_mask(b.mask, by_host, proto::Casemapping::kAscii))
      return &b;
  }
  return nullptr;
}

std::vector<ServerBan> ServerBanList::take_expired(std::int64_t now) {
  std::vector<ServerBan> gone;
  auto keep = std::stable_partition(bans_.begin(), bans_.end(), [&](const ServerBan& b) { return !b.expired(now); });
  std::move(keep, bans_.end(), std::back_inserter(gone));
  bans_.erase(keep, bans_.end());
  return gone;
}

}  // namespace parley::core
