// A small HTTP/1.1 server for operator endpoints (the admin listener's /metrics and /healthz),
// built on Boost.Beast's parser and serializer so that no HTTP parsing is written here. Beast's
// types stay in http_server.cpp; callers see plain request and response structs.
//
// It answers one request at a time per connection, with keep-alive, and protects the thread it
// runs on from slow or hostile peers:
//  - at most HttpLimits::max_connections connections at once; one more is closed at accept;
//  - a request's header block and body are bounded (431 and 413, then the connection closes);
//  - a whole request must arrive, and a whole response leave, within request_timeout; a
//    connection idle that long between keep-alive requests is closed too;
//  - the handler runs synchronously on the io_context's thread, so it must be quick (the admin
//    handler renders a few kilobytes of text).
//
// Accepting goes through net::Listener, so running out of descriptors pauses accepting as for the
// other listeners.
//
// Thread: constructed and used on the io_context's thread; the handler runs there. Lifetime:
// close() (or the destructor) stops accepting and closes every connection; pending operations
// then complete with an error and nothing of this server keeps the io_context running.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/connection.h"
#include "net/listener.h"

namespace parley::net {

struct HttpLimits {
  std::size_t max_connections = 16;
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 4 * 1024;
  std::chrono::milliseconds request_timeout{10'000};
};

struct HttpRequest {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // the request target, e.g. "/metrics?x=1"
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  // The value of the first header named `name` (case-insensitive); empty when absent.
  std::string_view header(std::string_view name) const;
  // The target without its query string.
  std::string_view path() const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

class HttpSession;

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  using ErrorHandler = Listener::ErrorHandler;

  // Binds and listens (throws boost::system::system_error when it cannot); start() accepts.
  HttpServer(boost::asio::io_context& io, const tcp::endpoint& at, HttpLimits limits, Handler handler,
             ErrorHandler on_error);
  ~HttpServer();
  HttpServer(HttpServer&&) noexcept;
  HttpServer& operator=(HttpServer&&) noexcept;

  tcp::endpoint local_endpoint() const;
  void start();
  void close();
  std::size_t connection_count() const;

 private:
  friend class HttpSession;  // one connection (http_server.cpp)
  struct State;
  std::shared_ptr<State> state_;  // before listener_, whose accept handler holds it
  Listener listener_;
};

}  // namespace parley::net
