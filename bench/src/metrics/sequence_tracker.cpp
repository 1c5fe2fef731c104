#include "metrics/sequence_tracker.h"

namespace parley::bench {

SequenceTracker::Arrival SequenceTracker::on_receive(std::uint32_t seq) {
  ++received_;
  if (seq == next_) {
    ++next_;
    return Arrival::kInOrder;
  }
  if (seq > next_) {
    next_ = seq + 1;
    return Arrival::kGap;
  }
  ++out_of_order_;
  return Arrival::kOutOfOrder;
}

void LossSummary::add(const SequenceTracker& pair, std::uint32_t sent) {
  ++pairs;
  expected += sent;
  received += pair.received();
  const std::uint32_t pair_lost = pair.lost(sent);
  lost += pair_lost;
  out_of_order += pair.out_of_order();
  duplicates += pair.duplicates(sent);
  if (pair_lost) ++pairs_with_loss;
}

}  // namespace parley::bench
