// The lines waiting to go to the server, paced below the server's flood limit: a token bucket
// (irssi's and WeeChat's shape). `burst` lines may go at once; after that one line every
// `interval`. Parley's server allows a burst of 20 and 2 lines/s, then disconnects with "Excess
// Flood" after 10 more (src/core/config.h FloodControl); the defaults below stay well under that
// (8 at once, then 1 every 600 ms: 1.67 lines/s, 83 % of the rate) so that a pasted block or a
// script's lines all arrive. Other servers throttle or queue at similar rates.
//
// Bounded: at most `max_queued` ordinary lines wait; ChatClient refuses typed lines beyond that
// with an error to the user (nothing is dropped without a word). Thread: one thread; time is
// always passed in.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace parley::client {

struct Pacing {
  std::size_t burst = 8;
  std::chrono::milliseconds interval{600};
  std::size_t max_queued = 500;  // about 5 minutes of lines at the paced rate
  bool enabled = true;

  static Pacing off() { return Pacing{0, std::chrono::milliseconds(0), 500, false}; }
};

class SendQueue {
 public:
  using Clock = std::chrono::system_clock;

  explicit SendQueue(Pacing pacing = {});

  // A new connection: a full bucket (the server's own budget starts full too).
  void reset(Clock::time_point now);
  // Appends a line (CR LF included); lines leave in the order they were pushed.
  void push(std::string line);
  // Puts a line before all waiting ones (PONG: the server would drop us for a late answer).
  void push_urgent(std::string line);
  // The lines that may go now, oldest first; the rest keep waiting.
  std::vector<std::string> take(Clock::time_point now);
  // When take() will next have a line for the wire; nullopt when nothing waits.
  std::optional<Clock::time_point> next_at() const;
  // Forgets the waiting lines (the connection they were for is gone); returns how many.
  std::size_t clear();

  std::size_t size() const { return lines_.size(); }
  bool full() const { return lines_.size() >= pacing_.max_queued; }
  const Pacing& pacing() const { return pacing_; }

 private:
  void refill(Clock::time_point now);

  Pacing pacing_;
  std::deque<std::string> lines_;
  double tokens_ = 0;
  Clock::time_point refilled_at_{};
};

}  // namespace parley::client
