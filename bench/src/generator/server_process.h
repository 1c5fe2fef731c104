// A server the generator starts itself (--spawn): its first stdout line names the address it
// listens on ("... listening ... on HOST:PORT", as `parley server` and `parley-ceiling` print),
// or the first line that contains a given text (a server with several listeners prints one line
// each: the web listener's for WebSocket clients); the rest of its stdout is drained, its stderr is
// inherited. stop() sends SIGTERM and, after a grace period, SIGKILL.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::bench {

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

// Parses the last word of `line` as HOST:PORT ("[::1]:6667" too).
std::optional<ListenAddress> parse_listen_line(const std::string& line);

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts `argv` and waits up to `timeout_s` for its first stdout line (with `want` not empty:
  // the first line containing `want`). False with `error` set if it cannot be started, exits,
  // or says nothing parseable in time.
  bool start(const std::vector<std::string>& argv, double timeout_s, const std::string& want,
             std::string& error);
  // SIGTERM, then SIGKILL after `grace_s`. Returns the exit status, 128 + signal if a signal
  // ended it, -1 if it had to be killed (or was not started).
  int stop(double grace_s = 5);
  // Whether the process is still running.
  bool alive();

  pid_t pid() const { return pid_; }
  int stdout_fd() const { return stdout_fd_; }
  const ListenAddress& address() const { return address_; }

 private:
  pid_t pid_ = 0;
  int stdout_fd_ = -1;
  ListenAddress address_;
};

}  // namespace parley::bench
