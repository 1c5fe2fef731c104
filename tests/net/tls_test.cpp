// TLS connections (net/tls.h, Connection with an SSL context) over real loopback sockets. The
// server side runs on the test thread in short slices; the client is OpenSSL on a blocking socket
// in a thread of its own.
#include "net/tls.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "net/connection.h"
#include "net/listener.h"
#include "net/loop.h"

namespace parley::net {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<TlsContext> server_context() {
  std::string error;
  auto made = make_self_signed_certificate("irc.test", 1, error);
  EXPECT_EQ(error, "");
  auto context = TlsContext::from_pem(made.cert_pem, made.key_pem, error);
  EXPECT_NE(context, nullptr) << error;
  return context;
}

int connect_to(const tcp::endpoint& to) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(::connect(fd, to.data(), static_cast<socklen_t>(to.size())), 0);
  return fd;
}

// An OpenSSL client on a blocking socket, for use from a thread of its own.
class Client {
 public:
  explicit Client(const tcp::endpoint& to, bool with_certificate = false) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    if (with_certificate) {
      std::string error;
      auto made = make_self_signed_certificate("alice", 1, error);
      BIO* cb = BIO_new_mem_buf(made.cert_pem.data(), static_cast<int>(made.cert_pem.size()));
      cert_ = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
      BIO_free(cb);
      BIO* kb = BIO_new_mem_buf(made.key_pem.data(), static_cast<int>(made.key_pem.size()));
      EVP_PKEY* key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
      BIO_free(kb);
      SSL_CTX_use_certificate(ctx_, cert_);
      SSL_CTX_use_PrivateKey(ctx_, key);
      EVP_PKEY_free(key);
    }
    fd_ = connect_to(to);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
  }
  ~Client() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    if (cert_) X509_free(cert_);
    ::close(fd_);
  }
  bool handshake() { return SSL_connect(ssl_) == 1; }
  bool write(const std::string& bytes) {
    std::size_t n = 0;
    return SSL_write_ex(ssl_, bytes.data(), bytes.size(), &n) == 1 && n == bytes.size();
  }
  std::string read(std::size_t want) {
    std::string out;
    char buffer[16384];
    while (out.size() < want) {
      std::size_t n = 0;
      if (SSL_read_ex(ssl_, buffer, sizeof buffer, &n) != 1) break;
      out.append(buffer, n);
    }
    return out;
  }
  std::string certificate_fingerprint_hex() const { return certificate_fingerprint(cert_, false); }

 private:
  SSL_CTX* ctx_;
  SSL* ssl_;
  X509* cert_ = nullptr;
  int fd_;
};

class Recorder : public ConnectionObserver {
 public:
  void on_data(Connection& c, std::string_view bytes) override {
    if (!secured) data_before_secured = true;
    data.append(bytes);
    if (on_bytes) on_bytes(c);
  }
  void on_closed(Connection&, std::string_view why) override {
    closed = true;
    reason = why;
  }
  void on_secured(Connection&, std::string_view fp) override {
    secured = true;
    certfp = fp;
  }
  std::string data;
  bool closed = false;
  bool secured = false;
  bool data_before_secured = false;
  std::string reason;
  std::string certfp;
  std::function<void(Connection&)> on_bytes;
};

class TlsConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.handshake_timeout = 300ms;
    listener_ = std::make_unique<Listener>(
        io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0),
        [this](Socket s) {
          connection_ = Connection::create(loop_, std::move(s), recorder_, 1, options_, tls_->native());
          connection_->start();
        },
        [](std::string_view) {});
    listener_->start();
  }

  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_for(5ms);
    }
    return done();
  }

  std::shared_ptr<TlsContext> tls_ = server_context();
  boost::asio::io_context io_{1};
  Loop loop_{io_};
  ConnectionOptions options_;
  Recorder recorder_;
  std::shared_ptr<Connection> connection_;
  std::unique_ptr<Listener> listener_;
};

TEST(TlsContext, FingerprintIsColonSeparatedSha256) {
  auto context = server_context();
  ASSERT_TRUE(context);
  EXPECT_EQ(context->fingerprint().size(), 32u * 3 - 1);
  EXPECT_EQ(context->fingerprint()[2], ':');
}

TEST(TlsContext, RejectsMissingFilesAndGarbage) {
  std::string error;
  EXPECT_EQ(TlsContext::from_files("/nonexistent/cert.pem", "/nonexistent/key.pem", error), nullptr);
  EXPECT_NE(error.find("/nonexistent/cert.pem"), std::string::npos) << error;
  EXPECT_EQ(TlsContext::from_pem("not pem", "not pem", error), nullptr);
}

