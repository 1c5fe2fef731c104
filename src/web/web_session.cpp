#include "web/web_session.h"

#include <algorithm>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "crypto/crypto.h"
#include "web/forwarded.h"
#include "web/header_text.h"

namespace parley::web {
namespace http = boost::beast::http;
namespace ws = proto::ws;

namespace {

using Request = http::request<http::empty_body>;

std::string_view header(const Request& r, std::string_view name) {
  auto it = r.find(boost::beast::string_view(name.data(), name.size()));
  if (it == r.end()) return {};
  return {it->value().data(), it->value().size()};
}

// Every value of a header that may be repeated, joined as one comma-separated list.
std::string joined(const Request& r, std::string_view name) {
  std::string out;
  auto range = r.equal_range(boost::beast::string_view(name.data(), name.size()));
  for (auto it = range.first; it != range.second; ++it) {
    if (!out.empty()) out += ", ";
    out.append(it->value().data(), it->value().size());
  }
  return out;
}

// Whether a comma-separated header list holds `token` (case-insensitive), ignoring parameters.
bool has_token(std::string_view list, std::string_view token) {
  return any_item(list, ',', [&](std::string_view item) {
    return iequals(trim_ows(item.substr(0, item.find(';'))), token);
  });
}

// "https://Host:8080" -> "Host:8080": an origin's authority (a Host header is one already).
std::string_view authority_of(std::string_view origin) {
  const auto scheme = origin.find("://");
  const std::string_view rest = scheme == std::string_view::npos ? origin : origin.substr(scheme + 3);
  return rest.substr(0, rest.find('/'));
}

bool origin_allowed(const WebPolicy& policy, std::string_view origin, std::string_view host) {
  if (origin.empty()) return true;  // not a browser: Origin protects browsers' users only
  if (policy.origins.empty()) return !host.empty() && iequals(authority_of(origin), host);
  return std::any_of(policy.origins.begin(), policy.origins.end(),
                     [&](const std::string& allowed) { return allowed == "*" || iequals(allowed, origin); });
}

std::string status_line(unsigned status) {
  const auto reason = http::obsolete_reason(http::int_to_status(status));
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason.data(), reason.size()) + "\r\n";
}

// Headers every response carries.
constexpr std::string_view kCommonHeaders =
    "Server: parley\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n";

// The page may load its own files and talk to its own origin, nothing else.
constexpr std::string_view kPageHeaders =
    "Content-Security-Policy: default-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'\r\n";

// A short text response. `head`: the answer to a HEAD request, whose body is left out.
proto::SharedLine plain_response(unsigned status, std::string_view text, bool keep_alive,
                                 std::string_view extra = {}, bool head = false) {
  std::string body = std::string(text) + "\n";
  std::string out = status_line(status);
  out += kCommonHeaders;
  out += extra;
  out += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  out += keep_alive ? "\r\n" : "Connection: close\r\n\r\n";
  if (!head) out += body;
  return proto::make_line(std::move(out));
}

std::string_view subprotocol_for(const Request& r) {
  // Each Sec-WebSocket-Protocol header is a list; the client's order across them is its preference.
  std::string_view chosen;
  auto range = r.equal_range(http::field::sec_websocket_protocol);
  for (auto it = range.first; it != range.second && chosen.empty(); ++it) {
    any_item({it->value().data(), it->value().size()}, ',', [&](std::string_view item) {
      if (item == "binary.ircv3.net" || item == "text.ircv3.net") chosen = item;
      return !chosen.empty();
    });
  }
  return chosen;
}

}  // namespace

// One parsed request and what to answer it with.
class HttpExchange {
 public:
  HttpExchange(WebSession& session, const Request& request, WebSessionHost& host)
      : s_(session), r_(request), host_(host), keep_alive_(request.keep_alive()) {}

  void answer() {
    if (boost::beast::websocket::is_upgrade(r_)) return upgrade();
    if (r_.method() != http::verb::get && r_.method() != http::verb::head) {
      return respond(
          plain_response(405, "Only GET and HEAD are served here", keep_alive_, "Allow: GET, HEAD\r\n"));
    }
    const std::string_view target(r_.target().data(), r_.target().size());
    const auto file = s_.files_.find(target.substr(0, target.find_first_of("?#")));
    if (!file)
      return respond(plain_response(404, "Not found", keep_alive_, {}, r_.method() == http::verb::head));
    serve(*file);
  }

