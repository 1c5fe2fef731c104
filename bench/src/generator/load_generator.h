// One benchmark run against one IRC server: register clients, join them to channels, send
// numbered, timestamped PRIVMSGs, count what arrives. Phases run in order, each bounded in time:
//
//   register  open `clients` connections, at most `connect_batch` registrations in flight;
//             a client is registered when it sees 001.
//   idle      wait `settle` s, then read the server's RSS: KiB per connection.
//   join      client i joins channel i % channels (senders first, after their setup lines);
//             joined when its own JOIN comes back. With two linked servers, also until every
//             sender's server lists all of its channel's members (JOIN and NAMES lines the sender
//             sees), so no message goes out before the remote members are known.
//   traffic   senders 0..S-1 (sender s in channel s % channels) send, windowed or at a fixed
//             rate, for warmup + duration s (or until `messages` each); deliveries, latency and
//             server CPU are measured after warmup.
//   drain     wait (bounded) until every message reached every receiver, then count losses.
//
// Thread: single-threaded; run() once.
#pragma once

#include <netinet/in.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "generator/connection_set.h"
#include "generator/options.h"
#include "generator/proc_stats.h"
#include "generator/report.h"
#include "metrics/delivery_window.h"
#include "metrics/payload.h"
#include "metrics/sequence_tracker.h"

namespace parley::bench {

class LoadGenerator final : private LineHandler {
 public:
  // `servers`: one address, or two (linked; client i goes to servers[server_index(i)]).
  // `server_pids`: CPU/RSS are summed over them; 0 entries are skipped (none: not measured).
  LoadGenerator(const BenchOptions& options, std::vector<sockaddr_in> servers,
                std::vector<pid_t> server_pids);
  RunReport run();
  // Reads and discards `fd` (a spawned server's stdout) so the server never blocks on it.
  void drain_output_of_server(int fd) { conns_.drain_descriptor(fd); }

 private:
  enum class State : std::uint8_t {
    kIdle,
    kConnecting,
    kRegistering,
    kRegistered,
    kJoining,
    kJoined,
    kFailed
  };
  struct Client {
    State state = State::kIdle;
    bool receiving = false;  // joined when traffic started: its losses count
    std::uint32_t channel = 0;
    std::uint32_t tracker_base = 0;  // first of its channel's senders' trackers
    std::uint64_t opened_ns = 0;     // when its connect() started
  };
  // CPU counters at one instant, to report usage over an interval.
  struct Usage {
    std::uint64_t wall_ns = 0;
    std::uint64_t server_cpu_ns = 0;
    std::uint64_t self_cpu_ns = 0;
    std::uint64_t other_cpu_ns = 0;
    std::vector<std::uint64_t> busy_ns;  // per CPU
  };
  struct Sender {
    std::uint32_t client = 0;
    std::uint32_t channel = 0;
    std::uint32_t slot = 0;      // index among its channel's senders
    std::string prefix;          // "PRIVMSG #cN :"
    std::uint64_t phase_ns = 0;  // rate mode: starts this long after the traffic phase
  };

  // LineHandler
  void on_line(std::uint32_t client, std::string_view line, std::uint64_t now) override;
  void on_connected(std::uint32_t client) override;
  void on_closed(std::uint32_t client, std::string_view reason) override;

  void register_clients();
  void open_client(std::uint32_t client);
  void measure_idle();
  void join_channels();
  // Linked: waits until each sender has seen all of its channel's other members.
  void await_member_views();
  void count_seen_members(std::uint32_t client, std::string_view numeric_params);
  // The servers' summed CPU time, RSS and threads; nullopt if none is measured or one is gone.
  std::optional<ProcSample> sample_servers() const;
  void start_join(std::uint32_t client);
  void run_traffic();
  void drain();
  void finish();

  void on_control_line(std::uint32_t client, std::string_view line);
  void on_numeric(std::uint32_t client, std::string_view numeric, std::string_view params);
  void on_payload(std::uint32_t client, const Payload& payload, std::uint64_t now);
  void set_joined(std::uint32_t client);
  void join_failed(std::uint32_t client, std::string_view why);
  // Queues what each sender may send now; returns the ms until the next one is due (rate mode).
  int send_due(std::uint64_t now);
  void send_batch(std::uint32_t sender, std::uint32_t count);
  Usage sample_usage();
  // Server, generator and other processes' CPU %, and per-CPU busy %, between two samples.
  void report_usage(const Usage& from, const Usage& to);
  void begin_measure(std::uint64_t now);
  void end_measure(std::uint64_t now);
  bool senders_done() const;

  // One event-loop turn; also notices a dead server.
  void pump(int timeout_ms);
  void progress(const char* phase, const std::string& text, bool force = false);
  void problem(std::string_view what);
  const char* nick(std::uint32_t client);
  std::string channel_name(std::uint32_t channel) const { return "#c" + std::to_string(channel); }

  const BenchOptions& o_;
  std::vector<pid_t> server_pids_;
  bool linked_ = false;
  std::vector<std::uint32_t> seen_members_;  // per client (senders only): other members seen
  ConnectionSet conns_;
  std::vector<Client> clients_;
  std::vector<Sender> senders_;
  std::vector<std::uint32_t> channel_senders_;  // senders per channel
  std::vector<std::uint32_t> channel_members_;  // joined clients per channel
  std::vector<SequenceTracker> trackers_;
  std::vector<DeliveryWindow> windows_;
  RunReport report_;

  std::uint32_t registering_ = 0;  // registrations in flight
  std::uint32_t joining_ = 0;      // joins in flight
  std::uint32_t join_failed_ = 0;
  bool aborted_ = false;
  bool measuring_ = false;
  std::uint64_t start_ns_ = 0;
  std::uint64_t traffic_start_ns_ = 0;
  std::uint64_t measure_start_ns_ = 0;
  std::uint64_t last_registered_ns_ = 0;
  std::uint64_t last_delivery_ns_ = 0;
  std::uint64_t sent_at_measure_start_ = 0;
  Usage usage_at_start_;
  std::uint64_t reads_at_start_ = 0;
  std::uint64_t last_progress_ns_ = 0;
  std::uint64_t last_liveness_ns_ = 0;
  char nick_buffer_[16];
};

}  // namespace parley::bench
