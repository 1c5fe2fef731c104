#include "talk/text.h"

#include <cstdio>

namespace parley::talk {

std::string client_label(std::string_view ip, std::uint16_t port) {
  std::string out = "client (";
  out.append(ip);
  out += ',';
  out += std::to_string(port);
  out += ')';
  return out;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

void LineSplitter::feed(std::string_view bytes) {
  if (head_ == pending_.size()) {
    pending_.clear();
    head_ = 0;
  } else if (head_ > pending_.size() / 2) {
    pending_.erase(0, head_);
    head_ = 0;
  }
  pending_.append(bytes);
}

std::optional<LineSplitter::Line> LineSplitter::next() {
  const auto lf = pending_.find('\n', head_);
  if (lf != std::string::npos) {
    std::string_view line(pending_.data() + head_, lf - head_);
    head_ = lf + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (discarding_ || line.size() > max_line_) {
      discarding_ = false;
      return Line{{}, true};
    }
    return Line{std::string(line), false};
  }
  const std::size_t partial = pending_.size() - head_;
  // Keep at most max_line bytes of a line (+1 for a CR before its LF); drop the rest up to LF.
  if (partial > max_line_ + 1 || (discarding_ && partial > 0)) {
    discarding_ = true;
    pending_.clear();
    head_ = 0;
  }
  if (!finished_) return std::nullopt;
  if (discarding_) {
    discarding_ = false;
    return Line{{}, true};
  }
  if (head_ == pending_.size()) return std::nullopt;
  std::string_view last(pending_.data() + head_, partial);
  head_ = pending_.size();
  if (!last.empty() && last.back() == '\r') last.remove_suffix(1);
  if (last.size() > max_line_) return Line{{}, true};
  return Line{std::string(last), false};
}

}  // namespace parley::talk
