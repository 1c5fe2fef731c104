#include "proto/websocket.h"

#include <algorithm>
#include <cstring>

#include "proto/utf8.h"

namespace parley::proto::ws {
namespace {

// Whole messages are unmasked here; see the header ("Memory").
thread_local std::string scratch;

bool is_control(Opcode op) { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

bool known_opcode(std::uint8_t op) {
  return op == 0x0 || op == 0x1 || op == 0x2 || op == 0x8 || op == 0x9 || op == 0xa;
}

// Close codes a peer may send (section 7.4): the defined ones, and the ranges for libraries,
// frameworks and applications. 1005 and 1006 only describe a missing code; 1015 is TLS's.
bool valid_close_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011);
}

}  // namespace

std::size_t FrameDecoder::step(std::string_view data, Event& out, Step& result) {
  return in_payload_ ? read_payload(data, out, result) : read_header(data, out, result);
}

void FrameDecoder::fail(Event& out, std::uint16_t code, std::string_view why) {
  failed_ = true;
  reason_.assign(why);
  out = Event{Event::Kind::kError, reason_, code};
}

std::size_t FrameDecoder::read_header(std::string_view data, Event& out, Step& result) {
  std::size_t used = 0;
  for (;;) {
    std::size_t need = 2;
    if (header_size_ >= 2) {
      const std::uint8_t length7 = header_[1] & 0x7f;
      need += (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header_[1] & 0x80) ? 4 : 0);
    }
    if (header_size_ >= need) break;
    if (used == data.size()) return used;
    const std::size_t take = std::min(need - header_size_, data.size() - used);
    std::memcpy(header_.data() + header_size_, data.data() + used, take);
    header_size_ = static_cast<std::uint8_t>(header_size_ + take);
    used += take;
    if (header_size_ == 2 && header_size_ - take < 2) {
      // The first two bytes say what the frame is: check them before reading more.
      const std::uint8_t b0 = header_[0], b1 = header_[1];
      const std::uint8_t op = b0 & 0x0f;
      const bool fin = (b0 & 0x80) != 0;
      const bool mask = (b1 & 0x80) != 0;
      const char* problem = nullptr;
      if (b0 & 0x70) {
        problem = "reserved bits set (no extension was negotiated)";
      } else if (!known_opcode(op)) {
        problem = "unknown opcode";
      } else if ((op & 0x8) && (!fin || (b1 & 0x7f) > 125)) {
        problem = "a control frame must be final and carry at most 125 bytes";
      } else if (mask != (role_ == Role::kServer)) {
        problem = role_ == Role::kServer ? "frames from a client must be masked"
                                         : "frames from a server must not be masked";
      } else if (op == 0x0 && message_opcode_ == Opcode::kContinuation) {
        problem = "a continuation frame without a message to continue";
      } else if ((op == 0x1 || op == 0x2) && message_opcode_ != Opcode::kContinuation) {
        problem = "a new message before the previous one ended";
      }
      if (problem) {
        fail(out, kCloseProtocolError, problem);
        result = Step::kEvent;
        return data.size();
      }
    }
  }
  if (header_complete(out)) result = Step::kEvent;
  if (failed_) return data.size();
  return used;
}

bool FrameDecoder::header_complete(Event& out) {
  const std::uint8_t b0 = header_[0], b1 = header_[1];
  frame_fin_ = (b0 & 0x80) != 0;
  frame_opcode_ = static_cast<Opcode>(b0 & 0x0f);
  masked_ = (b1 & 0x80) != 0;
  std::uint64_t length = b1 & 0x7f;
  std::size_t at = 2;
  if (length == 126) {
    length = (std::uint64_t{header_[2]} << 8) | header_[3];
    at = 4;
  } else if (length == 127) {
    length = 0;
    for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | header_[i];
    at = 10;
    if (length >> 63) {
      fail(out, kCloseProtocolError, "frame length has its most significant bit set");
      return true;
    }
  }
  if (masked_) std::memcpy(mask_.data(), header_.data() + at, 4);
  header_size_ = 0;
  in_payload_ = true;
  remaining_ = length;
  frame_offset_ = 0;
  bool event = false;
  if (!is_control(frame_opcode_)) {
    if (frame_opcode_ != Opcode::kContinuation) {
      message_opcode_ = frame_opcode_;
      discarding_ = false;
    }
    if (!discarding_ && message_.size() + length > max_message_) {
      discarding_ = true;
      std::string().swap(message_);
      out = Event{Event::Kind::kTooLong, {}, 0};
      event = true;
    }
  }
  if (event) return true;  // a message found too long has bytes to discard, so remaining_ > 0
  if (remaining_ != 0) return false;
  Step done = Step::kNone;  // an empty frame is complete already
  read_payload({}, out, done);
  return done == Step::kEvent;
}

void FrameDecoder::unmask_into(std::string& into, std::string_view bytes) {
  const std::size_t start = into.size();
  into.append(bytes);
  if (!masked_) return;
  char* p = into.data() + start;
  for (std::size_t i = 0; i < bytes.size(); ++i)
    p[i] = static_cast<char>(p[i] ^ mask_[(frame_offset_ + i) & 3]);
}

