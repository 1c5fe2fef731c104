#include "server/irc_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <csignal>
#include <limits>
#include <stdexcept>
#include <utility>

#include "core/snomask.h"
#include "net/endpoint.h"

namespace parley::server {

namespace {
constexpr std::chrono::seconds kTickInterval{1};
// How long a graceful shutdown waits for clients to take their ERROR line and close.
constexpr std::chrono::seconds kShutdownGrace{4};

HistoryServiceOptions history_service_options(const ServerOptions& options) {
  const HistoryOptions& history = options.history;
  HistoryServiceOptions o;
  // The engine holds senders from max_backlog requests on (core::Engine::history_backlogged), so
  // only work nobody can be held for (events of users leaving, reads, one message per sender
  // already under way) goes past it; the storage thread refuses beyond twice that, a last resort.
  const std::size_t backlog = options.engine.history.max_backlog;
  o.max_queue = std::min(backlog, std::numeric_limits<std::size_t>::max() / 2) * 2;
  o.expire_interval = history.expire_interval;
  o.commit_interval = history.commit_interval;
  o.max_commit_interval = history.max_commit_interval;
  o.retention = history.retention;
  return o;
}
}  // namespace

IrcServer::IrcServer(ServerOptions options, store::Store& store)
    : options_(std::move(options)),
      accounts_(io_, store, options_.account_threads,
                [this](core::RequestId id, core::AccountAnswer answer) {
                  deliver_account_answer(id, std::move(answer));
                }),
      history_(io_, store, ephemeral_history_, history_service_options(options_),
               [this](core::RequestId id, core::HistoryAnswer answer) {
                 engine_.history_answer(id, std::move(answer), core::Clock::now());
               }),
      engine_(options_.engine, static_cast<core::ReplySink&>(*this), account_router_, history_),
      network_(engine_, static_cast<link::LinkTransport&>(*this), options_.network),
      signals_(io_, SIGINT, SIGTERM, SIGHUP) {
  engine_.set_control(this);
  network_.set_dialer([this](std::string_view name) { return connect_link(name); });
  // Relayed answers arrive while the Network handles a line: posted, so the engine is never
  // entered from inside another of its calls.
  network_.set_account_answers([this](core::RequestId id, core::AccountAnswer answer) {
    boost::asio::post(io_, [this, id, answer = std::move(answer)]() mutable {
      engine_.account_answer(id, std::move(answer), core::Clock::now());
    });
  });
  network_.set_account_server(
      [this](core::AccountRequest request, std::function<void(core::AccountAnswer)> answer) {
        const core::RequestId id = kRelayedBit | ++relayed_requests_;
        relayed_answers_.emplace(id, std::move(answer));
        accounts_.submit(id, std::move(request));
      });
  network_.set_password_checker(
      [this](std::string hash, std::string password, std::function<void(bool, core::TimePoint)> done) {
        const core::RequestId id = kLinkCheckBit | ++relayed_requests_;
        relayed_answers_.emplace(id, [done = std::move(done)](core::AccountAnswer answer) {
          done(answer.outcome == core::AccountAnswer::Outcome::kOk, core::Clock::now());
        });
        core::AccountRequest check;
        check.kind = core::AccountRequest::Kind::kVerifyPassword;
        check.hash = std::move(hash);
        check.password = std::move(password);
        accounts_.submit(id, std::move(check));
      });
  web_policy_.origins = options_.web.origins;
  web_policy_.trusted_proxies = options_.web.trusted_proxies;
  web_policy_.max_message = options_.recvq_bytes;
  web_files_ = options_.web.root.empty() ? web::StaticFiles::embedded()
                                         : web::StaticFiles::from_directory(options_.web.root);
  connection_options_.sendq_bytes = options_.sendq_bytes;
  connection_options_.handshake_timeout = options_.tls.handshake_timeout;
  link_connection_options_ = connection_options_;
  link_connection_options_.sendq_bytes = options_.link_sendq_bytes;
  // ChanServ's registered channels, read before any client can connect (so synchronously).
  // Starting without them would let anyone re-register a channel and overwrite its record.
  auto registered = store.list_channels();
  if (!registered.is_ok()) {
    throw std::runtime_error("cannot read the registered channels: " + registered.status().to_string());
  }
  if (!registered.value().empty()) spdlog::info("{} registered channels restored", registered.value().size());
  engine_.restore_registered_channels(std::move(registered).value());
  // K-lines and D-lines, for the same reason: a banned address must not get in during start-up.
  auto bans = store.list_server_bans();
  if (!bans.is_ok()) throw std::runtime_error("cannot read the server bans: " + bans.status().to_string());
  if (!bans.value().empty())
    spdlog::info("{} server bans (K-lines and D-lines) restored", bans.value().size());
  engine_.restore_server_bans(std::move(bans).value());
}

IrcServer::~IrcServer() = default;

net::tcp::endpoint IrcServer::listen(const net::tcp::endpoint& at) {
  return add_listener(at, Protocol::kIrc, false);
}

net::tcp::endpoint IrcServer::listen_simple(const net::tcp::endpoint& at) {
  return add_listener(at, Protocol::kSimple, false);
}

net::tcp::endpoint IrcServer::listen(const net::tcp::endpoint& at, Protocol protocol, bool tls) {
  return add_listener(at, protocol, tls);
}

void IrcServer::use_tls(std::shared_ptr<net::TlsContext> context) { tls_ = std::move(context); }

bool IrcServer::reload_tls(std::string& message) {
  const auto& files = options_.tls;
  if (files.cert_file.empty()) {
    message = "no certificate files to re-read (a certificate made in memory); keeping it";
    return false;
  }
  std::string error;
  auto fresh = net::TlsContext::from_files(files.cert_file, files.key_file, error);
  if (!fresh) {
    message = error + "; keeping the current certificate";
    return false;
  }
  tls_ = std::move(fresh);
  message =
      "TLS certificate reloaded from " + files.cert_file + ", SHA-256 fingerprint " + tls_->fingerprint();
  return true;
}

IrcServer::ListenerSlot IrcServer::bind_listener(const net::tcp::endpoint& at, Protocol protocol, bool tls) {
  const std::uint32_t id = ++listener_ids_;
  net::Listener listener(
      io_, at,
      [this, protocol, tls, id](net::Socket socket) { accept(std::move(socket), protocol, tls, id); },
      [](std::string_view message) { spdlog::warn("{}", message); });
  ListenerOptions options{net::address_to_string(at.address()), at.port(), tls, protocol};
  return ListenerSlot{std::move(options), std::move(listener), id};
}

net::tcp::endpoint IrcServer::add_listener(const net::tcp::endpoint& at, Protocol protocol, bool tls) {
  if (protocol == Protocol::kAdmin) return add_admin_listener(at);
  ListenerSlot slot = bind_listener(at, protocol, tls);
  auto bound = slot.listener.local_endpoint();
  if (running_) slot.listener.start();
  listeners_.push_back(std::move(slot));
  spdlog::info("listening for {} on {}", listener_kind(protocol, tls), net::endpoint_to_string(bound));
  return bound;
}

void IrcServer::run() {
  running_ = true;
  for (auto& slot : listeners_) slot.listener.start();
  for (auto& admin : admin_listeners_) admin.start();
  autoconnect_links();
  schedule_tick();
  wait_for_signal();
  io_.run();
  running_ = false;
}

IrcServer::Session& IrcServer::new_session(std::shared_ptr<net::Connection>& connection, net::Socket socket,
                                           SSL_CTX* tls, bool link, std::uint8_t kind) {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = slot_count_++;
    if (slot / kSessionPage == session_pages_.size())
      session_pages_.push_back(std::make_unique<Session[]>(kSessionPage));
    generations_.push_back(0);
  }
  const core::SessionId id = (static_cast<core::SessionId>(++generations_[slot]) << 32) | slot;
  connection = net::Connection::create(loop_, std::move(socket), *this, id,
                                       link ? link_connection_options_ : connection_options_, tls);
  Session& session = session_at(slot);
  session.id = id;
  session.lines = proto::LineReader(options_.recvq_bytes);
  session.connection = connection;
  session.in_engine = true;
  session.link = link;
  session.kind = kind;
  session.secured = false;
  ++transport_counters_.open[kind];
  session.listener = 0;
  ++session_count_;
  return session;
}

