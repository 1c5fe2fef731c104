#include "net/loop.h"

#include <boost/asio/post.hpp>
#include <utility>

#include "net/connection.h"

namespace parley::net {

namespace {
// Granularity of closing deadlines.
constexpr std::chrono::milliseconds kClosingSweep{250};
}  // namespace

Loop::Loop(boost::asio::io_context& io)
    : io_(io), read_buffer_(new char[kReadBufferBytes]), closing_timer_(io) {}

Loop::~Loop() = default;

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
  for (auto& c : expired_) c->fail("Closed by server");
  expired_.clear();
}

}  // namespace parley::net
