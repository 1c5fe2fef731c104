#include "proto/talk_frame.h"

#include <cstdio>

namespace parley::proto::talk {

namespace {
// Capacity kept by a decoder between frames; a large frame's buffer is given back.
constexpr std::size_t kKeepBufferCapacity = 512;

// "0x47 ('G')", or "0x00" for a byte that does not print.
std::string describe_byte(std::uint8_t byte) {
  char text[16];
  if (byte >= 0x21 && byte <= 0x7e) {
    std::snprintf(text, sizeof text, "0x%02X ('%c')", byte, byte);
  } else {
    std::snprintf(text, sizeof text, "0x%02X", byte);
  }
  return text;
}
}  // namespace

std::optional<Tag> tag_from_byte(std::uint8_t byte) {
  switch (static_cast<Tag>(byte)) {
    case Tag::kMessage:
    case Tag::kHangup:
    case Tag::kResponse:
    case Tag::kQueued:
    case Tag::kError: return static_cast<Tag>(byte);
  }
  return std::nullopt;
}

std::string_view tag_name(Tag tag) {
  switch (tag) {
    case Tag::kMessage: return "MESSAGE";
    case Tag::kHangup: return "HANGUP";
    case Tag::kResponse: return "RESPONSE";
    case Tag::kQueued: return "QUEUED";
    case Tag::kError: return "ERROR";
  }
  return "?";
}

bool sent_by_client(Tag tag) { return tag == Tag::kMessage || tag == Tag::kHangup; }

void append_frame(std::string& out, Tag tag, std::string_view payload) {
  const auto length = static_cast<std::uint32_t>(payload.size());
  const char header[kHeaderBytes] = {
      static_cast<char>(tag),
      static_cast<char>((length >> 24) & 0xff),
      static_cast<char>((length >> 16) & 0xff),
      static_cast<char>((length >> 8) & 0xff),
      static_cast<char>(length & 0xff),
  };
  out.append(header, kHeaderBytes);
  out.append(payload);
}

std::string encode_frame(Tag tag, std::string_view payload) {
  std::string out;
  out.reserve(kHeaderBytes + payload.size());
  append_frame(out, tag, payload);
  return out;
}

std::string_view error_code(DecodeError error) {
  switch (error) {
    case DecodeError::kNone: return "";
    case DecodeError::kUnknownTag: return "unknown-tag";
    case DecodeError::kTooLong: return "too-long";
    case DecodeError::kPayloadOnHangup: return "bad-length";
  }
  return "";
}

std::string FrameDecoder::error_text() const {
  switch (error_) {
    case DecodeError::kNone: return "";
    case DecodeError::kUnknownTag:
      return "unknown message tag " + describe_byte(static_cast<std::uint8_t>(error_value_));
    case DecodeError::kTooLong:
      return std::string(tag_name(static_cast<Tag>(error_tag_))) + " frame length " +
             std::to_string(error_value_) + " exceeds the limit of " + std::to_string(max_payload_) +
             " bytes";
    case DecodeError::kPayloadOnHangup:
      return "HANGUP frame with length " + std::to_string(error_value_) + "; it must be 0";
  }
  return "";
}

bool FrameDecoder::accept_tag(std::uint8_t byte) {
  if (tag_from_byte(byte)) return true;
  error_ = DecodeError::kUnknownTag;
  error_value_ = byte;
  reset_buffer();
  return false;
}

bool FrameDecoder::accept_length(std::uint8_t tag, std::uint32_t length) {
  if (length > max_payload_) {
    error_ = DecodeError::kTooLong;
  } else if (static_cast<Tag>(tag) == Tag::kHangup && length != 0) {
    error_ = DecodeError::kPayloadOnHangup;
  } else {
    return true;
  }
  error_tag_ = tag;
  error_value_ = length;
  reset_buffer();
  return false;
}

void FrameDecoder::reset_buffer() {
  length_ = 0;
  if (buffer_.capacity() > kKeepBufferCapacity) {
    std::string().swap(buffer_);
  } else {
    buffer_.clear();
  }
}

}  // namespace parley::proto::talk
