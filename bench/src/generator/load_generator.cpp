#include "generator/load_generator.h"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "generator/clock.h"
#include "generator/proc_stats.h"
#include "metrics/irc_scan.h"

namespace parley::bench {

namespace {

constexpr std::size_t kMaxProblems = 8;
constexpr std::uint64_t kProgressEveryNs = 1'000'000'000;
constexpr int kIdleTurnMs = 50;

std::uint32_t default_source_ips(std::uint32_t clients) {
  // ~28k ephemeral ports per source address; keep well below that.
  return std::clamp<std::uint32_t>(clients / 16000 + 1, 1, 250);
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

bool is_join_error(std::string_view numeric) {
  for (std::string_view n : {"403", "405", "437", "471", "473", "474", "475", "476", "477", "489"}) {
    if (numeric == n) return true;
  }
  return false;
}

}  // namespace

LoadGenerator::LoadGenerator(const BenchOptions& options, std::vector<sockaddr_in> servers,
                             std::vector<pid_t> server_pids)
    : o_(options),
      linked_(servers.size() > 1),
      conns_(std::move(servers), options.clients,
             options.source_ips ? options.source_ips : default_source_ips(options.clients), *this),
      clients_(options.clients) {
  const std::uint32_t m = o_.channels;
  const std::uint32_t s = m == 0 ? 0 : std::min(o_.senders, o_.clients);
  channel_senders_.assign(m, 0);
  channel_members_.assign(m, 0);
  for (std::uint32_t i = 0; i < s; ++i) {
    Sender sender;
    sender.client = i;
    sender.channel = i % m;
    sender.slot = i / m;
    sender.prefix = "PRIVMSG " + channel_name(sender.channel) + " :";
    if (!o_.aligned) sender.phase_ns = sender_phase_ns(i, s, o_.rate);
    senders_.push_back(std::move(sender));
    ++channel_senders_[i % m];
  }
  std::uint32_t trackers = 0;
  for (std::uint32_t i = 0; i < o_.clients && m > 0; ++i) {
    clients_[i].channel = i % m;
    clients_[i].tracker_base = trackers;
    trackers += channel_senders_[i % m];
  }
  trackers_.resize(trackers);
  for (pid_t pid : server_pids) {
    if (pid > 0) server_pids_.push_back(pid);
  }
  if (linked_) seen_members_.assign(o_.clients, 0);
  conns_.set_quickack(o_.quickack);
  if (o_.tls && !conns_.enable_tls()) throw std::runtime_error("cannot create an OpenSSL client context");
  if (o_.websocket) {
    conns_.enable_websocket(o_.host + ":" + std::to_string(o_.port), ws_protocol_header(o_),
                            o_.ws_subprotocol == "binary");
  }
}

const char* LoadGenerator::nick(std::uint32_t client) {
  std::snprintf(nick_buffer_, sizeof nick_buffer_, "b%u", client);
  return nick_buffer_;
}

RunReport LoadGenerator::run() {
  start_ns_ = mono_ns();
  if (auto s = sample_servers()) report_.rss_base_kib = s->rss_kib;
  register_clients();
  if (!aborted_) measure_idle();
  if (!aborted_ && !senders_.empty()) join_channels();
  if (!aborted_ && !senders_.empty() && linked_) await_member_views();
  if (!aborted_ && !senders_.empty()) run_traffic();
  finish();
  return report_;
}

// ---- event handling -------------------------------------------------------------------------

void LoadGenerator::on_connected(std::uint32_t client) {
  // With --echo, senders (clients 0..S-1) negotiate echo-message; CAP END follows at once, the
  // server finishes registration after the ACK.
  if (o_.echo && client < senders_.size()) conns_.send(client, "CAP REQ :echo-message\r\n");
  char lines[96];
  const int n = std::snprintf(lines, sizeof lines, "NICK %s\r\nUSER %s 0 * :parley-bench\r\n", nick(client),
                              nick_buffer_);
  conns_.send(client, std::string_view(lines, static_cast<std::size_t>(n)));
  if (o_.echo && client < senders_.size()) conns_.send(client, "CAP END\r\n");
  clients_[client].state = State::kRegistering;
}

void LoadGenerator::on_closed(std::uint32_t client, std::string_view reason) {
  Client& c = clients_[client];
  if (c.state == State::kConnecting || c.state == State::kRegistering) {
    --registering_;
    ++report_.register_failed;
  } else if (c.state == State::kJoining) {
    --joining_;
    ++join_failed_;
  }
  c.state = State::kFailed;
  problem(std::string(nick(client)) + ": " + std::string(reason));
}

void LoadGenerator::on_line(std::uint32_t client, std::string_view line, std::uint64_t now) {
  // Hot path: a benchmark PRIVMSG. Everything else is rare.
  const std::string_view text = privmsg_text(line);
  if (!text.empty()) {
    if (auto payload = decode_payload(text)) return on_payload(client, *payload, now);
  }
  on_control_line(client, line);
}

void LoadGenerator::on_payload(std::uint32_t client, const Payload& p, std::uint64_t now) {
  Client& c = clients_[client];
  if (o_.echo && p.sender < senders_.size() && senders_[p.sender].client == client) {
    if (measuring_) report_.echo_latency.record(now > p.sent_ns ? now - p.sent_ns : 0);
    return;
  }
  if (p.sender >= senders_.size() || senders_[p.sender].channel != c.channel ||
      senders_[p.sender].client == client || !c.receiving) {
    ++report_.misrouted;
    return;
  }
  trackers_[c.tracker_base + senders_[p.sender].slot].on_receive(p.seq);
  windows_[p.sender].on_delivered(p.seq);
  last_delivery_ns_ = now;
  if (measuring_) {
    ++report_.measured_deliveries;
    report_.latency.record(now > p.sent_ns ? now - p.sent_ns : 0);
  }
}

void LoadGenerator::on_control_line(std::uint32_t client, std::string_view line) {
  const ScannedLine s = scan_line(line);
  if (s.command == "PING") {
    std::string pong = "PONG :";
    pong.append(trailing_param(s.params));
    pong += "\r\n";
    conns_.send(client, pong);
  } else if (s.command.size() == 3 && std::isdigit(static_cast<unsigned char>(s.command[0]))) {
    on_numeric(client, s.command, s.params);
  } else if (s.command == "JOIN") {
    if (prefix_nick(s.prefix) == nick(client)) {
      if (clients_[client].state == State::kJoining) set_joined(client);
    } else if (linked_ && client < senders_.size()) {
      ++seen_members_[client];
    }
  } else if (s.command == "FAIL") {  // e.g. history storage refused a message
    ++report_.server_errors;
    problem(std::string(nick(client)) + ": FAIL " + std::string(s.params));
  } else if (s.command == "ERROR") {
    ++report_.server_errors;
    problem(std::string(nick(client)) + ": ERROR " + std::string(trailing_param(s.params)));
  }
}

void LoadGenerator::on_numeric(std::uint32_t client, std::string_view numeric, std::string_view params) {
  Client& c = clients_[client];
  if (numeric == "353") {  // RPL_NAMREPLY: members present when this client joined
    if (linked_ && client < senders_.size()) count_seen_members(client, params);
    return;
  }
  if (numeric == "001") {
    if (c.state == State::kRegistering) {
      c.state = State::kRegistered;
      --registering_;
      ++report_.registered;
      last_registered_ns_ = mono_ns();
      report_.register_latency.record(last_registered_ns_ - c.opened_ns);
    }
    return;
  }
  if (numeric[0] != '4' && numeric[0] != '5') return;
  ++report_.server_errors;
  const std::string what =
      std::string(nick(client)) + ": " + std::string(numeric) + " " + std::string(params);
  if (c.state == State::kRegistering) {
    // Registration refused (nickname in use, banned, ...): this client is done.
    problem(what);
    conns_.close(client);
    on_closed(client, "registration refused");
  } else if (c.state == State::kJoining && is_join_error(numeric)) {
    join_failed(client, what);
  } else {
    problem(what);
  }
}

// ---- registration and idle memory ------------------------------------------------------------

void LoadGenerator::open_client(std::uint32_t client) {
  std::string error;
  bool descriptor_limit = false;
  clients_[client].state = State::kConnecting;
  clients_[client].opened_ns = mono_ns();
  ++registering_;
  ++report_.attempted;
  if (!conns_.open(client, server_index(o_, client), error, descriptor_limit)) {
    clients_[client].state = State::kFailed;
    --registering_;
    ++report_.register_failed;
    if (descriptor_limit) report_.descriptor_limited = true;
    problem(error);
  }
}

void LoadGenerator::register_clients() {
  const std::uint64_t t0 = mono_ns();
  const std::uint64_t deadline = t0 + to_ns(o_.connect_timeout);
  std::uint32_t next = 0;
  bool stop_opening = false;
  for (;;) {
    stop_opening = stop_opening || report_.descriptor_limited || report_.register_failed > o_.max_failures;
    while (!stop_opening && next < o_.clients && registering_ < o_.connect_batch) open_client(next++);
    if (registering_ == 0 && (next == o_.clients || stop_opening)) break;
    if (aborted_) break;
    if (mono_ns() > deadline) {
      problem("registration phase timed out with " + std::to_string(registering_) + " still registering");
      break;
    }
    pump(kIdleTurnMs);
    const double elapsed = seconds(mono_ns() - t0);
    progress("register", std::to_string(report_.registered) + "/" + std::to_string(o_.clients) +
                             " registered, " + std::to_string(report_.register_failed) + " failed, " +
                             std::to_string(static_cast<int>(report_.registered / std::max(elapsed, 1e-3))) +
                             "/s");
  }
  report_.register_seconds = seconds((last_registered_ns_ ? last_registered_ns_ : mono_ns()) - t0);
  if (report_.registered > 0 && report_.register_seconds > 0) {
    report_.registrations_per_s = report_.registered / report_.register_seconds;
  }
  progress("register",
           std::to_string(report_.registered) + " registered in " + std::to_string(report_.register_seconds) +
               " s",
           true);
}

void LoadGenerator::measure_idle() {
  // The server's CPU while it holds the idle clients: over the settle and hold periods.
  const Usage before = sample_usage();
  const std::uint64_t settle_end = before.wall_ns + to_ns(o_.settle);
  while (mono_ns() < settle_end && !aborted_) pump(kIdleTurnMs);
  if (report_.registered > 0) {
    if (auto s = sample_servers()) {
      report_.rss_registered_kib = s->rss_kib;
      const double delta = static_cast<double>(s->rss_kib) - static_cast<double>(report_.rss_base_kib);
      report_.idle_kib_per_conn = delta / report_.registered;
    }
  }
  const std::uint64_t hold_end = mono_ns() + to_ns(o_.hold);
  while (mono_ns() < hold_end && !aborted_) pump(kIdleTurnMs);
  if (senders_.empty() && o_.settle + o_.hold > 0) report_usage(before, sample_usage());
  if (report_.registered > 0) {
    char text[128];
    std::snprintf(text, sizeof text, "server RSS %llu KiB -> %llu KiB: %.2f KiB per connection",
                  static_cast<unsigned long long>(report_.rss_base_kib),
                  static_cast<unsigned long long>(report_.rss_registered_kib), report_.idle_kib_per_conn);
    progress("idle", text, true);
  }
}

// ---- joining ----------------------------------------------------------------------------------

void LoadGenerator::start_join(std::uint32_t client) {
  if (client < senders_.size()) {
    for (const auto& line : o_.sender_setup) {
      conns_.send(client, replace_all(line, "{nick}", nick(client)) + "\r\n");
    }
  }
  conns_.send(client, "JOIN " + channel_name(clients_[client].channel) + "\r\n");
  clients_[client].state = State::kJoining;
  ++joining_;
}

void LoadGenerator::set_joined(std::uint32_t client) {
  clients_[client].state = State::kJoined;
  --joining_;
  ++report_.joined;
  ++channel_members_[clients_[client].channel];
}

void LoadGenerator::join_failed(std::uint32_t client, std::string_view why) {
  clients_[client].state = State::kRegistered;
  --joining_;
  ++join_failed_;
  problem(why);
}

void LoadGenerator::join_channels() {
  const std::uint64_t t0 = mono_ns();
  const std::uint64_t deadline = t0 + to_ns(o_.join_timeout);
  std::uint32_t next = 0;
  for (;;) {
    for (; next < o_.clients && joining_ < o_.join_batch; ++next) {
      if (clients_[next].state == State::kRegistered) start_join(next);
    }
    if (joining_ == 0 && next == o_.clients) break;
    if (aborted_) break;
    if (mono_ns() > deadline) {
      problem("join phase timed out with " + std::to_string(joining_) + " joins unanswered");
      break;
    }
    pump(kIdleTurnMs);
    progress("join", std::to_string(report_.joined) + "/" + std::to_string(report_.registered) + " joined");
  }
  progress("join",
           std::to_string(report_.joined) + " joined in " + std::to_string(seconds(mono_ns() - t0)) + " s",
           true);
}

void LoadGenerator::count_seen_members(std::uint32_t client, std::string_view params) {
  // "<me> <=|*|@> <#chan> :<[prefixes]nick> ...": every name but this client's own.
  const std::string_view names = trailing_param(params);
  const std::string_view me = nick(client);
  std::size_t at = 0;
  while (at < names.size()) {
    std::size_t end = names.find(' ', at);
    if (end == std::string_view::npos) end = names.size();
    std::string_view name = names.substr(at, end - at);
    while (!name.empty() &&
           (name[0] == '@' || name[0] == '+' || name[0] == '%' || name[0] == '~' || name[0] == '&')) {
      name.remove_prefix(1);
    }
    if (!name.empty() && name != me) ++seen_members_[client];
    at = end + 1;
  }
}

void LoadGenerator::await_member_views() {
  const std::uint64_t t0 = mono_ns();
  const std::uint64_t deadline = t0 + to_ns(o_.join_timeout);
  auto missing = [this] {
    std::uint64_t n = 0;
    for (const Sender& s : senders_) {
      if (clients_[s.client].state != State::kJoined) continue;
      const std::uint32_t others = channel_members_[s.channel] - 1;
      if (seen_members_[s.client] < others) n += others - seen_members_[s.client];
    }
    return n;
  };
  for (std::uint64_t n = missing(); n > 0; n = missing()) {
    if (aborted_) return;
    if (mono_ns() > deadline) {
      problem("linked: senders still miss " + std::to_string(n) + " channel members after the join timeout");
      return;
    }
    pump(kIdleTurnMs);
    progress("join", "linked: senders miss " + std::to_string(n) + " members on their servers");
  }
  progress(
      "join",
      "linked: every sender sees its whole channel after " + std::to_string(seconds(mono_ns() - t0)) + " s",
      true);
}

std::optional<ProcSample> LoadGenerator::sample_servers() const {
  if (server_pids_.empty()) return std::nullopt;
  ProcSample sum;
  for (pid_t pid : server_pids_) {
    auto s = sample_process(pid);
    if (!s) return std::nullopt;
    sum.cpu_ns += s->cpu_ns;
    sum.rss_kib += s->rss_kib;
    sum.hwm_kib += s->hwm_kib;
    sum.threads += s->threads;
  }
  return sum;
}

// ---- traffic ----------------------------------------------------------------------------------

void LoadGenerator::send_batch(std::uint32_t sender, std::uint32_t count) {
  const Sender& s = senders_[sender];
  DeliveryWindow& window = windows_[sender];
  std::string& out = conns_.output(s.client);
  const std::size_t line_bytes = s.prefix.size() + kPayloadBytes + o_.padding + 2;
  const std::size_t at_start = out.size();
  out.resize(at_start + line_bytes * count);
  char* p = out.data() + at_start;
  const std::uint64_t now = mono_ns();
  for (std::uint32_t k = 0; k < count; ++k) {
    std::memcpy(p, s.prefix.data(), s.prefix.size());
    p += s.prefix.size();
    p += encode_payload(Payload{sender, window.take_seq(), now}, o_.padding, p);
    *p++ = '\r';
    *p++ = '\n';
  }
  report_.sent += count;
  conns_.mark_dirty(s.client);
}

int LoadGenerator::send_due(std::uint64_t now) {
  std::uint64_t next_due = UINT64_MAX;
  for (std::uint32_t i = 0; i < senders_.size(); ++i) {
    const Sender& s = senders_[i];
    if (clients_[s.client].state != State::kJoined || conns_.has_pending_output(s.client)) continue;
    const DeliveryWindow& w = windows_[i];
    std::uint64_t n = w.sendable();
    if (o_.messages) n = std::min<std::uint64_t>(n, o_.messages - std::min(o_.messages, w.sent()));
    if (o_.mode == SendMode::kRate) {
      const std::uint64_t start = traffic_start_ns_ + s.phase_ns;
      const std::uint64_t due = now >= start ? messages_due(now - start, o_.rate) : 0;
      n = std::min<std::uint64_t>(n, due > w.sent() ? due - w.sent() : 0);
      const std::uint64_t next = start + static_cast<std::uint64_t>((w.sent() + n) * 1e9 / o_.rate);
      next_due = std::min(next_due, next);
    }
    if (n > 0) send_batch(i, static_cast<std::uint32_t>(n));
  }
  if (o_.mode != SendMode::kRate || next_due == UINT64_MAX) return kIdleTurnMs;
  const std::uint64_t wait_ns = next_due > now ? next_due - now : 0;
  return static_cast<int>(std::min<std::uint64_t>(wait_ns / 1'000'000 + 1, kIdleTurnMs));
}

bool LoadGenerator::senders_done() const {
  if (!o_.messages) return false;
  for (std::uint32_t i = 0; i < senders_.size(); ++i) {
    if (clients_[senders_[i].client].state == State::kJoined && windows_[i].sent() < o_.messages)
      return false;
  }
  return true;
}

LoadGenerator::Usage LoadGenerator::sample_usage() {
  Usage u;
  u.wall_ns = mono_ns();
  u.self_cpu_ns = self_cpu_ns();
  u.other_cpu_ns = other_processes_cpu_ns(server_pids_.empty() ? 0 : server_pids_[0],
                                          server_pids_.size() > 1 ? server_pids_[1] : 0);
  u.busy_ns = cpu_busy_ns();
  if (auto s = sample_servers()) u.server_cpu_ns = s->cpu_ns;
  return u;
}

void LoadGenerator::report_usage(const Usage& from, const Usage& to) {
  const double wall = static_cast<double>(to.wall_ns - from.wall_ns);
  if (wall <= 0) return;
  auto pct = [wall](std::uint64_t a, std::uint64_t b) {
    return b > a ? 100.0 * static_cast<double>(b - a) / wall : 0.0;
  };
  report_.generator_cpu_pct = pct(from.self_cpu_ns, to.self_cpu_ns);
  report_.other_cpu_pct = pct(from.other_cpu_ns, to.other_cpu_ns);
  report_.cpu_busy_pct.clear();
  for (std::size_t i = 0; i < from.busy_ns.size() && i < to.busy_ns.size(); ++i) {
    report_.cpu_busy_pct.push_back(std::min(100.0, pct(from.busy_ns[i], to.busy_ns[i])));
  }
  if (!server_pids_.empty()) {
    report_.server_cpu_pct = pct(from.server_cpu_ns, to.server_cpu_ns);
    if (auto s = sample_servers()) {
      report_.server_rss_kib = s->rss_kib;
      report_.server_rss_peak_kib = s->hwm_kib;
      report_.server_threads = s->threads;
    }
  }
}

void LoadGenerator::begin_measure(std::uint64_t now) {
  measuring_ = true;
  measure_start_ns_ = now;
  sent_at_measure_start_ = report_.sent;
  reads_at_start_ = conns_.reads();
  usage_at_start_ = sample_usage();
}

void LoadGenerator::end_measure(std::uint64_t now) {
  if (!measuring_) return;
  measuring_ = false;
  const std::uint64_t end = (o_.messages && last_delivery_ns_ > measure_start_ns_) ? last_delivery_ns_ : now;
  const double wall = seconds(end - measure_start_ns_);
  report_.measure_seconds = wall;
  report_.generator_reads = conns_.reads() - reads_at_start_;
  report_usage(usage_at_start_, sample_usage());
  if (wall <= 0) return;
  report_.deliveries_per_s = report_.measured_deliveries / wall;
  report_.messages_per_s = (report_.sent - sent_at_measure_start_) / wall;
}

void LoadGenerator::run_traffic() {
  for (auto& c : clients_) c.receiving = c.state == State::kJoined;
  windows_.clear();
  for (const Sender& s : senders_) {
    const std::uint32_t members = channel_members_[s.channel];
    windows_.emplace_back(o_.window, members > 0 ? members - 1 : 0);
    const std::size_t batch = std::min<std::uint32_t>(o_.window, 4096);
    conns_.output(s.client).reserve(batch * (s.prefix.size() + kPayloadBytes + o_.padding + 2));
  }
  traffic_start_ns_ = mono_ns();
  const std::uint64_t measure_at = traffic_start_ns_ + to_ns(o_.warmup);
  const std::uint64_t stop_at = measure_at + to_ns(o_.duration);
  for (;;) {
    const std::uint64_t now = mono_ns();
    if (!measuring_ && now >= measure_at && measure_start_ns_ == 0) begin_measure(now);
    if (now >= stop_at || senders_done() || aborted_) break;
    const int wait_ms = send_due(now);
    conns_.flush();
    pump(wait_ms);
    char text[160];
    std::snprintf(text, sizeof text, "%.1f s: %llu sent, %llu delivered%s", seconds(now - traffic_start_ns_),
                  static_cast<unsigned long long>(report_.sent),
                  static_cast<unsigned long long>(report_.measured_deliveries),
                  measuring_ ? "" : " (warming up)");
    progress("traffic", text);
  }
  if (!o_.messages) end_measure(mono_ns());
  drain();
  if (o_.messages) end_measure(mono_ns());
}

void LoadGenerator::drain() {
  const std::uint64_t deadline = mono_ns() + to_ns(o_.drain_timeout);
  auto undelivered = [this] {
    std::uint64_t n = 0;
    for (std::uint32_t i = 0; i < senders_.size(); ++i) {
      if (clients_[senders_[i].client].state == State::kJoined) n += windows_[i].in_flight();
    }
    return n;
  };
  while (undelivered() > 0 && mono_ns() < deadline && !aborted_) pump(kIdleTurnMs);
  report_.drained = undelivered() == 0;
  if (!report_.drained)
    problem(std::to_string(undelivered()) + " messages still undelivered after the drain timeout");
}

void LoadGenerator::finish() {
  for (const auto& c : clients_) {
    if (c.state == State::kRegistered || c.state == State::kJoined) ++report_.held;
  }
  for (std::uint32_t r = 0; r < clients_.size() && !windows_.empty(); ++r) {
    const Client& c = clients_[r];
    if (!c.receiving) continue;
    for (std::uint32_t i = 0; i < senders_.size(); ++i) {
      const Sender& s = senders_[i];
      if (s.channel != c.channel || s.client == r || !clients_[s.client].receiving) continue;
      report_.loss.add(trackers_[c.tracker_base + s.slot], windows_[i].sent());
    }
  }
  conns_.close_all();
  report_.total_seconds = seconds(mono_ns() - start_ns_);
}

// ---- plumbing ---------------------------------------------------------------------------------

void LoadGenerator::pump(int timeout_ms) {
  conns_.turn(timeout_ms);
  const std::uint64_t now = mono_ns();
  if (!server_pids_.empty() && now - last_liveness_ns_ > 500'000'000) {
    last_liveness_ns_ = now;
    for (std::size_t i = 0; i < server_pids_.size(); ++i) {
      if (::kill(server_pids_[i], 0) != 0) {
        problem(i == 0 ? "the server process is gone" : "the second server process is gone");
        aborted_ = true;
      }
    }
  }
}

void LoadGenerator::progress(const char* phase, const std::string& text, bool force) {
  if (o_.quiet) return;
  const std::uint64_t now = mono_ns();
  if (!force && now - last_progress_ns_ < kProgressEveryNs) return;
  last_progress_ns_ = now;
  std::fprintf(stderr, "[%s %s] %s: %s\n", o_.label.empty() ? "server" : o_.label.c_str(), o_.preset.c_str(),
               phase, text.c_str());
}

void LoadGenerator::problem(std::string_view what) {
  auto& list = report_.problems;
  // Keep the first few distinct kinds; clients differ only in their nick, so compare past it.
  const auto kind = what.substr(std::min(what.find(' '), what.size()));
  for (const auto& p : list) {
    if (std::string_view(p).substr(std::min(p.find(' '), p.size())) == kind) return;
  }
  if (list.size() < kMaxProblems) {
    list.emplace_back(what);
    if (!o_.quiet) std::fprintf(stderr, "parley-bench: %s\n", list.back().c_str());
  }
}

}  // namespace parley::bench
