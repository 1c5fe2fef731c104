// `parley chat HOST[:PORT]`: the IRC client (docs/chat.md). client::ChatClient decides what to
// send and show; this file is its I/O: a poll() loop over the server socket and stdin (the
// terminal's keys, or lines of commands with --headless), with the reconnect timer as the poll
// timeout. poll() rather than Asio for the reason simple_client_command.cpp gives: stdin may be a
// terminal, a pipe or a file. Diagnostics go to stderr; with --headless stdout carries one line
// per event: "[window] text".
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "app/commands.h"
#include "app/posix_io.h"
#include "app/version.h"
#include "client/chat_client.h"
#include "client/chat_view.h"
#include "proto/line_reader.h"
#include "tui/terminal.h"
#include "tui/ui_model.h"

namespace parley::app {

namespace {

using client::Clock;

constexpr int kConnectTimeoutSeconds = 10;
constexpr auto kQuitGrace = std::chrono::seconds(2);  // wait for the server to close after QUIT
constexpr std::size_t kMaxServerLine = proto::kMaxLineBytes + proto::kMaxTagBytes;

struct ChatFlags {
  std::string target, nick, user, realname, password, join;
  bool headless = false;
};

std::string login_name() {
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
  return "parley";
}

// "host", "host:port", "[v6]:port" -> host and port.
std::pair<std::string, std::string> split_target(const std::string& target) {
  if (target.starts_with('[')) {
    const auto close = target.find(']');
    if (close != std::string::npos) {
      const std::string host = target.substr(1, close - 1);
      if (close + 1 < target.size() && target[close + 1] == ':') return {host, target.substr(close + 2)};
      return {host, "6667"};
    }
  }
  const auto colon = target.rfind(':');
  if (colon != std::string::npos && target.find(':') == colon)
    return {target.substr(0, colon), target.substr(colon + 1)};
  return {target, "6667"};
}

// A connection attempt that does not block: the addresses of one host name, tried in turn, each
// with a non-blocking connect() the event loop polls for (so the keyboard, /quit included, keeps
// working while a server that drops packets makes us wait up to kConnectTimeoutSeconds).
// Host name resolution itself (getaddrinfo) still blocks.
class Dial {
 public:
  Dial(const std::string& host, const std::string& port) : addresses_(nullptr, &::freeaddrinfo) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
      error_ = ::gai_strerror(rc);
      return;
    }
    addresses_.reset(found);
    next_ = found;
    start_next();
  }
  ~Dial() {
    if (fd_ >= 0) ::close(fd_);
  }
  Dial(const Dial&) = delete;
  Dial& operator=(const Dial&) = delete;

  // The socket being connected; -1 once every address failed (error() says why).
  int fd() const { return fd_; }
  bool connected() const { return connected_; }
  const std::string& error() const { return error_; }
  Clock::time_point deadline() const { return deadline_; }

  // The socket became writable or failed (poll() said so), or `now` is past the deadline.
  void progress(Clock::time_point now) {
    if (fd_ < 0 || connected_) return;
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    if (error == 0) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 0) == 1 && (p.revents & POLLOUT) != 0) return finish();
      if (now < deadline_) return;  // still in progress
      error = ETIMEDOUT;
    }
    error_ = error == ETIMEDOUT ? "connection timed out" : std::strerror(error);
    ::close(fd_);
    fd_ = -1;
    start_next();
  }

  // Hands the connected socket over (blocking again, as the rest of the loop expects).
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  void start_next() {
    while (next_ != nullptr) {
      const addrinfo* a = next_;
      next_ = next_->ai_next;
      fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
      if (fd_ < 0) {
        error_ = std::strerror(errno);
        continue;
      }
      deadline_ = Clock::now() + std::chrono::seconds(kConnectTimeoutSeconds);
      if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) return finish();
      if (errno == EINPROGRESS || errno == EINTR) return;  // poll() for writability
      error_ = std::strerror(errno);
      ::close(fd_);
      fd_ = -1;
    }
    if (error_.empty()) error_ = "no address";
  }
  void finish() {
    const int flags = ::fcntl(fd_, F_GETFL);
    ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
    connected_ = true;
  }

  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses_;
  const addrinfo* next_ = nullptr;
  int fd_ = -1;
  bool connected_ = false;
  std::string error_;
  Clock::time_point deadline_{};
};

// What the loop shows to the user: the terminal UI or plain lines on stdout.
class Front {
 public:
  virtual ~Front() = default;
  virtual void show() = 0;                        // after client changes
  virtual bool input(Clock::time_point now) = 0;  // stdin is readable; false: it ended
  virtual void interrupted() {}                   // poll() got EINTR (SIGWINCH)
};

