// One link's state, private to the Network (link/network.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/network.h"
#include "link/network.h"

namespace parley::link {

// A timestamp from a peer: a positive number of seconds (InspIRCd refuses 0 too), at most
// kMaxTimestamp (the year 2200), so that it fits a TimePoint (nanoseconds in 64 bits). nullopt
// otherwise.
inline constexpr std::int64_t kMaxTimestamp = 7'258'118'400;
std::optional<std::int64_t> parse_timestamp(std::string_view s);
// A command name in upper case (ASCII), as handlers compare it.
std::string upper(std::string_view s);

struct Network::Link {
  LinkId id = 0;
  bool outbound = false;
  std::string block;  // outbound: the [[link]] we dialled
  LinkState state = LinkState::kCapab;
  core::ServerInfo* server = nullptr;  // the peer, once its SERVER line was accepted
  bool capab_started = false, capab_done = false;
  bool sent_server = false;
  // Our burst has gone out: from then on the peer hears of changes as they happen. Until then
  // it hears of nothing — the burst will carry the state as it is when it is sent.
  bool burst_sent = false;
  bool checking_password = false;  // a hashed receive password is being checked
  bool peer_is_hub = false;
  bool secure = false;                             // TLS, handshake done
  std::string certfp;                              // the peer's certificate's SHA-256, when secure
  std::string chanmodes, usermodes, capabilities;  // the peer's CAPAB lists as received
  TimePoint since{}, last_rx{}, ping_sent{};
  TimePoint burst_started{};  // when the peer's burst began (state kBursting)
  std::uint64_t lines_in = 0, lines_out = 0;
};

}  // namespace parley::link
