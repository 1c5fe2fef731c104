// Flow control for one sender: at most `window` of its messages may be undelivered at a time.
//
// A message is delivered once every receiver of the sender's channel has counted it. The
// window keeps one counter per in-flight message in a power-of-two ring, so on_delivered() is
// O(1) amortised and nothing is allocated after construction. With a window, the benchmark
// measures what the server delivers, not what it can buffer.
#pragma once

#include <cstdint>
#include <vector>

namespace parley::bench {

class DeliveryWindow {
 public:
  // `window` >= 1. `receivers` may be 0: messages are then delivered as soon as they are sent.
  DeliveryWindow(std::uint32_t window, std::uint32_t receivers);

  // How many more messages may be sent now.
  std::uint32_t sendable() const { return window_ - in_flight(); }
  // Takes the next sequence number. Precondition: sendable() > 0.
  std::uint32_t take_seq();
  // Counts one receiver's copy of `seq`. Returns true if this completed the oldest in-flight
  // message(s), i.e. the window opened. Copies of messages not in flight are ignored (false).
  bool on_delivered(std::uint32_t seq);

  std::uint32_t sent() const { return sent_; }
  std::uint32_t completed() const { return completed_; }
  std::uint32_t in_flight() const { return sent_ - completed_; }
  std::uint32_t receivers() const { return receivers_; }

 private:
  std::vector<std::uint32_t> copies_;  // ring: receivers that have seq, indexed seq & mask_
  std::uint32_t mask_;
  std::uint32_t window_;
  std::uint32_t receivers_;
  std::uint32_t sent_ = 0;
  std::uint32_t completed_ = 0;  // every seq below this is delivered to all receivers
};

// Messages a fixed-rate sender should have sent `elapsed_ns` after it started at `rate` per
// second (the first one at time 0).
std::uint64_t messages_due(std::uint64_t elapsed_ns, double rate_per_second);

// When fixed-rate sender `index` of `senders` starts: evenly spread over one period (1/rate), so
// the senders take turns instead of all sending at the same instant. Sending in step turns S
// senders into bursts of S messages, and the latency measured is then mostly the time the
// server and the generator take to work through a burst (the last message of a burst waits
// for every earlier one), not the time one message takes.
std::uint64_t sender_phase_ns(std::uint32_t index, std::uint32_t senders, double rate_per_second);

}  // namespace parley::bench