void IrcServer::accept(net::Socket socket, Protocol protocol, bool tls, std::uint32_t listener) {
  if (shutting_down_ || (tls && !tls_)) return;  // the socket closes here
  const bool simple = protocol == Protocol::kSimple;
  if (simple || protocol == Protocol::kLink) {
    // Simple clients cannot answer PING (the gateway answers for them), and a link's PINGs are
    // a minute apart: let TCP notice a peer that vanished.
    boost::system::error_code ignored;
    socket.set_option(net::tcp::socket::keep_alive(true), ignored);
  }
  boost::system::error_code ec;
  const net::tcp::endpoint remote = socket.remote_endpoint(ec);  // unspecified if the peer is gone
  std::shared_ptr<net::Connection> connection;
  Session& session = new_session(connection, std::move(socket), tls ? tls_->native() : nullptr,
                                 protocol == Protocol::kLink, connection_kind(protocol, tls));
  const core::SessionId id = session.id;
  session.listener = listener;
  if (protocol == Protocol::kLink) {
    spdlog::info("link {}: connection from {}{}", id, net::endpoint_to_string(remote),
                 tls ? " over TLS" : "");
    network_.link_connected(id, false, "", core::Clock::now());  // before start(): see dial_link()
    connection->start();
    return;
  }
  if (protocol == Protocol::kWeb) return accept_web(session, remote, tls);
  core::ConnectionInfo info;
  info.ip = net::address_to_string(remote.address());
  info.port = remote.port();
  info.secure = tls;
  info.exempt = options_.exempt.contains(info.ip) || (simple && options_.simple_exempt.contains(info.ip));
  info.per_ip_exempt = options_.per_ip_exempt.contains(info.ip);
  spdlog::debug("session {}: {} client accepted from {}{}{}", id, simple ? "simple" : "IRC",
                net::endpoint_to_string(remote), tls ? " over TLS" : "", info.exempt ? " (exempt)" : "");
  if (simple) {
    session.frames.emplace();
    simple_.open(id);
  }
  connection->start();
  // On refusal (connection limits) the engine has already sent ERROR and closed through the sink.
  engine_.connect(id, info, core::Clock::now());
}

