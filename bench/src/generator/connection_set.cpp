#include "generator/connection_set.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>

#include "generator/clock.h"
#include "generator/ws_wire.h"

namespace parley::bench {

namespace {

constexpr std::size_t kReadBufferBytes = 256 * 1024;
// A partial line longer than this is not IRC: the client is dropped.
constexpr std::size_t kMaxCarry = 16 * 1024;
constexpr int kMaxEvents = 1024;

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

bool is_loopback(const sockaddr_in& addr) { return (ntohl(addr.sin_addr.s_addr) >> 24) == 127; }

}  // namespace

ConnectionSet::ConnectionSet(std::vector<sockaddr_in> servers, std::uint32_t clients,
                             std::uint32_t source_ips, LineHandler& handler)
    : servers_(std::move(servers)),
      source_ips_(std::all_of(servers_.begin(), servers_.end(), is_loopback) ? source_ips : 0),
      handler_(handler),
      slots_(clients),
      read_buffer_(kReadBufferBytes + kMaxCarry) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::runtime_error(errno_text("epoll_create1"));
  dirty_.reserve(clients);
}

ConnectionSet::~ConnectionSet() {
  close_all();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (tls_) SSL_CTX_free(tls_);
}

bool ConnectionSet::enable_tls() {
  if (tls_) return true;
  tls_ = SSL_CTX_new(TLS_client_method());
  if (!tls_) return false;
  SSL_CTX_set_verify(tls_, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_mode(
      tls_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_options(tls_, SSL_OP_IGNORE_UNEXPECTED_EOF);
  return true;
}

void ConnectionSet::enable_websocket(std::string host_port, std::string subprotocol, bool binary) {
  websocket_ = true;
  ws_host_port_ = std::move(host_port);
  ws_subprotocol_ = std::move(subprotocol);
  ws_opcode_ = binary ? proto::ws::Opcode::kBinary : proto::ws::Opcode::kText;
  std::random_device random;
  ws_key_salt_ = (std::uint64_t{random()} << 32) | random();
  ws_mask_state_ = random() | 1;
}

std::string ConnectionSet::websocket_key_of(std::uint32_t client) const {
  return websocket_key(ws_key_salt_ + client);
}

bool ConnectionSet::open(std::uint32_t client, std::uint32_t server, std::string& error,
                         bool& descriptor_limit) {
  Slot& slot = slots_[client];
  descriptor_limit = false;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    descriptor_limit = errno == EMFILE || errno == ENFILE;
    error = errno_text("socket");
    return false;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (source_ips_ > 0) {
    // Port chosen at connect() time per 4-tuple, not at bind() per address: ~28k clients per
    // source address instead of ~28k in total.
    ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl((127u << 24) | (1 + client % source_ips_));
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
      error = errno_text("bind");
      ::close(fd);
      return false;
    }
  }
  const sockaddr_in& to = servers_[server % servers_.size()];
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0 && errno != EINPROGRESS) {
    error = errno_text("connect");
    ::close(fd);
    return false;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u32 = client;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    error = errno_text("epoll_ctl");
    ::close(fd);
    return false;
  }
  slot.fd = fd;
  slot.interest = ev.events;
  slot.connecting = true;
  slot.carry.clear();
  slot.out.clear();
  slot.out_offset = 0;
  slot.wire.clear();
  slot.wire_offset = 0;
  slot.ws_open = false;
  if (websocket_) {
    slot.ws = std::make_unique<proto::ws::FrameDecoder>(proto::ws::FrameDecoder::Role::kClient, kMaxCarry);
  } else {
    slot.ws.reset();
  }
  ++open_count_;
  return true;
}

void ConnectionSet::send(std::uint32_t client, std::string_view bytes) {
  slots_[client].out.append(bytes);
  mark_dirty(client);
}

