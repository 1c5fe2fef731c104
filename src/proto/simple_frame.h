// The "simple" channel-chat wire format (seed 001; docs/protocol.md "Simple"): every message in
// both directions is exactly kSimpleFrameBytes bytes, the text padded with spaces. The receiver
// strips trailing spaces (and a stray trailing newline). Text longer than one frame is sent as
// several frames, cut between UTF-8 characters.
//
// Pure functions and a small incremental decoder; no I/O. The decoder never holds more than one
// partial frame (at most kSimpleFrameBytes - 1 bytes) between calls.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace parley::proto::simple {

inline constexpr std::size_t kFrameBytes = 200;

// Splits `text` into pieces of at most `max_bytes` (>= 4) bytes, in order, never inside a UTF-8
// sequence (unless the text is not UTF-8 and no boundary exists in the window). A piece ends
// preferably at the last newline within the window (the newline itself is dropped). Text that
// fits is returned as one piece, unchanged; empty text gives one empty piece. The views point
// into `text`.
std::vector<std::string_view> split_text(std::string_view text, std::size_t max_bytes = kFrameBytes);

// Appends one frame: `text` (at most kFrameBytes bytes) padded with spaces to kFrameBytes.
void append_frame(std::string& out, std::string_view text);
// Appends as many frames as split_text(text) gives.
void append_frames(std::string& out, std::string_view text);
std::string encode(std::string_view text);

// The text of one received frame: trailing spaces removed, then a trailing "\n" or "\r\n"
// (a sender that wrote its line with the newline), then trailing spaces again.
std::string_view strip_padding(std::string_view frame);

class FrameDecoder {
 public:
  // Calls sink(std::string_view text) for every complete frame in `data`, in order, with the
  // padding stripped (strip_padding). The view is valid only during the call. Returns false if
  // sink returned false; the bytes after that frame are then discarded.
  template <typename Sink>
  bool feed(std::string_view data, Sink&& sink);

  // Bytes of a partial frame held since the last call (0 .. kFrameBytes - 1).
  std::size_t buffered() const { return partial_.size(); }

 private:
  std::string partial_;
};

template <typename Sink>
bool FrameDecoder::feed(std::string_view data, Sink&& sink) {
  if (!partial_.empty()) {
    const std::size_t take = std::min(kFrameBytes - partial_.size(), data.size());
    partial_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (partial_.size() < kFrameBytes) return true;
    std::string frame = std::move(partial_);
    partial_ = std::string{};
    if (!sink(strip_padding(frame))) return false;
  }
  while (data.size() >= kFrameBytes) {
    if (!sink(strip_padding(data.substr(0, kFrameBytes)))) return false;
    data.remove_prefix(kFrameBytes);
  }
  partial_.assign(data);
  return true;
}

}  // namespace parley::proto::simple
