#include "talk/talk_server.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <utility>

#include "net/endpoint.h"

namespace parley::talk {

namespace {
// How long a graceful shutdown waits for clients to take their ERROR frame and close.
constexpr std::chrono::seconds kShutdownGrace{3};
}  // namespace

TalkServer::TalkServer(TalkServerOptions options)
    : options_(std::move(options)),
      switchboard_(options_.switchboard, static_cast<SwitchboardSink&>(*this)),
      console_lines_(std::min(options_.switchboard.max_payload, proto::talk::kMaxPayloadBytes)) {
  connection_options_.sendq_bytes = options_.sendq_bytes;
  if (options_.handle_signals) signals_.emplace(io_, SIGINT, SIGTERM);
  echo_answers_ = options_.console_fd >= 0 && ::isatty(options_.console_fd) == 0;
}

TalkServer::~TalkServer() {
  if (console_input_) console_input_->stop();
}

net::tcp::endpoint TalkServer::listen(const net::tcp::endpoint& at) {
  net::Listener listener(
      io_, at, [this](net::Socket socket) { accept(std::move(socket)); },
      [](std::string_view message) { spdlog::warn("{}", message); });
  auto bound = listener.local_endpoint();
  if (running_) listener.start();
  listeners_.push_back(std::move(listener));
  spdlog::info("listening for talk clients on {}", net::endpoint_to_string(bound));
  return bound;
}

void TalkServer::run() {
  running_ = true;
  for (auto& listener : listeners_) listener.start();
  if (options_.switchboard.mode == TalkMode::kInteractive) {
    if (options_.console_fd >= 0) {
      console_input_ = std::make_unique<ConsoleInput>(
          io_, options_.console_fd, [this](std::string_view bytes) { on_console_data(bytes); },
          [this](std::string_view reason) { on_console_end(reason); });
    } else {
      console_lines_.finish();
    }
  }
  if (signals_) wait_for_signal();
  io_.run();
  if (console_input_) console_input_->stop();
  running_ = false;
}

void TalkServer::accept(net::Socket socket) {
  if (shutting_down_) return;  // the socket closes here
  const SessionId id = next_id_++;
  boost::system::error_code ec;
  const net::tcp::endpoint remote = socket.remote_endpoint(ec);  // unspecified if the peer is gone
  auto connection = net::Connection::create(loop_, std::move(socket), *this, id, connection_options_);
  connections_.emplace(id, connection);
  connection->start();
  switchboard_.connect(id, net::address_to_string(remote.address()), remote.port());
  after_event();
}

void TalkServer::send(SessionId to, proto::SharedLine frame) {
  auto it = connections_.find(to);
  if (it != connections_.end()) it->second->send(std::move(frame));
}

void TalkServer::close(SessionId who) {
  auto it = connections_.find(who);
  if (it != connections_.end()) it->second->close_after_flush();
}

void TalkServer::console(std::string_view text) {
  if (options_.console_out == nullptr) return;
  std::fwrite(text.data(), 1, text.size(), options_.console_out);
  std::fflush(options_.console_out);
}

void TalkServer::log(LogLevel level, std::string_view text) {
  switch (level) {
    case LogLevel::kDebug: spdlog::debug("{}", text); break;
    case LogLevel::kInfo: spdlog::info("{}", text); break;
    case LogLevel::kWarn: spdlog::warn("{}", text); break;
  }
}

void TalkServer::on_data(net::Connection& c, std::string_view bytes) {
  switchboard_.receive(c.id(), bytes);
  after_event();
}

void TalkServer::on_closed(net::Connection& c, std::string_view reason) {
  const SessionId id = c.id();
  spdlog::debug("session {}: connection closed ({})", id, reason);
  switchboard_.disconnect(id, reason);
  connections_.erase(id);  // may drop the last reference to `c`: not used below
  if (shutting_down_) {
    finish_shutdown_if_done();
  } else {
    after_event();
  }
}

void TalkServer::after_event() {
  if (shutting_down_) return;
  while (switchboard_.wants_answer()) {
    auto line = console_lines_.next();
    if (!line) break;
    if (line->too_long) {
      if (echo_answers_) console("(too long)\n");
      switchboard_.answer_too_long();
      continue;
    }
    if (echo_answers_) console(printable(line->text) + "\n");
    switchboard_.answer(line->text);
  }
  if (!switchboard_.wants_answer()) return;
  if (console_lines_.exhausted()) {
    switchboard_.operator_left();
  } else if (console_input_) {
    console_input_->request();
  }
}

void TalkServer::on_console_data(std::string_view bytes) {
  console_lines_.feed(bytes);
  after_event();
}

void TalkServer::on_console_end(std::string_view reason) {
  spdlog::info("console: {}", reason);
  console_lines_.finish();
  after_event();
}

void TalkServer::wait_for_signal() {
  signals_->async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    const char* name = signo == SIGINT ? "SIGINT" : "SIGTERM";
    if (!shutting_down_) {
      spdlog::info("{}: shutting down ({} sessions)", name, connections_.size());
      wait_for_signal();  // before shutdown(), which cancels the wait once nothing is left
      shutdown();
    } else {
      spdlog::warn("{} again: closing {} remaining connections now", name, connections_.size());
      for (auto& [id, connection] : connections_) connection->close();
    }
  });
}

void TalkServer::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  for (auto& listener : listeners_) listener.close();
  if (console_input_) console_input_->stop();
  switchboard_.shutdown();  // ERROR shutdown + close for every session
  shutdown_timer_.expires_after(kShutdownGrace);
  shutdown_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    spdlog::warn("shutdown: closing {} connections that did not finish in time", connections_.size());
    for (auto& [id, connection] : connections_) connection->close();
  });
  finish_shutdown_if_done();
}

void TalkServer::finish_shutdown_if_done() {
  if (!connections_.empty()) return;
  shutdown_timer_.cancel();
  if (signals_) {
    boost::system::error_code ec;
    signals_->cancel(ec);
  }
  spdlog::info("talk server stopped");
}

}  // namespace parley::talk
