#include "app/restart.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace parley::app {

void restart_in_place() {
  // The arguments exactly as the kernel holds them: NUL-separated, each one NUL-terminated.
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<char*> argv;
  for (std::size_t at = 0; at < cmdline.size(); at = cmdline.find('\0', at) + 1) {
    argv.push_back(cmdline.data() + at);
    if (cmdline.find('\0', at) == std::string::npos) break;
  }
  if (argv.empty()) {
    spdlog::critical("restart: cannot read this process's arguments from /proc/self/cmdline");
    return;
  }
  argv.push_back(nullptr);
  spdlog::info("restarting: {}", argv[0]);
  spdlog::default_logger()->flush();
  ::execv("/proc/self/exe", argv.data());
  spdlog::critical("restart: cannot run {} again: {}", argv[0], std::strerror(errno));
}

}  // namespace parley::app
