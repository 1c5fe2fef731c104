// Connection and Listener over real loopback sockets. The io_context runs on the test thread in
// short slices; the peer is a plain blocking POSIX socket.
#include "net/connection.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/endpoint.h"
#include "net/listener.h"
#include "net/loop.h"

namespace parley::net {
namespace {

using namespace std::chrono_literals;

class Peer {
 public:
  explicit Peer(const tcp::endpoint& to) {
    fd_ = ::socket(to.protocol().family(), SOCK_STREAM, 0);
    EXPECT_EQ(::connect(fd_, to.data(), static_cast<socklen_t>(to.size())), 0);
  }
  ~Peer() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void write(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  }
  void set_receive_buffer(int bytes) { ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes); }
  // Reads until EOF, `want` bytes, or `timeout` without data. `eof` tells which.
  std::string read(std::size_t want, std::chrono::milliseconds timeout, bool* eof = nullptr) {
    std::string out;
    char buffer[65536];
    while (out.size() < want) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) break;
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        if (eof) *eof = true;
        break;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
};

class Recorder : public ConnectionObserver {
 public:
  void on_data(Connection& c, std::string_view bytes) override {
    data.append(bytes);
    if (on_bytes) on_bytes(c);
  }
  void on_closed(Connection&, std::string_view why) override {
    EXPECT_FALSE(closed) << "on_closed twice";
    closed = true;
    reason = why;
  }
  std::string data;
  bool closed = false;
  std::string reason;
  std::function<void(Connection&)> on_bytes;
};

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener_ = std::make_unique<Listener>(
        io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0),
        [this](Socket s) {
          connection_ = Connection::create(loop_, std::move(s), recorder_, 7, options_);
          if (before_start_) before_start_(*connection_);
          connection_->start();
          ended_inside_start_ = recorder_.closed;
        },
        [](std::string_view) {});
    listener_->start();
  }

  // Runs the loop until `done` holds or two seconds pass.
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_for(5ms);
    }
    return done();
  }

  std::unique_ptr<Peer> connect() {
    auto peer = std::make_unique<Peer>(listener_->local_endpoint());
    EXPECT_TRUE(run_until([&] { return connection_ != nullptr; }));
    return peer;
  }

  static SharedLine line(std::string text) { return proto::make_line(std::move(text)); }

  boost::asio::io_context io_{1};
  Loop loop_{io_};
  ConnectionOptions options_;
  std::function<void(Connection&)> before_start_;
  bool ended_inside_start_ = false;
  Recorder recorder_;
  std::shared_ptr<Connection> connection_;
  std::unique_ptr<Listener> listener_;
};

TEST(Endpoint, FormatsIpv6InBracketsAndUnmapsIpv4) {
  auto v6 = tcp::endpoint(boost::asio::ip::make_address("::1"), 6667);
  EXPECT_EQ(endpoint_to_string(v6), "[::1]:6667");
  EXPECT_EQ(address_to_string(boost::asio::ip::make_address("::ffff:192.0.2.1")), "192.0.2.1");
  EXPECT_FALSE(parse_address("localhost"));
}

TEST_F(ConnectionTest, ListenerOnPortZeroReportsTheBoundPort) {
  EXPECT_NE(listener_->local_endpoint().port(), 0);
}

TEST_F(ConnectionTest, DeliversBytesAndSendsQueuedLinesInOrder) {
  auto peer = connect();
  peer->write("hello\r\n");
  ASSERT_TRUE(run_until([&] { return recorder_.data == "hello\r\n"; }));
  std::string expected;
  for (int i = 0; i < 3000; ++i) {  // more than one gathered write (Loop::kMaxIov)
    std::string text = "line " + std::to_string(i) + "\r\n";
    expected += text;
    ASSERT_TRUE(connection_->send(line(text)));
  }
  std::string got;
  ASSERT_TRUE(run_until([&] {
    got += peer->read(expected.size() - got.size(), 1ms);
    return got.size() >= expected.size();
  }));
  EXPECT_EQ(got, expected);
  EXPECT_EQ(connection_->queued_bytes(), 0u);
}

TEST_F(ConnectionTest, PeerEofEndsWithConnectionClosed) {
  auto peer = connect();
  peer->close();
  ASSERT_TRUE(run_until([&] { return recorder_.closed; }));
  EXPECT_EQ(recorder_.reason, "Connection closed");
  EXPECT_FALSE(connection_->send(line("late\r\n")));
}

