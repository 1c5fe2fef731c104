#include "app/chat_dial.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace parley::app {

Dial::Dial(const std::string& host, const std::string& port) : addresses_(nullptr, &::freeaddrinfo) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    error_ = ::gai_strerror(rc);
    return;
  }
  addresses_.reset(found);
  next_ = found;
  start_next();
}

Dial::~Dial() {
  if (fd_ >= 0) ::close(fd_);
}

void Dial::progress(Clock::time_point now) {
  if (fd_ < 0 || connected_) return;
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  if (error == 0) {
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, 0) == 1 && (p.revents & POLLOUT) != 0) return finish();
    if (now < deadline_) return;  // still in progress
    error = ETIMEDOUT;
  }
  error_ = error == ETIMEDOUT ? "connection timed out" : std::strerror(error);
  ::close(fd_);
  fd_ = -1;
  start_next();
}

void Dial::start_next() {
  while (next_ != nullptr) {
    const addrinfo* a = next_;
    next_ = next_->ai_next;
    fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd_ < 0) {
      error_ = std::strerror(errno);
      continue;
    }
    deadline_ = Clock::now() + std::chrono::seconds(kConnectTimeoutSeconds);
    if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) return finish();
    if (errno == EINPROGRESS || errno == EINTR) return;  // poll() for writability
    error_ = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
  }
  if (error_.empty()) error_ = "no address";
}

void Dial::finish() {
  const int flags = ::fcntl(fd_, F_GETFL);
  ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
  connected_ = true;
}

}  // namespace parley::app
