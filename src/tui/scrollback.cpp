#include "tui/scrollback.h"

#include <algorithm>

#include "tui/utf8.h"

namespace parley::tui {

void Scrollback::add(std::string_view line) {
  lines_.push_back(sanitize(line));
  if (lines_.size() > max_lines_) lines_.pop_front();
  if (offset_ > 0) {
    // Keep the rows on screen where they are.
    offset_ += wrap(lines_.back(), last_width_).size();
    ++unseen_;
  }
}

std::size_t Scrollback::total_rows(int width) const {
  std::size_t n = 0;
  for (const auto& line : lines_) n += wrap(line, width).size();
  return n;
}

std::vector<std::string> Scrollback::rows(int width, int height) const {
  last_width_ = std::max(width, 1);
  if (height <= 0) return {};
  const std::size_t want = static_cast<std::size_t>(height) + offset_;
  std::vector<std::string> reversed;  // bottom-up
  for (auto it = lines_.rbegin(); it != lines_.rend() && reversed.size() < want; ++it) {
    auto wrapped = wrap(*it, width);
    for (auto r = wrapped.rbegin(); r != wrapped.rend() && reversed.size() < want; ++r)
      reversed.push_back(*r);
  }
  std::vector<std::string> out;
  const std::size_t skip = std::min(offset_, reversed.size());
  for (std::size_t i = reversed.size(); i > skip; --i) out.push_back(std::move(reversed[i - 1]));
  return out;
}

void Scrollback::page_up(int width, int height) {
  const std::size_t total = total_rows(width);
  const std::size_t page = static_cast<std::size_t>(std::max(height - 1, 1));
  const std::size_t max_offset = total > static_cast<std::size_t>(height) ? total - height : 0;
  offset_ = std::min(offset_ + page, max_offset);
}

void Scrollback::page_down(int, int height) {
  const std::size_t page = static_cast<std::size_t>(std::max(height - 1, 1));
  offset_ = offset_ > page ? offset_ - page : 0;
  if (offset_ == 0) unseen_ = 0;
}

}  // namespace parley::tui
