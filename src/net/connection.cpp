#include "net/connection.h"

#include <sys/socket.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace parley::net {

namespace {
// trim() returns a drained queue's capacity above this, so idle connections stay small.
constexpr std::size_t kKeepQueueCapacity = 8;
// Written-out slots at the front of the queue are compacted away past this many.
constexpr std::size_t kCompactAfter = 64;
}  // namespace

std::shared_ptr<Connection> Connection::create(Loop& loop, Socket socket, ConnectionObserver& observer,
                                               std::uint64_t id, const ConnectionOptions& options) {
  return std::make_shared<Connection>(Private{}, loop, std::move(socket), observer, id, options);
}

Connection::Connection(Private, Loop& loop, Socket socket, ConnectionObserver& observer, std::uint64_t id,
                       const ConnectionOptions& options)
    : loop_(loop),
      socket_(std::move(socket)),
      observer_(observer),
      id_(id),
      sendq_limit_(options.sendq_bytes),
      close_timeout_(options.close_timeout) {
  boost::system::error_code ec;
  remote_ = socket_.remote_endpoint(ec);
}

Connection::~Connection() = default;

void Connection::start() {
  if (started_) return;
  started_ = true;
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  // Output is already coalesced per turn; Nagle would only add latency.
  socket_.set_option(tcp::no_delay(true), ec);
  wait_readable();
}

// The reader: wait for readability, then read once into the Loop's shared buffer (an idle
// connection holds no buffer). One read per wake-up keeps a flooding peer from starving others;
// asio re-arms the descriptor on every wait, so bytes left in the socket wake us again.
void Connection::wait_readable() {
  socket_.async_wait(Socket::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
    self->on_readable(ec);
  });
}

void Connection::on_readable(const boost::system::error_code& wait_ec) {
  namespace error = boost::asio::error;
  if (state_ == State::kClosed) return finish();
  if (wait_ec) {
    fail("Read error: " + wait_ec.message());
    return finish();
  }
  std::span<char> buffer = loop_.read_buffer();
  boost::system::error_code ec;
  const std::size_t n = socket_.read_some(boost::asio::buffer(buffer.data(), buffer.size()), ec);
  if (ec == error::eof) {
    fail("Connection closed");
    return finish();
  }
  if (ec && ec != error::would_block && ec != error::try_again && ec != error::interrupted) {
    fail("Read error: " + ec.message());
    return finish();
  }
  if (!ec && state_ == State::kOpen) observer_.on_data(*this, std::string_view(buffer.data(), n));
  if (state_ == State::kClosed) return finish();
  wait_readable();
}

bool Connection::send(SharedLine line) {
  if (state_ != State::kOpen || !line) return false;
  if (line->empty()) return true;
  if (queued_bytes_ + line->size() > sendq_limit_) {
    fail("SendQ exceeded");
    return false;
  }
  queued_bytes_ += line->size();
  queue_.push_back(std::move(line));
  if (!flush_pending_ && !write_blocked_) {
    flush_pending_ = true;
    loop_.want_flush(shared_from_this());
  }
  return true;
}

void Connection::close_after_flush() {
  if (state_ != State::kOpen) return;
  state_ = State::kFlushing;
  close_reason_ = "Closed by server";
  close_deadline_ = std::chrono::steady_clock::now() + close_timeout_;
  loop_.add_closing(shared_from_this());
  if (!flush_pending_ && !write_blocked_) {
    flush_pending_ = true;
    loop_.want_flush(shared_from_this());
  }
}

void Connection::close() { fail("Closed by server"); }

void Connection::trim() {
  busy_ = false;
  if (head_ == queue_.size() && queue_.capacity() > kKeepQueueCapacity) {
    std::vector<SharedLine>().swap(queue_);
    head_ = 0;
  }
}

