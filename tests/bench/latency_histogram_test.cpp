#include "metrics/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace parley::bench {
namespace {

TEST(LatencyHistogram, EmptyReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 50u);
  EXPECT_EQ(h.percentile(99), 99u);
  EXPECT_EQ(h.percentile(100), 100u);
  EXPECT_EQ(h.percentile(0), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogram, NearestRankOnASingleOutlier) {
  LatencyHistogram h;
  for (int i = 0; i < 99; ++i) h.record(10);
  h.record(5'000'000);
  EXPECT_EQ(h.percentile(50), 10u);
  EXPECT_EQ(h.percentile(99), 10u);  // rank 99 of 100 is still 10
  EXPECT_EQ(h.max(), 5'000'000u);
  EXPECT_EQ(h.percentile(99.5), 5'000'000u);  // clamped to the exact max
}

TEST(LatencyHistogram, BucketsCoverEveryValueWithBoundedError) {
  const std::uint64_t values[] = {
      0, 1, 127, 128, 255, 256, 1000, 123456789, 1ull << 40, (1ull << 63) + 12345, UINT64_MAX};
  for (std::uint64_t v : values) {
    const auto b = LatencyHistogram::bucket_of(v);
    const auto upper = LatencyHistogram::bucket_upper(b);
    EXPECT_GE(upper, v);
    EXPECT_LE(static_cast<double>(upper - v), static_cast<double>(v) / 128.0) << v;
    if (b > 0) {
      EXPECT_LT(LatencyHistogram::bucket_upper(b - 1), v) << v;
    }
  }
}

TEST(LatencyHistogram, PercentilesMatchSortedSamplesWithinOnePercent) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(11.0, 1.5);  // ~60 us median, long tail
  LatencyHistogram h;
  std::vector<std::uint64_t> samples;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<std::uint64_t>(dist(rng));
    samples.push_back(v);
    h.record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * samples.size()));
    const double truth = static_cast<double>(samples[rank - 1]);
    EXPECT_NEAR(static_cast<double>(h.percentile(p)), truth, truth / 100.0) << p;
  }
  EXPECT_EQ(h.max(), samples.back());
  EXPECT_EQ(h.min(), samples.front());
}

TEST(LatencyHistogram, MergeEqualsRecordingEverything) {
  LatencyHistogram a, b, all;
  for (std::uint64_t v = 0; v < 5000; v += 7) {
    (v % 2 ? a : b).record(v * 1000);
    all.record(v * 1000);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.min(), all.min());
  for (double p : {1.0, 50.0, 99.0}) EXPECT_EQ(a.percentile(p), all.percentile(p));
}

}  // namespace
}  // namespace parley::bench
