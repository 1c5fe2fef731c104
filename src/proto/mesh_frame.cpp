#include "proto/mesh_frame.h"

#include <cstdio>

namespace parley::proto::mesh {

namespace {

class Writer {
 public:
  explicit Writer(Type type) {
    out_.resize(kHeaderBytes);
    out_[0] = static_cast<char>(kVersion);
    out_[1] = static_cast<char>(type);
  }
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
  }
  void u64(std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) u8(static_cast<std::uint8_t>(v >> shift));
  }
  void str8(std::string_view s) {
    u8(static_cast<std::uint8_t>(s.size()));
    out_.append(s);
  }
  void str16(std::string_view s) {
    u16(static_cast<std::uint16_t>(s.size()));
    out_.append(s);
  }
  void rest(std::string_view s) { out_.append(s); }
  std::string finish() {
    const auto length = static_cast<std::uint32_t>(out_.size() - kHeaderBytes);
    for (int i = 0; i < 4; ++i) out_[2 + i] = static_cast<char>((length >> (24 - 8 * i)) & 0xff);
    return std::move(out_);
  }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return ok_ && in_.empty(); }
  std::uint8_t u8() {
    if (in_.empty()) return fail();
    const auto v = static_cast<std::uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return v;
  }
  std::uint16_t u16() {
    const std::uint16_t hi = u8();
    return static_cast<std::uint16_t>((hi << 8) | u8());
  }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | u8();
    return v;
  }
  std::string bytes(std::size_t n) {
    if (in_.size() < n) {
      fail();
      return {};
    }
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  std::string str8() { return bytes(u8()); }
  std::string str16() { return bytes(u16()); }
  std::string rest() { return bytes(in_.size()); }

 private:
  std::uint8_t fail() {
    ok_ = false;
    in_ = {};
    return 0;
  }
  std::string_view in_;
  bool ok_ = true;
};

bool valid_text(std::string_view text) {
  return text.size() <= kMaxTextBytes && text.find_first_of("\r\n") == std::string_view::npos;
}

// A numeric address or host name: printable ASCII without spaces.
bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostBytes) return false;
  for (char c : host) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

}  // namespace

std::optional<Type> type_from_byte(std::uint8_t byte) {
  switch (static_cast<Type>(byte)) {
    case Type::kHello:
    case Type::kMsg:
    case Type::kAddrs:
    case Type::kHave:
    case Type::kPing:
    case Type::kBye: return static_cast<Type>(byte);
  }
  return std::nullopt;
}