class HeadlessFront final : public Front {
 public:
  explicit HeadlessFront(client::ChatClient& c) : client_(c) {}

  void show() override {
    for (const client::Event& e : client_.take_events()) {
      std::string out;
      switch (e.kind) {
        case client::Event::Kind::kLine: out = "[" + name(e.buffer) + "] " + client::format_line(e); break;
        case client::Event::Kind::kOpened: out = "[" + e.text + "] -- window opened"; break;
        case client::Event::Kind::kSelect: out = "[" + name(e.buffer) + "] -- now the current window"; break;
        case client::Event::Kind::kRenamed: out = "[" + e.text + "] -- window renamed"; break;
        case client::Event::Kind::kClosed:
        case client::Event::Kind::kClear: break;
      }
      if (!out.empty()) write_all(STDOUT_FILENO, out + "\n", false);
    }
  }

  bool input(Clock::time_point now) override {
    char buffer[4096];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) return true;
    if (n <= 0) return false;
    reader_.feed(std::string_view(buffer, static_cast<std::size_t>(n)),
                 [&](auto event, std::string_view line) {
                   if (event == proto::LineReader::Event::kLine) client_.input(line, now);
                   return true;
                 });
    return true;
  }

 private:
  std::string name(client::BufferId id) const {
    const client::Buffer* b = client_.find(id);
    return b ? b->name : "?";
  }

  client::ChatClient& client_;
  proto::LineReader reader_{4096};
};

class TerminalFront final : public Front {
 public:
  explicit TerminalFront(client::ChatClient& c) : model_("server"), view_(c, model_) {
    model_.add_line(0,
                    "-- parley chat: /help lists the commands; Alt-1..9 or Ctrl-N/Ctrl-P switch windows; "
                    "PgUp/PgDn scroll; /quit leaves.");
  }

  void show() override {
    view_.update();
    terminal_.draw(model_.frame(terminal_.cols(), terminal_.rows()));
  }

  bool input(Clock::time_point now) override {
    for (const tui::Key& key : terminal_.read_keys()) {
      if (key.code == tui::Key::Code::kResize) terminal_.resize();
      view_.key(key, terminal_.cols(), terminal_.rows(), now);
    }
    return true;
  }

  void interrupted() override { input(Clock::now()); }

 private:
  tui::Terminal terminal_;
  tui::UiModel model_;
  client::ChatView view_;
};

