// `parley chat [ircs://]HOST[:PORT]`: the IRC client (docs/chat.md). client::ChatClient decides what to
// send and show; this file is its I/O: a poll() loop over the server socket and stdin (the
// terminal's keys, or lines of commands with --headless), with the reconnect timer as the poll
// timeout. poll() rather than Asio for the reason simple_client_command.cpp gives: stdin may be a
// terminal, a pipe or a file. Diagnostics go to stderr; with --headless stdout carries one line
// per event: "[window] text".
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "app/chat_password.h"
#include "app/chat_tls.h"
#include "app/commands.h"
#include "app/posix_io.h"
#include "app/version.h"
#include "client/chat_client.h"
#include "client/chat_view.h"
#include "client/server_address.h"
#include "net/dial.h"
#include "proto/line_reader.h"
#include "tui/terminal.h"
#include "tui/ui_model.h"

namespace parley::app {

namespace {

using client::Clock;

constexpr auto kQuitGrace = std::chrono::seconds(2);  // wait for the server to close after QUIT
constexpr std::size_t kMaxServerLine = proto::kMaxLineBytes + proto::kMaxTagBytes;

struct ChatFlags {
  std::string target, nick, user, realname, password, join;
  bool headless = false;
  bool tls = false, insecure = false;
  std::string fingerprint, sasl_user, password_file;
  std::string server_password_file;
  bool server_password_prompt = false;
};

std::string login_name() {
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
  return "parley";
}

// What the loop shows to the user: the terminal UI or plain lines on stdout.
class Front {
 public:
  virtual ~Front() = default;
  virtual void show() = 0;                        // after client changes
  virtual bool input(Clock::time_point now) = 0;  // stdin is readable; false: it ended
  virtual void interrupted() {}                   // poll() got EINTR (SIGWINCH)
  // Whether to read stdin now (false while lines read earlier still wait for the client).
  virtual bool wants_input() const { return true; }
  // Hands lines read earlier to the client as far as it can take them now.
  virtual void pump(Clock::time_point /*now*/) {}
  // stdin ended: leave as /quit does (after whatever was read before the end).
  virtual void ended(Clock::time_point now) = 0;
};

class HeadlessFront final : public Front {
 public:
  explicit HeadlessFront(client::ChatClient& c) : client_(c) {}

  void show() override {
    for (const client::Event& e : client_.take_events()) {
      std::string out;
      switch (e.kind) {
        case client::Event::Kind::kLine: out = "[" + name(e.buffer) + "] " + client::format_line(e); break;
        case client::Event::Kind::kPrepend:
          out = "[" + name(e.buffer) + "] (older) " + client::format_line(e);
          break;
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
                   if (event == proto::LineReader::Event::kLine) held_.emplace_back(line);
                   return true;
                 });
    pump(now);
    return true;
  }

  // A script's lines must all arrive: each waits until the client is registered and in the
  // channel it joins first (text typed before that would have nowhere to go) and until the send
  // queue has room. Only /quit never waits. What is held is at most one read (4 KiB): stdin is
  // not read again until it is handed over, so a long pipe waits in the pipe.
  bool wants_input() const override { return held_.empty(); }

  void pump(Clock::time_point now) override {
    while (!held_.empty()) {
      const std::string_view line = held_.front();
      const bool quit = line == "/quit" || line.starts_with("/quit ") || line == "/exit";
      if (!quit && (!client_.ready_for_text() || client_.queue_full() || client_.quitting())) return;
      client_.input(line, now);
      held_.pop_front();
    }
  }

  void ended(Clock::time_point now) override {
    held_.emplace_back("/quit");
    pump(now);
  }

 private:
  std::string name(client::BufferId id) const {
    const client::Buffer* b = client_.find(id);
    return b ? b->name : "?";
  }

