#include "generator/report.h"

#include <cmath>
#include <cstdio>

namespace parley::bench {

namespace {

class JsonLine {
 public:
  JsonLine() { text_ = "{"; }
  void key(const char* k) {
    if (!first_) text_ += ',';
    first_ = false;
    text_ += '"';
    text_ += k;
    text_ += "\":";
  }
  void num(const char* k, double v, int decimals = 1) {
    key(k);
    if (!std::isfinite(v)) {
      text_ += "null";
      return;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    text_ += buf;
  }
  void num(const char* k, std::uint64_t v) {
    key(k);
    text_ += std::to_string(v);
  }
  void boolean(const char* k, bool v) {
    key(k);
    text_ += v ? "true" : "false";
  }
  void str(const char* k, const std::string& v) {
    key(k);
    quote(v);
  }
  void open(const char* k) {
    key(k);
    text_ += '{';
    first_ = true;
  }
  void close() {
    text_ += '}';
    first_ = false;
  }
  void numbers(const char* k, const std::vector<double>& values) {
    key(k);
    text_ += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.1f", i ? "," : "", values[i]);
      text_ += buf;
    }
    text_ += ']';
  }
  void strings(const char* k, const std::vector<std::string>& values) {
    key(k);
    text_ += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) text_ += ',';
      quote(values[i]);
    }
    text_ += ']';
  }
  std::string finish() { return text_ + "}"; }

 private:
  void quote(const std::string& v) {
    text_ += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') {
        text_ += '\\';
        text_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        text_ += buf;
      } else {
        text_ += c;
      }
    }
    text_ += '"';
  }
  std::string text_;
  bool first_ = true;
};

double us(std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; }
double ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

}  // namespace

bool RunReport::clean(const BenchOptions& options) const {
  if (registered != options.clients || register_failed != 0) return false;
  if (options.senders == 0 || options.channels == 0) return true;
  return joined == options.clients && drained && loss.lost == 0 && loss.out_of_order == 0 &&
         loss.duplicates == 0 && misrouted == 0 && sent > 0 && loss.received == loss.expected;
}

std::string to_json(const BenchOptions& o, const RunReport& r, const std::string& target) {
  JsonLine j;
  j.str("bench", "parley-bench");
  j.str("preset", o.preset);
  j.str("server", o.label);
  j.str("target", target);
  j.str("transport", o.websocket ? (o.tls ? "wss" : "ws") : (o.tls ? "tls" : "tcp"));
  if (o.websocket) j.str("ws_subprotocol", o.ws_subprotocol);
  j.num("clients", std::uint64_t{o.clients});
  j.num("channels", std::uint64_t{o.channels});
  j.num("senders", std::uint64_t{o.senders});
  j.str("mode", o.mode == SendMode::kWindow ? "window" : "rate");
  j.num("window", std::uint64_t{o.window});
  j.num("rate", o.rate);
  if (o.mode == SendMode::kRate) j.str("phases", o.aligned ? "aligned" : "spread");
  j.num("registered", std::uint64_t{r.registered});
  j.num("register_failed", std::uint64_t{r.register_failed});
  j.num("register_s", r.register_seconds, 3);
  j.num("registrations_per_s", r.registrations_per_s, 0);
  j.open("register_ms");
  j.num("p50", ms(r.register_latency.percentile(50)), 2);
  j.num("p99", ms(r.register_latency.percentile(99)), 2);
  j.num("max", ms(r.register_latency.max()), 2);
  j.close();
  j.num("descriptor_limit", std::uint64_t{r.descriptor_limit});
  j.boolean("descriptor_limited", r.descriptor_limited);
  j.num("rss_base_kib", r.rss_base_kib);
  j.num("rss_registered_kib", r.rss_registered_kib);
  j.num("idle_kib_per_conn", r.idle_kib_per_conn, 2);
  j.num("held", std::uint64_t{r.held});
  j.num("joined", std::uint64_t{r.joined});
  j.num("sent", r.sent);
  j.num("expected", r.loss.expected);
  j.num("delivered", r.loss.received);
  j.num("lost", r.loss.lost);
  j.num("out_of_order", r.loss.out_of_order);
  j.num("duplicates", r.loss.duplicates);
  j.num("misrouted", r.misrouted);
  j.num("pairs", r.loss.pairs);
  j.num("pairs_with_loss", r.loss.pairs_with_loss);
  j.boolean("drained", r.drained);
  j.num("measure_s", r.measure_seconds, 3);
  j.num("measured_deliveries", r.measured_deliveries);
  j.num("deliveries_per_s", r.deliveries_per_s, 0);
  j.num("messages_per_s", r.messages_per_s, 0);
  j.open("latency_us");
  j.num("samples", r.latency.count());
  j.num("p50", us(r.latency.percentile(50)));
  j.num("p90", us(r.latency.percentile(90)));
  j.num("p99", us(r.latency.percentile(99)));
  j.num("p999", us(r.latency.percentile(99.9)));
  j.num("max", us(r.latency.max()));
  j.num("mean", r.latency.mean() / 1000.0);
  j.close();
  if (o.echo) {
    j.open("echo_latency_us");
    j.num("samples", r.echo_latency.count());
    j.num("p50", us(r.echo_latency.percentile(50)));
    j.num("p99", us(r.echo_latency.percentile(99)));
    j.num("max", us(r.echo_latency.max()));
    j.close();
  }
  j.num("server_cpu_pct", r.server_cpu_pct);
  j.num("server_rss_kib", r.server_rss_kib);
  j.num("server_rss_peak_kib", r.server_rss_peak_kib);
  j.num("server_threads", std::uint64_t{r.server_threads});
  j.num("generator_cpu_pct", r.generator_cpu_pct);
  j.num("generator_reads", r.generator_reads);
  j.num("other_cpu_pct", r.other_cpu_pct);
  j.numbers("cpu_busy_pct", r.cpu_busy_pct);
  j.num("server_errors", r.server_errors);
  j.strings("problems", r.problems);
  j.num("total_s", r.total_seconds, 2);
  j.boolean("clean", r.clean(o));
  return j.finish();
}

}  // namespace parley::bench
