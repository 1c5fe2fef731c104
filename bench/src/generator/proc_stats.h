// What /proc says about a process: CPU time (all threads) and resident memory. Used to report
// the server's CPU % and RSS; the generator's own CPU comes from getrusage().
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::bench {

struct ProcSample {
  std::uint64_t cpu_ns = 0;   // user + system time of every thread
  std::uint64_t rss_kib = 0;  // VmRSS
  std::uint64_t hwm_kib = 0;  // VmHWM: peak RSS
  std::uint32_t threads = 0;
};

// nullopt if the process is gone or /proc is unreadable.
std::optional<ProcSample> sample_process(pid_t pid);

// CPU time used so far by every process except `skip_a`, `skip_b` and this one (including the
// children they have reaped), to tell whether something else competed for the machine during
// a measurement. Processes that start and end between two samples without being reaped by a
// surviving parent are missed.
std::uint64_t other_processes_cpu_ns(pid_t skip_a, pid_t skip_b);

// Busy time (everything but idle and iowait) of each CPU, from /proc/stat.
std::vector<std::uint64_t> cpu_busy_ns();

// This process's user + system CPU time.
std::uint64_t self_cpu_ns();

// Raises RLIMIT_NOFILE to at least `wanted` descriptors, lifting the hard limit too when
// allowed (root, up to fs.nr_open). Returns the soft limit in force afterwards.
std::uint64_t raise_descriptor_limit(std::uint64_t wanted);

}  // namespace parley::bench
