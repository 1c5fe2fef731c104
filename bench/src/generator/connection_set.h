// The generator's sockets: many non-blocking TCP clients on one epoll instance, one thread.
//
// Reading: when a client is readable, its carried-over partial line and one recv() of up to
// 256 KiB land in a buffer shared by all clients; every complete line is handed to the
// LineHandler with one timestamp per recv(). Nothing is allocated per line.
// Writing: send() appends to the client's output buffer and marks it dirty; flush() (called
// once per turn) writes each dirty client with one send() call; what the kernel does not take
// waits for EPOLLOUT. So the generator, like a good server, coalesces its writes.
// TLS (enable_tls(), the tls-* presets): every client runs an OpenSSL client session (no
// certificate verification) on its socket; on_connected() is reported once the handshake is
// done; reads decrypt into the shared buffer; flush() hands each dirty client's buffer to one
// SSL_write.
// WebSocket (enable_websocket(), the ws-* presets; over TLS too): after the connection (and the
// TLS handshake) every client sends an HTTP/1.1 Upgrade (generator/ws_wire.h) and on_connected()
// is reported once the server answered 101 (anything else fails the client with the status
// line). Each client has one proto::ws::FrameDecoder; every data message is handed to the
// LineHandler as a line (a view, nothing allocated per message). The output buffer still takes
// IRC lines ending in CRLF; flush() turns its complete lines into masked frames (one per line)
// in a second buffer, written with the same one send()/SSL_write per client per turn.
// Clients connect from 127.0.0.1 .. 127.0.0.N (IP_BIND_ADDRESS_NO_PORT), so that 100,000
// connections to one server port do not run out of ephemeral ports.
//
// Thread: single-threaded; the handler is called from turn() only.
#pragma once

#include <netinet/in.h>
#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proto/websocket.h"

namespace parley::bench {

class LineHandler {
 public:
  virtual ~LineHandler() = default;
  // A complete line (CR/LF stripped) from `client`, read at `now_ns`.
  virtual void on_line(std::uint32_t client, std::string_view line, std::uint64_t now_ns) = 0;
  // The connection of `client` is established (and its TLS handshake and WebSocket upgrade done).
  virtual void on_connected(std::uint32_t client) = 0;
  // The connection failed or ended; `reason` says why. Not called for close().
  virtual void on_closed(std::uint32_t client, std::string_view reason) = 0;
};

class ConnectionSet {
 public:
  // `clients` slots, numbered 0..clients-1, to one of `servers` each (open()). `source_ips` > 0
  // spreads source addresses over 127.0.0.1..127.0.0.source_ips (only for loopback servers).
  ConnectionSet(std::vector<sockaddr_in> servers, std::uint32_t clients, std::uint32_t source_ips,
                LineHandler& handler);
  ~ConnectionSet();
  ConnectionSet(const ConnectionSet&) = delete;
  ConnectionSet& operator=(const ConnectionSet&) = delete;

  // Clients opened from now on speak TLS. Returns false if OpenSSL cannot make a context.
  bool enable_tls();
  // Clients opened from now on speak the IRCv3 WebSocket transport: an Upgrade naming
  // `host_port` in Host and asking for `subprotocol` ("" = none), then lines as masked frames,
  // binary ones if `binary`, text ones otherwise.
  void enable_websocket(std::string host_port, std::string subprotocol, bool binary);

  // Starts a non-blocking connect to servers[server]. On failure returns false with `error` set (on_closed is
  // not called); `descriptor_limit` tells whether the process ran out of file descriptors.
  bool open(std::uint32_t client, std::uint32_t server, std::string& error, bool& descriptor_limit);
  // Queues bytes for the client (written by the next flush()).
  void send(std::uint32_t client, std::string_view bytes);
  // The client's output buffer, to append to in place; call mark_dirty() afterwards.
  std::string& output(std::uint32_t client) { return slots_[client].out; }
  void mark_dirty(std::uint32_t client);
  bool has_pending_output(std::uint32_t client) const {
    const Slot& slot = slots_[client];
    return slot.out.size() > slot.out_offset || slot.wire.size() > slot.wire_offset;
  }
  // Closes without calling the handler. `abortive` sends RST instead of FIN (no TIME_WAIT).
  void close(std::uint32_t client, bool abortive = false);
  void close_all();

