// The result of one run and its one-line JSON form (the generator's only stdout output).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generator/options.h"
#include "metrics/latency_histogram.h"
#include "metrics/sequence_tracker.h"

namespace parley::bench {

struct RunReport {
  // Registration.
  std::uint32_t attempted = 0;
  std::uint32_t registered = 0;
  std::uint32_t register_failed = 0;
  double register_seconds = 0;
  double registrations_per_s = 0;
  LatencyHistogram register_latency;   // connect() to 001, per client
  std::uint32_t descriptor_limit = 0;  // soft RLIMIT_NOFILE the generator ran with
  bool descriptor_limited = false;     // stopped opening because of it

  // Idle memory (server RSS before any client and after registration).
  std::uint64_t rss_base_kib = 0;
  std::uint64_t rss_registered_kib = 0;
  double idle_kib_per_conn = 0;
  std::uint32_t held = 0;  // registered clients still connected at the end

  // Traffic.
  std::uint32_t joined = 0;
  std::uint64_t sent = 0;
  LossSummary loss;
  std::uint64_t misrouted = 0;  // payloads from a sender not in the receiver's channel
  std::uint64_t measured_deliveries = 0;
  double measure_seconds = 0;
  double deliveries_per_s = 0;
  double messages_per_s = 0;  // sent during the measured window
  LatencyHistogram latency;
  LatencyHistogram echo_latency;  // --echo: send to the sender's own echo, measured window only
  bool drained = true;            // every message reached every receiver before the drain timeout

  // Resources during the measured window (or the idle hold).
  double server_cpu_pct = -1;
  std::uint64_t server_rss_kib = 0;
  std::uint64_t server_rss_peak_kib = 0;
  std::uint32_t server_threads = 0;
  double generator_cpu_pct = -1;
  double other_cpu_pct = -1;         // every other process on the machine, % of one core
  std::vector<double> cpu_busy_pct;  // per CPU, including softirq time charged to no process
  std::uint64_t generator_reads = 0;

  std::uint64_t server_errors = 0;    // 4xx/5xx numerics and ERROR lines received
  std::vector<std::string> problems;  // first few distinct failure reasons
  double total_seconds = 0;

  // Whether the run counts as clean: everything registered, joined, delivered once and in order.
  bool clean(const BenchOptions& options) const;
};

std::string to_json(const BenchOptions& options, const RunReport& report, const std::string& target);

}  // namespace parley::bench
