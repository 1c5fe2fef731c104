// Start-up check of the process's open-file limit, which caps how many clients can connect.
#pragma once

#include <cstddef>

namespace parley::server {

// Descriptors needed beyond one per client: listeners, epoll, timers, signal pipe, logs, and
// connections that are still closing.
inline constexpr std::size_t kDescriptorHeadroom = 64;

// Raises the RLIMIT_NOFILE soft limit to the hard limit. If the result is below
// `max_clients + kDescriptorHeadroom`, logs a warning explaining how to raise it. Returns the
// soft limit in effect afterwards.
std::size_t raise_descriptor_limit(std::size_t max_clients);

}  // namespace parley::server
