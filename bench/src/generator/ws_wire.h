// The generator's side of the IRCv3 WebSocket transport, without I/O: the HTTP/1.1 Upgrade
// request, the check of the server's answer, and the step that turns the generator's IRC lines
// ("...\r\n", as the TCP path writes them) into masked client frames, one frame per line, no
// CR/LF (https://ircv3.net/specs/extensions/websocket). Reading frames is proto::ws::FrameDecoder
// (Role::kClient); ConnectionSet does the I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/websocket.h"

namespace parley::bench {

// A Sec-WebSocket-Key: 16 bytes derived from `seed`, base64 (24 characters). Any 16 bytes do;
// the key only proves that the server read this request (Sec-WebSocket-Accept).
std::string websocket_key(std::uint64_t seed);

// base64(SHA-1(key + the RFC 6455 GUID)): the Sec-WebSocket-Accept a server must answer with.
std::string websocket_accept(std::string_view key);

// "GET / HTTP/1.1" with Host, Upgrade, Connection, Sec-WebSocket-Key, Sec-WebSocket-Version 13
// and, unless `subprotocol` is empty, Sec-WebSocket-Protocol.
std::string upgrade_request(std::string_view host_port, std::string_view key, std::string_view subprotocol);

struct UpgradeAnswer {
  enum class Status : std::uint8_t {
    kIncomplete,  // the header block has not ended yet: read more
    kAccepted,    // 101 with the right Sec-WebSocket-Accept; frames start at header_bytes
    kRefused,     // anything else; `error` says what (the status line, or the bad header)
  };
  Status status = Status::kIncomplete;
  std::size_t header_bytes = 0;  // kAccepted: length of the header block, "\r\n\r\n" included
  std::string error;
};

// Checks the server's answer to upgrade_request(key, subprotocol) in `bytes` (everything read
// so far). A header block longer than `max_header` without its end is refused.
UpgradeAnswer parse_upgrade_answer(std::string_view bytes, std::string_view key, std::string_view subprotocol,
                                   std::size_t max_header = 8192);

// Appends one masked frame of `opcode` (kText or kBinary) per complete line of `lines` to `wire`,
// without its CR/LF; empty lines are skipped. Each frame gets a fresh mask from `mask_state`
// (xorshift32; a 0 state is replaced by a fixed seed). Returns the bytes of `lines` consumed: a trailing
// partial line is left.
std::size_t frame_lines(std::string_view lines, std::string& wire, std::uint32_t& mask_state,
                        proto::ws::Opcode opcode);

}  // namespace parley::bench
