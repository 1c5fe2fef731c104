// Tests for net::HttpServer (src/net/http_server.cpp): requests reach the handler, keep-alive,
// and the limits that protect the server's thread (header size, connection cap, request timeout),
// and close() ending everything so that io_context::run() returns.
#include "net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

namespace parley::net {
namespace {

using namespace std::chrono_literals;

// An HttpServer on 127.0.0.1 with its io_context running on a thread of its own; the test talks
// to it over blocking sockets. The server is made before the thread starts and closed on it.
class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpLimits limits = {}) {
    server_.emplace(
        io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0), limits,
        [this](const HttpRequest& r) {
          ++requests_;
          HttpResponse out;
          out.status = r.path() == "/missing" ? 404 : 200;
          out.body = r.method + " " + std::string(r.path()) +
                     " auth=" + std::string(r.header("authorization")) + " body=" + r.body;
          out.headers.emplace_back("X-Test", "yes");
          return out;
        },
        [](std::string_view) {});
    port_ = server_->local_endpoint().port();
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] { server_->close(); });
    thread_.join();  // returns only once nothing of the server is pending
  }

  // A connected client socket with a receive timeout.
  int connect_client() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port_);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    timeval tv{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
  }
  static void send_all(int fd, const std::string& s) {
    ASSERT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
  }
  // Reads one response whose body is `Content-Length` long; "" on EOF/timeout before a header.
  static std::string read_response(int fd) {
    std::string in;
    char buf[4096];
    for (;;) {
      const auto end = in.find("\r\n\r\n");
      if (end != std::string::npos) {
        const auto cl = in.find("Content-Length: ");
        const std::size_t length = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
        if (in.size() >= end + 4 + length) return in.substr(0, end + 4 + length);
      }
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return in;
      in.append(buf, static_cast<std::size_t>(n));
    }
  }
  // True when the server closes the connection (EOF or reset) within the receive timeout.
  static bool closed_by_server(int fd) {
    char buf[512];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

  boost::asio::io_context io_{1};
  std::optional<HttpServer> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::atomic<int> requests_{0};
};

TEST_F(HttpServerTest, AnswersRequestsOnOneKeptAliveConnection) {
  start();
  const int fd = connect_client();
  send_all(fd, "GET /metrics?x=1 HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer abc\r\n\r\n");
  const std::string first = read_response(fd);
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << first;
  EXPECT_NE(first.find("X-Test: yes\r\n"), std::string::npos) << first;
  EXPECT_NE(first.find("GET /metrics auth=Bearer abc body="), std::string::npos) << first;
  send_all(fd, "POST /missing HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
  const std::string second = read_response(fd);
  EXPECT_EQ(second.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << second;
  EXPECT_NE(second.find("POST /missing auth= body=abc"), std::string::npos) << second;
  EXPECT_EQ(requests_, 2);
  ::close(fd);
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  start();
  const int fd = connect_client();
  send_all(fd, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(read_response(fd).rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_TRUE(closed_by_server(fd));
  ::close(fd);
}

TEST_F(HttpServerTest, OversizedHeadersAreAnswered431AndClosed) {
  HttpLimits limits;
  limits.max_header_bytes = 512;
  start(limits);
  const int fd = connect_client();
  send_all(fd, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(1000, 'a') + "\r\n\r\n");
  EXPECT_EQ(read_response(fd).rfind("HTTP/1.1 431", 0), 0u);
  EXPECT_TRUE(closed_by_server(fd));
  EXPECT_EQ(requests_, 0);
  ::close(fd);
}

TEST_F(HttpServerTest, OversizedBodiesAreAnswered413) {
  HttpLimits limits;
  limits.max_body_bytes = 10;
  start(limits);
  const int fd = connect_client();
  send_all(fd, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b'));
  EXPECT_EQ(read_response(fd).rfind("HTTP/1.1 413", 0), 0u);
  EXPECT_EQ(requests_, 0);
  ::close(fd);
}

TEST_F(HttpServerTest, MalformedRequestsAreAnswered400) {
  start();
  const int fd = connect_client();
  send_all(fd, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(read_response(fd).rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_TRUE(closed_by_server(fd));
  ::close(fd);
}

TEST_F(HttpServerTest, ConnectionsBeyondTheCapAreClosedAtAccept) {
  HttpLimits limits;
  limits.max_connections = 1;
  start(limits);
  const int first = connect_client();
  send_all(first, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(read_response(first).rfind("HTTP/1.1 200", 0), 0u);  // `first` is surely accepted
  const int second = connect_client();
  EXPECT_TRUE(closed_by_server(second));
  ::close(first);
  ::close(second);
}

TEST_F(HttpServerTest, ASilentClientIsClosedAfterTheRequestTimeout) {
  HttpLimits limits;
  limits.request_timeout = 200ms;
  start(limits);
  const int fd = connect_client();
  send_all(fd, "GET / HTTP/1.1\r\nHo");  // never finishes its request
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(closed_by_server(fd));
  const auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 2s);
  ::close(fd);
}

TEST_F(HttpServerTest, CloseEndsOpenConnectionsSoRunReturns) {
  start();
  const int fd = connect_client();
  send_all(fd, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(read_response(fd).rfind("HTTP/1.1 200", 0), 0u);
  // TearDown's join would hang if the idle keep-alive connection kept the io_context busy.
  const auto begin = std::chrono::steady_clock::now();
  boost::asio::post(io_, [this] { server_->close(); });
  thread_.join();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);  // not the 10 s request timeout
  EXPECT_TRUE(closed_by_server(fd));
  ::close(fd);
}

}  // namespace
}  // namespace parley::net
