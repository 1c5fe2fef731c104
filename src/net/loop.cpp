#include "net/loop.h"

#include <sys/epoll.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdint>
#include <system_error>
#include <utility>

#include "net/connection.h"

namespace parley::net {

namespace {
// Granularity of closing deadlines.
constexpr std::chrono::milliseconds kClosingSweep{250};

int make_epoll() {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::system_category(), "epoll_create1");
  return fd;
}
}  // namespace

Loop::Loop(boost::asio::io_context& io)
    : io_(io),
      epoll_fd_(make_epoll()),
      epoll_descriptor_(io, epoll_fd_),
      read_buffer_(new char[kReadBufferBytes]),
      closing_timer_(io) {}

Loop::~Loop() {
  // Break the hold on connections still open; their destructors close their descriptors.
  for (auto& c : open_) c->open_index_ = Connection::kNotOpen;
}

int Loop::watch(std::shared_ptr<Connection> c) {
  Connection& connection = *c;
  connection.open_index_ = static_cast<std::uint32_t>(open_.size());
  open_.push_back(std::move(c));
  if (connection.fd_ < 0) return EBADF;
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = &connection;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, connection.fd_, &event) != 0) return errno;
  ensure_polling();
  return 0;
}

void Loop::update_interest(Connection& c) {
  if (c.open_index_ == Connection::kNotOpen) return;
  epoll_event event{};
  // Paused: only the peer's hang-up (EPOLLRDHUP; EPOLLHUP/ERR always come), so a client that
  // leaves meanwhile is still read to its end and closed.
  std::uint32_t events = c.input_paused_ ? EPOLLRDHUP : EPOLLIN;
  if (c.write_blocked_) events |= EPOLLOUT;
  event.events = events;
  event.data.ptr = &c;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd_, &event);
}

void Loop::end(Connection& c) {
  const std::uint32_t i = c.open_index_;
  if (i == Connection::kNotOpen) return;
  c.open_index_ = Connection::kNotOpen;
  if (c.fd_ >= 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd_, nullptr);
  ended_.push_back(std::move(open_[i]));
  if (i + 1 != open_.size()) {
    open_[i] = std::move(open_.back());
    open_[i]->open_index_ = i;
  }
  open_.pop_back();
  if (!finish_posted_) {
    finish_posted_ = true;
    boost::asio::post(io_, [this] { finish_ended(); });
  }
  // Nothing left to watch: let io_context::run() return as soon as the rest is done.
  if (open_.empty() && poll_armed_) {
    poll_armed_ = false;
    boost::system::error_code ignored;
    epoll_descriptor_.cancel(ignored);
  }
}

void Loop::finish_ended() {
  finish_posted_ = false;
  ending_.swap(ended_);
  for (auto& c : ending_) c->finish();
  ending_.clear();  // usually the last references
}

void Loop::ensure_polling() {
  if (!poll_armed_) post_poll();
}

void Loop::post_poll() {
  if (poll_posted_) return;
  poll_posted_ = true;
  boost::asio::post(io_, [this] { poll(); });
}

void Loop::arm_poll() {
  poll_armed_ = true;
  epoll_descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                               [this](const boost::system::error_code& ec) {
                                 // Cancelled: by end() (which has cleared the flag) or because
                                 // the Loop is gone; either way nothing to do.
                                 if (ec == boost::asio::error::operation_aborted) return;
                                 poll_armed_ = false;
                                 poll();
                               });
}

// One poll of our epoll instance, without blocking. Every connection an event names is alive for
// the whole batch: an ended connection waits in ended_ until finish_ended(), which is posted and
// so runs after this handler.
void Loop::poll() {
  poll_posted_ = false;
  if (!rereads_.empty()) {
    rereading_.swap(rereads_);
    for (auto& c : rereading_) {
      if (c->state_ != Connection::State::kClosed && !c->input_paused_) c->read_once();
    }
    rereading_.clear();
  }
  int n;
  do {
    n = ::epoll_wait(epoll_fd_, events_.data(), kMaxEvents, 0);
  } while (n < 0 && errno == EINTR);
  for (int i = 0; i < n; ++i) {
    const epoll_event& event = events_[static_cast<std::size_t>(i)];
    static_cast<Connection*>(event.data.ptr)->on_ready(event.events);
  }
  if (n > 0 || !rereads_.empty()) {
    // There may be more (level-triggered input left in a socket, or more than kMaxEvents ready),
    // and the reactor would not report it again: poll again after the handlers this batch
    // queued (the flush pass among them).
    post_poll();
  } else if (!open_.empty() && !poll_armed_) {
    arm_poll();
  }
}

void Loop::want_reread(std::shared_ptr<Connection> c) {
  rereads_.push_back(std::move(c));
  post_poll();
}

std::span<char> Loop::write_scratch() {
  if (!write_scratch_) write_scratch_.reset(new char[kWriteScratchBytes]);
  return {write_scratch_.get(), kWriteScratchBytes};
}

void Loop::want_flush(std::shared_ptr<Connection> c) {
  pending_.push_back(std::move(c));
  if (!flush_posted_) {
    flush_posted_ = true;
    // Runs after the handlers already queued in this turn, so their output coalesces.
    boost::asio::post(io_, [this] { flush_pending(); });
  }
}

void Loop::flush_pending() {
  flush_posted_ = false;
  flushing_.swap(pending_);
  // A connection that still has output after its write re-enters pending_, not flushing_.
  for (auto& c : flushing_) {
    c->flush_pending_ = false;
    c->flush();
  }
  flushing_.clear();
}

void Loop::add_closing(std::shared_ptr<Connection> c) {
  c->closing_index_ = static_cast<std::uint32_t>(closing_.size());
  closing_.push_back(std::move(c));
  arm_closing_timer();
}

void Loop::remove_closing(Connection& c) {
  const std::uint32_t i = c.closing_index_;
  c.closing_index_ = Connection::kNotClosing;
  // May be the last reference: it is released when this function returns.
  std::shared_ptr<Connection> removed = std::move(closing_[i]);
  if (i + 1 != closing_.size()) {
    closing_[i] = std::move(closing_.back());
    closing_[i]->closing_index_ = i;
  }
  closing_.pop_back();
  // Nothing left to time out: let io_context::run() return as soon as the rest is done.
  if (closing_.empty() && closing_timer_armed_) closing_timer_.cancel();
}

void Loop::arm_closing_timer() {
  if (closing_timer_armed_) return;
  closing_timer_armed_ = true;
  closing_timer_.expires_after(kClosingSweep);
  closing_timer_.async_wait([this](const boost::system::error_code& ec) {
    closing_timer_armed_ = false;
    if (!ec) sweep_closing();
    // Also after a cancel: a connection may have started closing since.
    if (!closing_.empty()) arm_closing_timer();
  });
}

void Loop::sweep_closing() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& c : closing_) {
    if (c->close_deadline_ <= now) expired_.push_back(c);
  }
  for (auto& c : expired_)
    c->fail(c->handshaking_ ? Connection::End::kHandshakeTimeout : Connection::End::kByServer);
  expired_.clear();
}

}  // namespace parley::net
