// parley-ceiling: the least an IRC relay can do, as fast as one thread and epoll allow. It is
// the benchmark's ceiling reference: what loopback and system calls permit on this machine.
//
// Understands only what parley-bench sends: NICK + USER (answered with 001), JOIN #chan
// (echoed to the joiner), PRIVMSG #chan :text (relayed to the other members, prefixed with the
// sender), PING (PONG), QUIT. No validation, no limits beyond a send queue bound.
// The sender prefix is the one an IRC server without ident gives, ":nick!~user@127.0.0.1", so
// the relay delivers the same bytes as the servers it is compared with (a shorter prefix would
// make the reference cheaper only by copying less).
// Writes are coalesced: output is appended to per-connection buffers and each dirty
// connection gets one send() per event-loop turn.
//
// Usage: parley-ceiling [--bind 127.0.0.1] [--port 0]; prints
// "parley-ceiling listening on ADDR:PORT" on stdout once ready.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

constexpr std::size_t kReadBytes = 256 * 1024;
constexpr std::size_t kMaxCarry = 8192;
constexpr std::size_t kMaxQueued = 64u << 20;  // per connection; past it the client is dropped

struct Conn {
  bool open = false;
  bool dirty = false;
  bool has_user = false;
  bool registered = false;
  bool want_out = false;
  int channel = -1;
  std::string nick;
  std::string user;
  std::string prefix;  // ":nick!~user@127.0.0.1", set at registration
  std::string carry;
  std::string out;
  std::size_t out_offset = 0;
};

