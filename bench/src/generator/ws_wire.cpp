#include "generator/ws_wire.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace parley::bench {

namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string base64(const unsigned char* bytes, std::size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether the comma-separated `list` holds `token` (case-insensitive), as Connection may.
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string websocket_key(std::uint64_t seed) {
  std::array<unsigned char, 16> bytes{};
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    bytes[i] = static_cast<unsigned char>(x >> 24);
  }
  return base64(bytes.data(), bytes.size());
}

std::string websocket_accept(std::string_view key) {
  std::string joined(key);
  joined.append(kGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), digest);
  return base64(digest, sizeof digest);
}

std::string upgrade_request(std::string_view host_port, std::string_view key, std::string_view subprotocol) {
  std::string out = "GET / HTTP/1.1\r\nHost: ";
  out.append(host_port);
  out.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
  out.append(key);
  out.append("\r\nSec-WebSocket-Version: 13\r\n");
  if (!subprotocol.empty()) {
    out.append("Sec-WebSocket-Protocol: ");
    out.append(subprotocol);
    out.append("\r\n");
  }
  out.append("\r\n");
  return out;
}

UpgradeAnswer parse_upgrade_answer(std::string_view bytes, std::string_view key, std::string_view subprotocol,
                                   std::size_t max_header) {
  UpgradeAnswer answer;
  const std::size_t checked = std::min<std::size_t>(bytes.size(), 5);
  if (bytes.substr(0, checked) != std::string_view("HTTP/").substr(0, checked)) {
    // Not an HTTP server (e.g. an IRC port answering "GET" with a numeric): say so at once.
    answer.status = UpgradeAnswer::Status::kRefused;
    answer.error = "the answer to the WebSocket upgrade is not HTTP: " +
                   std::string(bytes.substr(0, std::min<std::size_t>(bytes.find('\n'), 200)));
    while (!answer.error.empty() && (answer.error.back() == '\r' || answer.error.back() == '\n'))
      answer.error.pop_back();
    return answer;
  }
  const std::size_t end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (bytes.size() > max_header) {
      answer.status = UpgradeAnswer::Status::kRefused;
      answer.error = "the answer to the WebSocket upgrade has no end of its header within " +
                     std::to_string(max_header) + " bytes";
    }
    return answer;
  }
  answer.status = UpgradeAnswer::Status::kRefused;
  std::string_view head = bytes.substr(0, end + 2);  // each line ends with CRLF
  const std::size_t first_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, first_end);
  head.remove_prefix(first_end + 2);
  // "HTTP/1.1 101 Switching Protocols": the code is the second word.
  const std::size_t space = status_line.find(' ');
  const std::string_view code =
      space == std::string_view::npos ? std::string_view{} : status_line.substr(space + 1, 3);
  if (status_line.substr(0, 5) != "HTTP/" || code != "101") {
    answer.error = "WebSocket upgrade refused: " + std::string(status_line);
    return answer;
  }
  bool upgrade = false;
  bool connection = false;
  bool accepted = false;
  std::string_view protocol;
  while (!head.empty()) {
    const std::size_t line_end = head.find("\r\n");
    const std::string_view line = head.substr(0, line_end);
    head.remove_prefix(line_end + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Upgrade")) {
      upgrade = iequals(value, "websocket");
    } else if (iequals(name, "Connection")) {
      connection = has_token(value, "upgrade");
    } else if (iequals(name, "Sec-WebSocket-Accept")) {
      accepted = value == websocket_accept(key);
    } else if (iequals(name, "Sec-WebSocket-Protocol")) {
      protocol = value;
    }
  }
  if (!upgrade || !connection) {
    answer.error = "the 101 answer lacks Upgrade: websocket or Connection: Upgrade";
  } else if (!accepted) {
    answer.error = "the 101 answer has no Sec-WebSocket-Accept matching our key";
  } else if (!protocol.empty() && protocol != subprotocol) {
    answer.error = "the server chose subprotocol '" + std::string(protocol) + "', which we did not ask for";
  } else {
    answer.status = UpgradeAnswer::Status::kAccepted;
    answer.header_bytes = end + 4;
  }
  return answer;
}

std::size_t frame_lines(std::string_view lines, std::string& wire, std::uint32_t& mask_state,
                        proto::ws::Opcode opcode) {
  std::size_t used = 0;
  for (;;) {
    const void* found = std::memchr(lines.data() + used, '\n', lines.size() - used);
    if (!found) return used;
    const std::size_t nl = static_cast<std::size_t>(static_cast<const char*>(found) - lines.data());
    std::size_t line_end = nl;
    if (line_end > used && lines[line_end - 1] == '\r') --line_end;
    if (line_end > used) {
      std::uint32_t x = mask_state != 0 ? mask_state : 0x9e3779b9u;
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      mask_state = x;
      const std::array<std::uint8_t, 4> mask{static_cast<std::uint8_t>(x), static_cast<std::uint8_t>(x >> 8),
                                             static_cast<std::uint8_t>(x >> 16),
                                             static_cast<std::uint8_t>(x >> 24)};
      proto::ws::append_frame(wire, opcode, lines.substr(used, line_end - used), &mask);
    }
    used = nl + 1;
  }
}

}  // namespace parley::bench
