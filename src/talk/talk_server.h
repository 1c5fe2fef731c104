// `parley talk-server`: the Switchboard (sessions, sans-I/O) on net/'s Listener, Loop and
// Connections, with the operator's console on stdin/stdout.
//
// Each accepted connection is a Switchboard session; its bytes go to Switchboard::receive() and
// the Switchboard's frames go to the connection's bounded send queue. In interactive mode the
// console (ConsoleInput on `console_fd`) is read only while the Switchboard wants an answer;
// each line becomes Switchboard::answer(). SIGINT/SIGTERM (or shutdown()) end every session
// with "ERROR shutdown ...", flush, and make run() return once the connections are gone (at most
// kShutdownGrace later).
//
// Thread: single-threaded, like IrcServer: construct, listen() and run() on one thread. The
// console's helper thread only reads the descriptor and posts what it read.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <optional>
#include <unordered_map>

#include "net/connection.h"
#include "net/listener.h"
#include "net/loop.h"
#include "talk/console_input.h"
#include "talk/switchboard.h"
#include "talk/text.h"

namespace parley::talk {

struct TalkServerOptions {
  SwitchboardOptions switchboard;
  std::size_t sendq_bytes = 1 << 20;
  // Interactive mode: where the operator's answers come from (-1: nowhere, nobody answers).
  int console_fd = 0;
  // Console output (messages, prompts); nullptr discards it.
  std::FILE* console_out = stdout;
  // Handle SIGINT/SIGTERM (off in tests that run several servers in one process).
  bool handle_signals = true;
};

class TalkServer final : private SwitchboardSink, private net::ConnectionObserver {
 public:
  explicit TalkServer(TalkServerOptions options);
  ~TalkServer() override;
  TalkServer(const TalkServer&) = delete;
  TalkServer& operator=(const TalkServer&) = delete;

  // Binds (accepting starts in run()). Returns the bound endpoint, with the real port when `at`
  // has port 0. Throws boost::system::system_error if the address cannot be bound.
  net::tcp::endpoint listen(const net::tcp::endpoint& at);
  // Serves until shut down.
  void run();
  // Starts a graceful shutdown; call on the server's thread (post it to context()).
  void shutdown();

  boost::asio::io_context& context() { return io_; }
  std::size_t session_count() const { return connections_.size(); }

 private:
  // SwitchboardSink
  void send(SessionId to, proto::SharedLine frame) override;
  void close(SessionId who) override;
  void console(std::string_view text) override;
  void log(LogLevel level, std::string_view text) override;
  // net::ConnectionObserver
  void on_data(net::Connection& c, std::string_view bytes) override;
  void on_closed(net::Connection& c, std::string_view reason) override;

  void accept(net::Socket socket);
  void after_event();  // feeds the operator's buffered lines; asks the console for more
  void on_console_data(std::string_view bytes);
  void on_console_end(std::string_view reason);
  void wait_for_signal();
  void finish_shutdown_if_done();

  boost::asio::io_context io_{1};
  net::Loop loop_{io_};
  TalkServerOptions options_;
  net::ConnectionOptions connection_options_;
  Switchboard switchboard_;
  std::vector<net::Listener> listeners_;
  std::unordered_map<SessionId, std::shared_ptr<net::Connection>> connections_;
  LineSplitter console_lines_;
  std::unique_ptr<ConsoleInput> console_input_;
  boost::asio::steady_timer shutdown_timer_{io_};
  std::optional<boost::asio::signal_set> signals_;
  SessionId next_id_ = 1;
  bool echo_answers_ = false;  // console input is no terminal: show the answer after the prompt
  bool running_ = false;
  bool shutting_down_ = false;
};

}  // namespace parley::talk
