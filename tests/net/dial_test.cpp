// Tests for net::Dial and net::dial_blocking (src/net/dial.cpp): connects, refusals and
// time-outs, each failure naming host and port.
#include "net/dial.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace parley::net {
namespace {

using namespace std::chrono_literals;

// A loopback TCP socket bound to a free port; listening with the given backlog if >= 0.
struct LocalSocket {
  explicit LocalSocket(int backlog) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t length = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length);
    port = std::to_string(ntohs(a.sin_port));
    if (backlog >= 0) {
      EXPECT_EQ(::listen(fd, backlog), 0);
    }
  }
  ~LocalSocket() { ::close(fd); }
  int fd = -1;
  std::string port;
};

TEST(Dial, ConnectsToAListeningPort) {
  LocalSocket server(8);
  DialResult r = dial_blocking("127.0.0.1", server.port, 2s);
  ASSERT_GE(r.fd, 0) << r.error;
  EXPECT_TRUE(r.error.empty());
  ::close(r.fd);
}

TEST(Dial, RefusedConnectionNamesHostAndPort) {
  LocalSocket bound_only(-1);  // bound, not listening: connections are refused
  DialResult r = dial_blocking("127.0.0.1", bound_only.port, 2s);
  EXPECT_EQ(r.fd, -1);
  EXPECT_EQ(r.error, "cannot connect to 127.0.0.1 port " + bound_only.port + ": Connection refused");
}

TEST(Dial, AnAddressThatNeverAnswersTimesOutAtTheDeadline) {
  // A listener whose backlog is full drops further SYNs: the connect would hang for minutes.
  LocalSocket server(0);
  DialResult first = dial_blocking("127.0.0.1", server.port, 2s);
  ASSERT_GE(first.fd, 0) << first.error;
  const auto start = std::chrono::steady_clock::now();
  DialResult r = dial_blocking("127.0.0.1", server.port, 300ms);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.fd, -1);
  EXPECT_EQ(r.error, "cannot connect to 127.0.0.1 port " + server.port + ": timed out after 300 ms");
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 3s);
  ::close(first.fd);
}

TEST(Dial, NonBlockingDialReportsProgressThroughItsDescriptor) {
  LocalSocket server(8);
  Dial dial("127.0.0.1", server.port, 2s);
  ASSERT_GE(dial.fd(), 0) << dial.error();
  while (!dial.connected() && dial.fd() >= 0) dial.progress(Dial::Clock::now());
  ASSERT_TRUE(dial.connected()) << dial.error();
  const int fd = dial.release();
  EXPECT_EQ(dial.fd(), -1);
  ::close(fd);
}

}  // namespace
}  // namespace parley::net
