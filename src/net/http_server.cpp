#include "net/http_server.h"

#include <boost/asio/socket_base.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>
#include <unordered_set>

#include "proto/casemap.h"

namespace parley::net {

namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {
using Stream = beast::basic_stream<tcp, boost::asio::io_context::executor_type, beast::unlimited_rate_policy>;

const boost::system::error_category& http_category() {
  return http::make_error_code(http::error::bad_target).category();
}

bool equal_ascii_nocase(std::string_view a, std::string_view b) {
  return proto::equal_folded(a, b, proto::Casemapping::kAscii);
}
}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (equal_ascii_nocase(key, name)) return value;
  }
  return {};
}

std::string_view HttpRequest::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

class HttpSession;

struct HttpServer::State {
  State(HttpLimits l, Handler h) : limits(l), handler(std::move(h)) {}
  HttpLimits limits;
  Handler handler;
  std::unordered_set<HttpSession*> sessions;  // open connections; each removes itself when it ends
  bool closed = false;
};

// One connection: read a request (bounded, under a deadline), answer it, and again while the
// client keeps the connection alive. Owned by its pending operation; State knows it by pointer so
// close() can end it.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Socket socket, std::shared_ptr<HttpServer::State> state)
      : stream_(std::move(socket)),
        state_(std::move(state)),
        buffer_(state_->limits.max_header_bytes + state_->limits.max_body_bytes) {
    state_->sessions.insert(this);
  }
  ~HttpSession() { state_->sessions.erase(this); }
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->limits.max_header_bytes));
    parser_->body_limit(state_->limits.max_body_bytes);
    stream_.expires_after(state_->limits.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  // Closes the socket: the pending operation completes with an error and releases the session.
  void stop() { stream_.close(); }

 private:
  void on_read(beast::error_code ec) {
    if (state_->closed) return;
    if (ec == http::error::end_of_stream) return end_sending();
    if (ec == http::error::header_limit) return refuse(431, "Request header fields too large\n");
    if (ec == http::error::body_limit) return refuse(413, "Request body too large\n");
    if (ec && &ec.category() == &http_category() && ec != http::error::partial_message)
      return refuse(400, "Bad request\n");  // malformed: say so, then close
    if (ec) return;  // timed out (the stream closed itself), reset, or partial: nothing to answer
    const auto& message = parser_->get();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.body = message.body();
    for (const auto& field : message) request.headers.emplace_back(field.name_string(), field.value());
    respond(state_->handler(request), message.keep_alive(), message.version());
  }

  void refuse(unsigned status, std::string text) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(text);
    respond(std::move(response), false, 11);
  }

  void respond(HttpResponse out, bool keep_alive, unsigned version) {
    response_ = {};
    response_.result(out.status);
    response_.version(version);
    response_.set(http::field::server, "parley");
    response_.set(http::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) response_.set(name, value);
    response_.body() = std::move(out.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    stream_.expires_after(state_->limits.request_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                        if (ec || self->state_->closed) return;
                        if (keep_alive) return self->read();
                        self->end_sending();
                      });
  }

  // Sends FIN; the session ends here and its destructor closes the socket.
  void end_sending() {
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::socket_base::shutdown_send, ignored);
  }

  Stream stream_;
  std::shared_ptr<HttpServer::State> state_;
  beast::flat_buffer buffer_;  // bounded: a header block and a body at most
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

HttpServer::HttpServer(boost::asio::io_context& io, const tcp::endpoint& at, HttpLimits limits,
                       Handler handler, ErrorHandler on_error)
    : state_(std::make_shared<State>(limits, std::move(handler))),
      listener_(
          io, at,
          [state = state_](Socket socket) {
            if (state->closed || state->sessions.size() >= state->limits.max_connections)
              return;  // closes it
            std::make_shared<HttpSession>(std::move(socket), state)->read();
          },
          std::move(on_error)) {}

HttpServer::~HttpServer() {
  if (state_) close();
}
HttpServer::HttpServer(HttpServer&&) noexcept = default;
HttpServer& HttpServer::operator=(HttpServer&&) noexcept = default;

tcp::endpoint HttpServer::local_endpoint() const { return listener_.local_endpoint(); }

void HttpServer::start() { listener_.start(); }

void HttpServer::close() {
  listener_.close();
  state_->closed = true;
  const std::vector<HttpSession*> open(state_->sessions.begin(), state_->sessions.end());
  for (HttpSession* s : open) s->stop();
}

std::size_t HttpServer::connection_count() const { return state_->sessions.size(); }

}  // namespace parley::net
