// Server bans: who may not use this server at all (KLINE and DLINE, docs/operations.md
// "Server bans"). A K-line bans a user@host mask and is checked when a connection completes
// registration; a D-line bans an address block and is checked when the connection is accepted,
// before anything is read from it. Both may expire. The engine keeps the list, applies it and
// hands every change to the store (core/history.h kSaveServerBan/kDeleteServerBan), which gives
// the list back at start (Engine::restore_server_bans). Bans are local to this server: they do
// not cross links (as InspIRCd's K-lines and Z-lines).
//
// Pure data and functions; no I/O, no clock (times are passed in, in Unix seconds).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::core {

struct ServerBan {
  enum class Kind : std::uint8_t { kUserHost /* KLINE */, kAddress /* DLINE */ };
  Kind kind = Kind::kUserHost;
  std::string mask;    // K: a "user@host" glob; D: an address block, canonical ("192.0.2.0/24")
  std::string reason;  // shown to whoever it refuses
  std::string set_by;  // nick!user@host of the operator who set it
  std::int64_t set_at = 0;
  std::int64_t expires_at = 0;  // 0: never
  bool expired(std::int64_t now) const { return expires_at != 0 && expires_at <= now; }
  friend bool operator==(const ServerBan&, const ServerBan&) = default;
};

// The command word of a kind ("KLINE", "DLINE") and the letter STATS lists it under ('k', 'd').
std::string_view ban_command(ServerBan::Kind kind);

// A K-line mask as stored: "host" alone means "*@host". nullopt (with `why`) when it is no
// user@host mask or would ban nearly everyone (a host part of only wildcards and dots).
std::optional<std::string> normalise_kline_mask(std::string_view mask, std::string& why);
// A D-line mask as stored: an address or CIDR block in canonical form. nullopt (with `why`) when
// it is not one, or is wider than a /8 (IPv4) or /16 (IPv6).
std::optional<std::string> normalise_dline_mask(std::string_view mask, std::string& why);

// "1y2w3d4h5m6s" (any subset, in that order or not) or plain seconds. 0: permanent. nullopt when
// malformed or past ten years.
std::optional<std::int64_t> parse_duration(std::string_view text);
// Seconds as "1d2h3m4s" (the largest units, zero units left out; "0s" for 0).
std::string format_duration(std::int64_t seconds);

class ServerBanList {
 public:
  // Adds `ban`, replacing one of the same kind and mask (a new reason or expiry).
  void add(ServerBan ban);
  // Removes the ban of that kind and mask (as stored). False when there is none.
  bool remove(ServerBan::Kind kind, std::string_view mask);
  const ServerBan* find(ServerBan::Kind kind, std::string_view mask) const;
  // The ban that refuses a connection from `ip` now, if any (D-lines).
  const ServerBan* match_address(std::string_view ip, std::int64_t now) const;
  // The ban that refuses `username` from `ip` shown as `host` now, if any (K-lines). The mask's
  // host part is tried against the address and the shown host, so a K-line on an address works
  // whether or not the user's host is cloaked.
  const ServerBan* match_user(std::string_view username, std::string_view host, std::string_view ip,
                              std::int64_t now) const;
  // Removes the bans that have expired by `now` and returns them.
  std::vector<ServerBan> take_expired(std::int64_t now);
  const std::vector<ServerBan>& all() const { return bans_; }

 private:
  std::vector<ServerBan> bans_;  // few (tens to thousands) and read at connect: a vector is enough
};

}  // namespace parley::core
