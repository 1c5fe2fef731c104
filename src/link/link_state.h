// One link's state, private to the Network (link/network.h).
#pragma once

#include <string>

#include "core/network.h"
#include "link/network.h"

namespace parley::link {

struct Network::Link {
  LinkId id = 0;
  bool outbound = false;
  std::string block;  // outbound: the [[link]] we dialled
  LinkState state = LinkState::kCapab;
  core::ServerInfo* server = nullptr;  // the peer, once its SERVER line was accepted
  bool capab_started = false, capab_done = false;
  bool sent_server = false;
  bool checking_password = false;  // a hashed receive password is being checked
  bool peer_is_hub = false;
  bool secure = false;                             // TLS, handshake done
  std::string certfp;                              // the peer's certificate's SHA-256, when secure
  std::string chanmodes, usermodes, capabilities;  // the peer's CAPAB lists as received
  TimePoint since{}, last_rx{}, ping_sent{};
  std::uint64_t lines_in = 0, lines_out = 0;
};

}  // namespace parley::link