void ConnectionSet::mark_dirty(std::uint32_t client) {
  Slot& slot = slots_[client];
  if (slot.dirty || slot.fd < 0) return;
  slot.dirty = true;
  dirty_.push_back(client);
}

void ConnectionSet::close(std::uint32_t client, bool abortive) {
  Slot& slot = slots_[client];
  if (slot.fd < 0) return;
  if (abortive) {
    const linger hard{1, 0};
    ::setsockopt(slot.fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  }
  if (slot.ssl) {
    SSL_free(slot.ssl);
    slot.ssl = nullptr;
  }
  slot.handshaking = false;
  ::close(slot.fd);  // also removes it from the epoll set
  slot.fd = -1;
  slot.interest = 0;
  slot.connecting = false;
  std::string().swap(slot.carry);
  std::string().swap(slot.out);
  slot.out_offset = 0;
  std::string().swap(slot.wire);
  slot.wire_offset = 0;
  slot.ws_open = false;
  --open_count_;
}

void ConnectionSet::close_all() {
  for (std::uint32_t i = 0; i < slots_.size(); ++i) close(i, /*abortive=*/true);
}

void ConnectionSet::drain_descriptor(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u32 = kDrainTag;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0) drain_fd_ = fd;
}

void ConnectionSet::turn(int timeout_ms) {
  epoll_event events[kMaxEvents];
  const int n = ::epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
  for (int i = 0; i < n; ++i) {
    const std::uint32_t client = events[i].data.u32;
    if (client == kDrainTag) {
      char sink[4096];
      if (::read(drain_fd_, sink, sizeof sink) <= 0) {
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, drain_fd_, nullptr);
        drain_fd_ = -1;
      }
      continue;
    }
    on_event(client, events[i].events);
  }
  flush();
}

void ConnectionSet::on_event(std::uint32_t client, std::uint32_t events) {
  Slot& slot = slots_[client];
  if (slot.fd < 0) return;  // closed earlier in this turn
  if (slot.connecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(slot.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return fail(client, std::string("connect: ") + std::strerror(err));
    slot.connecting = false;
    set_interest(client, EPOLLIN);
    if (tls_) {
      slot.ssl = SSL_new(tls_);
      if (!slot.ssl || SSL_set_fd(slot.ssl, slot.fd) != 1) return fail(client, "SSL_new failed");
      SSL_set_connect_state(slot.ssl);
      slot.handshaking = true;
      return handshake(client);
    }
    connected(client);
    if (slot.fd < 0) return;
  }
  if (slot.handshaking) return handshake(client);
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) read_lines(client);
  if (slot.fd >= 0 && (events & EPOLLOUT)) write_out(client);
}

void ConnectionSet::connected(std::uint32_t client) {
  Slot& slot = slots_[client];
  if (!slot.ws) return handler_.on_connected(client);
  slot.wire = upgrade_request(ws_host_port_, websocket_key_of(client), ws_subprotocol_);
  slot.wire_offset = 0;
  write_out(client);
}

void ConnectionSet::handshake(std::uint32_t client) {
  Slot& slot = slots_[client];
  ERR_clear_error();
  const int r = SSL_do_handshake(slot.ssl);
  if (r == 1) {
    slot.handshaking = false;
    set_interest(client, EPOLLIN);
    connected(client);
    if (slot.fd >= 0 && slot.ssl) read_tls(client);  // data that came with the last flight
    return;
  }
  const int e = SSL_get_error(slot.ssl, r);
  if (e == SSL_ERROR_WANT_READ) return set_interest(client, EPOLLIN);
  if (e == SSL_ERROR_WANT_WRITE) return set_interest(client, EPOLLIN | EPOLLOUT);
  char text[256];
  ERR_error_string_n(ERR_get_error(), text, sizeof text);
  fail(client, std::string("TLS handshake: ") + text);
}

