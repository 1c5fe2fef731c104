// A connection attempt for `parley chat` that does not block: the addresses of one host name,
// tried in turn, each with a non-blocking connect() the event loop polls for (so the keyboard,
// /quit included, keeps working while a server that drops packets makes us wait up to
// kConnectTimeoutSeconds). Host name resolution itself (getaddrinfo) still blocks.
//
// Owns its socket until release(). Thread: the chat loop's.
#pragma once

#include <netdb.h>

#include <chrono>
#include <memory>
#include <string>

namespace parley::app {

inline constexpr int kConnectTimeoutSeconds = 10;

class Dial {
 public:
  using Clock = std::chrono::system_clock;

  Dial(const std::string& host, const std::string& port);
  ~Dial();
  Dial(const Dial&) = delete;
  Dial& operator=(const Dial&) = delete;

  // The socket being connected; -1 once every address failed (error() says why).
  int fd() const { return fd_; }
  bool connected() const { return connected_; }
  const std::string& error() const { return error_; }
  Clock::time_point deadline() const { return deadline_; }

  // The socket became writable or failed (poll() said so), or `now` is past the deadline.
  void progress(Clock::time_point now);

  // Hands the connected socket over (blocking again, as the rest of the loop expects).
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  void start_next();
  void finish();

  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses_;
  const addrinfo* next_ = nullptr;
  int fd_ = -1;
  bool connected_ = false;
  std::string error_;
  Clock::time_point deadline_{};
};

}  // namespace parley::app
