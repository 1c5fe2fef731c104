#include "tui/scrollback.h"

#include <algorithm>

#include "tui/utf8.h"

namespace parley::tui {

Span Scrollback::sanitized_span(std::string_view line, Span span) {
  Span stored;
  if (span.colour >= 0 && span.begin < span.end && span.end <= line.size()) {
    // Offsets into the sanitised text (sanitising may change byte lengths).
    stored.begin = sanitize(line.substr(0, span.begin)).size();
    stored.end = stored.begin + sanitize(line.substr(span.begin, span.end - span.begin)).size();
    stored.colour = span.colour;
  }
  return stored;
}

bool Scrollback::prepend(std::string_view line, Span span) {
  if (lines_.size() >= max_lines_) return false;
  lines_.push_front(sanitize(line));
  spans_.push_front(sanitized_span(line, span));
  return true;
}

bool Scrollback::at_top(int width, int height) const {
  return total_rows(std::max(width, 1)) <= static_cast<std::size_t>(std::max(height, 0)) + offset_;
}

void Scrollback::add(std::string_view line, Span span) {
  lines_.push_back(sanitize(line));
  spans_.push_back(sanitized_span(line, span));
  if (lines_.size() > max_lines_) {
    lines_.pop_front();
    spans_.pop_front();
  }
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
  std::vector<std::string> out;
  for (Row& row : styled_rows(width, height)) out.push_back(std::move(row.text));
  return out;
}

std::vector<Row> Scrollback::styled_rows(int width, int height) const {
  last_width_ = std::max(width, 1);
  if (height <= 0) return {};
  const std::size_t want = static_cast<std::size_t>(height) + offset_;
  std::vector<Row> reversed;  // bottom-up
  for (std::size_t i = lines_.size(); i > 0 && reversed.size() < want; --i) {
    const Span& span = spans_[i - 1];
    auto wrapped = wrap(lines_[i - 1], width);
    // Byte offset of each wrapped row within the line, to place the span.
    std::vector<std::size_t> starts;
    std::size_t at = 0;
    for (const auto& r : wrapped) {
      starts.push_back(at);
      at += r.size();
    }
    for (std::size_t r = wrapped.size(); r > 0 && reversed.size() < want; --r) {
      Row row{std::move(wrapped[r - 1]), {}};
      const std::size_t lo = starts[r - 1], hi = lo + row.text.size();
      if (span.colour >= 0 && span.begin < hi && span.end > lo) {
        row.span = {std::max(span.begin, lo) - lo, std::min(span.end, hi) - lo, span.colour};
      }
      reversed.push_back(std::move(row));
    }
  }
  std::vector<Row> out;
  const std::size_t skip = std::min(offset_, reversed.size());
  for (std::size_t i = reversed.size(); i > skip; --i) out.push_back(std::move(reversed[i - 1]));
  return out;
}

void Scrollback::clear() {
  lines_.clear();
  spans_.clear();
  offset_ = 0;
  unseen_ = 0;
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
