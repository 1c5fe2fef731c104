#include "generator/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "generator/clock.h"

namespace parley::bench {

std::optional<ListenAddress> parse_listen_line(const std::string& line) {
  std::string word =
      line.substr(line.find_last_of(' ') == std::string::npos ? 0 : line.find_last_of(' ') + 1);
  while (!word.empty() && (word.back() == '\r' || word.back() == '\n')) word.pop_back();
  const auto colon = word.rfind(':');
  if (colon == std::string::npos || colon + 1 >= word.size()) return std::nullopt;
  ListenAddress out;
  out.host = word.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  const std::string port = word.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5) return std::nullopt;
  const unsigned long value = std::stoul(port);
  if (value == 0 || value > 65535) return std::nullopt;
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

bool ServerProcess::start(const std::vector<std::string>& argv, double timeout_s, const std::string& want,
                          std::string& error) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "parley-bench: cannot run %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(fds[1]);
  pid_ = pid;
  stdout_fd_ = fds[0];
  std::string line;
  std::string skipped;  // earlier lines, for the error message
  const std::uint64_t deadline = mono_ns() + to_ns(timeout_s);
  for (;;) {
    if (!line.empty() && line.back() == '\n') {
      if (want.empty() || line.find(want) != std::string::npos) break;
      skipped += line;
      line.clear();
    }
    const std::uint64_t now = mono_ns();
    if (now >= deadline) {
      error = "the server printed no listening line" + (want.empty() ? "" : " containing '" + want + "'") +
              " within " + std::to_string(timeout_s) + " s" +
              (skipped.empty() ? std::string() : "; it printed:\n" + skipped);
      return false;
    }
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>((deadline - now) / 1'000'000 + 1)) <= 0) continue;
    char c;
    const ssize_t n = ::read(stdout_fd_, &c, 1);  // byte by byte: leave later output in the pipe
    if (n <= 0) {
      error = "the server exited before printing its listening line" +
              (want.empty() ? "" : " containing '" + want + "'") +
              (skipped.empty() ? std::string() : "; it printed:\n" + skipped);
      return false;
    }
    line.push_back(c);
  }
  auto address = parse_listen_line(line);
  if (!address) {
    error = "cannot find HOST:PORT at the end of the server's first line: " + line;
    return false;
  }
  address_ = *address;
  ::fcntl(stdout_fd_, F_SETFL, O_NONBLOCK);
  return true;
}

bool ServerProcess::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
  pid_ = 0;  // reaped: stop() must not signal a recycled pid
  return false;
}

int ServerProcess::stop(double grace_s) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  const std::uint64_t deadline = mono_ns() + to_ns(grace_s);
  pid_t done = 0;
  while ((done = ::waitpid(pid_, &status, WNOHANG)) == 0 && mono_ns() < deadline) ::usleep(10'000);
  if (done == 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  pid_ = 0;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  if (done <= 0) return -1;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace parley::bench
