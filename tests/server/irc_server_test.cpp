// IrcServer end to end over loopback: the server runs on the test thread, a client thread speaks
// IRC through a blocking socket.
#include "server/irc_server.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <csignal>
#include <future>
#include <string>
#include <thread>

#include "store/memory_store.h"

namespace parley::server {
namespace {

using namespace std::chrono_literals;

class Client {
 public:
  explicit Client(const net::tcp::endpoint& to) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    connected_ = ::connect(fd_, to.data(), static_cast<socklen_t>(to.size())) == 0;
  }
  ~Client() { ::close(fd_); }
  bool connected() const { return connected_; }
  void write(const std::string& s) { ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL); }
  // Reads until `needle` has arrived, EOF, or 3 seconds pass; returns everything read.
  std::string read_until(const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    char buffer[65536];
    while (received_.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      received_.append(buffer, static_cast<std::size_t>(n));
    }
    return received_;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string received_;
};

class IrcServerTest : public ::testing::Test {
 protected:
  IrcServerTest() : server_(options(), store_) {
    endpoint_ = server_.listen(net::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  }

  static ServerOptions options() {
    ServerOptions o;
    o.engine.server_name = "test.server";
    return o;
  }

  // Runs the server until it shuts down; fails (and stops it) after 10 seconds.
  void run_with_watchdog() {
    std::promise<void> done;
    std::thread watchdog([&, finished = done.get_future()]() mutable {
      if (finished.wait_for(10s) == std::future_status::timeout) {
        ADD_FAILURE() << "server did not stop";
        server_.context().stop();
      }
    });
    server_.run();
    done.set_value();
    watchdog.join();
  }

  store::MemoryStore store_;
  IrcServer server_;
  net::tcp::endpoint endpoint_;
};

TEST_F(IrcServerTest, ListensOnAFreePort) { EXPECT_NE(endpoint_.port(), 0); }

TEST_F(IrcServerTest, ShutdownWithoutClientsReturnsFromRun) {
  boost::asio::post(server_.context(), [this] { server_.shutdown("bye"); });
  run_with_watchdog();
  EXPECT_EQ(server_.session_count(), 0u);
}

TEST_F(IrcServerTest, RegistersAnswersPingReportsLongLinesAndSaysErrorOnSigterm) {
  std::string transcript;
  std::thread client_thread([&] {
    Client c(endpoint_);
    ASSERT_TRUE(c.connected());
    c.write("NICK alice\r\nUSER alice 0 * :Alice\r\n");
    c.read_until(" 001 alice ");
    c.write("PRIVMSG alice :" + std::string(10000, 'x') + "\r\nPING :still-here\r\n");
    c.read_until("still-here");
    ::kill(::getpid(), SIGTERM);  // the server's signal_set turns this into a graceful shutdown
    transcript = c.read_until("ERROR ");
  });
  run_with_watchdog();
  client_thread.join();
  EXPECT_NE(transcript.find(" 001 alice "), std::string::npos) << transcript;
  EXPECT_NE(transcript.find(" 417 alice "), std::string::npos) << transcript;
  EXPECT_NE(transcript.find("PONG"), std::string::npos) << transcript;
  EXPECT_NE(transcript.find("ERROR :"), std::string::npos) << transcript;
  EXPECT_EQ(server_.session_count(), 0u);
}

}  // namespace
}  // namespace parley::server
