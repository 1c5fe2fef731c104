// Accepts TCP connections on one local endpoint (IPv4 or IPv6) and hands each new socket to its
// owner. Knows nothing about what is spoken on them.
//
// Running out of descriptors (EMFILE, ENFILE) or kernel memory does not end the accept loop: it
// reports the error once, pauses accepting briefly and retries, so the server keeps serving the
// connections it has and accepts again as soon as descriptors free up.
//
// Thread: constructed and used on the io_context's thread. Lifetime: the accept loop keeps the
// shared state it needs alive by itself; close() (or the destructor) ends it, after which the
// handlers are not called again.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string_view>

#include "net/connection.h"

namespace parley::net {

class Listener {
 public:
  using AcceptHandler = std::function<void(Socket socket)>;
  // Problems worth an operator's attention (e.g. "accept: Too many open files; pausing").
  using ErrorHandler = std::function<void(std::string_view message)>;

  // Binds (SO_REUSEADDR; port 0 picks a free port) and listens. Throws boost::system::system_error
  // when the address cannot be bound. Accepting starts with start().
  Listener(boost::asio::io_context& io, const tcp::endpoint& at, AcceptHandler on_accept,
           ErrorHandler on_error);
  ~Listener();
  Listener(Listener&&) noexcept;
  Listener& operator=(Listener&&) noexcept;

  // The bound address, with the real port when 0 was asked for.
  tcp::endpoint local_endpoint() const;
  void start();
  void close();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace parley::net
