#include "net/connection.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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
                                               std::uint64_t id, const ConnectionOptions& options,
                                               SSL_CTX* tls) {
  return std::make_shared<Connection>(Private{}, loop, std::move(socket), observer, id, options, tls);
}

Connection::Connection(Private, Loop& loop, Socket socket, ConnectionObserver& observer, std::uint64_t id,
                       const ConnectionOptions& options, SSL_CTX* tls)
    : loop_(loop),
      observer_(observer),
      id_(id),
      sendq_limit_(options.sendq_bytes),
      close_timeout_(options.close_timeout) {
  boost::system::error_code ec;
  fd_ = socket.release(ec);  // unregisters it from asio's reactor: the Loop watches it instead
  if (ec || fd_ < 0) {
    fd_ = -1;  // start() reports the end
    end_ = End::kReadError;
    error_ = ec ? ec.value() : EBADF;
    return;
  }
  if (tls) {
    tls_ = true;
    handshaking_ = true;
    close_deadline_ = std::chrono::steady_clock::now() + options.handshake_timeout;
    ERR_clear_error();
    ssl_ = SSL_new(tls);
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) {
      end_ = End::kTlsError;
      error_ = static_cast<int>(ERR_peek_last_error() & 0x7fffffff);
      ERR_clear_error();
      state_ = State::kClosed;  // start() reports the end
      return;
    }
    tls_client_ = SSL_CTX_get_ssl_method(tls) == TLS_client_method();
    if (tls_client_) {
      SSL_set_connect_state(ssl_);
    } else {
      SSL_set_accept_state(ssl_);
    }
  }
}

Connection::~Connection() {
  if (ssl_) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
}

void Connection::start() {
  if (started_) return;
  started_ = true;
  if (fd_ >= 0) {
    const int flags = ::fcntl(fd_, F_GETFL);
    ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
    // Output is already coalesced per turn; Nagle would only add latency.
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  const int error = loop_.watch(shared_from_this());
  if (state_ == State::kClosed) {
    loop_.end(*this);  // closed before it started: still ends through on_closed()
  } else if (error != 0) {
    fail(End::kReadError, error);
  } else if (handshaking_) {
    loop_.add_closing(shared_from_this());  // the handshake deadline (close_deadline_)
    if (tls_client_) handshake();           // the client speaks first: its ClientHello
  }
}

void Connection::on_ready(std::uint32_t events) {
  if (state_ == State::kClosed) return;
  if (handshaking_) {
    if (write_blocked_) {
      write_blocked_ = false;
      loop_.update_interest(*this);
    }
    return handshake();
  }
  if ((events & EPOLLOUT) && write_blocked_) {
    write_blocked_ = false;
    loop_.update_interest(*this);
    if (read_wants_write_) {
      read_wants_write_ = false;
      read_once();
      if (state_ == State::kClosed) return;
    }
    flush();
    if (state_ == State::kClosed) return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read_once();
}

// One step of the TLS handshake; called whenever the socket is ready while it runs. A peer
// that sends garbage fails here at once; one that stalls is closed by the deadline.
void Connection::handshake() {
  ERR_clear_error();
  const int r = SSL_do_handshake(ssl_);
  if (r != 1) {
    const int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_READ) return;  // input is always watched
    if (e == SSL_ERROR_WANT_WRITE) return wait_writable();
    return tls_failed(e, End::kReadError);
  }
  handshaking_ = false;
  if (state_ == State::kOpen && closing_index_ != kNotClosing) loop_.remove_closing(*this);
  if (state_ == State::kOpen) {
    X509* peer = SSL_get0_peer_certificate(ssl_);
    observer_.on_secured(*this, peer ? certificate_fingerprint(peer, false) : std::string());
    if (state_ == State::kClosed) return;
  }
  if (head_ != queue_.size() || state_ == State::kFlushing) {
    flush_pending_ = true;
    loop_.want_flush(shared_from_this());
  }
  // The client's first lines may have arrived with its last handshake message and already sit
  // decrypted in OpenSSL's buffer, where epoll cannot see them.
  read_tls();
}

// One read per wake-up keeps a flooding peer from starving others; input is level-triggered, so
// bytes left in the socket are reported again by the next poll.
void Connection::read_once() {
  if (ssl_ && state_ == State::kOpen) return read_tls();
  std::span<char> buffer = loop_.read_buffer();
  ssize_t n;
  do {
    n = ::recv(fd_, buffer.data(), buffer.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n == 0) return fail(End::kEof);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) fail(End::kReadError, errno);
    return;
  }
  // Input after a close request (close_after_flush) is discarded.
  if (state_ == State::kOpen)
    observer_.on_data(*this, std::string_view(buffer.data(), static_cast<std::size_t>(n)));
}

