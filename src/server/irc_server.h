// The server: TCP listeners and connections (net/) driving the chat engine (core/) through front
// doors that share ONE engine, so every kind of user meets in the same channels:
//  - IRC: lines (proto::LineReader) fed to the engine as they are;
//  - simple (seed 001, listen_simple()): 200-byte frames (proto::simple::FrameDecoder) translated
//    by a SimpleGateway, which also turns the engine's output for those sessions into frames;
//  - web: HTTP and IRC over WebSocket (below).
//
// Owns the io_context and everything on it. Each accepted connection becomes an engine session:
// its bytes are split into lines (proto::LineReader, at most ServerOptions::recvq_bytes) and fed
// to Engine::receive(); the engine's output reaches the connection's send queue through the
// ReplySink this class implements. A 1-second timer drives Engine::tick(). SIGINT/SIGTERM start
// a graceful shutdown: every client gets an ERROR line, output is flushed, and run() returns once
// all connections are gone (a second signal, or 4 seconds, closes the stragglers at once).
//
// TLS: a listener may be a TLS one; its connections are TLS sessions (net/tls.h) made from the
// server's current TlsContext, reported to the engine as secure at connect() (so the per-IP
// limit counts them before the handshake) and with tls_established() once the handshake is done.
// Certificates are re-read on reload (below) and used for new connections; existing ones keep
// theirs; a bad new certificate refuses the reload and the old one stays.
//
// Reload (docs/operations.md "Reloading"): SIGHUP and the operator command REHASH (through
// core::ServerControl, which this class implements) re-read the configuration file through the
// source set_config_source() gives, and apply it all or nothing: a file with errors, a changed
// setting that needs a restart, a new listener that cannot be bound or a certificate that cannot
// be read refuse the whole reload and the running configuration stays. Otherwise the engine takes
// its part (Engine::reconfigure), new listeners start accepting, removed ones stop and only their
// sessions are closed (each session remembers its listener), [[link]] blocks are replaced (a
// link whose block is gone is split) and the certificate is replaced. Disconnections run on the
// next turn of the loop, outside the engine call REHASH arrives in.
//
// Re-entrancy: the engine is only ever called from net callbacks and timers, never from inside
// a ReplySink call; connections report their end asynchronously (net::ConnectionObserver), so a
// send that overflows a send queue turns into Engine::disconnect() on a later turn.
//
// Links (docs/linking.md): a `link` listener's connections, and the connections the server dials
// for its [[link]] blocks (at start and after a split when `autoconnect`, with backoff doubling
// from 5 s to 5 min; or on an operator's CONNECT), are sessions too, but their lines go to the
// link::Network, which owns the spanning-tree protocol; the engine never sees them as clients.
//
// Slow work (password checks, the account store) runs on an AccountService worker pool whose
// answers are posted back to this thread (core/accounts.h). History, registered channels and read
// markers go to a HistoryService storage thread (server/history_service.h): durable history to
// the server's Store, ephemeral history (private messages of users not logged in) to an
// in-memory store the server owns.
//
// Web (docs/web.md, irc_server_web.cpp): a `web` listener's connections are web::WebSession
// state machines: HTTP for the web client's files until a WebSocket upgrade, after which the
// session is an engine user like a TCP one (connected to the engine at the upgrade, with the
// address a trusted proxy forwarded); its output is framed by a web::FrameEncoder shared by all
// WebSocket sessions, so a fanned-out line is framed once.
//
// Metrics (docs/operations.md "Metrics"): an `admin` listener is an HTTP server (net/http_server.h)
// on the same io_context serving /metrics (server_metrics.cpp renders the counters the engine,
// the links, the storage thread and this class keep) and /healthz. It outlives the other
// listeners during a graceful shutdown, answering /healthz with 503, and closes when it ends.
//
// Thread: the chat state is single-threaded. Construct, listen() and run() on one thread;
// everything else runs on that thread inside run(). The Store must outlive the server.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/engine.h"
#include "core/server_control.h"
#include "core/types.h"
#include "link/network.h"
#include "net/connection.h"
#include "net/http_server.h"
#include "net/listener.h"
#include "net/loop.h"
#include "net/tls.h"
#include "proto/line_reader.h"
#include "proto/simple_frame.h"
#include "server/account_service.h"
#include "server/history_service.h"
#include "server/options.h"
#include "server/reload.h"
#include "server/simple_gateway.h"
#include "store/memory_store.h"
#include "store/store.h"
#include "web/static_files.h"
#include "web/web_session.h"

