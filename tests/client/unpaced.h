// Client tests that are about the protocol, not about pacing, send every line at once.
#pragma once

#include "client/chat_client.h"

namespace parley::client {

inline ClientOptions unpaced(ClientOptions options) {
  options.pacing = Pacing::off();
  return options;
}

}  // namespace parley::client