// Decrypts what has arrived into the shared buffer (up to its size: a flooding peer gets one
// buffer per wake-up, as over plaintext) and hands it over in one on_data() call.
void Connection::read_tls() {
  std::span<char> buffer = loop_.read_buffer();
  std::size_t filled = 0;
  int failure = SSL_ERROR_NONE;
  while (filled < buffer.size()) {
    ERR_clear_error();
    std::size_t n = 0;
    const int r = SSL_read_ex(ssl_, buffer.data() + filled, buffer.size() - filled, &n);
    if (r == 1) {
      filled += n;
      continue;
    }
    const int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_WRITE) {
      read_wants_write_ = true;
      wait_writable();
    } else if (e != SSL_ERROR_WANT_READ) {
      failure = e;
    }
    break;
  }
  if (write_wants_read_ && filled > 0) {
    write_wants_read_ = false;
    if (!flush_pending_) {
      flush_pending_ = true;
      loop_.want_flush(shared_from_this());
    }
  }
  if (filled > 0 && state_ == State::kOpen) observer_.on_data(*this, std::string_view(buffer.data(), filled));
  if (state_ == State::kClosed) return;
  if (failure != SSL_ERROR_NONE) return tls_failed(failure, End::kReadError);
  // Stopped because the buffer was full: what OpenSSL holds is not visible to epoll.
  if (filled == buffer.size() && SSL_has_pending(ssl_)) loop_.want_reread(shared_from_this());
}

// Ends the connection after an OpenSSL call failed with `ssl_error` (SSL_get_error).
void Connection::tls_failed(int ssl_error, End otherwise) {
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return fail(End::kEof);
  if (ssl_error == SSL_ERROR_SYSCALL) {
    const int e = errno;
    if (ERR_peek_error() == 0 && e != 0) return fail(otherwise, e);
    if (ERR_peek_error() == 0) return fail(End::kEof);  // EOF without close_notify
  }
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  fail(End::kTlsError, static_cast<int>(code & 0x7fffffff));
}