std::string_view type_name(Type type) {
  switch (type) {
    case Type::kHello: return "HELLO";
    case Type::kMsg: return "MSG";
    case Type::kAddrs: return "ADDRS";
    case Type::kHave: return "HAVE";
    case Type::kPing: return "PING";
    case Type::kBye: return "BYE";
  }
  return "?";
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

std::string encode_hello(const Hello& hello) {
  Writer w(Type::kHello);
  w.u64(hello.peer_id);
  w.u16(hello.listen_port);
  w.str8(hello.name);
  return w.finish();
}

std::string encode_msg(const Msg& msg) {
  Writer w(Type::kMsg);
  w.u64(msg.origin);
  w.u64(msg.seq);
  w.u64(msg.unix_ms);
  w.u8(msg.hops_left);
  w.u8(msg.flags);
  w.str8(msg.name);
  w.rest(msg.text);
  return w.finish();
}

std::string encode_addrs(const std::vector<AddrEntry>& entries) {
  Writer w(Type::kAddrs);
  w.u16(static_cast<std::uint16_t>(entries.size()));
  for (const auto& e : entries) {
    w.u64(e.peer_id);
    w.u16(e.port);
    w.str8(e.host);
  }
  return w.finish();
}

std::string encode_have(const std::vector<HaveEntry>& entries) {
  Writer w(Type::kHave);
  w.u16(static_cast<std::uint16_t>(entries.size()));
  for (const auto& e : entries) {
    w.u64(e.origin);
    w.u64(e.high);
  }
  return w.finish();
}

std::string encode_ping() { return Writer(Type::kPing).finish(); }

std::string encode_bye(std::string_view code, std::string_view text) {
  Writer w(Type::kBye);
  std::string reason(code);
  if (!text.empty()) {
    reason += ' ';
    reason += text;
  }
  if (reason.size() > kMaxReasonBytes) reason.resize(kMaxReasonBytes);
  w.rest(reason);
  return w.finish();
}

std::optional<Hello> parse_hello(std::string_view payload) {
  Reader r(payload);
  Hello h;
  h.peer_id = r.u64();
  h.listen_port = r.u16();
  h.name = r.str8();
  if (!r.done() || h.peer_id == 0 || !valid_name(h.name)) return std::nullopt;
  return h;
}

std::optional<Msg> parse_msg(std::string_view payload) {
  Reader r(payload);
  Msg m;
  m.origin = r.u64();
  m.seq = r.u64();
  m.unix_ms = r.u64();
  m.hops_left = r.u8();
  m.flags = r.u8();
  m.name = r.str8();
  m.text = r.rest();
  if (!r.done() || m.origin == 0 || m.seq == 0 || !valid_name(m.name) || !valid_text(m.text))
    return std::nullopt;
  return m;
}

std::optional<std::vector<AddrEntry>> parse_addrs(std::string_view payload) {
  Reader r(payload);
  const std::size_t count = r.u16();
  if (count > kMaxAddrEntries) return std::nullopt;
  std::vector<AddrEntry> entries;
  entries.reserve(count);
  for (std::size_t i = 0; i < count && r.ok(); ++i) {
    AddrEntry e;
    e.peer_id = r.u64();
    e.port = r.u16();
    e.host = r.str8();
    if (e.peer_id == 0 || e.port == 0 || !valid_host(e.host)) return std::nullopt;
    entries.push_back(std::move(e));
  }
  if (!r.done()) return std::nullopt;
  return entries;
}

std::optional<std::vector<HaveEntry>> parse_have(std::string_view payload) {
  Reader r(payload);
  const std::size_t count = r.u16();
  if (count > kMaxHaveEntries) return std::nullopt;
  std::vector<HaveEntry> entries;
  entries.reserve(count);
  for (std::size_t i = 0; i < count && r.ok(); ++i) {
    HaveEntry e;
    e.origin = r.u64();
    e.high = r.u64();
    entries.push_back(e);
  }
  if (!r.done()) return std::nullopt;
  return entries;
}

std::optional<Bye> parse_bye(std::string_view payload) {
  if (payload.size() > kMaxReasonBytes) return std::nullopt;
  Bye b;
  const auto space = payload.find(' ');
  b.code = std::string(payload.substr(0, space));
  if (space != std::string_view::npos) b.text = std::string(payload.substr(space + 1));
  return b;
}

std::string_view error_code(DecodeError error) {
  switch (error) {
    case DecodeError::kNone: return "none";
    case DecodeError::kBadVersion: return "bad-version";
    case DecodeError::kUnknownType: return "unknown-type";
    case DecodeError::kTooLong: return "too-long";
  }
  return "?";
}

bool FrameDecoder::accept_byte(std::size_t index, std::uint8_t byte) {
  if (index == 0 && byte != kVersion) {
    error_ = DecodeError::kBadVersion;
  } else if (index == 1 && !type_from_byte(byte)) {
    error_ = DecodeError::kUnknownType;
  } else {
    return true;
  }
  error_value_ = byte;
  buffer_.clear();
  return false;
}

bool FrameDecoder::accept_length(std::uint32_t length) {
  if (length <= max_payload_) return true;
  error_ = DecodeError::kTooLong;
  error_value_ = length;
  buffer_.clear();
  return false;
}

std::string FrameDecoder::error_text() const {
  char text[96];
  switch (error_) {
    case DecodeError::kNone: return {};
    case DecodeError::kBadVersion:
      std::snprintf(text, sizeof text, "unsupported frame version 0x%02X (expected %u)", error_value_,
                    unsigned{kVersion});
      break;
    case DecodeError::kUnknownType:
      if (error_value_ >= 0x21 && error_value_ <= 0x7e) {
        std::snprintf(text, sizeof text, "unknown frame type 0x%02X ('%c')", error_value_,
                      static_cast<char>(error_value_));
      } else {
        std::snprintf(text, sizeof text, "unknown frame type 0x%02X", error_value_);
      }
      break;
    case DecodeError::kTooLong:
      std::snprintf(text, sizeof text, "frame of %u bytes exceeds the %zu-byte limit", error_value_,
                    max_payload_);
      break;
  }
  return text;
}

}  // namespace parley::proto::mesh
