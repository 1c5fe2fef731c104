#include "server/metrics_text.h"

#include <fmt/format.h>

#include <cassert>
#include <cmath>
#include <vector>

namespace parley::server {

namespace {
// [a-zA-Z_:][a-zA-Z0-9_:]* (metric names), without ':' for label names.
[[maybe_unused]] bool valid_name(std::string_view name, bool label) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!label && c == ':');
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string_view type_name(MetricsText::Type type) {
  switch (type) {
    case MetricsText::Type::kCounter: return "counter";
    case MetricsText::Type::kGauge: return "gauge";
    case MetricsText::Type::kHistogram: return "histogram";
  }
  return "untyped";
}
}  // namespace

std::string format_metric_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void MetricsText::family(std::string_view name, Type type, std::string_view help) {
  assert(valid_name(name, false));
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type_name(type));
}

void MetricsText::labels(std::span<const MetricLabel> labels) {
  if (labels.empty()) return;
  out_ += '{';
  bool first = true;
  for (const MetricLabel& l : labels) {
    assert(valid_name(l.name, true));
    if (!first) out_ += ',';
    first = false;
    out_ += l.name;
    out_ += "=\"";
    out_ += escape_label_value(l.value);
    out_ += '"';
  }
  out_ += '}';
}

void MetricsText::sample(std::string_view name, std::initializer_list<MetricLabel> l, double value) {
  out_ += name;
  labels(std::span<const MetricLabel>(l.begin(), l.size()));
  out_ += ' ';
  out_ += format_metric_value(value);
  out_ += '\n';
}

void MetricsText::sample(std::string_view name, std::span<const MetricLabel> l, std::uint64_t value) {
  out_ += name;
  labels(l);
  out_ += fmt::format(" {}\n", value);
}

void MetricsText::sample(std::string_view name, std::initializer_list<MetricLabel> l, std::uint64_t value) {
  sample(name, std::span<const MetricLabel>(l.begin(), l.size()), value);
}

void MetricsText::counter(std::string_view name, std::string_view help, std::uint64_t value) {
  family(name, Type::kCounter, help);
  sample(name, {}, value);
}

void MetricsText::gauge(std::string_view name, std::string_view help, double value) {
  family(name, Type::kGauge, help);
  sample(name, {}, value);
}

void MetricsText::histogram(std::string_view name, std::string_view help, std::span<const double> bounds,
                            std::span<const std::uint64_t> counts, double sum) {
  assert(counts.size() == bounds.size() + 1);
  family(name, Type::kHistogram, help);
  const std::string bucket = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts[i];
    const std::string le = format_metric_value(bounds[i]);
    sample(bucket, {{"le", le}}, cumulative);
  }
  cumulative += counts.size() > bounds.size() ? counts[bounds.size()] : 0;
  sample(bucket, {{"le", "+Inf"}}, cumulative);
  sample(std::string(name) + "_sum", {}, sum);
  sample(std::string(name) + "_count", {}, cumulative);
}

}  // namespace parley::server