TEST_F(ConnectionTest, SendQueueOverflowClosesWithReasonLater) {
  options_.sendq_bytes = 64 * 1024;
  auto peer = connect();
  peer->set_receive_buffer(4096);
  const std::string chunk(1000, 'x');
  bool refused = false;
  // The peer reads nothing: the kernel buffers fill, then the queue.
  for (int i = 0; i < 100000 && !refused; ++i) {
    refused = !connection_->send(line(chunk));
    EXPECT_FALSE(recorder_.closed) << "on_closed must not run inside send()";
    if (i % 64 == 0) {
      io_.restart();
      io_.poll();
    }
  }
  ASSERT_TRUE(refused);
  EXPECT_FALSE(connection_->is_open());
  ASSERT_TRUE(run_until([&] { return recorder_.closed; }));
  EXPECT_EQ(recorder_.reason, "SendQ exceeded");
}

TEST_F(ConnectionTest, CloseAfterFlushDeliversEverythingThenFin) {
  auto peer = connect();
  const std::string big(300 * 1024, 'z');
  ASSERT_TRUE(connection_->send(line(big)));
  ASSERT_TRUE(connection_->send(line("ERROR :bye\r\n")));
  connection_->close_after_flush();
  EXPECT_FALSE(connection_->send(line("dropped\r\n")));
  std::string got;
  bool eof = false;
  ASSERT_TRUE(run_until([&] {
    got += peer->read(SIZE_MAX, 1ms, &eof);
    return eof;
  }));
  EXPECT_EQ(got, big + "ERROR :bye\r\n");
  EXPECT_FALSE(recorder_.closed) << "waits for the peer to close";
  peer->close();
  ASSERT_TRUE(run_until([&] { return recorder_.closed; }));
  EXPECT_EQ(recorder_.reason, "Closed by server");
}

TEST_F(ConnectionTest, CloseAfterFlushGivesUpOnAPeerThatNeverCloses) {
  options_.close_timeout = 300ms;
  auto peer = connect();
  connection_->close_after_flush();
  ASSERT_TRUE(run_until([&] { return recorder_.closed; }));
  EXPECT_EQ(loop_.closing_count(), 0u);
}

TEST_F(ConnectionTest, InputAfterCloseRequestIsNotDelivered) {
  auto peer = connect();
  recorder_.on_bytes = [](Connection& c) { c.close_after_flush(); };
  peer->write("QUIT\r\n");
  ASSERT_TRUE(run_until([&] { return !recorder_.data.empty(); }));
  peer->write("more\r\n");
  peer->close();
  ASSERT_TRUE(run_until([&] { return recorder_.closed; }));
  EXPECT_EQ(recorder_.data, "QUIT\r\n");
}

TEST_F(ConnectionTest, ReadsInputLeftInTheSocketWithoutNewArrivals) {
  // Input is level-triggered and read once per wake-up: what is left in the socket must be read
  // by later polls although nothing new arrives. 1.5 read buffers, all in the kernel before the
  // loop runs again.
  auto peer = connect();
  const std::string burst(Loop::kReadBufferBytes * 3 / 2, 'b');
  peer->write(burst);
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(run_until([&] { return recorder_.data.size() >= burst.size(); }))
      << recorder_.data.size() << " of " << burst.size();
  EXPECT_EQ(recorder_.data, burst);
}

TEST_F(ConnectionTest, PausedInputWaitsInTheSocketOutputStillFlowsResumeReadsIt) {
  auto peer = connect();
  recorder_.on_bytes = [](Connection& c) { c.pause_input(true); };
  peer->write("first\r\n");
  ASSERT_TRUE(run_until([&] { return recorder_.data == "first\r\n"; }));
  recorder_.on_bytes = nullptr;
  peer->write("second\r\n");
  EXPECT_FALSE(run_until([&] { return recorder_.data.size() > 7; }));  // two seconds: nothing read
  ASSERT_TRUE(connection_->send(line("still talking\r\n")));
  std::string got;
  ASSERT_TRUE(run_until([&] {
    got += peer->read(15 - got.size(), 1ms);
    return got.size() >= 15;
  }));
  EXPECT_EQ(got, "still talking\r\n");
  connection_->pause_input(false);
  ASSERT_TRUE(run_until([&] { return recorder_.data == "first\r\nsecond\r\n"; })) << recorder_.data;
}