std::string IrcServer::connect_link(std::string_view name) {
  for (const LinkDial& d : options_.link_dials) {
    if (!proto::equal_folded(d.name, name, proto::Casemapping::kAscii)) continue;
    if (d.address.empty()) return "[[link]] " + d.name + " has no address: it connects to us";
    if (network_.linked_to(d.name) || backoff_[d.name].dialling)
      return "already linked or linking to " + d.name;
    dial_link(d);
    return "connecting to " + d.name + " at " + d.address + " port " + std::to_string(d.port);
  }
  return "no [[link]] block names " + std::string(name);
}

void IrcServer::dial_link(const LinkDial& dial) {
  Backoff& backoff = backoff_[dial.name];
  if (dial.tls && !link_client_tls_) {
    std::string error;
    if (tls_) link_client_tls_ = net::TlsContext::client_for(*tls_, error);
    if (!link_client_tls_) {
      backoff.next = std::chrono::steady_clock::now() + std::chrono::seconds(300);
      spdlog::error("link {}: cannot dial with TLS: {}", dial.name,
                    tls_ ? error : "the server has no certificate");
      return;
    }
  }
  SSL_CTX* tls = dial.tls ? link_client_tls_->native() : nullptr;
  backoff.dialling = true;
  spdlog::info("link {}: connecting to {} port {}", dial.name, dial.address, dial.port);
  auto resolver = std::make_shared<net::tcp::resolver>(io_);
  auto socket = std::make_shared<net::Socket>(io_);
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::seconds(10));
  timer->async_wait([socket](const boost::system::error_code& ec) {
    if (!ec) socket->close();  // connect timed out
  });
  std::string name = dial.name;
  resolver->async_resolve(
      dial.address, std::to_string(dial.port),
      [this, resolver, socket, timer, name, tls](const boost::system::error_code& ec,
                                                 net::tcp::resolver::results_type r) {
        auto failed = [this, name, timer](const std::string& why) {
          timer->cancel();
          Backoff& b = backoff_[name];
          b.dialling = false;
          b.next = std::chrono::steady_clock::now() + b.wait;
          spdlog::warn("link {}: cannot connect: {}; next try in {} s", name, why, b.wait.count());
          b.wait = std::min(b.wait * 2, std::chrono::seconds(300));
        };
        if (ec) return failed(ec.message());
        boost::asio::async_connect(*socket, r,
                                   [this, socket, timer, name, failed, tls](
                                       const boost::system::error_code& ec, const net::tcp::endpoint&) {
                                     if (ec)
                                       return failed(ec == boost::asio::error::operation_aborted
                                                         ? std::string("timed out after 10 s")
                                                         : ec.message());
                                     timer->cancel();
                                     backoff_[name].dialling = false;
                                     if (shutting_down_ || network_.linked_to(name)) return;
                                     std::shared_ptr<net::Connection> connection;
                                     Session& session =
                                         new_session(connection, std::move(*socket), tls, true,
                                                     connection_kind(Protocol::kLink, tls != nullptr));
                                     // The link first: a TLS client handshake can complete inside
                                     // start() (on a loaded machine the peer's whole reply may be
                                     // waiting already), and on_secured() must find the link to
                                     // mark it secure, or the handshake stalls until it times out.
                                     network_.link_connected(session.id, true, name, core::Clock::now());
                                     connection->start();
                                   });
      });
}