 private:
  void respond(const proto::SharedLine& bytes) {
    host_.web_send(bytes);
    if (!keep_alive_) {
      s_.stopped_ = true;
      host_.web_close("HTTP request answered");
    }
  }

  void serve(const StaticFile& file) {
    std::string head;
    if (header(r_, "If-None-Match") == file.etag) {
      head = status_line(304);
      head += kCommonHeaders;
      head += "ETag: " + file.etag + "\r\n";
      head += keep_alive_ ? "\r\n" : "Connection: close\r\n\r\n";
      return respond(proto::make_line(std::move(head)));
    }
    const bool gzip = file.gzip && has_token(joined(r_, "Accept-Encoding"), "gzip");
    const proto::SharedLine& body = gzip ? file.gzip : file.body;
    head = status_line(200);
    head += kCommonHeaders;
    if (file.content_type.starts_with("text/html")) head += kPageHeaders;
    head += "Content-Type: " + file.content_type + "\r\n";
    head += "Content-Length: " + std::to_string(body->size()) + "\r\n";
    head += "ETag: " + file.etag + "\r\nCache-Control: no-cache\r\nVary: Accept-Encoding\r\n";
    if (gzip) head += "Content-Encoding: gzip\r\n";
    head += keep_alive_ ? "\r\n" : "Connection: close\r\n\r\n";
    if (r_.method() == http::verb::head) return respond(proto::make_line(std::move(head)));
    host_.web_send(proto::make_line(std::move(head)));
    respond(body);
  }

  void upgrade() {
    keep_alive_ = false;  // every refusal below closes the connection
    if (header(r_, "Sec-WebSocket-Version") != "13") {
      return respond(
          plain_response(426, "WebSocket version 13 is required", false, "Sec-WebSocket-Version: 13\r\n"));
    }
    const std::string_view key = header(r_, "Sec-WebSocket-Key");
    const auto decoded = crypto::base64_decode(key);
    if (!decoded || decoded->size() != 16) {
      return respond(plain_response(400, "Sec-WebSocket-Key must be 16 bytes in base64", false));
    }
    if (!origin_allowed(s_.policy_, header(r_, "Origin"), header(r_, "Host"))) {
      return respond(plain_response(403, "This origin may not connect here (see [web] origins)", false));
    }
    const ClientOrigin client =
        client_origin(s_.peer_ip_, s_.tls_, joined(r_, "Forwarded"), joined(r_, "X-Forwarded-For"),
                      joined(r_, "X-Forwarded-Proto"), s_.policy_.trusted_proxies);
    Upgrade u;
    u.client_ip = client.ip;
    u.secure = client.secure;
    u.forwarded = client.forwarded;
    u.subprotocol = subprotocol_for(r_);
    u.binary = u.subprotocol == "binary.ircv3.net";
    std::string head = status_line(101);
    head += "Upgrade: websocket\r\nConnection: Upgrade\r\n";
    head += "Sec-WebSocket-Accept: " + websocket_accept(key) + "\r\n";
    if (!u.subprotocol.empty()) head += "Sec-WebSocket-Protocol: " + u.subprotocol + "\r\n";
    head += "\r\n";
    host_.web_send(proto::make_line(std::move(head)));
    s_.decoder_.emplace(ws::FrameDecoder::Role::kServer, s_.policy_.max_message);
    host_.web_upgraded(u);
  }

  WebSession& s_;
  const Request& r_;
  WebSessionHost& host_;
  bool keep_alive_;
};

WebSession::WebSession(const WebPolicy& policy, const StaticFiles& files, std::string peer_ip, bool tls)
    : policy_(policy), files_(files), peer_ip_(std::move(peer_ip)), tls_(tls) {}

void WebSession::receive(std::string_view bytes, Clock::time_point now, WebSessionHost& host) {
  if (stopped_) return;
  if (decoder_) return receive_frames(bytes, now, host);
  receive_http(bytes, now, host);
}

void WebSession::fail_http(unsigned status, std::string_view why, WebSessionHost& host) {
  stopped_ = true;
  host.web_send(plain_response(status, why, false));
  host.web_close(why);
}