namespace parley::server {

class IrcServer final : public core::ServerControl,
                        private core::ReplySink,
                        private net::ConnectionObserver,
                        private SimpleFrameSink,
                        private link::LinkTransport {
 public:
  IrcServer(ServerOptions options, store::Store& store);
  ~IrcServer() override;
  IrcServer(const IrcServer&) = delete;
  IrcServer& operator=(const IrcServer&) = delete;

  // Binds a listener (accepting starts in run()). Returns the bound endpoint, with the real port
  // when `at` has port 0. Throws boost::system::system_error if the address cannot be bound.
  net::tcp::endpoint listen(const net::tcp::endpoint& at);
  // The same for the simple-protocol front door.
  net::tcp::endpoint listen_simple(const net::tcp::endpoint& at);
  // Either protocol, over TLS or not. A TLS listener needs use_tls() before run().
  net::tcp::endpoint listen(const net::tcp::endpoint& at, Protocol protocol, bool tls);
  // The certificate TLS listeners present from now on (new connections only).
  void use_tls(std::shared_ptr<net::TlsContext> context);
  // Re-reads ServerOptions::tls's files (a reload without a configuration file does). Returns
  // false (and keeps the current context) when they cannot be used; `message` says what happened
  // either way.
  bool reload_tls(std::string& message);
  // Where a reload reads the configuration (the app layer: the --config file, with the same
  // flags as at start). `has_certificate`: the server has one already. Without a source, a reload
  // only re-reads the certificate files.
  using ConfigSource = std::function<ConfigReload(bool has_certificate)>;
  void set_config_source(ConfigSource source) { config_source_ = std::move(source); }
  // Re-reads and applies the configuration, all or nothing, as SIGHUP and REHASH do; logs it and
  // tells the operators. Returns the lines for an operator: a summary, or every error.
  RehashResult rehash() override;

  // Serves until shut down. Returns normally after a graceful shutdown.
  void run();

  // Starts a graceful shutdown, as SIGTERM does. Call on the server's thread (e.g. from a
  // handler posted to context()).
  void shutdown(std::string_view reason);

  boost::asio::io_context& context() { return io_; }
  std::size_t session_count() const { return session_count_; }
  // What the storage thread has done (commits, failures, latency): for STATS and monitoring.
  HistoryMetrics history_metrics() const { return history_.metrics(); }
  // Dials the [[link]] named `name` now (as CONNECT does). Returns what happened, for a person.
  std::string connect_link(std::string_view name);
  // An operator's RESTART asked for this shutdown: after run() returns, the host starts the
  // program again in place (app/restart.h).
  bool restart_requested() const { return restart_requested_; }
  // The /metrics body (Prometheus text format 0.0.4; server_metrics.cpp).
  std::string render_metrics() const;

 private:
  // Sessions live in a dense table: a SessionId is (generation << 32 | slot), so finding one
  // per delivered line is an index and a compare, not a hash lookup. A slot is reused with the
  // next generation, so ids are never reused while the server runs. The table grows by pages
  // that never move, so a Session& stays valid while others are accepted, and growing it
  // copies nothing (a doubling vector would leave its old buffers in the heap).
  struct Session {
    Session() : lines(0) {}
    core::SessionId id = 0;  // 0: the slot is free
    std::shared_ptr<net::Connection> connection;
    proto::LineReader lines;
    std::optional<proto::simple::FrameDecoder> frames;  // set for simple-protocol sessions
    bool in_engine = true;                              // false once the engine has closed the session
    bool link = false;           // a server link: its lines go to network_, not to the engine
    std::uint32_t listener = 0;  // ListenerSlot::id of the listener it came from; 0: we dialled it
    std::uint8_t kind = 0;       // ConnectionKind, for the metrics
    bool secured = false;        // its TLS handshake completed
    // Set for web sessions: HTTP until the WebSocket upgrade, then an engine user whose lines
    // arrive in WebSocket messages (irc_server_web.cpp). in_engine is false until the upgrade.
    std::unique_ptr<web::WebSession> web;
    // Its frames once upgraded (kept here so that a fan-out reads no WebSession).
    enum class WebFrames : std::uint8_t { kNone, kText, kBinary } web_frames = WebFrames::kNone;
  };
  // What kind of listener (or dial) a connection came from, for parley_connections{kind}.
  enum ConnectionKind : std::uint8_t {
    kIrcPlain,
    kIrcTls,
    kSimplePlain,
    kSimpleTls,
    kLinkPlain,
    kLinkTls,
    kWebPlain,
    kWebTls,
    kKinds
  };
  static std::uint8_t connection_kind(Protocol protocol, bool tls) {
    return static_cast<std::uint8_t>(static_cast<std::uint8_t>(protocol) * 2 + (tls ? 1 : 0));
  }
  // Counted where each happens (this thread); read by render_metrics().
  struct TransportCounters {
    std::array<std::size_t, kKinds> open{};  // open connections by kind
    std::uint64_t sendq_disconnects = 0, tls_handshakes = 0, tls_failures = 0;
  };
  net::tcp::endpoint add_admin_listener(const net::tcp::endpoint& at);
  net::HttpResponse admin_request(const net::HttpRequest& request) const;
  struct ListenerSlot {
    ListenerOptions options;  // as configured (port 0 stays 0), the address in canonical form
    net::Listener listener;
    std::uint32_t id = 0;
  };
  // Binds (throws boost::system::system_error when it cannot); accepting starts when running.
  ListenerSlot bind_listener(const net::tcp::endpoint& at, Protocol protocol, bool tls);
  net::tcp::endpoint add_listener(const net::tcp::endpoint& at, Protocol protocol, bool tls);
  void accept(net::Socket socket, Protocol protocol, bool tls, std::uint32_t listener);
  // The parts of rehash() after the new configuration passed every check.
  std::vector<std::string> apply_reload(ServerOptions next, std::vector<ListenerSlot> bound,
                                        std::shared_ptr<net::TlsContext> certificate);
  // Closes the sessions that came from listener `id` (removed by a reload).
  void close_listener_sessions(std::uint32_t id, const std::string& where);

  // core::ReplySink
  void send(core::SessionId to, const core::SharedLine& line) override;
  void pause_input(core::SessionId who, bool paused) override;
  void close(core::SessionId who, std::string_view reason) override;
  // net::ConnectionObserver
  void on_data(net::Connection& c, std::string_view bytes) override;
  void on_closed(net::Connection& c, std::string_view reason) override;
  void on_secured(net::Connection& c, std::string_view certfp) override;
  // SimpleFrameSink
  void send_frames(core::SessionId to, const core::SharedLine& frames) override;
  // link::LinkTransport: a LinkId is the link session's SessionId, so ReplySink's send() and
  // close() above serve the links too.
  void link_event(link::LinkId id, std::string_view what) override;
  // core::ServerControl: DIE and RESTART shut down gracefully; server notices are logged.
  bool die(std::string_view reason) override;
  bool restart(std::string_view reason) override;
  void log_notice(char category, std::string_view text) override;
  // The web front door (irc_server_web.cpp).
  class WebHost;
  void accept_web(Session& session, const net::tcp::endpoint& remote, bool tls);
  void web_upgraded(Session& session, const web::Upgrade& upgrade);
  void web_session_ended(Session& session);  // drops its pre-upgrade bookkeeping
  void web_data(Session& session, std::string_view bytes);
  void close_idle_web_requests(std::chrono::steady_clock::time_point now);
  // Session slots, for accepted and dialled connections alike.
  Session& new_session(std::shared_ptr<net::Connection>& connection, net::Socket socket, SSL_CTX* tls,
                       bool link, std::uint8_t kind);
  void dial_link(const LinkDial& dial);
  void autoconnect_links();

  Session* find_session(core::SessionId id) {
    const auto slot = static_cast<std::uint32_t>(id);
    if (slot >= slot_count_) return nullptr;
    Session& s = session_at(slot);
    return s.id == id ? &s : nullptr;
  }
  static constexpr std::uint32_t kSessionPage = 256;
  Session& session_at(std::uint32_t slot) { return session_pages_[slot / kSessionPage][slot % kSessionPage]; }
  void erase_session(Session& s);

  void schedule_tick();
  void wait_for_signal();
  void close_all_now();
  void finish_shutdown_if_done();

  boost::asio::io_context io_{1};
  net::Loop loop_{io_};
  ServerOptions options_;
  net::ConnectionOptions connection_options_;
  net::ConnectionOptions link_connection_options_;  // the same with ServerOptions::link_sendq_bytes
  AccountService accounts_;                         // before engine_, which holds a reference to it
  // What the engine submits account work to: accounts_, or the account authority over the links
  // (ServerOptions::account_authority). Answers from the authority are posted to this thread.
  class AccountRouter final : public core::AccountBackend {
   public:
    explicit AccountRouter(IrcServer& server) : server_(server) {}
    void submit(core::RequestId id, core::AccountRequest request) override;

   private:
    IrcServer& server_;
  };
  AccountRouter account_router_{*this};
  // Work submitted to accounts_ for the links, by its id (kRelayedBit or kLinkCheckBit set): what
  // to do with each answer. Requests other servers relayed to this one (it is their authority),
  // and hashed link passwords being checked.
  static constexpr core::RequestId kRelayedBit = core::RequestId{1} << 62;
  // Hashed link passwords being checked on accounts_'s workers (kLinkCheckBit set): what to call.
  static constexpr core::RequestId kLinkCheckBit = core::RequestId{1} << 61;
  std::unordered_map<core::RequestId, std::function<void(core::AccountAnswer)>> relayed_answers_;
  core::RequestId relayed_requests_ = 0;
  void deliver_account_answer(core::RequestId id, core::AccountAnswer answer);
  store::MemoryStore ephemeral_history_;
  HistoryService history_;  // before engine_ too; its destructor commits what is still queued
  core::Engine engine_;
  SimpleGateway simple_{engine_, static_cast<SimpleFrameSink&>(*this)};
  link::Network network_;
  // Per [[link]] with autoconnect: when it may next be dialled, and the wait after that.
  struct Backoff {
    std::chrono::steady_clock::time_point next{};
    std::chrono::seconds wait{5};
    bool dialling = false;
  };
  std::unordered_map<std::string, Backoff> backoff_;
  std::vector<net::HttpServer> admin_listeners_;  // closed last, when a shutdown completes
  // The web front door: its policy and files ([web]), the frames of the last line fanned out to
  // WebSocket users, and the connections that have not upgraded (yet): each one's deadline, and
  // how many each address holds.
  web::WebPolicy web_policy_;
  web::StaticFiles web_files_;
  web::FrameEncoder web_frames_;
  struct WebPending {
    std::chrono::steady_clock::time_point deadline;
    std::size_t requests = 0;
    std::string counted_ip;  // the address whose count includes it; empty: exempt
  };
  std::unordered_map<core::SessionId, WebPending> web_pending_;
  std::unordered_map<std::string, std::size_t> web_pending_per_ip_;
  TransportCounters transport_counters_;
  std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
  std::vector<ListenerSlot> listeners_;
  std::uint32_t listener_ids_ = 0;
  ConfigSource config_source_;
  std::shared_ptr<net::TlsContext> tls_;
  std::shared_ptr<net::TlsContext>
      link_client_tls_;  // for dialling TLS links; made from tls_ when first needed
  std::vector<std::unique_ptr<Session[]>> session_pages_;  // slot s: page s / kSessionPage
  std::uint32_t slot_count_ = 0;                           // slots in use or free; free slots have id 0
  std::vector<std::uint32_t> free_slots_;                  // slots to reuse, most recently freed last
  std::vector<std::uint32_t> generations_;                 // per slot: the generation of its last session
  std::size_t session_count_ = 0;
  boost::asio::steady_timer tick_timer_{io_};
  boost::asio::steady_timer shutdown_timer_{io_};
  // Registered at construction, so a signal arriving before run() is not lost.
  boost::asio::signal_set signals_;
  bool running_ = false;
  bool shutting_down_ = false;
  bool restart_requested_ = false;
};

}  // namespace parley::server
