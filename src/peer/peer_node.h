// `parley peer`'s network side: the Mesh (sans-I/O) on net/'s Listener, Loop and Connections,
// with outgoing dials (resolve + connect, bounded by dial_timeout) and a 100 ms tick. The front
// end (headless lines or the terminal UI) gets chat lines, info lines and the neighbour count
// through PeerEvents, and calls say() / quit().
//
// Quitting sends BYE quit to every neighbour, flushes, and makes run() return once every
// connection has closed (at most ConnectionOptions::close_timeout later).
//
// Thread: single-threaded: construct, listen(), run() and every call on one thread (the front
// end posts to context() from elsewhere).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/connection.h"
#include "net/listener.h"
#include "net/loop.h"
#include "peer/mesh.h"

namespace parley::peer {

struct PeerNodeOptions {
  MeshOptions mesh;  // listen_port is filled in by listen()
  std::vector<PeerAddress> seeds;
  std::size_t sendq_bytes = 16 << 20;
  std::chrono::milliseconds dial_timeout{3000};
  std::chrono::milliseconds tick_every{100};
  bool handle_signals = true;  // SIGINT/SIGTERM quit
};

struct PeerEvents {
  std::function<void(const ChatLine&)> chat;
  std::function<void(std::string_view)> info;
  std::function<void(std::size_t neighbours)> neighbours;
  std::function<void()> quitting;  // quit() has begun: stop reading input
};

class PeerNode final : private MeshSink, private net::ConnectionObserver {
 public:
  explicit PeerNode(PeerNodeOptions options);
  ~PeerNode() override;
  PeerNode(const PeerNode&) = delete;
  PeerNode& operator=(const PeerNode&) = delete;

  void set_events(PeerEvents events) { events_ = std::move(events); }
  // Binds the listener. Throws boost::system::system_error when it cannot.
  net::tcp::endpoint listen(const net::tcp::endpoint& at);
  // Runs until quit() has finished.
  void run();
  void say(std::string_view text);
  void quit();

  boost::asio::io_context& context() { return io_; }
  std::uint16_t port() const { return port_; }
  std::size_t neighbour_count() const { return mesh_ ? mesh_->neighbour_count() : 0; }

 private:
  struct Dial;
  // MeshSink
  void send(LinkId link, proto::SharedLine frame) override;
  void close(LinkId link) override;
  void dial(LinkId link, const PeerAddress& to) override;
  void deliver(const ChatLine& line) override;
  void info(std::string_view text) override;
  void log(LogLevel level, std::string_view text) override;
  // net::ConnectionObserver
  void on_data(net::Connection& c, std::string_view bytes) override;
  void on_closed(net::Connection& c, std::string_view reason) override;

  void accept(net::Socket socket);
  void dial_done(LinkId id, const boost::system::error_code& ec);
  void start_tick();
  void after_event();
  void finish_if_done();

  boost::asio::io_context io_{1};
  net::Loop loop_{io_};
  PeerNodeOptions options_;
  net::ConnectionOptions connection_options_;
  std::optional<Mesh> mesh_;
  PeerEvents events_;
  std::optional<net::Listener> listener_;
  std::map<LinkId, std::shared_ptr<net::Connection>> connections_;
  std::map<LinkId, std::shared_ptr<Dial>> dials_;
  boost::asio::steady_timer tick_timer_{io_};
  std::optional<boost::asio::signal_set> signals_;
  std::uint16_t port_ = 0;
  std::size_t shown_neighbours_ = 0;
  bool quitting_ = false;
};

}  // namespace parley::peer
