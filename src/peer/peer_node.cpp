#include "peer/peer_node.h"

#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <csignal>

#include "net/endpoint.h"

namespace parley::peer {

struct PeerNode::Dial {
  explicit Dial(boost::asio::io_context& io) : resolver(io), socket(io.get_executor()), timer(io) {}
  net::tcp::resolver resolver;
  net::Socket socket;
  boost::asio::steady_timer timer;
  bool cancelled = false;
};

PeerNode::PeerNode(PeerNodeOptions options) : options_(std::move(options)) {
  connection_options_.sendq_bytes = options_.sendq_bytes;
  connection_options_.close_timeout = std::chrono::milliseconds(1500);
  if (options_.handle_signals) signals_.emplace(io_, SIGINT, SIGTERM);
}

PeerNode::~PeerNode() = default;

net::tcp::endpoint PeerNode::listen(const net::tcp::endpoint& at) {
  listener_.emplace(
      io_, at, [this](net::Socket socket) { accept(std::move(socket)); },
      [](std::string_view message) { spdlog::warn("{}", message); });
  const auto bound = listener_->local_endpoint();
  port_ = bound.port();
  options_.mesh.listen_port = port_;
  mesh_.emplace(options_.mesh, static_cast<MeshSink&>(*this));
  for (const auto& seed : options_.seeds) mesh_->add_seed(seed);
  return bound;
}

void PeerNode::run() {
  listener_->start();
  if (signals_) {
    signals_->async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) quit();
    });
  }
  start_tick();
  boost::asio::post(io_, [this] {
    mesh_->tick(Clock::now());
    after_event();
  });
  io_.run();
}

void PeerNode::start_tick() {
  tick_timer_.expires_after(options_.tick_every);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || quitting_) return;
    mesh_->tick(Clock::now());
    after_event();
    start_tick();
  });
}

void PeerNode::say(std::string_view text) {
  if (quitting_ || !mesh_) return;
  const auto unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  if (!mesh_->say(text, static_cast<std::uint64_t>(unix_ms), Clock::now())) {
    info("message not sent: it must be 1 to " + std::to_string(proto::mesh::kMaxTextBytes) + " bytes");
  }
  after_event();
}

void PeerNode::quit() {
  if (quitting_) return;
  quitting_ = true;
  if (events_.quitting) events_.quitting();
  if (listener_) listener_->close();
  tick_timer_.cancel();
  if (signals_) {
    boost::system::error_code ec;
    signals_->cancel(ec);
  }
  if (mesh_) mesh_->leave();
  for (auto& [id, d] : dials_) {
    d->cancelled = true;
    d->resolver.cancel();
    boost::system::error_code ec;
    d->socket.close(ec);
    d->timer.cancel();
  }
  finish_if_done();
}

void PeerNode::finish_if_done() {
  if (quitting_ && connections_.empty() && dials_.empty()) spdlog::debug("peer stopped");
}

void PeerNode::accept(net::Socket socket) {
  if (quitting_) return;
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;
  const LinkId id = mesh_->accepted(Clock::now());
  auto connection = net::Connection::create(loop_, std::move(socket), *this, id, connection_options_);
  connections_.emplace(id, connection);
  connection->start();
  mesh_->link_up(id, net::address_to_string(remote.address()), Clock::now());
  after_event();
}

void PeerNode::send(LinkId link, proto::SharedLine frame) {
  auto it = connections_.find(link);
  if (it != connections_.end()) it->second->send(std::move(frame));
}

void PeerNode::close(LinkId link) {
  if (auto it = connections_.find(link); it != connections_.end()) {
    it->second->close_after_flush();
    return;
  }
  if (auto it = dials_.find(link); it != dials_.end()) {
    auto d = it->second;
    d->cancelled = true;
    d->resolver.cancel();
    boost::system::error_code ec;
    d->socket.close(ec);
    d->timer.cancel();
  }
}

void PeerNode::dial(LinkId link, const PeerAddress& to) {
  auto d = std::make_shared<Dial>(io_);
  dials_.emplace(link, d);
  d->timer.expires_after(options_.dial_timeout);
  d->timer.async_wait([d](const boost::system::error_code& ec) {
    if (ec) return;
    d->resolver.cancel();
    boost::system::error_code ignored;
    d->socket.close(ignored);
  });
  d->resolver.async_resolve(
      to.host, std::to_string(to.port),
      [this, link, d](const boost::system::error_code& ec, net::tcp::resolver::results_type results) {
        if (ec || d->cancelled) {
          dial_done(link, ec ? ec : boost::asio::error::operation_aborted);
          return;
        }
        boost::asio::async_connect(d->socket, results,
                                   [this, link](const boost::system::error_code& ec2,
                                                const net::tcp::endpoint&) { dial_done(link, ec2); });
      });
}

void PeerNode::dial_done(LinkId id, const boost::system::error_code& ec) {
  auto it = dials_.find(id);
  if (it == dials_.end()) return;
  auto d = it->second;
  dials_.erase(it);
  d->timer.cancel();
  const auto now = Clock::now();
  if (d->cancelled) {
    mesh_->link_down(id, "cancelled", now);
    finish_if_done();
    return;
  }
  if (ec) {
    mesh_->link_down(id, ec == boost::asio::error::operation_aborted ? "timed out" : ec.message(), now);
    after_event();
    return;
  }
  boost::system::error_code ep_ec;
  const auto remote = d->socket.remote_endpoint(ep_ec);
  if (ep_ec) {
    mesh_->link_down(id, ep_ec.message(), now);
    after_event();
    return;
  }
  auto connection = net::Connection::create(loop_, std::move(d->socket), *this, id, connection_options_);
  connections_.emplace(id, connection);
  connection->start();
  mesh_->link_up(id, net::address_to_string(remote.address()), now);
  after_event();
}

void PeerNode::deliver(const ChatLine& line) {
  if (events_.chat) events_.chat(line);
}

void PeerNode::info(std::string_view text) {
  spdlog::info("{}", text);
  if (events_.info) events_.info(text);
}

void PeerNode::log(LogLevel level, std::string_view text) {
  switch (level) {
    case LogLevel::kDebug: spdlog::debug("{}", text); break;
    case LogLevel::kInfo: spdlog::info("{}", text); break;
    case LogLevel::kWarn: spdlog::warn("{}", text); break;
  }
}

void PeerNode::on_data(net::Connection& c, std::string_view bytes) {
  mesh_->link_data(c.id(), bytes, Clock::now());
  after_event();
}

void PeerNode::on_closed(net::Connection& c, std::string_view reason) {
  const LinkId id = c.id();
  mesh_->link_down(id, reason, Clock::now());
  connections_.erase(id);  // may drop the last reference to `c`
  after_event();
  finish_if_done();
}

void PeerNode::after_event() {
  if (!mesh_) return;
  const std::size_t n = mesh_->neighbour_count();
  if (n != shown_neighbours_) {
    shown_neighbours_ = n;
    if (events_.neighbours) events_.neighbours(n);
  }
}

}  // namespace parley::peer
