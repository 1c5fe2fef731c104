#include "talk/talk_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string_view>

#include "net/dial.h"
#include "talk/client_session.h"
#include "talk/text.h"

namespace parley::talk {

namespace {

using tcp = boost::asio::ip::tcp;
constexpr std::string_view kPrompt = "enter next message: ";
// After HANGUP: how long to wait for the server to close before leaving anyway.
constexpr int kHangupWaitMs = 2000;

class Client {
 public:
  Client(const TalkClientOptions& options, tcp::socket& socket)
      : options_(options),
        socket_(socket),
        fd_(socket.native_handle()),
        lines_(proto::talk::kMaxPayloadBytes),
        echo_input_(::isatty(options.input_fd) == 0) {}

  int run();

 private:
  enum class Wait : std::uint8_t { kGotLine, kEndOfInput, kSessionOver };

  void print(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), options_.out);
    std::fflush(options_.out);
  }
  void complain(std::string_view text) {
    std::fflush(options_.out);
    std::fprintf(options_.err, "talk: %.*s\n", static_cast<int>(text.size()), text.data());
    std::fflush(options_.err);
  }

  Wait wait_for_line(std::optional<LineSplitter::Line>& line);
  bool wait_for_response();
  // Reads once from the server and shows what came. Returns false when the session is over.
  bool read_from_server(bool prompt_showing, bool& got_response);
  bool send_all(std::string_view bytes);
  // "host:port", "[v6]:port".
  std::string where() const {
    const std::string port = std::to_string(options_.port);
    if (options_.host.find(':') != std::string::npos) return "[" + options_.host + "]:" + port;
    return options_.host + ":" + port;
  }
  void hang_up(const std::string& frame);

  const TalkClientOptions& options_;
  tcp::socket& socket_;
  int fd_;
  ClientSession session_;
  LineSplitter lines_;
  bool echo_input_;
};

int Client::run() {
  for (;;) {
    print(kPrompt);
    std::optional<LineSplitter::Line> line;
    switch (wait_for_line(line)) {
      case Wait::kSessionOver: return 1;
      case Wait::kEndOfInput:
        print("\n");
        hang_up(session_.hangup());
        return 0;
      case Wait::kGotLine: break;
    }
    if (echo_input_) print(line->too_long ? "(too long)\n" : printable(line->text) + "\n");
    if (line->too_long) {
      complain("message too long (over " + std::to_string(proto::talk::kMaxPayloadBytes) +
               " bytes); not sent");
      continue;
    }
    ClientSession::Outgoing out = session_.user_line(line->text);
    if (!out.problem.empty()) {
      complain(out.problem);
      continue;
    }
    if (out.hangup) {
      hang_up(out.frame);
      return 0;
    }
    if (!send_all(out.frame) || !wait_for_response()) return 1;
  }
}

Client::Wait Client::wait_for_line(std::optional<LineSplitter::Line>& line) {
  std::array<char, 64 * 1024> buffer;
  for (;;) {
    line = lines_.next();
    if (line) return Wait::kGotLine;
    if (lines_.finished()) return Wait::kEndOfInput;
    std::array<pollfd, 2> fds{pollfd{options_.input_fd, POLLIN, 0}, pollfd{fd_, POLLIN, 0}};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      complain(std::string("poll: ") + std::strerror(errno));
      return Wait::kSessionOver;
    }
    if (fds[1].revents != 0) {
      bool got_response = false;
      if (!read_from_server(/*prompt_showing=*/true, got_response)) return Wait::kSessionOver;
    }
    if (fds[0].revents != 0) {
      const ssize_t n = ::read(options_.input_fd, buffer.data(), buffer.size());
      if (n > 0) {
        lines_.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        lines_.finish();
      }
    }
  }
}

bool Client::wait_for_response() {
  bool got_response = false;
  while (!got_response) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, -1) < 0) {
      if (errno == EINTR) continue;
      complain(std::string("poll: ") + std::strerror(errno));
      return false;
    }
    if (!read_from_server(/*prompt_showing=*/false, got_response)) return false;
  }
  return true;
}

bool Client::read_from_server(bool prompt_showing, bool& got_response) {
  std::array<char, 64 * 1024> buffer;
  boost::system::error_code ec;
  const std::size_t n = socket_.read_some(boost::asio::buffer(buffer), ec);
  if (ec == boost::asio::error::interrupted || ec == boost::asio::error::would_block) return true;
  if (prompt_showing && (ec || n > 0)) print("\n");
  if (ec == boost::asio::error::eof) {
    complain("the talk server closed the connection");
    return false;
  }
  if (ec) {
    complain("connection to the talk server lost: " + ec.message());
    return false;
  }
  bool over = false;
  session_.receive(std::string_view(buffer.data(), n), [&](const ClientSession::Event& event) {
    using Kind = ClientSession::Event::Kind;
    switch (event.kind) {
      case Kind::kResponse:
        print("talk server response: " + printable(event.text) + "\n");
        got_response = true;
        break;
      case Kind::kQueued: print("talk server: " + printable(event.text) + "\n"); break;
      case Kind::kServerError:
        complain("the talk server ended the session" +
                 (event.code.empty() ? std::string() : " (" + printable(event.code) + ")") +
                 (event.text.empty() ? std::string() : ": " + printable(event.text)));
        over = true;
        break;
      case Kind::kNotTalk:
        complain(where() + " does not speak the talk protocol (it sent \"" + printable(event.text) +
                 "\"); is it the right port?");
        over = true;
        break;
      case Kind::kProtocolError:
        complain("protocol error from the talk server: " + printable(event.text));
        over = true;
        break;
    }
  });
  if (over) return false;
  if (prompt_showing) print(kPrompt);
  return true;
}

bool Client::send_all(std::string_view bytes) {
  boost::system::error_code ec;
  boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size()), ec);
  if (!ec) return true;
  complain("connection to the talk server lost: " + ec.message());
  return false;
}

// HANGUP, then half-close and wait (bounded) for the server's close, so the frame is not lost
// to a reset. Whatever the server says meanwhile is ignored: the user is leaving.
void Client::hang_up(const std::string& frame) {
  boost::system::error_code ec;
  boost::asio::write(socket_, boost::asio::buffer(frame), ec);
  if (ec) return;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kHangupWaitMs);
  std::array<char, 4096> buffer;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n <= 0 && !(n < 0 && errno == EINTR)) return;
  }
}

}  // namespace

int run_talk_client(const TalkClientOptions& options) {
  // Bounded: an address that drops packets is given up after net::kDialTimeout, not minutes.
  net::DialResult dialed = net::dial_blocking(options.host, std::to_string(options.port));
  if (dialed.fd < 0) {
    std::fprintf(options.err, "talk: %s\n", dialed.error.c_str());
    std::fflush(options.err);
    return 1;
  }
  boost::asio::io_context io{1};
  boost::system::error_code ec;
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  ::getsockname(dialed.fd, reinterpret_cast<sockaddr*>(&local), &length);
  tcp::socket socket(io);
  socket.assign(local.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), dialed.fd, ec);
  if (ec) {
    ::close(dialed.fd);
    std::fprintf(options.err, "talk: %s\n", ec.message().c_str());
    std::fflush(options.err);
    return 1;
  }
  socket.set_option(tcp::no_delay(true), ec);
  Client client(options, socket);
  return client.run();
}

}  // namespace parley::talk