void IrcServer::autoconnect_links() {
  const auto now = std::chrono::steady_clock::now();
  for (const LinkDial& d : options_.link_dials) {
    if (!d.autoconnect || d.address.empty()) continue;
    Backoff& b = backoff_[d.name];
    if (b.dialling || now < b.next) continue;
    if (network_.linked_to(d.name)) {
      b.wait = std::chrono::seconds(5);  // linked: the next split starts the backoff over
      continue;
    }
    b.next = now + b.wait;
    dial_link(d);
  }
}

void IrcServer::send(core::SessionId to, const core::SharedLine& line) {
  Session* s = find_session(to);
  if (!s) return;
  if (s->frames) {
    simple_.deliver(to, *line);  // comes back through send_frames()
  } else if (s->web) {
    if (s->web_frames != Session::WebFrames::kNone)
      s->connection->send(web_frames_.frames(line, s->web_frames == Session::WebFrames::kBinary));
  } else {
    s->connection->send(line);
  }
}

void IrcServer::pause_input(core::SessionId who, bool paused) {
  if (Session* s = find_session(who)) s->connection->pause_input(paused);
}

void IrcServer::send_frames(core::SessionId to, const core::SharedLine& frames) {
  if (Session* s = find_session(to)) s->connection->send(frames);
}

void IrcServer::close(core::SessionId who, std::string_view reason) {
  Session* s = find_session(who);
  if (!s) return;
  spdlog::debug("session {}: closing ({})", who, reason);
  s->in_engine = false;
  if (s->web) {
    if (auto frame = s->web->stop(proto::ws::kCloseNormal, reason)) s->connection->send(frame);
  }
  s->connection->close_after_flush();
  simple_.close(who);
}

void IrcServer::link_event(link::LinkId id, std::string_view what) { spdlog::info("link {}: {}", id, what); }

bool IrcServer::die(std::string_view reason) {
  spdlog::warn("{}", reason);
  // Posted: the engine is inside the operator's command, and shutdown() calls into the engine.
  boost::asio::post(io_, [this, why = std::string(reason)] { shutdown(why); });
  return true;
}

bool IrcServer::restart(std::string_view reason) {
  restart_requested_ = true;
  return die(reason);
}

