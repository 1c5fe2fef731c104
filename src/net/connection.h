// One accepted TCP connection: a byte stream in, a bounded queue of shared lines out. Knows
// nothing about the protocol spoken on it.
//
// Reading: the Loop reports readability (see loop.h); the connection reads once into the Loop's
// shared buffer and hands the bytes to ConnectionObserver::on_data(). An idle connection holds no
// buffer, no pending operation and no reactor state: the object itself is all it costs in user
// space (about 200 bytes).
//
// Writing: send() appends the shared buffer to the send queue (no copy of the bytes); the Loop
// flushes the queue with one gathered write per event-loop turn; when the socket buffer is full
// the connection asks the Loop for writability and then continues. The send queue is bounded
// by `sendq_bytes` (bytes queued and not yet accepted by the kernel); overflow closes the
// connection with reason "SendQ exceeded".
//
// Ending: every started connection ends exactly once with ConnectionObserver::on_closed(reason),
// called from a handler the Loop posts, never from inside send(), close() or close_after_flush();
// so an owner may call those from anywhere on the loop thread, including from its own callbacks.
// Reasons: "Connection closed" (EOF), "Read error: ...", "Write error: ...", "SendQ exceeded",
// "Closed by server" (close() / close_after_flush() / closing deadline).
//
// TLS (see tls.h for why it lives here): a connection created with an SSL context runs a TLS
// server session over the same descriptor. The handshake is driven by the Loop's readiness and
// must finish within ConnectionOptions::handshake_timeout (else "TLS handshake timed out");
// ConnectionObserver::on_secured() reports its end with the client certificate's fingerprint,
// before any on_data(). Input is decrypted into the Loop's shared buffer; output queued during a
// turn is copied into one shared scratch buffer and written with one SSL_write, so a turn's lines
// leave in as few TLS records as the 16 KiB record limit allows. Lines sent before the handshake
// has finished wait for it. A TLS failure ends the connection with "TLS error: ...".
//
// Thread: all members are called on the Loop's thread. Lifetime: shared; the Loop holds a started
// connection until on_closed() has returned, even if the owner drops its pointer first.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/loop.h"
#include "net/tls.h"
#include "proto/shared_line.h"

namespace parley::net {

using tcp = boost::asio::ip::tcp;
// Sockets bound to the io_context executor directly: no type-erased executor per operation.
using Socket = boost::asio::basic_stream_socket<tcp, boost::asio::io_context::executor_type>;
using proto::SharedLine;

class Connection;

// Receives a connection's input and its end. Implemented by the protocol front door.
class ConnectionObserver {
 public:
  virtual ~ConnectionObserver() = default;
  // Bytes read from the peer; the view is valid only during the call. Not called once the
  // owner has asked to close the connection.
  virtual void on_data(Connection& c, std::string_view bytes) = 0;
  // The connection has ended (see the header comment). Called exactly once; afterwards the
  // connection ignores every call.
  virtual void on_closed(Connection& c, std::string_view reason) = 0;
  // A TLS connection's handshake has completed. `certfp`: the SHA-256 of the client's
  // certificate (lowercase hex of its DER encoding), empty without one. Not called once the owner
  // has asked to close the connection.
  virtual void on_secured(Connection& /*c*/, std::string_view /*certfp*/) {}
};

struct ConnectionOptions {
  std::size_t sendq_bytes = 1 << 20;
  // How long close_after_flush() waits for the queue to drain and the peer to close.
  std::chrono::milliseconds close_timeout{3000};
  // How long a TLS client has to finish its handshake.
  std::chrono::milliseconds handshake_timeout{10000};
};

class Connection : public std::enable_shared_from_this<Connection> {
  struct Private {
    explicit Private() = default;
  };

 public:
  // Takes the socket's descriptor over from asio (a connected socket, accepted or dialled).
  // `observer` must outlive the connection's on_closed() call. `id` is the owner's key for it.
  // With `tls` (an SSL_CTX, see tls.h) the connection is the server side of a TLS session (or the
  // client side, for a client context: TlsContext::client_for); the
  // connection holds its own reference to the context.
  static std::shared_ptr<Connection> create(Loop& loop, Socket socket, ConnectionObserver& observer,
                                            std::uint64_t id, const ConnectionOptions& options,
                                            SSL_CTX* tls = nullptr);
  Connection(Private, Loop& loop, Socket socket, ConnectionObserver& observer, std::uint64_t id,
             const ConnectionOptions& options, SSL_CTX* tls);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Registers with the Loop for input. Call once. From here on the connection ends exactly once
  // with on_closed(), also when it could not be registered or was closed before it started.
  void start();

