// Splits a TCP byte stream into IRC lines.
//
// A line ends at LF or CR (so CR LF, bare LF and a lone CR all end a line; the empty lines
// between CR and LF are skipped). A line longer than `max_line` bytes is reported once as
// too long and the rest of it is discarded up to its terminator, so one oversized line costs
// the sender an error, never the connection. The reader keeps at most `max_line` bytes of a
// partial line between calls.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace parley::proto {

class LineReader {
 public:
  enum class Event { kLine, kTooLong };

  explicit LineReader(std::size_t max_line) : max_line_(max_line) {}

  // Calls sink(Event, std::string_view line) for every complete line in `data`, in order. The
  // view is valid only during the call. Returns false if sink returned false (stop reading).
  template <typename Sink>
  bool feed(std::string_view data, Sink&& sink);

  std::size_t buffered() const { return partial_.size(); }

 private:
  std::size_t max_line_;
  std::string partial_;
  bool discarding_ = false;
};

template <typename Sink>
bool LineReader::feed(std::string_view data, Sink&& sink) {
  while (!data.empty()) {
    auto end = data.find_first_of("\r\n");
    std::string_view piece = data.substr(0, end);
    bool complete = end != std::string_view::npos;
    data = complete ? data.substr(end + 1) : std::string_view{};

    if (discarding_) {
      if (complete) discarding_ = false;
      continue;
    }
    if (partial_.size() + piece.size() > max_line_) {
      partial_.clear();
      partial_.shrink_to_fit();
      discarding_ = !complete;
      if (!sink(Event::kTooLong, std::string_view{})) return false;
      continue;
    }
    if (!complete) {
      partial_.append(piece);
      break;
    }
    if (partial_.empty()) {
      if (!piece.empty() && !sink(Event::kLine, piece)) return false;
    } else {
      partial_.append(piece);
      std::string line = std::move(partial_);
      partial_ = std::string{};
      if (!sink(Event::kLine, std::string_view{line})) return false;
    }
  }
  return true;
}

}  // namespace parley::proto