// Decrypts until OpenSSL wants more input: records already inside OpenSSL are invisible to epoll.
void ConnectionSet::read_tls(std::uint32_t client) {
  Slot& slot = slots_[client];
  char* const buf = read_buffer_.data();
  for (;;) {
    const std::size_t carried = slot.carry.size();
    if (carried) std::memcpy(buf, slot.carry.data(), carried);
    std::size_t n = 0;
    ERR_clear_error();
    const int r = SSL_read_ex(slot.ssl, buf + carried, kReadBufferBytes, &n);
    if (r != 1) {
      const int e = SSL_get_error(slot.ssl, r);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
      if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL)
        return fail(client, "connection closed by the server");
      return fail(client, "TLS read error");
    }
    ++reads_;
    bytes_read_ += n;
    if (!consume(client, buf, carried + n, mono_ns())) return;
  }
}

void ConnectionSet::read_lines(std::uint32_t client) {
  Slot& slot = slots_[client];
  if (slot.ssl) return read_tls(client);
  char* const buf = read_buffer_.data();
  const std::size_t carried = slot.carry.size();
  if (carried) std::memcpy(buf, slot.carry.data(), carried);
  const ssize_t n = ::recv(slot.fd, buf + carried, kReadBufferBytes, 0);
  if (n == 0) return fail(client, "connection closed by the server");
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    return fail(client, errno_text("recv"));
  }
  ++reads_;
  bytes_read_ += static_cast<std::uint64_t>(n);
  if (quickack_) {
    const int one = 1;
    ::setsockopt(slot.fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
  }
  consume(client, buf, carried + static_cast<std::size_t>(n), mono_ns());
}

bool ConnectionSet::consume(std::uint32_t client, char* buf, std::size_t size, std::uint64_t now) {
  const Slot& slot = slots_[client];
  if (!slot.ws) return scan_lines(client, buf, size, now);
  if (!slot.ws_open) return read_upgrade_answer(client, buf, size, now);
  return read_frames(client, std::string_view(buf, size), now);
}

bool ConnectionSet::read_upgrade_answer(std::uint32_t client, char* buf, std::size_t size,
                                        std::uint64_t now) {
  Slot& slot = slots_[client];
  const std::string_view bytes(buf, size);
  const UpgradeAnswer answer = parse_upgrade_answer(bytes, websocket_key_of(client), ws_subprotocol_);
  if (answer.status == UpgradeAnswer::Status::kIncomplete) {
    slot.carry.assign(bytes);
    return true;
  }
  if (answer.status == UpgradeAnswer::Status::kRefused) {
    fail(client, answer.error);
    return false;
  }
  std::string().swap(slot.carry);
  slot.ws_open = true;
  handler_.on_connected(client);
  if (slot.fd < 0) return false;
  return read_frames(client, bytes.substr(answer.header_bytes), now);
}

bool ConnectionSet::read_frames(std::uint32_t client, std::string_view data, std::uint64_t now) {
  using Kind = proto::ws::Event::Kind;
  Slot& slot = slots_[client];
  proto::ws::FrameDecoder& decoder = *slot.ws;  // outlives close() (see Slot)
  std::string why;
  decoder.feed(data, [&](const proto::ws::Event& e) {
    switch (e.kind) {
      case Kind::kText:
      case Kind::kBinary: {
        std::string_view line = e.payload;  // one IRC line; a server should send no CR/LF
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
        handler_.on_line(client, line, now);
        return slot.fd >= 0;
      }
      case Kind::kPing: {
        std::uint32_t x = ws_mask_state_;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        ws_mask_state_ = x;
        const std::array<std::uint8_t, 4> mask{
            static_cast<std::uint8_t>(x), static_cast<std::uint8_t>(x >> 8),
            static_cast<std::uint8_t>(x >> 16), static_cast<std::uint8_t>(x >> 24)};
        proto::ws::append_frame(slot.wire, proto::ws::Opcode::kPong, e.payload, &mask);
        mark_dirty(client);
        return true;
      }
      case Kind::kPong: return true;
      case Kind::kTooLong: why = "server sent a WebSocket message longer than 16 KiB"; return false;
      case Kind::kClose:
        why = "WebSocket closed by the server (" + std::to_string(e.code) +
              (e.payload.empty() ? "" : " " + std::string(e.payload)) + ")";
        return false;
      case Kind::kError:
        why = "WebSocket protocol error from the server: " + std::string(e.payload);
        return false;
    }
    return false;
  });
  if (slot.fd < 0) return false;
  if (!why.empty()) {
    fail(client, why);
    return false;
  }
  return true;
}