void IrcServer::log_notice(char category, std::string_view text) {
  // Link events are logged by link_event() already, with the link's id.
  if (category != core::snomask::kLink) spdlog::info("notice [{}]: {}", category, text);
}

void IrcServer::AccountRouter::submit(core::RequestId id, core::AccountRequest request) {
  IrcServer& s = server_;
  const std::string& authority = s.options_.account_authority;
  const bool local =
      authority.empty() || request.kind == core::AccountRequest::Kind::kVerifyPassword ||
      proto::equal_folded(authority, s.options_.engine.server_name, proto::Casemapping::kAscii);
  if (local) return s.accounts_.submit(id, std::move(request));
  if (s.network_.relay_account_request(authority, id, request)) return;
  // The authority is not in the network now (a split): a clear failure, never a local answer.
  core::AccountAnswer failed;
  failed.outcome = core::AccountAnswer::Outcome::kFailed;
  failed.detail = "the account server " + authority + " is not reachable";
  boost::asio::post(s.io_, [&s, id, failed = std::move(failed)]() mutable {
    s.engine_.account_answer(id, std::move(failed), core::Clock::now());
  });
}

void IrcServer::deliver_account_answer(core::RequestId id, core::AccountAnswer answer) {
  if (id & (kRelayedBit | kLinkCheckBit)) {
    auto it = relayed_answers_.find(id);
    if (it == relayed_answers_.end()) return;
    auto reply = std::move(it->second);
    relayed_answers_.erase(it);
    reply(answer);
    return;
  }
  engine_.account_answer(id, std::move(answer), core::Clock::now());
}

void IrcServer::erase_session(Session& s) {
  const auto slot = static_cast<std::uint32_t>(s.id);
  s.id = 0;
  s.connection.reset();
  s.lines = proto::LineReader(0);
  s.frames.reset();
  s.web.reset();
  s.web_frames = Session::WebFrames::kNone;
  s.in_engine = true;
  --transport_counters_.open[s.kind];
  --session_count_;
  free_slots_.push_back(slot);
}

void IrcServer::on_data(net::Connection& c, std::string_view bytes) {
  Session* found = find_session(c.id());
  if (found && found->web) return web_data(*found, bytes);
  if (!found || !found->in_engine) return;
  // Sessions are only erased by on_closed(), and accepted only by accept(), never during the
  // engine calls below, so the table neither moves nor shrinks meanwhile.
  Session& session = *found;
  const core::SessionId id = c.id();
  const auto now = core::Clock::now();
  if (session.link) {
    session.lines.feed(bytes, [&](proto::LineReader::Event event, std::string_view line) {
      if (event == proto::LineReader::Event::kTooLong) {
        network_.link_line(id, "ERROR :Line too long", now);  // ends the link with that reason
      } else {
        network_.link_line(id, line, now);
      }
      return session.in_engine && session.connection->is_open();
    });
    return;
  }
  if (session.frames) {
    session.frames->feed(bytes, [&](std::string_view text) {
      simple_.receive(id, text, now);
      return session.in_engine && session.connection->is_open();
    });
    return;
  }
  session.lines.feed(bytes, [&](proto::LineReader::Event event, std::string_view line) {
    if (event == proto::LineReader::Event::kTooLong) {
      engine_.line_too_long(id, now);
    } else {
      engine_.receive(id, line, now);
    }
    // Stop when the engine closed the session or its send queue overflowed.
    return session.in_engine && session.connection->is_open();
  });
}

void IrcServer::on_closed(net::Connection& c, std::string_view reason) {
  Session* s = find_session(c.id());
  if (!s) return;
  spdlog::debug("session {}: closed ({})", c.id(), reason);
  if (reason == "SendQ exceeded") ++transport_counters_.sendq_disconnects;
  if (c.is_tls() && !s->secured) ++transport_counters_.tls_failures;
  if (s->in_engine) {
    s->in_engine = false;
    if (s->link) {
      spdlog::info("link {}: closed ({})", c.id(), reason);
      network_.link_closed(c.id(), reason, core::Clock::now());
    } else {
      engine_.disconnect(c.id(), reason, core::Clock::now());
    }
  }
  simple_.close(c.id());
  if (s->web) web_session_ended(*s);
  erase_session(*s);
  if (shutting_down_) finish_shutdown_if_done();
}