void WebSession::receive_http(std::string_view bytes, Clock::time_point now, WebSessionHost& host) {
  http_in_.append(bytes);
  for (;;) {
    const auto end = http_in_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (http_in_.size() > policy_.max_header_bytes) fail_http(431, "Request header too large", host);
      return;
    }
    const std::size_t block = end + 4;
    if (block > policy_.max_header_bytes) return fail_http(431, "Request header too large", host);
    http::request_parser<http::empty_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(policy_.max_header_bytes));
    parser.eager(true);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(http_in_.data(), block), ec);
    if (ec == http::error::unexpected_body || (!ec && !parser.is_done()))
      return fail_http(413, "Requests with a body are not accepted here", host);
    if (ec) return fail_http(400, "Bad request: " + ec.message(), host);
    ++requests_;
    const Request request = parser.release();
    http_in_.erase(0, block);
    HttpExchange(*this, request, host).answer();
    if (stopped_) return;
    if (decoder_) {
      // Upgraded: what the client sent after the request (it should have waited) is frames.
      std::string rest;
      rest.swap(http_in_);
      if (!rest.empty()) receive_frames(rest, now, host);
      return;
    }
    if (http_in_.empty()) {
      std::string().swap(http_in_);  // an idle keep-alive connection holds no buffer
      return;
    }
  }
}

void WebSession::end(std::uint16_t code, std::string_view reason, std::string_view log,
                     WebSessionHost& host) {
  stopped_ = true;
  std::string frame;
  ws::append_frame(frame, ws::Opcode::kClose, ws::close_payload(code, reason));
  host.web_send(proto::make_line(std::move(frame)));
  host.web_close(log);
}

bool WebSession::idle_frame(Clock::time_point now, WebSessionHost& host) {
  if (now - idle_window_ >= std::chrono::seconds(1)) {
    idle_window_ = now;
    idle_frames_ = 0;
  }
  if (++idle_frames_ <= policy_.max_idle_frames_per_second) return true;
  end(ws::kClosePolicy, "Too many frames without an IRC line",
      "WebSocket: too many frames without an IRC line", host);
  return false;
}

void WebSession::receive_frames(std::string_view bytes, Clock::time_point now, WebSessionHost& host) {
  decoder_->feed(bytes, [&](const ws::Event& e) {
    switch (e.kind) {
      case ws::Event::Kind::kText:
      case ws::Event::Kind::kBinary: {
        std::string_view message = e.payload;
        bool any = false;
        while (!message.empty()) {
          const auto stop = message.find_first_of("\r\n");
          const std::string_view line = message.substr(0, stop);
          if (!line.empty()) {
            any = true;
            host.web_line(line);
            if (stopped_) return false;
          }
          if (stop == std::string_view::npos) break;
          message.remove_prefix(stop + 1);
        }
        return any || idle_frame(now, host);
      }
      case ws::Event::Kind::kTooLong: host.web_line_too_long(); return !stopped_;
      case ws::Event::Kind::kPing: {
        if (!idle_frame(now, host)) return false;
        std::string pong;
        ws::append_frame(pong, ws::Opcode::kPong, e.payload);
        host.web_send(proto::make_line(std::move(pong)));
        return true;
      }
      case ws::Event::Kind::kPong: return idle_frame(now, host);
      case ws::Event::Kind::kClose: {
        const std::uint16_t code = e.code == ws::kCloseNoStatus ? ws::kCloseNormal : e.code;
        end(code, "", "WebSocket closed by the client", host);
        return false;
      }
      case ws::Event::Kind::kError:
        end(e.code, e.payload, "WebSocket error: " + std::string(e.payload), host);
        return false;
    }
    return false;
  });
}

proto::SharedLine WebSession::stop(std::uint16_t code, std::string_view reason) {
  const bool was_open = !stopped_ && decoder_;
  stopped_ = true;
  if (!was_open) return {};
  std::string frame;
  ws::append_frame(frame, ws::Opcode::kClose, ws::close_payload(code, reason));
  return proto::make_line(std::move(frame));
}

const proto::SharedLine& FrameEncoder::frames(const proto::SharedLine& lines, bool binary) {
  const int k = binary ? 1 : 0;
  if (source_[k] == lines) return frames_[k];
  std::string out;
  std::string_view rest = *lines;
  std::string text;
  while (!rest.empty()) {
    const auto stop = rest.find('\n');
    std::string_view line = rest.substr(0, stop);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) {
      if (binary) {
        ws::append_frame(out, ws::Opcode::kBinary, line);
      } else {
        text.clear();
        ws::append_valid_utf8(text, line);
        ws::append_frame(out, ws::Opcode::kText, text);
      }
    }
    if (stop == std::string_view::npos) break;
    rest.remove_prefix(stop + 1);
  }
  source_[k] = lines;
  frames_[k] = proto::make_line(std::move(out));
  return frames_[k];
}

std::string websocket_accept(std::string_view key) {
  return crypto::base64_encode(crypto::sha1(std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
}

}  // namespace parley::web
