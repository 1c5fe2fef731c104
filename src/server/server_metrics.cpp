// The admin listener's endpoints: /metrics renders what the engine, the links, the storage thread
// and the transport have counted (docs/operations.md "Metrics" lists every metric); /healthz says
// whether the server is serving. Everything here runs on the server's thread, between events, and
// reads plain counters; the storage thread's values are copied under its mutex.
#include <dirent.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>

#include "net/endpoint.h"
#include "server/irc_server.h"
#include "server/metrics_text.h"

namespace parley::server {

namespace {
using Type = MetricsText::Type;

// Resident set size in bytes, from /proc/self/statm (its second field, in pages); -1 if unknown.
double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long long size = 0, resident = 0;
  if (!(statm >> size >> resident)) return -1;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

// Open descriptors: the entries of /proc/self/fd, less the one opendir() holds.
double open_descriptors() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return -1;
  long count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return static_cast<double>(count - 1);
}

double max_descriptors() {
  const long max = sysconf(_SC_OPEN_MAX);
  return max < 0 ? -1 : static_cast<double>(max);
}

// User plus system CPU time, from /proc/self/stat (fields 14 and 15, in clock ticks).
double cpu_seconds() {
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (!std::getline(stat, line)) return -1;
  const auto close = line.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1;
  std::istringstream fields(line.substr(close + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt
  unsigned long long user = 0, system = 0;
  if (!(fields >> user >> system)) return -1;
  return static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string_view link_state_name(link::LinkState state) {
  switch (state) {
    case link::LinkState::kCapab: return "handshake";
    case link::LinkState::kWaitBurst: return "wait_burst";
    case link::LinkState::kBursting: return "bursting";
    case link::LinkState::kLinked: return "linked";
  }
  return "unknown";
}

// Constant time in the token's content, so a wrong guess does not tell how much of it was right.
bool same_secret(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) return false;
  return CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

net::HttpResponse plain(unsigned status, std::string body) {
  net::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}
}  // namespace

net::tcp::endpoint IrcServer::add_admin_listener(const net::tcp::endpoint& at) {
  net::HttpLimits limits;
  limits.max_connections = options_.metrics.max_connections;
  limits.request_timeout = options_.metrics.request_timeout;
  net::HttpServer admin(
      io_, at, limits, [this](const net::HttpRequest& request) { return admin_request(request); },
      [](std::string_view message) { spdlog::warn("admin listener: {}", message); });
  auto bound = admin.local_endpoint();
  if (running_) admin.start();
  admin_listeners_.push_back(std::move(admin));
  spdlog::info("listening for admin HTTP (/metrics, /healthz) on {}", net::endpoint_to_string(bound));
  return bound;
}

net::HttpResponse IrcServer::admin_request(const net::HttpRequest& request) const {
  const std::string& token = options_.metrics.token;
  if (!token.empty()) {
    std::string_view auth = request.header("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    const bool ok =
        auth.size() > kBearer.size() &&
        proto::equal_folded(auth.substr(0, kBearer.size()), kBearer, proto::Casemapping::kAscii) &&
        same_secret(auth.substr(kBearer.size()), token);
    if (!ok) {
      net::HttpResponse r = plain(401, "A bearer token is required ([metrics] token)\n");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"parley\"");
      return r;
    }
  }
  const std::string_view path = request.path();
  if (path != "/metrics" && path != "/healthz") return plain(404, "Not found: try /metrics or /healthz\n");
  if (request.method != "GET") {
    net::HttpResponse r = plain(405, "Only GET is allowed here\n");
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  if (path == "/healthz") {
    if (shutting_down_) return plain(503, "shutting down\n");
    return plain(200, "ok\n");
  }
  net::HttpResponse r = plain(200, render_metrics());
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

std::string IrcServer::render_metrics() const {
  static constexpr std::array<std::string_view, kKinds> kKindNames = {
      "irc", "irc+tls", "simple", "simple+tls", "link", "link+tls", "web", "web+tls"};
  MetricsText m;
  const core::Engine::Counters engine = engine_.counters();

  m.family("parley_build_info", Type::kGauge, "The running build: always 1, with its version as a label");
  m.sample("parley_build_info",
           {{"version", options_.engine.version}, {"server", options_.engine.server_name}}, std::uint64_t{1});
  m.gauge("parley_up", "1 while serving, 0 during a graceful shutdown", shutting_down_ ? 0 : 1);

  m.family("parley_connections", Type::kGauge,
           "Open connections by the kind of listener they came from (links: dialled ones too)");
  for (std::size_t k = 0; k < kKinds; ++k) {
    if (k == kSimpleTls && transport_counters_.open[k] == 0) continue;  // no such listener usually
    m.sample("parley_connections", {{"kind", kKindNames[k]}},
             static_cast<std::uint64_t>(transport_counters_.open[k]));
  }
  m.family("parley_users", Type::kGauge,
           "Registered users: on this server (local) and in the whole network (global)");
  m.sample("parley_users", {{"scope", "local"}}, static_cast<std::uint64_t>(engine_.registered_count()));
  m.sample("parley_users", {{"scope", "global"}}, static_cast<std::uint64_t>(engine_.global_user_count()));
  m.gauge("parley_unregistered_connections", "Client connections that have not completed registration",
          static_cast<double>(engine_.unregistered_count()));
  m.gauge("parley_channels", "Channels that exist (with members, or registered)",
          static_cast<double>(engine_.channel_count()));

  m.counter("parley_client_lines_in_total", "Lines received from local clients", engine.lines_in);
  m.counter("parley_client_bytes_in_total", "Bytes of those lines, CR LF included", engine.bytes_in);
  m.counter("parley_client_deliveries_total",
            "Lines queued to local clients, one per recipient (a fan-out to 100 members counts 100)",
            engine.deliveries_out);
  m.counter("parley_client_bytes_out_total", "Bytes of those lines", engine.bytes_out);
  m.counter("parley_sendq_disconnects_total",
            "Connections closed because their send queue overflowed (SendQ exceeded)",
            transport_counters_.sendq_disconnects);
  m.counter("parley_flood_disconnects_total", "Clients disconnected by flood control (Excess Flood)",
            engine.flood_disconnects);
  m.counter("parley_tls_handshakes_total", "TLS handshakes completed (clients and links)",
            transport_counters_.tls_handshakes);
  m.counter("parley_tls_handshake_failures_total",
            "TLS connections that ended before their handshake completed (failed, timed out or abandoned)",
            transport_counters_.tls_failures);
  m.family("parley_sasl_authentications_total", Type::kCounter, "SASL exchanges by outcome (903 or 904)");
  m.sample("parley_sasl_authentications_total", {{"result", "success"}}, engine.sasl_successes);
  m.sample("parley_sasl_authentications_total", {{"result", "failure"}}, engine.sasl_failures);

  const HistoryMetrics history = history_.metrics();
  const CommitHistogram commits = history_.commit_histogram();
  m.gauge("parley_history_queue_depth", "History requests waiting for the storage thread",
          static_cast<double>(history.queue_depth));
  m.counter("parley_history_entries_written_total", "History entries stored durably",
            history.entries_written);
  m.counter("parley_history_commit_failures_total", "Group commits that failed", history.failed_commits);
  m.counter("parley_history_rejected_total", "History requests refused because the queue was full",
            history.rejected);
  std::array<double, kCommitBoundsUs.size()> bounds{};
  for (std::size_t i = 0; i < bounds.size(); ++i) bounds[i] = static_cast<double>(kCommitBoundsUs[i]) / 1e6;
  m.histogram("parley_history_commit_seconds", "Time to commit one group of history entries", bounds,
              commits.counts, static_cast<double>(commits.sum_us) / 1e6);

  const auto links = network_.links();
  std::array<std::uint64_t, 4> by_state{};
  for (const auto& l : links) ++by_state[static_cast<std::size_t>(l.state)];
  m.family("parley_links", Type::kGauge, "Server links by state (linked: the peer's burst has completed)");
  for (auto state : {link::LinkState::kCapab, link::LinkState::kWaitBurst, link::LinkState::kBursting,
                     link::LinkState::kLinked}) {
    m.sample("parley_links", {{"state", link_state_name(state)}}, by_state[static_cast<std::size_t>(state)]);
  }
  m.gauge("parley_link_servers", "Servers in the network besides this one",
          static_cast<double>(engine_.remote_servers().size()));
  m.counter("parley_link_bursts_total", "Peers' bursts received completely (ENDBURST)",
            network_.bursts().completed);
  m.gauge("parley_link_last_burst_seconds", "How long the last completed burst took, first line to ENDBURST",
          std::chrono::duration<double>(network_.bursts().last).count());
  if (!links.empty()) {
    m.family("parley_link_lines_in_total", Type::kCounter, "Lines received on each link that is up");
    for (const auto& l : links) m.sample("parley_link_lines_in_total", {{"peer", l.server}}, l.lines_in);
    m.family("parley_link_lines_out_total", Type::kCounter, "Lines sent on each link that is up");
    for (const auto& l : links) m.sample("parley_link_lines_out_total", {{"peer", l.server}}, l.lines_out);
  }

  m.gauge("process_resident_memory_bytes", "Resident memory size in bytes", resident_bytes());
  m.gauge("process_open_fds", "Open file descriptors", open_descriptors());
  m.gauge("process_max_fds", "Maximum number of open file descriptors", max_descriptors());
  m.family("process_cpu_seconds_total", Type::kCounter, "User and system CPU time spent, in seconds");
  m.sample("process_cpu_seconds_total", {}, cpu_seconds());
  m.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds",
          std::chrono::duration<double>(started_.time_since_epoch()).count());
  return m.take();
}

}  // namespace parley::server