void IrcServer::on_secured(net::Connection& c, std::string_view certfp) {
  Session* s = find_session(c.id());
  if (s) {
    s->secured = true;
    ++transport_counters_.tls_handshakes;
  }
  if (!s || !s->in_engine) return;
  spdlog::debug("session {}: TLS established{}{}", c.id(), certfp.empty() ? "" : ", client certificate ",
                certfp);
  if (s->link) return network_.link_secured(c.id(), std::string(certfp));
  engine_.tls_established(c.id(), std::string(certfp));
}

void IrcServer::schedule_tick() {
  tick_timer_.expires_after(kTickInterval);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shutting_down_) return;
    const auto now = core::Clock::now();
    engine_.tick(now);
    network_.tick(now);
    autoconnect_links();
    // Send queues keep their capacity between turns; give back what idle ones hold.
    for (std::uint32_t slot = 0; slot < slot_count_; ++slot) {
      Session& session = session_at(slot);
      if (session.id != 0) session.connection->trim();
    }
    simple_.answer_pings(now);
    close_idle_web_requests(std::chrono::steady_clock::now());
    schedule_tick();
  });
}

void IrcServer::wait_for_signal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      if (!shutting_down_) {
        spdlog::info("SIGHUP received");
        engine_.notify_opers(core::snomask::kOperAction, "SIGHUP: rehashing the server configuration");
        rehash();
      }
      if (!shutting_down_ || session_count_ != 0) wait_for_signal();
      return;
    }
    const char* name = signo == SIGINT ? "SIGINT" : "SIGTERM";
    if (!shutting_down_) {
      spdlog::info("{}: shutting down ({} connection{})", name, session_count_,
                   session_count_ == 1 ? "" : "s");
      wait_for_signal();  // first: a shutdown that completes at once cancels this wait
      shutdown("Server shutting down");
    } else {
      spdlog::warn("{} again: closing {} remaining connection{} now", name, session_count_,
                   session_count_ == 1 ? "" : "s");
      close_all_now();
    }
  });
}

void IrcServer::shutdown(std::string_view reason) {
  if (shutting_down_) return;
  shutting_down_ = true;
  for (auto& slot : listeners_) slot.listener.close();
  tick_timer_.cancel();
  network_.shutdown(reason);  // ERROR to every peer; they split us off
  engine_.shutdown(reason);   // ERROR to everyone, then ReplySink::close for each session
  for (std::uint32_t slot = 0; slot < slot_count_; ++slot) {
    Session& session = session_at(slot);
    if (session.id != 0 && session.in_engine) {  // the engine should have closed it; don't leave it open
      session.in_engine = false;
      session.connection->close_after_flush();
    } else if (session.id != 0 && session.web && !session.web->stopped()) {
      session.web->stop(proto::ws::kCloseGoingAway, reason);  // not upgraded: nothing to say
      session.connection->close_after_flush();
    }
  }
  shutdown_timer_.expires_after(kShutdownGrace);
  shutdown_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    spdlog::warn("shutdown: closing {} connections that did not finish in time", session_count_);
    close_all_now();
  });
  finish_shutdown_if_done();
}

void IrcServer::close_all_now() {
  // Each close reports back through on_closed() on a later turn, which erases the session.
  for (std::uint32_t slot = 0; slot < slot_count_; ++slot) {
    Session& session = session_at(slot);
    if (session.id != 0) session.connection->close();
  }
}

void IrcServer::finish_shutdown_if_done() {
  if (session_count_ != 0) return;
  // Nothing else holds work on the io_context: run() returns.
  shutdown_timer_.cancel();
  for (auto& admin : admin_listeners_) admin.close();
  boost::system::error_code ec;
  signals_.cancel(ec);
  spdlog::info("shutdown complete");
}

}  // namespace parley::server
