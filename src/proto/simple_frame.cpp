#include "proto/simple_frame.h"

#include <algorithm>

namespace parley::proto::simple {

namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The largest cut <= max that does not fall inside a UTF-8 sequence; `max` itself when the
// window holds no boundary (not UTF-8), so progress is always made.
std::size_t utf8_cut(std::string_view text, std::size_t max) {
  std::size_t cut = max;
  while (cut > 0 && is_continuation(text[cut])) --cut;
  return cut == 0 ? max : cut;
}

}  // namespace

std::vector<std::string_view> split_text(std::string_view text, std::size_t max_bytes) {
  max_bytes = std::max<std::size_t>(max_bytes, 4);
  std::vector<std::string_view> pieces;
  while (text.size() > max_bytes) {
    const std::string_view window = text.substr(0, max_bytes + 1);  // a newline right after fits too
    if (auto nl = window.rfind('\n'); nl != std::string_view::npos && nl > 0) {
      pieces.push_back(text.substr(0, nl));
      text.remove_prefix(nl + 1);
      continue;
    }
    const std::size_t cut = utf8_cut(text, max_bytes);
    pieces.push_back(text.substr(0, cut));
    text.remove_prefix(cut);
  }
  pieces.push_back(text);
  return pieces;
}

void append_frame(std::string& out, std::string_view text) {
  text = text.substr(0, kFrameBytes);
  out.append(text);
  out.append(kFrameBytes - text.size(), ' ');
}

void append_frames(std::string& out, std::string_view text) {
  for (std::string_view piece : split_text(text)) append_frame(out, piece);
}

std::string encode(std::string_view text) {
  std::string out;
  append_frames(out, text);
  return out;
}

std::string_view strip_padding(std::string_view frame) {
  auto strip_spaces = [&] {
    while (!frame.empty() && frame.back() == ' ') frame.remove_suffix(1);
  };
  strip_spaces();
  if (!frame.empty() && frame.back() == '\n') {
    frame.remove_suffix(1);
    if (!frame.empty() && frame.back() == '\r') frame.remove_suffix(1);
    strip_spaces();
  }
  return frame;
}

}  // namespace parley::proto::simple
