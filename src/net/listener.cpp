#include "net/listener.h"

#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <string>
#include <utility>

#include "net/endpoint.h"

namespace parley::net {

namespace {
// How long to stop accepting after running out of descriptors or memory.
constexpr std::chrono::milliseconds kAcceptPause{100};

bool is_resource_exhaustion(const boost::system::error_code& ec) {
  if (ec.category() != boost::system::system_category()) return false;
  const int e = ec.value();
  return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}
}  // namespace

using Acceptor = boost::asio::basic_socket_acceptor<tcp, boost::asio::io_context::executor_type>;

// Shared by the Listener handle and the pending accept or pause, so a completion arriving after
// the handle is gone finds valid state (and sees `closed`).
struct Listener::State : std::enable_shared_from_this<Listener::State> {
  State(boost::asio::io_context& io, AcceptHandler accept, ErrorHandler error)
      : acceptor(io), pause(io), on_accept(std::move(accept)), on_error(std::move(error)) {}

  void accept_next();
  void accepted(const boost::system::error_code& ec, Socket socket);
  void pause_then_accept();

  Acceptor acceptor;
  boost::asio::steady_timer pause;
  AcceptHandler on_accept;
  ErrorHandler on_error;
  bool started = false;
  bool closed = false;
  bool exhausted = false;  // report each episode of descriptor exhaustion once
};

// The accept loop: one async_accept outstanding at a time, re-armed after each completion.
// (Completion handlers rather than a coroutine: clang 14's -fsanitize=function cannot compile
// Asio's awaitable frames.)
void Listener::State::accept_next() {
  if (closed) return;
  acceptor.async_accept([self = shared_from_this()](const boost::system::error_code& ec, Socket socket) {
    self->accepted(ec, std::move(socket));
  });
}

void Listener::State::accepted(const boost::system::error_code& ec, Socket socket) {
  if (closed || ec == boost::asio::error::operation_aborted) return;
  if (!ec) {
    exhausted = false;
    on_accept(std::move(socket));
    return accept_next();
  }
  if (is_resource_exhaustion(ec)) {
    if (!exhausted && on_error) {
      on_error("accept on " + endpoint_to_string(acceptor.local_endpoint()) + ": " + ec.message() +
               "; pausing new connections until resources free up");
    }
    exhausted = true;
    return pause_then_accept();
  }
  // ECONNABORTED and friends concern one peer only: go on accepting.
  if (ec == boost::asio::error::connection_aborted || ec == boost::asio::error::try_again ||
      ec == boost::asio::error::interrupted) {
    return accept_next();
  }
  if (on_error) on_error("accept: " + ec.message());
  pause_then_accept();
}

void Listener::State::pause_then_accept() {
  pause.expires_after(kAcceptPause);
  pause.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->accept_next();
  });
}

Listener::Listener(boost::asio::io_context& io, const tcp::endpoint& at, AcceptHandler on_accept,
                   ErrorHandler on_error)
    : state_(std::make_shared<State>(io, std::move(on_accept), std::move(on_error))) {
  Acceptor& acceptor = state_->acceptor;
  acceptor.open(at.protocol());
  acceptor.set_option(Acceptor::reuse_address(true));
  acceptor.bind(at);
  acceptor.listen(Acceptor::max_listen_connections);
}

Listener::~Listener() { close(); }
Listener::Listener(Listener&&) noexcept = default;
Listener& Listener::operator=(Listener&& other) noexcept {
  if (this != &other) {
    close();
    state_ = std::move(other.state_);
  }
  return *this;
}

tcp::endpoint Listener::local_endpoint() const { return state_->acceptor.local_endpoint(); }

void Listener::start() {
  if (!state_ || state_->started || state_->closed) return;
  state_->started = true;
  state_->accept_next();
}

void Listener::close() {
  if (!state_ || state_->closed) return;
  state_->closed = true;
  boost::system::error_code ec;
  state_->acceptor.close(ec);
  state_->pause.cancel();
}

}  // namespace parley::net
