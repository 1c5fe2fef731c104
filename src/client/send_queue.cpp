#include "client/send_queue.h"

#include <algorithm>

namespace parley::client {

namespace {
// A token earned by waiting exactly until next_at() may come out a hair under 1.0 in doubles.
constexpr double kWhole = 1.0 - 1e-9;
}  // namespace

SendQueue::SendQueue(Pacing pacing) : pacing_(pacing), tokens_(static_cast<double>(pacing.burst)) {}

void SendQueue::reset(Clock::time_point now) {
  tokens_ = static_cast<double>(pacing_.burst);
  refilled_at_ = now;
}

void SendQueue::push(std::string line) { lines_.push_back(std::move(line)); }

void SendQueue::push_urgent(std::string line) { lines_.push_front(std::move(line)); }

void SendQueue::refill(Clock::time_point now) {
  if (now <= refilled_at_) return;
  const double earned =
      std::chrono::duration<double>(now - refilled_at_) / std::chrono::duration<double>(pacing_.interval);
  tokens_ = std::min(static_cast<double>(pacing_.burst), tokens_ + earned);
  refilled_at_ = now;
}

std::vector<std::string> SendQueue::take(Clock::time_point now) {
  std::vector<std::string> out;
  if (!pacing_.enabled) {
    out.assign(std::make_move_iterator(lines_.begin()), std::make_move_iterator(lines_.end()));
    lines_.clear();
    return out;
  }
  refill(now);
  while (!lines_.empty() && tokens_ >= kWhole) {
    out.push_back(std::move(lines_.front()));
    lines_.pop_front();
    tokens_ -= 1.0;
  }
  return out;
}

std::optional<SendQueue::Clock::time_point> SendQueue::next_at() const {
  if (lines_.empty()) return std::nullopt;
  if (!pacing_.enabled || tokens_ >= kWhole) return refilled_at_;
  const auto wait = std::chrono::duration<double>(pacing_.interval) * (1.0 - tokens_);
  return refilled_at_ + std::chrono::ceil<Clock::duration>(wait);
}

std::size_t SendQueue::clear() {
  const std::size_t n = lines_.size();
  lines_.clear();
  return n;
}

}  // namespace parley::client
