#include "metrics/delivery_window.h"

#include <bit>
#include <cmath>

namespace parley::bench {

DeliveryWindow::DeliveryWindow(std::uint32_t window, std::uint32_t receivers)
    : copies_(std::bit_ceil(window == 0 ? 1u : window), 0),
      mask_(static_cast<std::uint32_t>(copies_.size() - 1)),
      window_(window == 0 ? 1 : window),
      receivers_(receivers) {}

std::uint32_t DeliveryWindow::take_seq() {
  const std::uint32_t seq = sent_++;
  if (receivers_ == 0) completed_ = sent_;
  return seq;
}

bool DeliveryWindow::on_delivered(std::uint32_t seq) {
  if (seq < completed_ || seq >= sent_) return false;
  std::uint32_t& copies = copies_[seq & mask_];
  if (++copies < receivers_ || seq != completed_) return false;
  // The oldest message is complete; later ones may have completed before it.
  while (completed_ < sent_ && copies_[completed_ & mask_] >= receivers_) {
    copies_[completed_ & mask_] = 0;
    ++completed_;
  }
  return true;
}

std::uint64_t messages_due(std::uint64_t elapsed_ns, double rate_per_second) {
  if (rate_per_second <= 0) return 0;
  return static_cast<std::uint64_t>(std::floor(static_cast<double>(elapsed_ns) * rate_per_second / 1e9)) + 1;
}

std::uint64_t sender_phase_ns(std::uint32_t index, std::uint32_t senders, double rate_per_second) {
  if (rate_per_second <= 0 || senders == 0) return 0;
  return static_cast<std::uint64_t>(1e9 / rate_per_second * index / senders);
}

}  // namespace parley::bench
