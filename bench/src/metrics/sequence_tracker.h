// Loss and order accounting for one sender -> receiver pair.
//
// A sender numbers its messages 0, 1, 2, ...; over TCP through one server every receiver must
// see them in that order, each exactly once. The tracker keeps 12 bytes per pair: the next
// sequence number expected, how many arrived, and how many arrived after a later one had
// (out of order). Loss is only known at the end, when the sender says how many it sent.
#pragma once

#include <cstdint>

namespace parley::bench {

class SequenceTracker {
 public:
  enum class Arrival : std::uint8_t {
    kInOrder,     // the expected one
    kGap,         // later than expected: some earlier ones are missing (so far)
    kOutOfOrder,  // earlier than one already seen (a late arrival or a duplicate)
  };

  Arrival on_receive(std::uint32_t seq);

  std::uint32_t received() const { return received_; }
  std::uint32_t out_of_order() const { return out_of_order_; }
  // One past the highest sequence number seen.
  std::uint32_t next_expected() const { return next_; }
  // Messages the sender sent that never arrived. Duplicates (a receiver counting more than was
  // sent) are reported by duplicates(), not subtracted from other pairs' losses.
  std::uint32_t lost(std::uint32_t sent) const { return sent > received_ ? sent - received_ : 0; }
  std::uint32_t duplicates(std::uint32_t sent) const { return received_ > sent ? received_ - sent : 0; }

 private:
  std::uint32_t next_ = 0;
  std::uint32_t received_ = 0;
  std::uint32_t out_of_order_ = 0;
};

// Totals over many pairs.
struct LossSummary {
  std::uint64_t expected = 0;  // sum of what each pair's sender sent
  std::uint64_t received = 0;
  std::uint64_t lost = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t pairs = 0;
  std::uint64_t pairs_with_loss = 0;

  void add(const SequenceTracker& pair, std::uint32_t sent);
};

}  // namespace parley::bench
