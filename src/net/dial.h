// Outgoing TCP connections for the command-line clients (`parley chat`, `parley talk`, `parley
// simple-client`): a connect that waits at most a deadline per address and fails with a reason a
// user can act on.
//
// Dial never blocks after construction: the caller polls fd() for POLLOUT and calls progress(),
// so a client's own event loop keeps running while it connects. dial_blocking() runs that loop
// for a client with nothing else to do meanwhile. Host name resolution (getaddrinfo) blocks;
// SIGINT (default action) still ends the program while it does.
//
// Errors are values (error(), DialResult::error), never exceptions. Thread: one object, one thread.
#pragma once

#include <netdb.h>

#include <chrono>
#include <memory>
#include <string>

namespace parley::net {

inline constexpr std::chrono::seconds kDialTimeout{10};

class Dial {
 public:
  using Clock = std::chrono::steady_clock;

  // Resolves `host` and starts connecting to its first address. `timeout` applies to each address.
  Dial(const std::string& host, const std::string& port, std::chrono::milliseconds timeout = kDialTimeout);
  ~Dial();
  Dial(const Dial&) = delete;
  Dial& operator=(const Dial&) = delete;

  // The socket being connected (non-blocking); -1 once every address failed (error() says why)
  // or after release().
  int fd() const { return fd_; }
  bool connected() const { return connected_; }
  // The last address's failure: "Connection refused", "timed out after 10 s", a resolver message.
  const std::string& error() const { return error_; }
  // When the current address is given up.
  Clock::time_point deadline() const { return deadline_; }

  // Call when poll() reports the socket (writable or failed), or once `now` is past deadline().
  void progress(Clock::time_point now);
  // Hands the connected socket over, in blocking mode; the Dial no longer owns it.
  int release();

 private:
  void start_next();
  void finish();

  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses_;
  const addrinfo* next_ = nullptr;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  bool connected_ = false;
  std::string error_;
  Clock::time_point deadline_{};
};

struct DialResult {
  int fd = -1;        // a connected, blocking socket (the caller closes it), or -1
  std::string error;  // when fd is -1: "cannot connect to HOST port PORT: REASON"
};

// Connects, trying each address of `host` within `timeout`, waiting in poll().
DialResult dial_blocking(const std::string& host, const std::string& port,
                         std::chrono::milliseconds timeout = kDialTimeout);

}  // namespace parley::net