  // Queues `line` (complete protocol bytes) for the peer. Returns false if the line was not
  // queued: the connection is closing/closed, or this line overflowed the send queue (the
  // connection is then closed with "SendQ exceeded").
  bool send(SharedLine line);
  // Sends what is queued, then half-closes and waits (bounded) for the peer to close, so the
  // last lines (an ERROR) are not lost to a reset. Input arriving meanwhile is discarded.
  void close_after_flush();
  // Drops the queue and closes now.
  void close();
  // Stops (true) or resumes (false) reading from the peer. While paused its input waits in the
  // socket (TCP then slows the peer down) or, over TLS, in OpenSSL; output still flows, and a
  // hang-up is still noticed (what the peer sent before it is read then).
  void pause_input(bool paused);
  // Returns the memory of an empty send queue (a drained queue keeps its capacity for the next
  // turn). Call now and then, e.g. once a second.
  void trim();

  std::uint64_t id() const { return id_; }
  bool is_open() const { return state_ == State::kOpen; }
  // Bytes queued and not yet written to the socket.
  std::size_t queued_bytes() const { return queued_bytes_; }
  // A TLS connection (whether or not its handshake has finished).
  bool is_tls() const { return tls_; }

 private:
  friend class Loop;
  enum class State : std::uint8_t {
    kOpen,
    kFlushing,  // close_after_flush(): writing what is queued
    kDraining,  // FIN sent; discarding input until the peer closes
    kClosed,
  };
  // Why the connection ended; the text is made only for on_closed().
  enum class End : std::uint8_t {
    kNone,
    kEof,
    kReadError,
    kWriteError,
    kSendQ,
    kByServer,
    kTlsError,          // error_: the OpenSSL error code
    kHandshakeTimeout,  // the TLS handshake did not finish in time
  };
  static constexpr std::uint32_t kNotClosing = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::uint32_t kNotOpen = std::numeric_limits<std::uint32_t>::max();

  void on_ready(std::uint32_t events);  // epoll events, from Loop::poll()
  void read_once();
  void read_tls();
  void handshake();
  void flush();  // one gathered write of the queue; called by the Loop
  void flush_tls();
  void tls_failed(int ssl_error, End otherwise);
  void consume(std::size_t written);
  void wait_writable();
  void begin_draining();
  void fail(End why, int error = 0);  // closes the socket; on_closed() follows from the Loop
  void finish();                      // tells the observer
  std::string end_text() const;
  void release_queue();

  Loop& loop_;
  ConnectionObserver& observer_;
  std::uint64_t id_;
  std::vector<SharedLine> queue_;  // lines [head_, size) are unsent
  std::size_t head_ = 0;
  std::size_t front_offset_ = 0;  // bytes of queue_[head_] already written
  std::size_t queued_bytes_ = 0;
  std::size_t sendq_limit_;
  std::chrono::steady_clock::time_point close_deadline_{};
  std::chrono::milliseconds close_timeout_;
  std::uint32_t closing_index_ = kNotClosing;  // position in Loop::closing_
  std::uint32_t open_index_ = kNotOpen;        // position in Loop::open_ while registered
  SSL* ssl_ = nullptr;                         // TLS connections only, until they end
  int fd_;
  int error_ = 0;  // errno behind kReadError / kWriteError, OpenSSL code behind kTlsError
  State state_ = State::kOpen;
  End end_ = End::kNone;
  bool flush_pending_ = false;  // on the Loop's pending list
  bool write_blocked_ = false;  // waiting for writability
  bool input_paused_ = false;   // pause_input(): not watching for input
  bool started_ = false;
  bool busy_ = false;  // the last flush emptied a queue of more than a few lines
  bool tls_ = false;
  bool handshaking_ = false;       // TLS handshake not finished yet
  bool tls_client_ = false;        // the client side of the handshake (a dialled server link)
  bool read_wants_write_ = false;  // SSL_read needs writability to continue
  bool write_wants_read_ = false;  // SSL_write needs input to continue
};

}  // namespace parley::net
