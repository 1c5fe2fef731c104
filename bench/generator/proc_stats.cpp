#include "generator/proc_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace parley::bench {

namespace {

std::uint64_t status_kib(const std::string& status, const char* key) {
  const auto at = status.find(key);
  if (at == std::string::npos) return 0;
  return std::strtoull(status.c_str() + at + std::strlen(key), nullptr, 10);
}

std::uint64_t read_nr_open() {
  std::ifstream in("/proc/sys/fs/nr_open");
  std::uint64_t value = 0;
  in >> value;
  return value ? value : 1 << 20;
}

}  // namespace

std::optional<ProcSample> sample_process(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream stat_file(base + "/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may contain spaces.
  const auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close_paren + 2));
  std::string field;
  ProcSample sample;
  // utime and stime are fields 14 and 15 of stat; field 3 (state) is the first here.
  std::uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 20 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
    if (i == 20) sample.threads = static_cast<std::uint32_t>(std::stoul(field));
  }
  const auto ticks = static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));
  sample.cpu_ns = (utime + stime) * (1'000'000'000ull / ticks);
  std::ifstream status_file(base + "/status");
  std::string status((std::istreambuf_iterator<char>(status_file)), std::istreambuf_iterator<char>());
  sample.rss_kib = status_kib(status, "VmRSS:");
  sample.hwm_kib = status_kib(status, "VmHWM:");
  return sample;
}

std::uint64_t self_cpu_ns() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto ns = [](const timeval& tv) {
    return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(tv.tv_usec) * 1000;
  };
  return ns(usage.ru_utime) + ns(usage.ru_stime);
}

std::uint64_t raise_descriptor_limit(std::uint64_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur >= wanted) return limit.rlim_cur;
  rlimit raised = limit;
  if (limit.rlim_max < wanted) {
    raised.rlim_max = std::min<std::uint64_t>(wanted, read_nr_open());
    raised.rlim_cur = raised.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
    raised.rlim_max = limit.rlim_max;  // not allowed to lift the hard limit: use what it gives
  }
  raised.rlim_cur = std::min<std::uint64_t>(wanted, raised.rlim_max);
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
  return limit.rlim_cur;
}

}  // namespace parley::bench