class Relay {
 public:
  explicit Relay(int listener) : listener_(listener), buffer_(kReadBytes + kMaxCarry) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    add(listener_, EPOLLIN);
  }

  [[noreturn]] void run() {
    epoll_event events[1024];
    for (;;) {
      const int n = ::epoll_wait(epoll_, events, 1024, -1);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == listener_) {
          accept_all();
          continue;
        }
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_from(fd);
        if (fd < static_cast<int>(conns_.size()) && conns_[fd].open && (events[i].events & EPOLLOUT))
          write_to(fd);
      }
      for (std::size_t i = 0; i < dirty_.size(); ++i) {  // one write per dirty connection per turn
        const int fd = dirty_[i];
        conns_[fd].dirty = false;
        if (conns_[fd].open) write_to(fd);
      }
      dirty_.clear();
    }
  }

 private:
  void add(int fd, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  }
  void modify(int fd, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, fd, &ev);
  }

  void accept_all() {
    for (;;) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (fd >= static_cast<int>(conns_.size())) conns_.resize(static_cast<std::size_t>(fd) * 2 + 1);
      conns_[fd] = Conn{};
      conns_[fd].open = true;
      add(fd, EPOLLIN);
    }
  }

  void drop(int fd) {
    Conn& c = conns_[fd];
    if (c.channel >= 0) {
      auto& m = members_[c.channel];
      for (std::size_t i = 0; i < m.size(); ++i) {
        if (m[i] == fd) {
          m[i] = m.back();
          m.pop_back();
          break;
        }
      }
    }
    ::close(fd);
    c = Conn{};
  }

  void queue(int fd, std::string_view bytes) {
    Conn& c = conns_[fd];
    if (c.out.size() - c.out_offset + bytes.size() > kMaxQueued) return drop(fd);
    c.out.append(bytes);
    if (!c.dirty) {
      c.dirty = true;
      dirty_.push_back(fd);
    }
  }

  void write_to(int fd) {
    Conn& c = conns_[fd];
    const std::size_t pending = c.out.size() - c.out_offset;
    if (pending) {
      const ssize_t n = ::send(fd, c.out.data() + c.out_offset, pending, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EINTR) return drop(fd);
      if (n > 0) c.out_offset += static_cast<std::size_t>(n);
    }
    const bool rest = c.out_offset < c.out.size();
    if (!rest) {
      c.out.clear();
      c.out_offset = 0;
    } else if (c.out_offset > (1u << 20)) {
      c.out.erase(0, c.out_offset);
      c.out_offset = 0;
    }
    if (rest != c.want_out) {
      c.want_out = rest;
      modify(fd, rest ? (EPOLLIN | EPOLLOUT) : EPOLLIN);
    }
  }

  void read_from(int fd) {
    if (fd >= static_cast<int>(conns_.size()) || !conns_[fd].open) return;
    Conn& c = conns_[fd];
    char* buf = buffer_.data();
    const std::size_t carried = c.carry.size();
    std::memcpy(buf, c.carry.data(), carried);
    const ssize_t n = ::recv(fd, buf + carried, kReadBytes, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return drop(fd);
    if (n < 0) return;
    const char* p = buf;
    const char* end = buf + carried + n;
    while (const char* nl =
               static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) {
      const char* line_end = (nl > p && nl[-1] == '\r') ? nl - 1 : nl;
      handle(fd, std::string_view(p, static_cast<std::size_t>(line_end - p)));
      if (!conns_[fd].open) return;
      p = nl + 1;
    }
    if (static_cast<std::size_t>(end - p) > kMaxCarry) return drop(fd);
    conns_[fd].carry.assign(p, static_cast<std::size_t>(end - p));
  }

  static std::string_view word(std::string_view& rest) {
    const auto space = rest.find(' ');
    std::string_view w = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    return w;
  }

  void handle(int fd, std::string_view line) {
    std::string_view rest = line;
    const std::string_view command = word(rest);
    if (command == "PRIVMSG") return relay(fd, rest);
    Conn& c = conns_[fd];
    if (command == "NICK") {
      c.nick = std::string(word(rest));
      if (!c.nick.empty() && c.nick[0] == ':') c.nick.erase(0, 1);
    } else if (command == "USER") {
      c.has_user = true;
      c.user = std::string(word(rest));
    } else if (command == "JOIN") {
      join(fd, word(rest));
    } else if (command == "PING") {
      queue(fd, "PONG :" + std::string(rest.substr(rest.starts_with(':') ? 1 : 0)) + "\r\n");
    } else if (command == "QUIT") {
      return drop(fd);
    }
    if (!c.registered && c.has_user && !c.nick.empty()) {
      c.registered = true;
      c.prefix = ":" + c.nick + "!~" + c.user + "@127.0.0.1";
      queue(fd, ":ceiling 001 " + c.nick + " :Welcome to the ceiling relay\r\n");
    }
  }

  void join(int fd, std::string_view name) {
    Conn& c = conns_[fd];
    if (!c.registered || name.empty() || c.channel >= 0) return;  // one channel per client is enough
    if (name[0] == ':') name.remove_prefix(1);
    name = name.substr(0, name.find(','));
    auto [it, added] = channel_ids_.try_emplace(std::string(name), static_cast<int>(members_.size()));
    if (added) members_.emplace_back();
    c.channel = it->second;
    members_[c.channel].push_back(fd);
    queue(fd, c.prefix + " JOIN " + std::string(name) + "\r\n");
  }

  void relay(int fd, std::string_view rest) {
    Conn& c = conns_[fd];
    const std::string_view target = word(rest);
    if (!c.registered || c.channel < 0 || target.empty()) return;
    line_.clear();
    line_ += c.prefix;
    line_ += " PRIVMSG ";
    line_ += target;
    line_ += ' ';
    line_ += rest;
    line_ += "\r\n";
    const auto& m = members_[c.channel];
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (m[i] != fd) queue(m[i], line_);
    }
  }

  int listener_;
  int epoll_ = -1;
  std::vector<char> buffer_;
  std::vector<Conn> conns_;
  std::vector<int> dirty_;
  std::unordered_map<std::string, int> channel_ids_;
  std::vector<std::vector<int>> members_;
  std::string line_;
};

void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  rlimit wanted{1u << 20, 1u << 20};
  if (::setrlimit(RLIMIT_NOFILE, &wanted) == 0) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

int main(int argc, char** argv) {
  std::string bind_address = "127.0.0.1";
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--bind")
      bind_address = argv[i + 1];
    else if (flag == "--port")
      port = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: parley-ceiling [--bind ADDR] [--port PORT]\n");
      return 2;
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
  raise_descriptor_limit();
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, bind_address.c_str(), &addr.sin_addr) != 1 ||
      ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 4096) != 0) {
    std::fprintf(stderr, "parley-ceiling: cannot listen on %s:%d: %s\n", bind_address.c_str(), port,
                 std::strerror(errno));
    return 1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::printf("parley-ceiling listening on %s:%u\n", bind_address.c_str(), ntohs(addr.sin_port));
  std::fflush(stdout);
  Relay relay(listener);
  relay.run();
}
