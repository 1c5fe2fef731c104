#include "metrics/sequence_tracker.h"

#include <gtest/gtest.h>

namespace parley::bench {
namespace {

using Arrival = SequenceTracker::Arrival;

TEST(SequenceTracker, InOrderStreamHasNoLossOrReordering) {
  SequenceTracker t;
  for (std::uint32_t s = 0; s < 1000; ++s) EXPECT_EQ(t.on_receive(s), Arrival::kInOrder);
  EXPECT_EQ(t.received(), 1000u);
  EXPECT_EQ(t.out_of_order(), 0u);
  EXPECT_EQ(t.lost(1000), 0u);
  EXPECT_EQ(t.next_expected(), 1000u);
}

TEST(SequenceTracker, GapIsLossUnlessFilledLater) {
  SequenceTracker t;
  t.on_receive(0);
  EXPECT_EQ(t.on_receive(3), Arrival::kGap);  // 1 and 2 missing so far
  EXPECT_EQ(t.lost(4), 2u);
  EXPECT_EQ(t.on_receive(1), Arrival::kOutOfOrder);  // late, not lost
  EXPECT_EQ(t.lost(4), 1u);
  EXPECT_EQ(t.out_of_order(), 1u);
}

TEST(SequenceTracker, TailLossIsCountedAgainstWhatWasSent) {
  SequenceTracker t;
  for (std::uint32_t s = 0; s < 10; ++s) t.on_receive(s);
  EXPECT_EQ(t.lost(15), 5u);
  EXPECT_EQ(t.lost(10), 0u);
}

TEST(SequenceTracker, DuplicatesAreReportedNotHidden) {
  SequenceTracker t;
  t.on_receive(0);
  t.on_receive(1);
  EXPECT_EQ(t.on_receive(1), Arrival::kOutOfOrder);
  EXPECT_EQ(t.duplicates(2), 1u);
  EXPECT_EQ(t.lost(2), 0u);
}

TEST(LossSummary, AddsPairs) {
  SequenceTracker clean, lossy;
  for (std::uint32_t s = 0; s < 5; ++s) clean.on_receive(s);
  lossy.on_receive(0);
  lossy.on_receive(2);
  lossy.on_receive(1);
  LossSummary sum;
  sum.add(clean, 5);
  sum.add(lossy, 5);
  EXPECT_EQ(sum.pairs, 2u);
  EXPECT_EQ(sum.expected, 10u);
  EXPECT_EQ(sum.received, 8u);
  EXPECT_EQ(sum.lost, 2u);
  EXPECT_EQ(sum.out_of_order, 1u);
  EXPECT_EQ(sum.pairs_with_loss, 1u);
  EXPECT_EQ(sum.duplicates, 0u);
}

}  // namespace
}  // namespace parley::bench
