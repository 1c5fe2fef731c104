#include "server/descriptor_limit.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace parley::server {

namespace {
// Descriptors the server itself holds open (listeners, epoll, timers, signal pipe, stdio).
constexpr std::size_t kReservedDescriptors = 16;
}  // namespace

std::size_t raise_descriptor_limit(std::size_t max_clients) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("cannot read the open-file limit: {}", std::strerror(errno));
    return 0;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    // An "unlimited" hard limit is refused for NOFILE; the kernel's nr_open is the real cap.
    if (::setrlimit(RLIMIT_NOFILE, &raised) != 0 && limit.rlim_max == RLIM_INFINITY) {
      raised.rlim_cur = 1 << 20;
      if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) raised.rlim_cur = limit.rlim_cur;
    }
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  }
  const std::size_t soft =
      limit.rlim_cur == RLIM_INFINITY ? SIZE_MAX : static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t needed = max_clients + kDescriptorHeadroom;
  spdlog::debug("open-file limit: {} (hard {})", soft, static_cast<unsigned long long>(limit.rlim_max));
  if (soft < needed) {
    spdlog::warn(
        "the open-file limit ({}) allows only about {} clients, but limits.max_clients = {} needs {} "
        "descriptors; further clients wait in the kernel's accept queue. Raise the hard limit (`ulimit -Hn "
        "{}` "
        "as root before starting, LimitNOFILE={} in a systemd unit, or nofile in /etc/security/limits.conf) "
        "or "
        "lower limits.max_clients.",
        soft, soft > kReservedDescriptors ? soft - kReservedDescriptors : 0, max_clients, needed, needed,
        needed);
  }
  return soft;
}

}  // namespace parley::server