TEST_F(ConnectionTest, PausedInputStillNoticesTheHangUp) {
  auto peer = connect();
  recorder_.on_bytes = [](Connection& c) { c.pause_input(true); };
  peer->write("first\r\n");
  ASSERT_TRUE(run_until([&] { return !recorder_.data.empty(); }));
  peer->write("last words\r\n");
  peer->close();
  ASSERT_TRUE(run_until([&] { return recorder_.closed; }));
  EXPECT_EQ(recorder_.data, "first\r\nlast words\r\n");
}

TEST_F(ConnectionTest, TheEndIsReportedAfterTheOwnerDropsItsPointer) {
  auto peer = connect();
  std::weak_ptr<Connection> weak = connection_;
  connection_.reset();
  EXPECT_FALSE(weak.expired()) << "the loop holds an open connection";
  EXPECT_EQ(loop_.open_count(), 1u);
  peer->close();
  ASSERT_TRUE(run_until([&] { return recorder_.closed; }));
  EXPECT_EQ(recorder_.reason, "Connection closed");
  EXPECT_TRUE(weak.expired());
  EXPECT_EQ(loop_.open_count(), 0u);
}

TEST_F(ConnectionTest, ConnectionsOnOneLoopAreServedIndependently) {
  // Forty peers, each with its own connection and recorder; one floods, the others speak once.
  constexpr int kPeers = 40;
  std::vector<std::unique_ptr<Recorder>> recorders;
  std::vector<std::shared_ptr<Connection>> connections;
  Listener listener(
      io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0),
      [&](Socket s) {
        recorders.push_back(std::make_unique<Recorder>());
        connections.push_back(
            Connection::create(loop_, std::move(s), *recorders.back(), connections.size(), options_));
        connections.back()->start();
      },
      [](std::string_view) {});
  listener.start();
  std::vector<std::unique_ptr<Peer>> peers;
  for (int i = 0; i < kPeers; ++i) peers.push_back(std::make_unique<Peer>(listener.local_endpoint()));
  ASSERT_TRUE(run_until([&] { return connections.size() == kPeers; }));
  const std::string flood(4 * Loop::kReadBufferBytes, 'f');
  std::thread flooder([&] { peers[0]->write(flood); });
  for (int i = 1; i < kPeers; ++i) peers[static_cast<std::size_t>(i)]->write("hi " + std::to_string(i));
  const bool all = run_until([&] {
    for (std::size_t i = 0; i < connections.size(); ++i) {
      const std::string want = i == 0 ? flood : "hi " + std::to_string(i);
      if (recorders[i]->data != want) return false;
    }
    return true;
  });
  flooder.join();
  ASSERT_TRUE(all);
  for (int i = 0; i < kPeers; i += 2) connections[static_cast<std::size_t>(i)]->close();
  for (int i = 1; i < kPeers; i += 2) peers[static_cast<std::size_t>(i)]->close();
  ASSERT_TRUE(run_until([&] {
    for (auto& r : recorders)
      if (!r->closed) return false;
    return true;
  }));
  EXPECT_EQ(recorders[0]->reason, "Closed by server");
  EXPECT_EQ(recorders[1]->reason, "Connection closed");
  EXPECT_EQ(loop_.open_count(), 0u);
}

TEST_F(ConnectionTest, AConnectionClosedBeforeItStartsStillEndsOnce) {
  before_start_ = [](Connection& c) { c.close(); };
  auto peer = connect();
  EXPECT_FALSE(ended_inside_start_) << "on_closed() must not run inside start()";
  ASSERT_TRUE(run_until([&] { return recorder_.closed; }));
  EXPECT_EQ(recorder_.reason, "Closed by server");
  EXPECT_EQ(loop_.open_count(), 0u);
  bool eof = false;
  peer->read(1, 1s, &eof);
  EXPECT_TRUE(eof);
}

TEST_F(ConnectionTest, RunReturnsOnceEverythingIsClosed) {
  auto peer = connect();
  connection_->send(line("x\r\n"));
  connection_->close();
  listener_->close();
  io_.restart();
  const auto start = std::chrono::steady_clock::now();
  io_.run();  // must not hang: no coroutine or timer outlives the connection and the listener
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_TRUE(recorder_.closed);
  EXPECT_EQ(recorder_.reason, "Closed by server");
}

}  // namespace
}  // namespace parley::net