  // One epoll_wait (at most `timeout_ms`), dispatch of every ready client, then flush().
  void turn(int timeout_ms);
  void flush();

  // An extra descriptor (e.g. the spawned server's stdout) whose input is read and discarded.
  void drain_descriptor(int fd);

  // Re-arms TCP_QUICKACK after every read, so the server's Nagle never waits for a delayed ACK
  // from us (diagnostic: real clients do not do this).
  void set_quickack(bool on) { quickack_ = on; }

  std::size_t open_count() const { return open_count_; }
  std::uint64_t reads() const { return reads_; }
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  struct Slot {
    int fd = -1;
    std::uint32_t interest = 0;  // epoll events registered
    bool connecting = false;
    bool dirty = false;
    bool handshaking = false;
    SSL* ssl = nullptr;
    std::string carry;  // partial line from the previous recv()
    std::string out;    // bytes [out_offset, size) not yet written (WebSocket: lines not yet framed)
    std::size_t out_offset = 0;
    // WebSocket only. The decoder is replaced by open(), never freed by close(): a handler may
    // close the client while the decoder is calling it.
    std::unique_ptr<proto::ws::FrameDecoder> ws;
    bool ws_open = false;  // the server accepted the upgrade
    std::string wire;      // the upgrade request, then frames: [wire_offset, size) not yet written
    std::size_t wire_offset = 0;
  };
  static constexpr std::uint32_t kDrainTag = 0xffffffffu;

  void on_event(std::uint32_t client, std::uint32_t events);
  void read_lines(std::uint32_t client);
  // Hands the lines in buf[0, size) to the handler and keeps the partial rest; false if the
  // client was closed meanwhile.
  bool scan_lines(std::uint32_t client, char* buf, std::size_t size, std::uint64_t now);
  // What was read (carried-over bytes first) goes to scan_lines(), or for WebSocket clients to
  // the upgrade answer or the frame decoder; false if the client was closed meanwhile.
  bool consume(std::uint32_t client, char* buf, std::size_t size, std::uint64_t now);
  // The connection (and TLS) is up: on_connected(), or first the WebSocket upgrade.
  void connected(std::uint32_t client);
  bool read_upgrade_answer(std::uint32_t client, char* buf, std::size_t size, std::uint64_t now);
  bool read_frames(std::uint32_t client, std::string_view data, std::uint64_t now);
  std::string websocket_key_of(std::uint32_t client) const;
  void read_tls(std::uint32_t client);
  void handshake(std::uint32_t client);
  void write_tls(std::uint32_t client);
  void write_out(std::uint32_t client);
  void set_interest(std::uint32_t client, std::uint32_t events);
  void fail(std::uint32_t client, std::string_view reason);

  std::vector<sockaddr_in> servers_;
  std::uint32_t source_ips_;
  LineHandler& handler_;
  int epoll_fd_ = -1;
  SSL_CTX* tls_ = nullptr;
  int drain_fd_ = -1;
  bool websocket_ = false;
  std::string ws_host_port_;
  std::string ws_subprotocol_;
  proto::ws::Opcode ws_opcode_ = proto::ws::Opcode::kText;
  std::uint64_t ws_key_salt_ = 0;
  std::uint32_t ws_mask_state_ = 0;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> dirty_;
  std::vector<char> read_buffer_;
  std::size_t open_count_ = 0;
  bool quickack_ = false;
  std::uint64_t reads_ = 0;
  std::uint64_t bytes_read_ = 0;
};

}  // namespace parley::bench
