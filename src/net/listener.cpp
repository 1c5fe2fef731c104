#include "net/listener.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <chrono>
#include <exception>
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

struct Listener::State {
  State(boost::asio::io_context& io, AcceptHandler accept, ErrorHandler error)
      : acceptor(io), pause(io), on_accept(std::move(accept)), on_error(std::move(error)) {}

  static boost::asio::awaitable<void> accept_loop(std::shared_ptr<State> self);

  Acceptor acceptor;
  boost::asio::steady_timer pause;
  AcceptHandler on_accept;
  ErrorHandler on_error;
  bool started = false;
  bool closed = false;
};

boost::asio::awaitable<void> Listener::State::accept_loop(std::shared_ptr<State> self) {
  const auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
  bool paused = false;  // report each episode of exhaustion once
  while (!self->closed) {
    auto [ec, socket] = co_await self->acceptor.async_accept(token);
    if (self->closed) break;
    if (!ec) {
      paused = false;
      self->on_accept(std::move(socket));
      continue;
    }
    if (is_resource_exhaustion(ec)) {
      if (!paused && self->on_error) {
        self->on_error("accept on " + endpoint_to_string(self->acceptor.local_endpoint()) + ": " +
                       ec.message() + "; pausing new connections until resources free up");
      }
      paused = true;
      self->pause.expires_after(kAcceptPause);
      co_await self->pause.async_wait(token);
      continue;
    }
    // ECONNABORTED and friends concern one peer only: go on accepting.
    if (ec == boost::asio::error::connection_aborted || ec == boost::asio::error::try_again ||
        ec == boost::asio::error::interrupted) {
      continue;
    }
    if (ec == boost::asio::error::operation_aborted) break;
    if (self->on_error) self->on_error("accept: " + ec.message());
    self->pause.expires_after(kAcceptPause);
    co_await self->pause.async_wait(token);
  }
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
  boost::asio::co_spawn(state_->acceptor.get_executor(), State::accept_loop(state_),
                        [](std::exception_ptr e) {
                          if (e) std::rethrow_exception(e);  // an accept handler threw
                        });
}

void Listener::close() {
  if (!state_ || state_->closed) return;
  state_->closed = true;
  boost::system::error_code ec;
  state_->acceptor.close(ec);
  state_->pause.cancel();
}

}  // namespace parley::net