client::ClientOptions client_options(const ChatFlags& flags, const std::string& host) {
  client::ClientOptions options;
  options.host = host;
  options.nick = flags.nick.empty() ? login_name() : flags.nick;
  options.user = flags.user.empty() ? options.nick : flags.user;
  options.realname = flags.realname.empty() ? options.nick : flags.realname;
  options.password = flags.password;
  options.version = std::string("parley chat ") + kVersion;
  for (std::string_view list = flags.join; !list.empty();) {
    const auto comma = list.find(',');
    if (comma != 0) options.autojoin.emplace_back(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return options;
}

// The event loop: one server connection at a time (reconnecting when the client asks), stdin
// through the Front, the client's queues flushed after every event.
class ChatLoop {
 public:
  ChatLoop(client::ChatClient& chat, Front& front, std::string host, std::string port)
      : chat_(chat), front_(front), host_(std::move(host)), port_(std::move(port)) {}
  ~ChatLoop() {
    if (sock_ >= 0) ::close(sock_);
  }
  ChatLoop(const ChatLoop&) = delete;
  ChatLoop& operator=(const ChatLoop&) = delete;

  void run() {
    connect();
    for (;;) {
      flush();
      if (chat_.quitting()) {
        if (sock_ < 0) return;
        if (!quit_deadline_) quit_deadline_ = Clock::now() + kQuitGrace;
        if (Clock::now() >= *quit_deadline_) return;
      }
      if (sock_ < 0 && !dial_ && chat_.reconnect_at() && Clock::now() >= *chat_.reconnect_at()) {
        connect();
        continue;
      }
      if (!wait()) return;
    }
  }

 private:
  void connect() {
    chat_.connecting(Clock::now());
    front_.show();
    dial_ = std::make_unique<Dial>(host_, port_);
    dial_progress(Clock::now());
  }

  // Moves a connection attempt on: connected, failed (every address), or still waiting.
  void dial_progress(Clock::time_point now) {
    dial_->progress(now);
    if (dial_->connected()) {
      sock_ = dial_->release();
      dial_.reset();
      reader_ = proto::LineReader(kMaxServerLine);
      chat_.connected(Clock::now());
    } else if (dial_->fd() < 0) {
      const std::string error = dial_->error();
      dial_.reset();
      chat_.disconnected(error, Clock::now());
    }
  }

  void drop(std::string_view reason) {
    if (sock_ >= 0) ::close(sock_);
    sock_ = -1;
    chat_.disconnected(reason, Clock::now());
  }

  // Sends what the client queued and shows what happened.
  void flush() {
    std::string out;
    for (const std::string& line : chat_.take_wire()) out += line;
    if (sock_ >= 0 && !out.empty() && !write_all(sock_, out, true)) drop(std::strerror(errno));
    front_.show();
  }

  // Waits for the socket, stdin or the next deadline and handles what is ready; false on a fatal
  // poll() error.
  bool wait() {
    std::optional<Clock::time_point> due = quit_deadline_ ? quit_deadline_ : chat_.reconnect_at();
    if (dial_ && (!due || dial_->deadline() < *due)) due = dial_->deadline();
    int timeout = -1;
    if (due) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*due - Clock::now()).count();
      timeout = static_cast<int>(std::clamp<long long>(ms + 1, 0, 60'000));
    }
    // The second descriptor is the server connection, or the socket still connecting.
    const int server = dial_ ? dial_->fd() : sock_;
    const short server_events = dial_ ? POLLOUT : POLLIN;
    pollfd fds[2] = {{STDIN_FILENO, static_cast<short>(stdin_open_ ? POLLIN : 0), 0},
                     {server, server_events, 0}};
    if (::poll(fds, server >= 0 ? 2 : 1, timeout) < 0) {
      if (errno != EINTR) {
        std::cerr << "parley chat: poll: " << std::strerror(errno) << std::endl;
        return false;
      }
      front_.interrupted();
      return true;
    }
    if (dial_)
      dial_progress(Clock::now());  // writable, failed or timed out
    else if (sock_ >= 0 && fds[1].revents != 0)
      read_socket();
    if (stdin_open_ && fds[0].revents != 0) {
      // Data first; a hang-up without data (terminal gone, pipe closed) ends the input.
      const bool readable = (fds[0].revents & POLLIN) != 0;
      if (!readable || !front_.input(Clock::now())) {
        stdin_open_ = false;  // end of input: leave as /quit does
        if (!chat_.quitting()) chat_.input("/quit", Clock::now());
      }
    }
    return true;
  }

  void read_socket() {
    char buffer[16 * 1024];
    const ssize_t n = ::recv(sock_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) return;
    if (n <= 0) {
      drop(n == 0 ? "connection closed by the server" : std::strerror(errno));
      return;
    }
    const auto at = Clock::now();
    reader_.feed(std::string_view(buffer, static_cast<std::size_t>(n)),
                 [&](auto event, std::string_view line) {
                   if (event == proto::LineReader::Event::kLine) chat_.receive(line, at);
                   return true;
                 });
  }

  client::ChatClient& chat_;
  Front& front_;
  std::string host_, port_;
  int sock_ = -1;
  std::unique_ptr<Dial> dial_;  // a connection attempt in progress
  proto::LineReader reader_{kMaxServerLine};
  bool stdin_open_ = true;
  std::optional<Clock::time_point> quit_deadline_;
};

int run_chat(const ChatFlags& flags) {
  std::signal(SIGPIPE, SIG_IGN);
  const auto target = split_target(flags.target);
  client::ChatClient chat(client_options(flags, target.first));
  std::unique_ptr<Front> front;
  try {
    if (flags.headless) {
      front = std::make_unique<HeadlessFront>(chat);
    } else {
      front = std::make_unique<TerminalFront>(chat);
    }
  } catch (const std::exception& e) {
    std::cerr << "parley chat: " << e.what() << std::endl;
    return 1;
  }
  ChatLoop(chat, *front, target.first, target.second).run();
  return 0;  // ~TerminalFront restores the terminal
}

}  // namespace

Subcommand add_chat_command(CLI::App& parent) {
  auto flags = std::make_shared<ChatFlags>();
  CLI::App* cli = parent.add_subcommand("chat", "Terminal IRC client for any IRC server (docs/chat.md)");
  cli->add_option("HOST[:PORT]", flags->target, "Server to connect to (port 6667 unless given)")->required();
  cli->add_option("--nick", flags->nick, "Nick (default: your login name)");
  cli->add_option("--user", flags->user, "User name (default: the nick)");
  cli->add_option("--realname", flags->realname, "Real name (default: the nick)");
  cli->add_option("--password", flags->password, "Server password (PASS)");
  cli->add_option("--join", flags->join, "Channels to join once connected, comma separated");
  cli->add_flag("--headless", flags->headless,
                "No terminal UI: one line per event on stdout, commands and messages from stdin");
  return Subcommand{cli, [flags] { return run_chat(*flags); }};
}

}  // namespace parley::app
