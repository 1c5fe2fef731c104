// A fixed-size log-linear histogram of latencies in nanoseconds (HdrHistogram's idea, cut down).
//
// Values below 2^kSubBucketBits are counted exactly; above, each power of two is split into
// 2^kSubBucketBits equal buckets, so a reported percentile is within 1/128 (0.8 %) of the true
// sample value. record() is a few integer operations and never allocates, so it can sit on the
// hot path of a generator recording millions of deliveries a second. Memory: about 60 KB.
#pragma once

#include <array>
#include <cstdint>

namespace parley::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;

  void record(std::uint64_t ns);
  // Adds every sample of `other`.
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }

  // Nearest-rank percentile, `p` in [0, 100]: the smallest recorded value v such that at least
  // p % of the samples are <= v, reported as the upper edge of v's bucket (never above max()).
  // 0 when empty. percentile(100) == max(); percentile(0) == min().
  std::uint64_t percentile(double p) const;

  // Bucket arithmetic, exposed for tests.
  static std::size_t bucket_of(std::uint64_t ns);
  static std::uint64_t bucket_upper(std::size_t bucket);  // largest value in the bucket

 private:
  static constexpr std::size_t kSubBuckets = std::size_t{1} << kSubBucketBits;
  static constexpr std::size_t kBuckets = (64 - kSubBucketBits + 1) * kSubBuckets;

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

}  // namespace parley::bench