  client::ChatClient& client_;
  proto::LineReader reader_{4096};
  std::deque<std::string> held_;  // lines read from stdin, not yet given to the client
};

class TerminalFront final : public Front {
 public:
  explicit TerminalFront(client::ChatClient& c) : client_(c), model_("server"), view_(c, model_) {
    model_.add_line(0,
                    "-- parley chat: /help lists the commands; Alt-1..9 or Ctrl-N/Ctrl-P switch windows; "
                    "PgUp/PgDn scroll; /quit or Ctrl-C leaves.");
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

  void ended(Clock::time_point now) override {
    if (!client_.quitting()) client_.input("/quit", now);
  }

 private:
  client::ChatClient& client_;
  tui::Terminal terminal_;
  tui::UiModel model_;
  client::ChatView view_;
};

client::ClientOptions client_options(const ChatFlags& flags, const std::string& host) {
  client::ClientOptions options;
  options.host = host;
  options.nick = flags.nick.empty() ? client::nick_from_name(login_name()) : flags.nick;
  options.user = flags.user.empty() ? options.nick : flags.user;
  options.realname = flags.realname.empty() ? options.nick : flags.realname;
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
  ChatLoop(client::ChatClient& chat, Front& front, std::string host, std::string port, TlsSettings tls)
      : chat_(chat),
        front_(front),
        host_(std::move(host)),
        port_(std::move(port)),
        tls_settings_(std::move(tls)) {}
  ~ChatLoop() {
    if (sock_ >= 0) ::close(sock_);
  }
  ChatLoop(const ChatLoop&) = delete;
  ChatLoop& operator=(const ChatLoop&) = delete;

  void run() {
    connect();
    for (;;) {
      front_.pump(Clock::now());
      flush();
      if (chat_.quitting()) {
        if (sock_ < 0) return;
        // Quitting waits until every queued line (the QUIT last) has gone, then for the server
        // to close the connection, at most kQuitGrace.
        if (chat_.queued_lines() == 0 && !quit_deadline_) quit_deadline_ = Clock::now() + kQuitGrace;
        if (quit_deadline_ && Clock::now() >= *quit_deadline_) return;
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
    dial_ = std::make_unique<net::Dial>(host_, port_);
    dial_progress();
  }

  // Moves a connection attempt on: connected, failed (every address), or still waiting.
  void dial_progress() {
    dial_->progress(net::Dial::Clock::now());
    if (dial_->connected()) {
      sock_ = dial_->release();
      dial_.reset();
      if (tls_settings_.enabled && !start_tls()) return;
      reader_ = proto::LineReader(kMaxServerLine);
      chat_.connected(Clock::now(), tls_ ? security() : std::string());
    } else if (dial_->fd() < 0) {
      const std::string error = dial_->error();
      dial_.reset();
      chat_.disconnected(error, Clock::now());
    }
  }

  // "TLSv1.3, certificate verified", for the server window.
  std::string security() const {
    const char* check = tls_settings_.insecure               ? "certificate NOT verified (--insecure)"
                        : !tls_settings_.fingerprint.empty() ? "pinned certificate"
                                                             : "certificate verified";
    return tls_->version() + ", " + check;
  }

  // The TLS handshake on the new connection. A certificate that fails verification stops the
  // client (retrying would not change it); other failures are like a failed connection.
  bool start_tls() {
    std::string error;
    bool verification_failed = false;
    tls_ = TlsStream::handshake(sock_, host_, tls_settings_, static_cast<int>(net::kDialTimeout.count()),
                                error, verification_failed);
    if (tls_) return true;
    if (verification_failed) chat_.stop(error);
    drop(error);
    return false;
  }

  void drop(std::string_view reason) {
    tls_.reset();
    if (sock_ >= 0) ::close(sock_);
    sock_ = -1;
    chat_.disconnected(reason, Clock::now());
  }

  // Sends what the client's pacing lets go now and shows what happened.
  void flush() {
    std::string out;
    if (sock_ >= 0)
      for (const std::string& line : chat_.take_wire(Clock::now())) out += line;
    if (sock_ >= 0 && !out.empty()) {
      if (tls_ && !tls_->write_all(out))
        drop(std::string(tls_->error()));  // a copy: drop() ends the TLS session first
      else if (!tls_ && !write_all(sock_, out, true))
        drop(std::strerror(errno));
    }
    front_.show();
  }

  // Waits for the socket, stdin or the next deadline and handles what is ready; false on a fatal
  // poll() error.
  bool wait() {
    std::optional<Clock::time_point> due = quit_deadline_ ? quit_deadline_ : chat_.reconnect_at();
    if (dial_) {  // the dial's deadline is on the steady clock
      const auto dial_due = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                               dial_->deadline() - net::Dial::Clock::now());
      if (!due || dial_due < *due) due = dial_due;
    }
    if (const auto send_at = chat_.next_send_at(); sock_ >= 0 && send_at && (!due || *send_at < *due))
      due = send_at;
    int timeout = -1;
    if (due) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*due - Clock::now()).count();
      timeout = static_cast<int>(std::clamp<long long>(ms + 1, 0, 60'000));
    }
    // The second descriptor is the server connection, or the socket still connecting.
    const int server = dial_ ? dial_->fd() : sock_;
    const short server_events = dial_ ? POLLOUT : POLLIN;
    const bool read_stdin = stdin_open_ && front_.wants_input();
    // A negative descriptor is skipped: a closed pipe would report POLLHUP even with no events.
    pollfd fds[2] = {{read_stdin ? STDIN_FILENO : -1, POLLIN, 0}, {server, server_events, 0}};
    if (::poll(fds, server >= 0 ? 2 : 1, timeout) < 0) {
      if (errno != EINTR) {
        std::cerr << "parley chat: poll: " << std::strerror(errno) << std::endl;
        return false;
      }
      front_.interrupted();
      return true;
    }
    if (dial_)
      dial_progress();  // writable, failed or timed out
    else if (sock_ >= 0 && fds[1].revents != 0)
      read_socket();
    if (read_stdin && fds[0].revents != 0) {
      // Data first; a hang-up without data (terminal gone, pipe closed) ends the input.
      const bool readable = (fds[0].revents & POLLIN) != 0;
      if (!readable || !front_.input(Clock::now())) {
        stdin_open_ = false;  // end of input: leave as /quit does
        front_.ended(Clock::now());
      }
    }
    return true;
  }

  void read_socket() {
    if (tls_) return read_tls();
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

  // Reads what TLS has decrypted: everything OpenSSL holds, since poll() cannot see it.
  void read_tls() {
    char buffer[16 * 1024];
    do {
      const ssize_t n = tls_->read(buffer, sizeof buffer);
      if (n == TlsStream::kWouldBlock) return;
      if (n <= 0) {
        drop(n == 0 ? std::string("connection closed by the server") : std::string(tls_->error()));
        return;
      }
      const auto at = Clock::now();
      reader_.feed(std::string_view(buffer, static_cast<std::size_t>(n)),
                   [&](auto event, std::string_view line) {
                     if (event == proto::LineReader::Event::kLine) chat_.receive(line, at);
                     return true;
                   });
    } while (tls_ && tls_->pending());
  }

  client::ChatClient& chat_;
  Front& front_;
  std::string host_, port_;
  TlsSettings tls_settings_;
  std::unique_ptr<TlsStream> tls_;  // with TLS, while connected
  int sock_ = -1;
  std::unique_ptr<net::Dial> dial_;  // a connection attempt in progress
  proto::LineReader reader_{kMaxServerLine};
  bool stdin_open_ = true;
  std::optional<Clock::time_point> quit_deadline_;
};

// The SASL and server passwords into `options`, from files, the environment or a prompt; false
// (the reason on stderr) when one cannot be had.
bool add_passwords(const ChatFlags& flags, const std::string& server, client::ClientOptions& options) {
  if (!flags.password_file.empty() && flags.sasl_user.empty()) {
    std::cerr << "parley chat: --password-file is the password for --sasl-user, which is missing"
              << std::endl;
    return false;
  }
  if (!flags.sasl_user.empty()) {
    std::string error;
    auto password = sasl_password(flags.password_file, flags.sasl_user, error);
    if (!password) {
      std::cerr << "parley chat: " << error << std::endl;
      return false;
    }
    options.sasl_user = flags.sasl_user;
    options.sasl_password = std::move(*password);
  }
  {
    std::string error;
    auto pass = server_password(
        {flags.password, flags.server_password_file, flags.server_password_prompt, server}, error);
    if (!pass) {
      std::cerr << "parley chat: " << error << std::endl;
      return false;
    }
    options.password = std::move(*pass);
  }
  return true;
}

int run_chat(const ChatFlags& flags) {
  std::signal(SIGPIPE, SIG_IGN);
  TlsSettings tls;
  // --insecure and --fingerprint imply TLS, and with it the default port 6697.
  const bool tls_flags = flags.tls || flags.insecure || !flags.fingerprint.empty();
  const auto parsed = client::parse_server_address(flags.target, tls_flags);
  if (const auto* error = std::get_if<std::string>(&parsed)) {
    std::cerr << "parley chat: " << *error << std::endl;
    return 2;
  }
  const client::ServerAddress& server = std::get<client::ServerAddress>(parsed);
  tls.enabled = server.tls;
  tls.insecure = flags.insecure;
  if (!flags.fingerprint.empty()) {
    auto pin = parse_fingerprint(flags.fingerprint);
    if (!pin) {
      std::cerr
          << "parley chat: --fingerprint must be the certificate's SHA-256 as 64 hex digits (colons allowed)"
          << std::endl;
      return 2;
    }
    tls.fingerprint = *pin;
  }
  client::ClientOptions options = client_options(flags, server.host);
  options.address = server.text();
  options.tls = tls.enabled;
  if (!add_passwords(flags, server.text(), options)) return 2;
  client::ChatClient chat(std::move(options));
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
  ChatLoop(chat, *front, server.host, std::to_string(server.port), tls).run();
  front.reset();  // restores the terminal, so that the reason below stays visible
  if (chat.failed()) std::cerr << "parley chat: " << chat.stop_reason() << std::endl;
  return chat.failed() ? 1 : 0;
}

}  // namespace

Subcommand add_chat_command(CLI::App& parent) {
  auto flags = std::make_shared<ChatFlags>();
  CLI::App* cli = parent.add_subcommand("chat", "Terminal IRC client for any IRC server (docs/chat.md)");
  cli->add_option("SERVER", flags->target,
                  "HOST[:PORT], or ircs://HOST[:PORT] for TLS (port 6667, or 6697 with TLS, unless given)")
      ->required();
  cli->add_option("--nick", flags->nick, "Nick (default: your login name, made into a valid nick)");
  cli->add_option("--user", flags->user, "User name (default: the nick)");
  cli->add_option("--realname", flags->realname, "Real name (default: the nick)");
  cli->add_option("--password", flags->password,
                  "Server password (PASS). Other users can read it in ps: prefer --server-password-file, "
                  "--server-password-prompt or $PARLEY_SERVER_PASSWORD");
  cli->add_option("--server-password-file", flags->server_password_file,
                  "File holding the server password (PASS) on one line")
      ->type_name("FILE");
  cli->add_flag("--server-password-prompt", flags->server_password_prompt,
                "Ask for the server password (PASS) on the terminal, without echo");
  cli->add_option("--join", flags->join, "Channels to join once connected, comma separated");
  cli->add_flag("--tls", flags->tls,
                "Connect with TLS (as ircs:// does), verifying the certificate with the system's CAs");
  cli->add_flag("--insecure", flags->insecure, "TLS without verifying the server's certificate at all");
  cli->add_option(
         "--fingerprint", flags->fingerprint,
         "TLS, accepting only the certificate with this SHA-256 fingerprint (hex) instead of a CA check")
      ->type_name("SHA256");
  cli->add_option(
         "--sasl-user", flags->sasl_user,
         "Log in to this account with SASL (SCRAM-SHA-256, or PLAIN over TLS). The password comes from "
         "--password-file, else $PARLEY_PASSWORD, else is asked for; never give it on the command line")
      ->type_name("ACCOUNT");
  cli->add_option("--password-file", flags->password_file, "File holding the SASL password on one line")
      ->type_name("FILE");
  cli->add_flag("--headless", flags->headless,
                "No terminal UI: one line per event on stdout, commands and messages from stdin");
  return Subcommand{cli, [flags] { return run_chat(*flags); }};
}

}  // namespace parley::app
