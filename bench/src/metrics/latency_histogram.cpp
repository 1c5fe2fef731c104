#include "metrics/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace parley::bench {

// Buckets [0, kSubBuckets) hold the exact values 0..127. Above, a value whose highest set bit is
// b (b >= kSubBucketBits) lands in group g = b - kSubBucketBits + 1, sub-bucket = the
// kSubBucketBits bits below the top bit: index g * kSubBuckets + sub.
std::size_t LatencyHistogram::bucket_of(std::uint64_t ns) {
  if (ns < kSubBuckets) return static_cast<std::size_t>(ns);
  const int top = 63 - std::countl_zero(ns);
  const int shift = top - kSubBucketBits;
  const std::size_t sub = static_cast<std::size_t>((ns >> shift) & (kSubBuckets - 1));
  const std::size_t group = static_cast<std::size_t>(shift + 1);
  return group * kSubBuckets + sub;
}

std::uint64_t LatencyHistogram::bucket_upper(std::size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  const std::size_t group = bucket / kSubBuckets;
  const std::uint64_t sub = bucket % kSubBuckets;
  const int shift = static_cast<int>(group) - 1;
  const std::uint64_t low = ((std::uint64_t{1} << kSubBucketBits) | sub) << shift;
  return low + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(std::uint64_t ns) {
  ++counts_[bucket_of(ns)];
  ++count_;
  sum_ += ns;
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::uint64_t LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(bucket_upper(i), min_, max_);
  }
  return max_;
}

}  // namespace parley::bench
