// Services shared by every Connection that runs on one io_context thread.
//
//  - One read buffer. A connection waits for readability and then reads into this buffer, so an
//    idle connection holds no receive buffer of its own. The bytes handed to a ConnectionObserver
//    are valid only during the callback.
//  - Output coalescing. Connection::send() only queues; the first send of a turn puts the
//    connection on the loop's pending list and posts ONE flush handler for the whole loop. That
//    handler gives each pending connection one gathered write (sendmsg with up to kMaxIov
//    buffers), so every line queued while handling a batch of events leaves in one system call
//    per connection (the shape of Redis's handleClientsWithPendingWrites). Only a connection
//    whose socket buffer is full waits for writability.
//  - Readiness. The loop watches its connections through an epoll instance of its own, and that
//    one descriptor is what the io_context's reactor waits on (a nested epoll). Asio would keep a
//    descriptor_state (168 B) and a pending wait operation (~190 B) per watched socket; here an
//    idle connection costs its kernel registration and nothing else. Sockets are registered
//    level-triggered for input (one read per wake-up, so a flooding peer cannot starve others;
//    bytes left in the socket show up in the next poll) and for output only while the kernel
//    buffer is full. While polls find events the loop polls again after the handlers they
//    queued; once a poll finds none it waits on the reactor.
//  - Ends. A connection that fails is unregistered and its descriptor closed at once; its
//    observer's on_closed() runs from a handler posted for the purpose, never from inside the
//    call that closed it. The loop holds every open connection until then.
//  - Deadlines. A connection closing after a flush is force-closed if its peer neither reads what
//    is left nor closes in time; a TLS connection whose handshake has not finished in time is
//    closed the same way (both wait in closing_, each with its own deadline).
//
// Thread: a Loop and all its connections belong to the single thread running the io_context.
// Lifetime: the Loop must outlive every Connection created on it; destroying it drops its hold on
// the connections still open without calling their observers. It owns no coroutine and waits on
// the reactor only while it has open connections: once the owner has closed every connection and
// listener, io_context::run() returns.
#pragma once

#include <sys/epoll.h>
#include <sys/uio.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace parley::net {

class Connection;

class Loop {
 public:
  // Size of the shared read buffer: the most bytes one connection reads per wake-up.
  static constexpr std::size_t kReadBufferBytes = 64 * 1024;
  // Most queued lines one gathered write takes (Linux IOV_MAX).
  static constexpr std::size_t kMaxIov = 1024;
  // Size of the buffer a TLS connection's queued output is gathered into for one SSL_write
  // (four full TLS records); allocated when the first TLS connection flushes.
  static constexpr std::size_t kWriteScratchBytes = 64 * 1024;
  // Most readiness events one poll takes.
  static constexpr int kMaxEvents = 256;

  explicit Loop(boost::asio::io_context& io);
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  boost::asio::io_context& context() { return io_; }

  // Connections currently closing (flushing their last output or waiting for the peer's FIN).
  std::size_t closing_count() const { return closing_.size(); }
  // Connections registered for readiness (open, including those closing).
  std::size_t open_count() const { return open_.size(); }

 private:
  friend class Connection;

  std::span<char> read_buffer() { return {read_buffer_.get(), kReadBufferBytes}; }
  std::span<iovec, kMaxIov> iov_scratch() { return iov_; }
  std::span<char> write_scratch();
  // Read from `c` again in the next poll: a TLS connection whose decrypted input did not fit in
  // the read buffer (OpenSSL holds the rest, invisible to epoll).
  void want_reread(std::shared_ptr<Connection> c);

  // Holds c until it ends and registers its descriptor for input. Returns 0, or the errno for
  // which the descriptor could not be registered (the caller then ends c).
  int watch(std::shared_ptr<Connection> c);
  // Brings the descriptor's epoll interest in line with the connection: writability while its
  // socket buffer is full (write_blocked_), input unless it is paused (input_paused_).
  void update_interest(Connection& c);
  // Unregisters c if it is held (call before closing its descriptor) and schedules its
  // on_closed().
  void end(Connection& c);
  void ensure_polling();
  void post_poll();
  void arm_poll();
  void poll();
  void finish_ended();

  // Flush `c` in this turn's flush pass (posting the pass if needed).
  void want_flush(std::shared_ptr<Connection> c);
  void flush_pending();

  // Track a closing connection until it finishes or its deadline passes.
  void add_closing(std::shared_ptr<Connection> c);
  void remove_closing(Connection& c);
  void arm_closing_timer();
  void sweep_closing();

  boost::asio::io_context& io_;
  int epoll_fd_;
  boost::asio::posix::stream_descriptor epoll_descriptor_;  // epoll_fd_, as the reactor sees it
  bool poll_armed_ = false;   // waiting on the reactor for epoll_fd_ to become readable
  bool poll_posted_ = false;  // a poll() is queued
  std::array<epoll_event, kMaxEvents> events_{};
  std::vector<std::shared_ptr<Connection>> open_;    // unordered; Connection knows its index
  std::vector<std::shared_ptr<Connection>> ended_;   // awaiting on_closed()
  std::vector<std::shared_ptr<Connection>> ending_;  // being finished now (swapped with ended_)
  bool finish_posted_ = false;
  std::unique_ptr<char[]> read_buffer_;
  std::unique_ptr<char[]> write_scratch_;
  std::vector<std::shared_ptr<Connection>> rereads_;    // want_reread(), for the next poll
  std::vector<std::shared_ptr<Connection>> rereading_;  // being read now (swapped with rereads_)
  std::array<iovec, kMaxIov> iov_{};
  std::vector<std::shared_ptr<Connection>> pending_;   // want a flush this turn
  std::vector<std::shared_ptr<Connection>> flushing_;  // being flushed now (swapped with pending_)
  bool flush_posted_ = false;
  std::vector<std::shared_ptr<Connection>> closing_;  // unordered; Connection knows its index
  std::vector<std::shared_ptr<Connection>> expired_;  // scratch for sweep_closing()
  boost::asio::steady_timer closing_timer_;
  bool closing_timer_armed_ = false;
};

}  // namespace parley::net
