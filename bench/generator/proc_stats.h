// What /proc says about a process: CPU time (all threads) and resident memory. Used to report
// the server's CPU % and RSS; the generator's own CPU comes from getrusage().
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace parley::bench {

struct ProcSample {
  std::uint64_t cpu_ns = 0;    // user + system time of every thread
  std::uint64_t rss_kib = 0;   // VmRSS
  std::uint64_t hwm_kib = 0;   // VmHWM: peak RSS
  std::uint32_t threads = 0;
};

// nullopt if the process is gone or /proc is unreadable.
std::optional<ProcSample> sample_process(pid_t pid);

// This process's user + system CPU time.
std::uint64_t self_cpu_ns();

// Raises RLIMIT_NOFILE to at least `wanted` descriptors, lifting the hard limit too when
// allowed (root, up to fs.nr_open). Returns the soft limit in force afterwards.
std::uint64_t raise_descriptor_limit(std::uint64_t wanted);

}  // namespace parley::bench