bool ConnectionSet::scan_lines(std::uint32_t client, char* buf, std::size_t size, std::uint64_t now) {
  Slot& slot = slots_[client];
  const char* p = buf;
  const char* const end = buf + size;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (!nl) break;
    const char* line_end = (nl > p && nl[-1] == '\r') ? nl - 1 : nl;
    handler_.on_line(client, std::string_view(p, static_cast<std::size_t>(line_end - p)), now);
    if (slot.fd < 0) return false;  // the handler closed it
    p = nl + 1;
  }
  const std::size_t rest = static_cast<std::size_t>(end - p);
  if (rest > kMaxCarry) {
    fail(client, "server sent a line longer than 16 KiB");
    return false;
  }
  slot.carry.assign(p, rest);
  return true;
}

void ConnectionSet::flush() {
  // By index: a failing write calls the handler, which may queue output for other clients.
  for (std::size_t i = 0; i < dirty_.size(); ++i) {
    const std::uint32_t client = dirty_[i];
    slots_[client].dirty = false;
    if (slots_[client].fd >= 0 && !slots_[client].connecting && !slots_[client].handshaking)
      write_out(client);
  }
  dirty_.clear();
}

void ConnectionSet::write_out(std::uint32_t client) {
  Slot& slot = slots_[client];
  if (slot.ws_open && !slot.out.empty()) {
    // The complete lines become frames; a partial line (none, as the generator writes) waits.
    const std::size_t used = frame_lines(slot.out, slot.wire, ws_mask_state_, ws_opcode_);
    if (used == slot.out.size()) {
      slot.out.clear();
    } else {
      slot.out.erase(0, used);
    }
  }
  // WebSocket clients write framed bytes from `wire`; `out` then only holds unframed lines.
  std::string& buffer = slot.ws ? slot.wire : slot.out;
  std::size_t& offset = slot.ws ? slot.wire_offset : slot.out_offset;
  const std::size_t pending = buffer.size() - offset;
  if (slot.ssl && pending > 0) {
    std::size_t n = 0;
    ERR_clear_error();
    const int r = SSL_write_ex(slot.ssl, buffer.data() + offset, pending, &n);
    if (r == 1) {
      offset += n;
    } else {
      const int e = SSL_get_error(slot.ssl, r);
      if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) return fail(client, "TLS write error");
    }
  } else if (pending > 0) {
    const ssize_t n = ::send(slot.fd, buffer.data() + offset, pending, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return fail(client, errno_text("send"));
    if (n > 0) offset += static_cast<std::size_t>(n);
  }
  if (offset == buffer.size()) {
    buffer.clear();  // keeps its capacity: no allocation for the next batch
    offset = 0;
    if (slot.interest & EPOLLOUT) set_interest(client, EPOLLIN);
  } else if (!(slot.interest & EPOLLOUT)) {
    set_interest(client, EPOLLIN | EPOLLOUT);
  }
}

void ConnectionSet::set_interest(std::uint32_t client, std::uint32_t events) {
  Slot& slot = slots_[client];
  epoll_event ev{};
  ev.events = events;
  ev.data.u32 = client;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, slot.fd, &ev);
  slot.interest = events;
}

void ConnectionSet::fail(std::uint32_t client, std::string_view reason) {
  close(client);
  handler_.on_closed(client, reason);
}

}  // namespace parley::bench