std::size_t FrameDecoder::read_payload(std::string_view data, Event& out, Step& result) {
  const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size()));
  const std::string_view chunk = data.substr(0, take);
  const bool frame_done = take == remaining_;
  if (is_control(frame_opcode_)) {
    std::string_view payload;
    if (control_.empty() && frame_done) {
      scratch.clear();
      unmask_into(scratch, chunk);
      payload = scratch;
    } else {
      unmask_into(control_, chunk);
    }
    frame_offset_ += take;
    remaining_ -= take;
    if (!frame_done) return take;
    if (!control_.empty()) {
      // Assembled across reads: hand it over in the shared buffer, so that the event's view
      // outlives this call and the decoder keeps nothing.
      scratch.swap(control_);
      std::string().swap(control_);
      payload = scratch;
    }
    in_payload_ = false;
    result = Step::kEvent;
    if (frame_opcode_ == Opcode::kPing) {
      out = Event{Event::Kind::kPing, payload, 0};
    } else if (frame_opcode_ == Opcode::kPong) {
      out = Event{Event::Kind::kPong, payload, 0};
    } else if (payload.empty()) {
      out = Event{Event::Kind::kClose, {}, kCloseNoStatus};
      failed_ = true;  // nothing after a close frame is read
    } else if (payload.size() == 1) {
      fail(out, kCloseProtocolError, "a close frame with a one-byte payload");
    } else {
      const auto code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                                   static_cast<std::uint8_t>(payload[1]));
      const std::string_view why = payload.substr(2);
      if (!valid_close_code(code)) {
        fail(out, kCloseProtocolError, "a close frame with an invalid status code");
      } else if (!is_valid_utf8(why)) {
        fail(out, kCloseInvalidData, "a close frame whose reason is not UTF-8");
      } else {
        reason_.assign(why);
        out = Event{Event::Kind::kClose, reason_, code};
        failed_ = true;
      }
    }
    return take;
  }
  // A data frame.
  if (discarding_) {
    remaining_ -= take;
    frame_offset_ += take;
  } else if (message_.empty() && frame_fin_ && frame_done) {
    // The common case: a whole message in this read; no copy kept in the decoder, and none at
    // all for an unmasked frame (a client reading a server), whose bytes are the message.
    remaining_ = 0;
    in_payload_ = false;
    std::string_view payload = chunk;
    if (masked_) {
      scratch.clear();
      unmask_into(scratch, chunk);
      payload = scratch;
    }
    if (finish_message(payload, out)) result = Step::kEvent;
    return take;
  } else {
    unmask_into(message_, chunk);
    remaining_ -= take;
    frame_offset_ += take;
  }
  if (!frame_done) return take;
  in_payload_ = false;
  if (!frame_fin_) return take;
  if (discarding_) {
    discarding_ = false;
    message_opcode_ = Opcode::kContinuation;
    return take;
  }
  scratch.swap(message_);  // the assembled message moves to the shared buffer
  std::string().swap(message_);
  if (finish_message(scratch, out)) result = Step::kEvent;
  return take;
}

bool FrameDecoder::finish_message(std::string_view payload, Event& out) {
  const Opcode opcode = message_opcode_;
  message_opcode_ = Opcode::kContinuation;
  if (opcode == Opcode::kText && !is_valid_utf8(payload)) {
    fail(out, kCloseInvalidData, "a text message that is not valid UTF-8");
    return true;
  }
  out = Event{opcode == Opcode::kText ? Event::Kind::kText : Event::Kind::kBinary, payload, 0};
  return true;
}

void append_frame(std::string& out, Opcode opcode, std::string_view payload,
                  const std::array<std::uint8_t, 4>* mask) {
  out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode)));
  const std::uint8_t mask_bit = mask ? 0x80 : 0x00;
  const std::uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(mask_bit | n));
  } else if (n <= 0xffff) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
  }
  if (!mask) {
    out.append(payload);
    return;
  }
  out.append(reinterpret_cast<const char*>(mask->data()), 4);
  const std::size_t start = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out[start + i] = static_cast<char>(out[start + i] ^ (*mask)[i & 3]);
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  std::string out;
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xff));
  std::size_t keep = 0;
  for (std::size_t i = 0; i < reason.size();) {
    std::size_t n = utf8_sequence_length(reason, i);
    if (n == 0 || i + n > 123) break;
    i += n;
    keep = i;
  }
  out.append(reason.substr(0, keep));
  return out;
}

bool append_valid_utf8(std::string& out, std::string_view text) {
  bool replaced = false;
  std::size_t clean_from = 0;
  for (std::size_t i = skip_ascii(text, 0); i < text.size(); i = skip_ascii(text, i)) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n != 0) {
      i += n;
      continue;
    }
    out.append(text.substr(clean_from, i - clean_from));
    out.append("\xef\xbf\xbd");  // U+FFFD REPLACEMENT CHARACTER
    replaced = true;
    ++i;
    clean_from = i;
  }
  out.append(text.substr(clean_from));
  return replaced;
}

}  // namespace parley::proto::ws
