// Deployment settings of the IRC server: the engine's configuration plus what the transport needs.
// Filled by the app layer from built-in defaults, the TOML file and the command line.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "link/network.h"
#include "proto/cidr.h"
#include "store/store.h"

namespace parley::server {

// What a listener speaks: IRC, the simple fixed-frame protocol (docs/protocol.md "Simple"), the
// server-to-server protocol other servers link with (docs/linking.md), the browser front door
// (HTTP for the web client and IRC over WebSocket, docs/web.md), or HTTP for operators (/metrics
// and /healthz, docs/operations.md "Metrics"; never TLS, loopback by default).
enum class Protocol : std::uint8_t { kIrc, kSimple, kLink, kWeb, kAdmin };

// What a listener serves, in the words of the start-up lines and the log ("IRC over TLS",
// "server links", "admin HTTP"); tests and scripts read the start-up lines.
inline std::string listener_kind(Protocol protocol, bool tls) {
  std::string kind = protocol == Protocol::kSimple  ? "simple clients"
                     : protocol == Protocol::kLink  ? "server links"
                     : protocol == Protocol::kAdmin ? "admin HTTP"
                     : protocol == Protocol::kWeb   ? "web clients"
                                                    : "IRC";
  return tls ? kind + " over TLS" : kind;
}

struct ListenerOptions {
  std::string bind = "0.0.0.0";  // numeric IPv4 or IPv6 address
  std::uint16_t port = 0;        // 0 = any free port
  bool tls = false;
  Protocol protocol = Protocol::kIrc;
};

// The admin listener's HTTP endpoints ([metrics] in the config).
struct MetricsOptions {
  // When set, every request must carry "Authorization: Bearer <token>" (else 401).
  std::string token;
  // Admin HTTP connections open at once; more are closed at accept.
  std::size_t max_connections = 16;
  // A request must arrive, and its response leave, within this time.
  std::chrono::milliseconds request_timeout{10'000};
};

// The web listeners' settings ([web] in the config; docs/web.md).
struct WebOptions {
  // Serve the web client from this directory instead of the copy built into the binary.
  std::string root;
  // Page origins browsers may connect from; "*" for any. Empty: each listener's own origin.
  std::vector<std::string> origins;
  // Reverse proxies whose X-Forwarded-For / Forwarded headers name the real client.
  proto::CidrList trusted_proxies;
  // Connections from one address that have not (yet) become WebSocket clients: page and file
  // requests, and upgrades in progress. Past it: 503. Exempt: ServerOptions::per_ip_exempt.
  std::size_t http_connections_per_ip = 16;
  // A request must arrive within this time, and a keep-alive connection may idle this long
  // between requests; then it is closed. WebSocket clients are the engine's (PING timeouts).
  std::chrono::milliseconds request_timeout{10'000};
};

struct TlsOptions {
  // PEM files: the certificate (leaf first, then intermediates) and its private key. Empty: a
  // self-signed certificate generated into <data_dir>/tls/ (app/tls_certificate.h). SIGHUP
  // re-reads these files.
  std::string cert_file;
  std::string key_file;
  std::chrono::milliseconds handshake_timeout{10000};
};

// Where history goes and how long it stays (docs/operations.md "[history]"). Whether the engine
// records history, how much one CHATHISTORY may ask for and the backlog at which senders are held
// ([history] queue, core::HistoryPolicy::max_backlog) are engine settings.
struct HistoryOptions {
  // How often expired history is deleted.
  std::chrono::milliseconds expire_interval{60'000};
  // The group commit's pace: under load a commit starts at most this long after the previous one
  // began, so that one commit (one fsync, one write of each B-tree's last pages) carries more
  // messages. An echo waits up to this much longer; a quiet server commits at once. 0: no wait.
  std::chrono::milliseconds commit_interval{5};
  // Under heavy load the pace also follows the storage thread's cost (HistoryServiceOptions::
  // commit_cpu_share: its turns take about 5 % of a core), up to this long between commits. 0: the
  // pace stays commit_interval.
  std::chrono::milliseconds max_commit_interval{50};
  // Server-wide bounds and per-channel ones (keys: folded channel names). Default: 90 days.
  store::RetentionPolicy retention{{std::int64_t{90} * 24 * 3600 * 1000, 0}, {}};
};

// Where to reach a [[link]] peer (its name, passwords and role are in link::LinkBlock).
struct LinkDial {
  std::string name;     // the block's server name
  std::string address;  // host name or IP; empty: the peer connects to us, we never dial
  std::uint16_t port = 0;
  bool autoconnect = false;  // dial at start and after a split, with backoff
  bool tls = false;          // dial with TLS, presenting the server's certificate
};

struct ServerOptions {
  core::EngineConfig engine;
  // Where data outlives the process (app/data_dir.h): the account database (parley.db), the
  // generated TLS certificate and the cloak secret. Empty: nothing is kept (an in-memory store,
  // a certificate and secret made at start) -- for tests and throwaway servers.
  std::string data_dir;
  // What the server listens on, in order (docs/operations.md "Listeners"). Default: IRC on
  // 6667 and IRC over TLS on 6697, every address.
  std::vector<ListenerOptions> listeners = {{"0.0.0.0", 6667, false, Protocol::kIrc},
                                            {"0.0.0.0", 6697, true, Protocol::kIrc}};
  TlsOptions tls;
  MetricsOptions metrics;
  WebOptions web;
  HistoryOptions history;
  // Server links (docs/linking.md): the [[link]] blocks, and how to reach each one.
  link::NetworkConfig network;
  std::vector<LinkDial> link_dials;
  // The server whose account store the network uses ([accounts] authority; docs/linking.md
  // "Accounts"). Empty or this server's name: this server's own store. Otherwise logins,
  // registrations and account changes are relayed to it over the links.
  std::string account_authority;
  // Worker threads for password hashing and account store calls (server/account_service.h).
  std::size_t account_threads = 2;
  // Bytes queued for one client and not yet accepted by its socket; past it: "SendQ exceeded".
  std::size_t sendq_bytes = 1 << 20;
  // The same for a server link, which takes a whole burst at once: about 150 bytes per user and
  // per channel membership of the network (a network of 100,000 users bursts ~15 MB).
  std::size_t link_sendq_bytes = std::size_t{256} << 20;
  // Longest line accepted from a client (512 bytes of IRC + 8191 of message tags); a longer
  // line is discarded and answered with ERR_INPUTTOOLONG.
  std::size_t recvq_bytes = 512 + 8191;
  // Clients from these blocks skip flood control and the per-IP connection limit.
  proto::CidrList exempt;
  // Clients from these blocks skip only the per-IP limit. Default: loopback, where web gateways,
  // bouncers and bots on the same machine connect from (as Ergo's default configuration does).
  proto::CidrList per_ip_exempt = loopback();
  // Simple clients from these blocks (or from `exempt`) skip flood control and the per-IP
  // limit. Default: loopback, where the course protocol's test clients run.
  proto::CidrList simple_exempt = loopback();

  static proto::CidrList loopback() {
    return proto::CidrList({*proto::Cidr::parse("127.0.0.0/8"), *proto::Cidr::parse("::1/128")});
  }
};

}  // namespace parley::server
