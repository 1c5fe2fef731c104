// Blocking descriptor helpers for the command-line clients (simple-client, chat), which run a
// poll() loop of their own rather than the server's event loop.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

namespace parley::app {

// Writes all of `bytes` (retrying on EINTR); false on error or when the peer is gone. Sockets
// use MSG_NOSIGNAL so a closed peer is an error, not a SIGPIPE.
inline bool write_all(int fd, std::string_view bytes, bool socket) {
  while (!bytes.empty()) {
    const ssize_t n = socket ? ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL)
                             : ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace parley::app
