// Tests for server::MetricsText (src/server/metrics_text.cpp): the Prometheus text format 0.0.4 as
// written for /metrics: HELP/TYPE lines, samples, label escaping, values, cumulative histograms.
#include "server/metrics_text.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "server/history_service.h"

namespace parley::server {
namespace {

TEST(MetricsText, CounterHasHelpTypeAndOneSample) {
  MetricsText m;
  m.counter("parley_lines_total", "Lines received", 42);
  EXPECT_EQ(m.text(),
            "# HELP parley_lines_total Lines received\n"
            "# TYPE parley_lines_total counter\n"
            "parley_lines_total 42\n");
}

TEST(MetricsText, LargeCountersAreWrittenExactly) {
  MetricsText m;
  m.counter("c_total", "h", std::numeric_limits<std::uint64_t>::max());
  EXPECT_NE(m.text().find("\nc_total 18446744073709551615\n"), std::string::npos) << m.text();
}

TEST(MetricsText, GaugeValuesAreShortestDecimalsAndSpecialValuesAreNamed) {
  EXPECT_EQ(format_metric_value(0.25), "0.25");
  EXPECT_EQ(format_metric_value(3), "3");
  EXPECT_EQ(format_metric_value(1.5e9), "1500000000");
  EXPECT_EQ(format_metric_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_metric_value(std::nan("")), "NaN");
  MetricsText m;
  m.gauge("g", "a gauge", 0.5);
  EXPECT_EQ(m.text(), "# HELP g a gauge\n# TYPE g gauge\ng 0.5\n");
}

TEST(MetricsText, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  MetricsText m;
  m.family("parley_links", MetricsText::Type::kGauge, "by peer");
  m.sample("parley_links", {{"peer", "we\"ird\\name\n"}, {"state", "linked"}}, std::uint64_t{1});
  EXPECT_EQ(m.text(),
            "# HELP parley_links by peer\n"
            "# TYPE parley_links gauge\n"
            "parley_links{peer=\"we\\\"ird\\\\name\\n\",state=\"linked\"} 1\n");
}

TEST(MetricsText, HelpEscapesBackslashAndNewlineButNotQuotes) {
  MetricsText m;
  m.family("x", MetricsText::Type::kCounter, "a \"b\" \\ c\nd");
  EXPECT_EQ(m.text(), "# HELP x a \"b\" \\\\ c\\nd\n# TYPE x counter\n");
}

TEST(MetricsText, HistogramBucketsAreCumulativeEndWithInfThenSumAndCount) {
  MetricsText m;
  const std::array<double, 3> bounds{0.001, 0.01, 0.1};
  const std::array<std::uint64_t, 4> counts{2, 0, 3, 1};  // per bucket; the last above 0.1
  m.histogram("parley_commit_seconds", "Commit time", bounds, counts, 0.75);
  EXPECT_EQ(m.text(),
            "# HELP parley_commit_seconds Commit time\n"
            "# TYPE parley_commit_seconds histogram\n"
            "parley_commit_seconds_bucket{le=\"0.001\"} 2\n"
            "parley_commit_seconds_bucket{le=\"0.01\"} 2\n"
            "parley_commit_seconds_bucket{le=\"0.1\"} 5\n"
            "parley_commit_seconds_bucket{le=\"+Inf\"} 6\n"
            "parley_commit_seconds_sum 0.75\n"
            "parley_commit_seconds_count 6\n");
}

TEST(CommitHistogram, EachCommitLandsInTheFirstBucketItFits) {
  CommitHistogram h;
  h.add(1);          // <= 250 us
  h.add(250);        // exactly a bound: that bucket
  h.add(251);        // the next
  h.add(2'000'000);  // above every bound
  EXPECT_EQ(h.counts[0], 2u);
  EXPECT_EQ(h.counts[1], 1u);
  EXPECT_EQ(h.counts.back(), 1u);
  EXPECT_EQ(h.count, 4u);
  EXPECT_EQ(h.sum_us, 1 + 250 + 251 + 2'000'000);
}

}  // namespace
}  // namespace parley::server