bool Connection::send(SharedLine line) {
  if (state_ != State::kOpen || !line) return false;
  if (line->empty()) return true;
  if (queued_bytes_ + line->size() > sendq_limit_) {
    fail(End::kSendQ);
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
  end_ = End::kByServer;
  const auto deadline = std::chrono::steady_clock::now() + close_timeout_;
  if (closing_index_ == kNotClosing) {
    close_deadline_ = deadline;
    loop_.add_closing(shared_from_this());
  } else {
    close_deadline_ = std::min(close_deadline_, deadline);  // already timed: a TLS handshake
  }
  if (!flush_pending_ && !write_blocked_) {
    flush_pending_ = true;
    loop_.want_flush(shared_from_this());
  }
}

void Connection::close() { fail(End::kByServer); }

void Connection::pause_input(bool paused) {
  if (paused == input_paused_ || state_ == State::kClosed) return;
  input_paused_ = paused;
  loop_.update_interest(*this);
  // Decrypted input OpenSSL holds is invisible to epoll; look at it again.
  if (!paused && ssl_ && !handshaking_) loop_.want_reread(shared_from_this());
}

void Connection::trim() {
  busy_ = false;
  if (head_ == queue_.size() && queue_.capacity() > kKeepQueueCapacity) {
    std::vector<SharedLine>().swap(queue_);
    head_ = 0;
  }
}

void Connection::flush() {
  if (write_blocked_ || (state_ != State::kOpen && state_ != State::kFlushing)) return;
  if (handshaking_) return;  // handshake() flushes when it finishes
  if (head_ == queue_.size()) {
    if (state_ == State::kFlushing) begin_draining();
    return;
  }
  if (ssl_) return flush_tls();
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
    written = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
  } while (written < 0 && errno == EINTR);
  if (written < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_writable();
    } else {
      fail(End::kWriteError, errno);
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

// The queue (up to the scratch buffer's size) copied into one buffer and given to ONE SSL_write:
// OpenSSL cuts it into records of at most 16 KiB, so a turn's output costs as few records (and
// record overheads and MACs) as possible. After SSL_ERROR_WANT_WRITE OpenSSL must be given the
// same bytes again; the queue still holds them, so the next flush copies them again.
void Connection::flush_tls() {
  std::span<char> scratch = loop_.write_scratch();
  std::size_t total = 0;
  for (std::size_t i = head_; i < queue_.size() && total < scratch.size(); ++i) {
    const std::string& bytes = *queue_[i];
    const std::size_t skip = i == head_ ? front_offset_ : 0;
    const std::size_t n = std::min(bytes.size() - skip, scratch.size() - total);
    std::memcpy(scratch.data() + total, bytes.data() + skip, n);
    total += n;
  }
  ERR_clear_error();
  std::size_t written = 0;
  const int r = SSL_write_ex(ssl_, scratch.data(), total, &written);
  if (r != 1) {
    const int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_WRITE) return wait_writable();
    if (e == SSL_ERROR_WANT_READ) {
      write_wants_read_ = true;  // read_tls() resumes the flush
      return;
    }
    return tls_failed(e, End::kWriteError);
  }
  consume(written);
  if (head_ != queue_.size()) {
    if (written < total) {
      wait_writable();  // partial write: the socket buffer is full
    } else {
      flush_pending_ = true;  // more than the scratch buffer holds: continue next turn
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

// A peer that reads slower than we write: wait until the socket accepts more (Loop::poll() calls
// on_ready() with EPOLLOUT), then continue flushing.
void Connection::wait_writable() {
  write_blocked_ = true;
  loop_.update_interest(*this);
}

void Connection::begin_draining() {
  state_ = State::kDraining;
  release_queue();
  if (ssl_) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // close_notify, best effort; input is discarded from here on
    ERR_clear_error();
  }
  if (::shutdown(fd_, SHUT_WR) != 0) fail(End::kByServer);
  // Otherwise input is discarded until EOF, or the closing deadline closes the socket.
}

void Connection::fail(End why, int error) {
  if (state_ == State::kClosed) return;
  if (end_ == End::kNone) {
    end_ = why;
    error_ = error;
  }
  state_ = State::kClosed;
  release_queue();
  loop_.end(*this);  // unregisters (once started); on_closed() follows from a posted handler
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (ssl_) {
    SSL_free(ssl_);  // its buffers and session go now, not when the last reference does
    ssl_ = nullptr;
  }
  // Last: this may drop a reference to *this (the Loop still holds one when started).
  if (closing_index_ != kNotClosing) loop_.remove_closing(*this);
}

void Connection::finish() { observer_.on_closed(*this, end_text()); }

std::string Connection::end_text() const {
  switch (end_) {
    case End::kEof:
    case End::kNone: return "Connection closed";
    case End::kReadError: return "Read error: " + std::system_category().message(error_);
    case End::kWriteError: return "Write error: " + std::system_category().message(error_);
    case End::kSendQ: return "SendQ exceeded";
    case End::kByServer: return "Closed by server";
    case End::kHandshakeTimeout: return "TLS handshake timed out";
    case End::kTlsError: {
      const char* why = ERR_reason_error_string(static_cast<unsigned long>(error_));
      return std::string("TLS error: ") + (why ? why : "handshake or record failure");
    }
  }
  return "Connection closed";
}

void Connection::release_queue() {
  std::vector<SharedLine>().swap(queue_);
  head_ = 0;
  front_offset_ = 0;
  queued_bytes_ = 0;
}

}  // namespace parley::net
