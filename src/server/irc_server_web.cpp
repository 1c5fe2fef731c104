// The web front door of IrcServer (docs/web.md): connections from a `web` listener are HTTP
// sessions (web::WebSession) until they upgrade to WebSocket; then they are engine users like any
// other, whose lines arrive in WebSocket messages and whose output leaves as frames.
//
// Before the upgrade a connection is not an engine session (the engine's per-IP limit and bans
// apply at the upgrade, where a refused client gets the engine's ERROR line over the WebSocket,
// which a browser can show, rather than an HTTP status its WebSocket API hides). What protects
// the server before that: at most WebOptions::http_connections_per_ip such connections per
// address (503 past it), and WebOptions::request_timeout to send each request.
#include <spdlog/spdlog.h>

#include "net/endpoint.h"
#include "server/irc_server.h"

namespace parley::server {

// Where one web session's effects go (web::WebSessionHost), for the duration of one receive().
class IrcServer::WebHost final : public web::WebSessionHost {
 public:
  WebHost(IrcServer& server, Session& session) : s_(server), session_(session), id_(session.id) {}

  void web_send(const proto::SharedLine& bytes) override { session_.connection->send(bytes); }
  void web_upgraded(const web::Upgrade& upgrade) override { s_.web_upgraded(session_, upgrade); }
  void web_line(std::string_view line) override {
    if (session_.in_engine) s_.engine_.receive(id_, line, core::Clock::now());
  }
  void web_line_too_long() override {
    if (session_.in_engine) s_.engine_.line_too_long(id_, core::Clock::now());
  }
  void web_close(std::string_view reason) override {
    spdlog::debug("session {}: {}", id_, reason);
    if (session_.in_engine) {
      session_.in_engine = false;
      s_.engine_.disconnect(id_, reason, core::Clock::now());
    }
    session_.connection->close_after_flush();
  }

 private:
  IrcServer& s_;
  Session& session_;
  core::SessionId id_;
};

namespace {
constexpr std::string_view kBusy =
    "HTTP/1.1 503 Service Unavailable\r\nServer: parley\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 43\r\nRetry-After: 10\r\nConnection: close\r\n\r\n"
    "Too many connections from your IP address\r\n";
}  // namespace

void IrcServer::accept_web(Session& session, const net::tcp::endpoint& remote, bool tls) {
  const std::string ip = net::address_to_string(remote.address());
  session.in_engine = false;  // until the upgrade
  session.web = std::make_unique<web::WebSession>(web_policy_, web_files_, ip, tls);
  WebPending pending{std::chrono::steady_clock::now() + options_.web.request_timeout, 0, {}};
  const bool exempt = options_.exempt.contains(ip) || options_.per_ip_exempt.contains(ip) ||
                      web_policy_.trusted_proxies.contains(ip);
  bool refused = false;
  if (!exempt) {
    std::size_t& count = web_pending_per_ip_[ip];
    refused = count >= options_.web.http_connections_per_ip;
    if (!refused) {
      ++count;
      pending.counted_ip = ip;
    }
  }
  web_pending_.emplace(session.id, std::move(pending));
  session.connection->start();
  if (refused) {
    spdlog::debug("session {}: web connection from {} refused: too many from that address", session.id,
                  net::endpoint_to_string(remote));
    session.web->stop(0, {});
    session.connection->send(proto::make_line(std::string(kBusy)));
    session.connection->close_after_flush();
    return;
  }
  spdlog::debug("session {}: web connection from {}{}", session.id, net::endpoint_to_string(remote),
                tls ? " over TLS" : "");
}

void IrcServer::web_data(Session& session, std::string_view bytes) {
  if (session.web->stopped()) return;
  WebHost host(*this, session);
  const auto now = std::chrono::steady_clock::now();
  session.web->receive(bytes, now, host);
  // A keep-alive connection gets a new deadline for each request it completes.
  if (auto it = web_pending_.find(session.id); it != web_pending_.end()) {
    if (session.web->requests() != it->second.requests) {
      it->second.requests = session.web->requests();
      it->second.deadline = now + options_.web.request_timeout;
    }
  }
}

void IrcServer::web_upgraded(Session& session, const web::Upgrade& upgrade) {
  web_session_ended(session);  // no longer counted as pending
  session.in_engine = true;
  session.web_frames = upgrade.binary ? Session::WebFrames::kBinary : Session::WebFrames::kText;
  core::ConnectionInfo info;
  info.ip = upgrade.client_ip;
  info.secure = upgrade.secure;
  info.exempt = options_.exempt.contains(info.ip);
  info.per_ip_exempt = options_.per_ip_exempt.contains(info.ip);
  spdlog::debug("session {}: WebSocket client {}{}{} ({})", session.id, info.ip,
                upgrade.forwarded ? " (forwarded by a trusted proxy)" : "", info.secure ? ", secure" : "",
                upgrade.subprotocol.empty() ? "no subprotocol" : upgrade.subprotocol);
  // On refusal (a ban, the per-IP limit) the engine sends ERROR and closes through the sink.
  engine_.connect(session.id, info, core::Clock::now());
}

void IrcServer::web_session_ended(Session& session) {
  auto it = web_pending_.find(session.id);
  if (it == web_pending_.end()) return;
  if (!it->second.counted_ip.empty()) {
    auto count = web_pending_per_ip_.find(it->second.counted_ip);
    if (count != web_pending_per_ip_.end() && --count->second == 0) web_pending_per_ip_.erase(count);
  }
  web_pending_.erase(it);
}

void IrcServer::close_idle_web_requests(std::chrono::steady_clock::time_point now) {
  std::vector<core::SessionId> expired;
  for (const auto& [id, pending] : web_pending_) {
    if (pending.deadline <= now) expired.push_back(id);
  }
  for (core::SessionId id : expired) {
    Session* s = find_session(id);
    if (!s || !s->web || s->web->stopped()) continue;
    spdlog::debug("session {}: web connection idle past its request timeout", id);
    s->web->stop(0, {});
    s->connection->close();  // on_closed() drops the bookkeeping
  }
}

}  // namespace parley::server
