#include "talk/console_input.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace parley::talk {

namespace {
constexpr std::size_t kReadBytes = 64 * 1024;
}

struct ConsoleInput::Shared {
  std::mutex mutex;
  std::condition_variable wake;
  bool wanted = false;
  bool stopping = false;
  int stop_pipe[2] = {-1, -1};  // written to interrupt a poll() on stop()
};

ConsoleInput::ConsoleInput(boost::asio::io_context& io, int fd, DataHandler on_data, EndHandler on_end)
    : io_(io),
      fd_(fd),
      on_data_(std::move(on_data)),
      on_end_(std::move(on_end)),
      shared_(std::make_shared<Shared>()) {
  if (::pipe2(shared_->stop_pipe, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "console: pipe");
  }
  thread_ = std::thread([this] { thread_main(); });
}

ConsoleInput::~ConsoleInput() {
  stop();
  for (int& fd : shared_->stop_pipe) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

void ConsoleInput::request() {
  if (outstanding_ || ended_) return;
  outstanding_ = true;
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->stopping) return;
    shared_->wanted = true;
  }
  shared_->wake.notify_one();
}

void ConsoleInput::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
  }
  shared_->wake.notify_one();
  const char byte = 0;
  [[maybe_unused]] auto n = ::write(shared_->stop_pipe[1], &byte, 1);
  thread_.join();
  ended_ = true;
}

void ConsoleInput::thread_main() {
  std::shared_ptr<Shared> shared = shared_;
  std::array<char, kReadBytes> buffer;
  for (;;) {
    {
      std::unique_lock lock(shared->mutex);
      shared->wake.wait(lock, [&] { return shared->wanted || shared->stopping; });
      if (shared->stopping) return;
      shared->wanted = false;
    }
    std::array<pollfd, 2> fds{pollfd{fd_, POLLIN, 0}, pollfd{shared->stop_pipe[0], POLLIN, 0}};
    int ready;
    do {
      ready = ::poll(fds.data(), fds.size(), -1);
    } while (ready < 0 && errno == EINTR);
    if (fds[1].revents != 0) return;  // stop()
    ssize_t n = -1;
    int error = 0;
    if (ready > 0) {
      do {
        n = ::read(fd_, buffer.data(), buffer.size());
      } while (n < 0 && errno == EINTR);
      if (n < 0) error = errno;
    } else {
      error = errno;
    }
    std::string bytes = n > 0 ? std::string(buffer.data(), static_cast<std::size_t>(n)) : std::string();
    std::string reason = n == 0  ? "end of input"
                         : n < 0 ? std::string("read error: ") + std::strerror(error)
                                 : "";
    boost::asio::post(io_, [this, weak = std::weak_ptr<Shared>(shared), bytes = std::move(bytes),
                            reason = std::move(reason)] {
      auto alive = weak.lock();
      if (!alive || ended_) return;
      {
        std::lock_guard lock(alive->mutex);
        if (alive->stopping) return;
      }
      outstanding_ = false;
      if (!reason.empty()) {
        ended_ = true;
        on_end_(reason);
      } else {
        on_data_(bytes);
      }
    });
    if (n <= 0) return;
  }
}

}  // namespace parley::talk
