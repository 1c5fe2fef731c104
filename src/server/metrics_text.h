// Prometheus text exposition format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats):
// a writer that turns metric values into the body of a /metrics response. Pure: no I/O, no
// clock; server/server_metrics.cpp fills it, tests/server/metrics_text_test.cpp checks it.
//
// Each metric family is written once: `# HELP`, `# TYPE`, then its samples, one per line
// (`name{label="value",...} value`). Label values are escaped (backslash, double quote, line
// feed); HELP text escapes backslash and line feed. Histograms are given per-bucket counts and
// written cumulatively with the `+Inf` bucket, `_sum` and `_count`. Names are the caller's
// responsibility (constants in server_metrics.cpp); they are checked only in debug builds.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace parley::server {

struct MetricLabel {
  std::string_view name;
  std::string_view value;
};

class MetricsText {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  // Starts a family: its HELP and TYPE lines. Its samples follow with sample().
  void family(std::string_view name, Type type, std::string_view help);
  void sample(std::string_view name, std::initializer_list<MetricLabel> labels, double value);
  void sample(std::string_view name, std::initializer_list<MetricLabel> labels, std::uint64_t value);
  void sample(std::string_view name, std::span<const MetricLabel> labels, std::uint64_t value);

  // A family with one unlabelled sample.
  void counter(std::string_view name, std::string_view help, std::uint64_t value);
  void gauge(std::string_view name, std::string_view help, double value);

  // A histogram family. `bounds`: the buckets' upper bounds, increasing, without +Inf.
  // `counts`: bounds.size() + 1 counts, NOT cumulative (the last: above every bound).
  void histogram(std::string_view name, std::string_view help, std::span<const double> bounds,
                 std::span<const std::uint64_t> counts, double sum);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void labels(std::span<const MetricLabel> labels);
  std::string out_;
};

// The value as Prometheus writes it: shortest round-trip decimal, "+Inf", "-Inf", "NaN".
std::string format_metric_value(double value);
// A label value with \, " and line feed escaped.
std::string escape_label_value(std::string_view value);

}  // namespace parley::server
