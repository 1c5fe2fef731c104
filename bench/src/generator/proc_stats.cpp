#include "generator/proc_stats.h"

#include <dirent.h>
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

std::uint64_t other_processes_cpu_ns(pid_t skip_a, pid_t skip_b) {
  const pid_t self = ::getpid();
  const auto tick_ns = 1'000'000'000ull / static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));
  std::uint64_t total = 0;
  DIR* proc = ::opendir("/proc");
  if (!proc) return 0;
  while (const dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0 || pid == self || pid == skip_a || pid == skip_b) continue;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE* f = std::fopen(path, "r");
    if (!f) continue;
    char buf[1024];
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    const char* p = std::strrchr(buf, ')');
    if (!p) continue;
    // Fields 3.. after ") "; utime, stime, cutime, cstime are fields 14..17.
    unsigned long long v[4] = {};
    int field = 2;
    for (const char* q = p + 1; *q && field < 17; ++q) {
      if (*q != ' ') continue;
      ++field;
      if (field >= 14) v[field - 14] = std::strtoull(q + 1, nullptr, 10);
    }
    total += (v[0] + v[1] + v[2] + v[3]) * tick_ns;
  }
  ::closedir(proc);
  return total;
}

std::vector<std::uint64_t> cpu_busy_ns() {
  const auto tick_ns = 1'000'000'000ull / static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));
  std::vector<std::uint64_t> out;
  std::ifstream in("/proc/stat");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("cpu", 0) != 0) break;
    if (line.size() < 4 || line[3] == ' ') continue;  // the all-CPU total line
    std::istringstream fields(line.substr(line.find(' ')));
    std::uint64_t v[8] = {};
    for (auto& x : v) fields >> x;
    out.push_back((v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * tick_ns);  // not idle, not iowait
  }
  return out;
}

std::uint64_t self_cpu_ns() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto ns = [](const timeval& tv) {
    return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000'000ull +
           static_cast<std::uint64_t>(tv.tv_usec) * 1000;
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