void Connection::flush() {
  if (write_blocked_ || (state_ != State::kOpen && state_ != State::kFlushing)) return;
  if (head_ == queue_.size()) {
    if (state_ == State::kFlushing) begin_draining();
    return;
  }
  std::span<iovec, Loop::kMaxIov> iov = loop_.iov_scratch();
  std::size_t count = 0;
  std::size_t total = 0;
  for (std::size_t i = head_; i < queue_.size() && count < iov.size(); ++i, ++count) {
    const std::string& bytes = *queue_[i];
    const std::size_t skip = i == head_ ? front_offset_ : 0;
    iov[count].iov_base = const_cast<char*>(bytes.data() + skip);
    iov[count].iov_len = bytes.size() - skip;
    total += iov[count].iov_len;
  }
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = count;
  ssize_t written;
  do {
    written = ::sendmsg(socket_.native_handle(), &msg, MSG_NOSIGNAL);
  } while (written < 0 && errno == EINTR);
  if (written < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_writable();
    } else {
      fail("Write error: " + std::system_category().message(errno));
    }
    return;
  }
  consume(static_cast<std::size_t>(written));
  if (head_ != queue_.size()) {
    if (static_cast<std::size_t>(written) < total) {
      wait_writable();  // the socket buffer is full
    } else {
      flush_pending_ = true;  // more than kMaxIov lines queued: continue next turn
      loop_.want_flush(shared_from_this());
    }
  } else if (state_ == State::kFlushing) {
    begin_draining();
  }
}

void Connection::consume(std::size_t written) {
  queued_bytes_ -= written;
  while (written > 0) {
    const std::size_t left = queue_[head_]->size() - front_offset_;
    if (written < left) {
      front_offset_ += written;
      break;
    }
    written -= left;
    queue_[head_].reset();
    ++head_;
    front_offset_ = 0;
  }
  if (head_ == queue_.size()) {
    // A connection that queued more than kKeepQueueCapacity lines in two flushes in a row is
    // busy (a channel fan-out, not one burst such as the welcome): it keeps the capacity, so the
    // queue is not regrown every turn; trim() returns it once the connection is quiet.
    const bool big = queue_.size() > kKeepQueueCapacity;
    const bool keep = big && busy_;
    busy_ = big;
    queue_.clear();
    head_ = 0;
    if (!keep && queue_.capacity() > kKeepQueueCapacity) std::vector<SharedLine>().swap(queue_);
  } else if (head_ >= kCompactAfter && head_ * 2 >= queue_.size()) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

// The writer, for a peer that reads slower than we write: wait until the socket accepts more,
// then continue flushing. At most one such wait is outstanding per connection.
void Connection::wait_writable() {
  write_blocked_ = true;
  socket_.async_wait(Socket::wait_write, [self = shared_from_this()](const boost::system::error_code& ec) {
    self->write_blocked_ = false;
    if (!ec) self->flush();
  });
}

void Connection::begin_draining() {
  state_ = State::kDraining;
  release_queue();
  boost::system::error_code ec;
  socket_.shutdown(Socket::shutdown_send, ec);
  if (ec) fail("Closed by server");
  // Otherwise the reader discards input until EOF, or the closing deadline closes the socket.
}

void Connection::fail(std::string_view reason) {
  if (state_ == State::kClosed) return;
  if (close_reason_.empty()) close_reason_ = reason;
  state_ = State::kClosed;
  release_queue();
  boost::system::error_code ec;
  socket_.close(ec);  // the reader's and writer's waits complete with operation_aborted
  // Last: this may drop the final reference to *this.
  if (closing_index_ != kNotClosing) loop_.remove_closing(*this);
}

void Connection::finish() {
  fail("Connection closed");
  std::string reason = std::move(close_reason_);
  observer_.on_closed(*this, reason);
}

void Connection::release_queue() {
  std::vector<SharedLine>().swap(queue_);
  head_ = 0;
  front_offset_ = 0;
  queued_bytes_ = 0;
}

}  // namespace parley::net
