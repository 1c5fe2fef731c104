// One connection to a web listener, without I/O: HTTP/1.1 requests for the web client's files,
// and the upgrade to the IRCv3 WebSocket transport (https://ircv3.net/specs/extensions/websocket),
// after which each WebSocket message carries one IRC line (docs/web.md, docs/protocol.md).
//
// HTTP: a request's header block is collected (at most WebPolicy::max_header_bytes, else 431)
// and parsed by Boost.Beast's parser, which is the only HTTP parser here. GET and HEAD of a file
// of StaticFiles are answered (ETag / If-None-Match, gzip when accepted); other methods get 405,
// requests with a body 413, unparseable ones 400 (and the connection closes). Keep-alive is
// honoured; requests are answered in order.
//
// Upgrade (RFC 6455 section 4.2): a GET with "Connection: upgrade", "Upgrade: websocket", a
// 16-byte Sec-WebSocket-Key and version 13 (else 426), from an allowed Origin (else 403; a
// request without Origin is not from a browser and is allowed). The subprotocol is the first of
// the client's list that Parley speaks: binary.ircv3.net or text.ircv3.net; none asked: text
// frames, no subprotocol. The client's address is the peer's, or the one a trusted proxy
// forwarded (web/forwarded.h). No extension is negotiated (permessage-deflate: see docs/web.md).
//
// WebSocket: messages become IRC lines for the host (a trailing CR LF is removed; a message with
// several lines is split); a message past WebPolicy::max_message is reported as too long and
// discarded; pings are answered; a close frame is answered and ends the session; a protocol error
// ends it with the matching close code. Frames that carry no line (pings, pongs, empty messages)
// are limited per second (WebPolicy::max_idle_frames_per_second; past it: close 1008). Engine
// output becomes frames through FrameEncoder below.
//
// Thread: one thread (the server's). Lifetime: the policy and the files outlive the session.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/cidr.h"
#include "proto/shared_line.h"
#include "proto/websocket.h"
#include "web/static_files.h"

namespace parley::web {

struct WebPolicy {
  // Page origins a browser may connect from ("https://chat.example.org"), compared without
  // regard to case; "*" allows any. Empty: only the listener's own origin (the Origin header's
  // host and port equal the request's Host header).
  std::vector<std::string> origins;
  // Peers whose X-Forwarded-For / X-Forwarded-Proto / Forwarded headers are believed.
  proto::CidrList trusted_proxies;
  // Longest IRC line in one message (512 + 8191 bytes of tags, as for TCP clients).
  std::size_t max_message = 512 + 8191;
  std::size_t max_header_bytes = 8 * 1024;
  // Frames carrying no IRC line (pings, pongs, empty messages) accepted per second.
  unsigned max_idle_frames_per_second = 20;
};

// What the upgrade decided, for the host to register the engine session.
struct Upgrade {
  std::string client_ip;  // the peer, or what a trusted proxy forwarded
  bool secure = false;    // TLS to us, or https to a trusted proxy
  bool forwarded = false;
  bool binary = false;      // binary.ircv3.net frames; else text frames
  std::string subprotocol;  // as negotiated; empty when the client asked for none
};

// Where a session's effects go. Calls come from inside WebSession::receive().
class WebSessionHost {
 public:
  virtual ~WebSessionHost() = default;
  virtual void web_send(const proto::SharedLine& bytes) = 0;  // to the peer, in order
  virtual void web_upgraded(const Upgrade& upgrade) = 0;      // the 101 is queued already
  virtual void web_line(std::string_view line) = 0;           // one IRC line, no CR/LF
  virtual void web_line_too_long() = 0;
  // End the connection once what was sent has left. No more calls follow.
  virtual void web_close(std::string_view reason) = 0;
};

class WebSession {
 public:
  using Clock = std::chrono::steady_clock;
  WebSession(const WebPolicy& policy, const StaticFiles& files, std::string peer_ip, bool tls);

  // Bytes from the peer.
  void receive(std::string_view bytes, Clock::time_point now, WebSessionHost& host);
  // The server ended the session: input is ignored from now on. Returns the close frame to send
  // after the last lines when the session is a WebSocket (empty SharedLine otherwise).
  proto::SharedLine stop(std::uint16_t code, std::string_view reason);

  bool upgraded() const { return decoder_.has_value(); }
  bool stopped() const { return stopped_; }
  // Requests answered so far (HTTP).
  std::size_t requests() const { return requests_; }

 private:
  void receive_http(std::string_view bytes, Clock::time_point now, WebSessionHost& host);
  void receive_frames(std::string_view bytes, Clock::time_point now, WebSessionHost& host);
  bool idle_frame(Clock::time_point now, WebSessionHost& host);
  void fail_http(unsigned status, std::string_view why, WebSessionHost& host);
  void end(std::uint16_t code, std::string_view reason, std::string_view log, WebSessionHost& host);

  const WebPolicy& policy_;
  const StaticFiles& files_;
  std::string peer_ip_;
  std::string http_in_;  // a request's header block being collected
  std::optional<proto::ws::FrameDecoder> decoder_;
  Clock::time_point idle_window_{};
  unsigned idle_frames_ = 0;
  std::size_t requests_ = 0;
  bool tls_;
  bool stopped_ = false;
  friend class HttpExchange;
};

// Engine output (IRC lines ending in CR LF) as WebSocket frames, one message per line; text
// frames carry valid UTF-8 only (anything else becomes U+FFFD). The frames made for the last
// line are kept, so a channel message fanned out to a thousand WebSocket members is framed once
// per frame kind, not once per member.
class FrameEncoder {
 public:
  const proto::SharedLine& frames(const proto::SharedLine& lines, bool binary);

 private:
  proto::SharedLine source_[2];
  proto::SharedLine frames_[2];
};

// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key (RFC 6455 section 4.2.2).
std::string websocket_accept(std::string_view key);

}  // namespace parley::web