TEST_F(TlsConnectionTest, HandshakeReportsTheClientCertificateBeforeAnyData) {
  std::atomic<bool> done{false};
  std::string reply, client_fp;
  std::thread client([&] {
    Client c(listener_->local_endpoint(), /*with_certificate=*/true);
    client_fp = c.certificate_fingerprint_hex();
    if (c.handshake() && c.write("hello\r\n")) reply = c.read(6);
    done = true;
  });
  recorder_.on_bytes = [](Connection& c) { c.send(proto::make_line("world\n")); };
  ASSERT_TRUE(run_until([&] { return done.load(); }));
  client.join();
  EXPECT_TRUE(recorder_.secured);
  EXPECT_FALSE(recorder_.data_before_secured);
  EXPECT_EQ(recorder_.certfp, client_fp);
  EXPECT_EQ(recorder_.certfp.size(), 64u);
  EXPECT_EQ(recorder_.data, "hello\r\n");
  EXPECT_EQ(reply, "world\n");
  EXPECT_TRUE(connection_->is_tls());
}

TEST_F(TlsConnectionTest, NoClientCertificateGivesAnEmptyFingerprint) {
  std::atomic<bool> done{false};
  std::thread client([&] {
    Client c(listener_->local_endpoint());
    c.handshake();
    c.write("x\n");
    done = true;
  });
  ASSERT_TRUE(run_until([&] { return done.load() && recorder_.data == "x\n"; }));
  client.join();
  EXPECT_TRUE(recorder_.secured);
  EXPECT_EQ(recorder_.certfp, "");
}

// Much more output than one scratch buffer or one record, to a client that reads slowly: the
// partial-write and write-blocked paths must deliver every byte in order.
TEST_F(TlsConnectionTest, LargeOutputArrivesIntactAndInOrder) {
  std::string expected;
  for (int i = 0; i < 20000; ++i) expected += "line " + std::to_string(i) + " of the fan-out\r\n";
  std::atomic<bool> done{false};
  std::string received;
  std::thread client([&] {
    Client c(listener_->local_endpoint());
    if (c.handshake() && c.write("go\n")) {
      std::this_thread::sleep_for(100ms);  // let the server's socket buffer fill
      received = c.read(expected.size());
    }
    done = true;
  });
  recorder_.on_bytes = [&](Connection& c) {
    for (int i = 0; i < 20000; ++i)
      c.send(proto::make_line("line " + std::to_string(i) + " of the fan-out\r\n"));
  };
  options_.handshake_timeout = 3000ms;
  ASSERT_TRUE(run_until([&] { return done.load(); }, 10000ms));
  client.join();
  EXPECT_EQ(received.size(), expected.size());
  EXPECT_TRUE(received == expected);
  // The client has closed by now; nothing failed on the server's side before that.
  EXPECT_TRUE(!recorder_.closed || recorder_.reason == "Connection closed") << recorder_.reason;
}

// More input in one go than the shared read buffer holds: the rest, decrypted inside OpenSSL
// where epoll cannot see it, is read on the next poll.
TEST_F(TlsConnectionTest, LargeInputArrivesIntact) {
  std::string sent;
  for (int i = 0; i < 10000; ++i) sent += "input line " + std::to_string(i) + "\r\n";
  std::atomic<bool> done{false};
  std::thread client([&] {
    Client c(listener_->local_endpoint());
    if (c.handshake()) c.write(sent);
    done = true;
    c.read(1);  // stay connected until the server closes
  });
  ASSERT_TRUE(run_until([&] { return recorder_.data.size() >= sent.size(); }, 10000ms));
  EXPECT_TRUE(recorder_.data == sent);
  connection_->close();
  client.join();
}

TEST_F(TlsConnectionTest, StalledHandshakeIsClosedAtTheDeadline) {
  const int fd = connect_to(listener_->local_endpoint());  // never says a word
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until([&] { return recorder_.closed; }, 3000ms));
  EXPECT_EQ(recorder_.reason, "TLS handshake timed out");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_FALSE(recorder_.secured);
  ::close(fd);
}

TEST_F(TlsConnectionTest, GarbageInsteadOfAClientHelloIsATlsError) {
  const int fd = connect_to(listener_->local_endpoint());
  const std::string garbage = "NICK x\r\nUSER x 0 * :x\r\n";
  ASSERT_EQ(::send(fd, garbage.data(), garbage.size(), MSG_NOSIGNAL), static_cast<ssize_t>(garbage.size()));
  ASSERT_TRUE(run_until([&] { return recorder_.closed; }, 1000ms));
  EXPECT_EQ(recorder_.reason.rfind("TLS error: ", 0), 0u) << recorder_.reason;
  EXPECT_TRUE(recorder_.data.empty());
  ::close(fd);
}

TEST_F(TlsConnectionTest, LinesSentDuringTheHandshakeWaitForIt) {
  std::atomic<bool> done{false};
  std::string reply;
  listener_ = std::make_unique<Listener>(
      io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0),
      [this](Socket s) {
        connection_ = Connection::create(loop_, std::move(s), recorder_, 1, options_, tls_->native());
        connection_->start();
        connection_->send(proto::make_line("early\r\n"));  // e.g. a notice at connect
      },
      [](std::string_view) {});
  listener_->start();
  options_.handshake_timeout = 3000ms;
  std::thread client([&] {
    Client c(listener_->local_endpoint());
    if (c.handshake()) reply = c.read(7);
    done = true;
  });
  ASSERT_TRUE(run_until([&] { return done.load(); }));
  client.join();
  EXPECT_EQ(reply, "early\r\n");
}

}  // namespace
}  // namespace parley::net
