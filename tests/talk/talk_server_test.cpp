// TalkServer and run_talk_client over loopback: the server runs on its own thread, the client on
// another, their consoles are pipes and temporary files. Every wait is bounded.
#include "talk/talk_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "talk/talk_client.h"

namespace parley::talk {
namespace {

using namespace std::chrono_literals;

// The contents written so far to a temporary file.
std::string contents(std::FILE* f) {
  std::string out;
  char buffer[4096];
  off_t at = 0;
  for (;;) {
    const ssize_t n = ::pread(::fileno(f), buffer, sizeof buffer, at);
    if (n <= 0) return out;
    out.append(buffer, static_cast<std::size_t>(n));
    at += n;
  }
}

bool wait_for(std::FILE* f, const std::string& needle, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (contents(f).find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(5ms);
  }
  return contents(f).find(needle) != std::string::npos;
}

struct Pipe {
  Pipe() { EXPECT_EQ(::pipe(fds), 0); }
  ~Pipe() {
    close_write();
    if (fds[0] >= 0) ::close(fds[0]);
  }
  void write(const std::string& text) {
    ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void close_write() {
    if (fds[1] >= 0) ::close(fds[1]);
    fds[1] = -1;
  }
  int read_end() const { return fds[0]; }
  int fds[2] = {-1, -1};
};

struct TempFile {
  TempFile() : f(std::tmpfile()) {}
  ~TempFile() { std::fclose(f); }
  std::FILE* f;
};

class RunningServer {
 public:
  RunningServer(TalkMode mode, int console_fd, std::FILE* console_out) {
    TalkServerOptions options;
    options.switchboard.mode = mode;
    options.console_fd = console_fd;
    options.console_out = console_out;
    options.handle_signals = false;
    server_ = std::make_unique<TalkServer>(options);
    port_ = server_->listen({boost::asio::ip::make_address("127.0.0.1"), 0}).port();
    thread_ = std::thread([this] { server_->run(); });
  }
  ~RunningServer() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    boost::asio::post(server_->context(), [this] { server_->shutdown(); });
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  std::unique_ptr<TalkServer> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// run_talk_client on its own thread, fed through a pipe.
class RunningClient {
 public:
  explicit RunningClient(std::uint16_t port) {
    TalkClientOptions options;
    options.host = "127.0.0.1";
    options.port = port;
    options.input_fd = input.read_end();
    options.out = out.f;
    options.err = err.f;
    status_ = std::async(std::launch::async, [options] { return run_talk_client(options); });
  }
  // End of input makes a client at its prompt hang up, so the future's destructor cannot hang.
  ~RunningClient() { input.close_write(); }
  // The exit status, or -1 if the client has not finished within `timeout`.
  int wait(std::chrono::milliseconds timeout = 5s) {
    if (status_.wait_for(timeout) != std::future_status::ready) return -1;
    return status_.get();
  }
  Pipe input;
  TempFile out;
  TempFile err;

 private:
  std::future<int> status_;
};

TEST(TalkServer, EchoSessionEndsWithHangup) {
  TempFile console;
  RunningServer server(TalkMode::kEcho, -1, console.f);
  RunningClient client(server.port());
  client.input.write("hello\n");
  ASSERT_TRUE(wait_for(client.out.f, "talk server response: hello\n")) << contents(client.out.f);
  client.input.write("hangup\n");
  EXPECT_EQ(client.wait(), 0);
  EXPECT_TRUE(wait_for(console.f, ") hung up\n")) << contents(console.f);
  EXPECT_EQ(contents(client.out.f),
            "enter next message: hello\ntalk server response: hello\nenter next message: hangup\n");
  EXPECT_EQ(contents(client.err.f), "");
}

TEST(TalkServer, EndOfClientInputHangsUp) {
  TempFile console;
  RunningServer server(TalkMode::kEcho, -1, console.f);
  RunningClient client(server.port());
  client.input.write("one\ntwo\n");
  client.input.close_write();
  EXPECT_EQ(client.wait(), 0);
  EXPECT_NE(contents(client.out.f).find("talk server response: two\n"), std::string::npos);
  EXPECT_TRUE(wait_for(console.f, ") hung up\n"));
}

TEST(TalkServer, OperatorAnswersFromTheConsole) {
  Pipe operator_input;
  TempFile console;
  RunningServer server(TalkMode::kInteractive, operator_input.read_end(), console.f);
  RunningClient client(server.port());
  client.input.write("hello\n");
  ASSERT_TRUE(wait_for(console.f, "sent message: hello\nenter next message: ")) << contents(console.f);
  operator_input.write("hi there\n");
  ASSERT_TRUE(wait_for(client.out.f, "talk server response: hi there\n")) << contents(client.out.f);
  // Piped console input is shown after the prompt, as a terminal would echo it.
  EXPECT_NE(contents(console.f).find("enter next message: hi there\n"), std::string::npos);
  client.input.write("hangup\n");
  EXPECT_EQ(client.wait(), 0);
}

TEST(TalkServer, ClientReportsAServerThatShutsDown) {
  TempFile console;
  RunningServer server(TalkMode::kEcho, -1, console.f);
  RunningClient client(server.port());
  client.input.write("hello\n");
  ASSERT_TRUE(wait_for(client.out.f, "talk server response: hello\n"));
  server.stop();  // the client sits at its prompt
  EXPECT_EQ(client.wait(), 1);
  EXPECT_NE(
      contents(client.err.f)
          .find("talk: the talk server ended the session (shutdown): the talk server is shutting down\n"),
      std::string::npos)
      << contents(client.err.f);
}

TEST(TalkClient, ReportsAServerThatCannotBeReached) {
  std::uint16_t port;
  {
    TempFile console;
    RunningServer server(TalkMode::kEcho, -1, console.f);
    port = server.port();
  }
  RunningClient client(port);
  EXPECT_EQ(client.wait(), 1);
  EXPECT_NE(contents(client.err.f).find("talk: cannot connect to 127.0.0.1 port"), std::string::npos)
      << contents(client.err.f);
}

}  // namespace
}  // namespace parley::talk
