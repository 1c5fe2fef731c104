// Vocabulary shared by the engine and the layers that drive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/shared_line.h"

namespace parley::core {

// Stable identity of one connection (or, later, a remote user). Never reused while the server
// runs; nicknames are attributes of a user, never keys across the engine.
using SessionId = std::uint64_t;

// The engine never reads a clock: every entry point receives `now`.
using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

using proto::SharedLine;

// Where the engine writes its output. In production the net layer queues the bytes on the
// session's connection; in tests it is a vector. Calls happen on the engine's thread only.
class ReplySink {
 public:
  virtual ~ReplySink() = default;
  // Queue `line` (one or more CR LF terminated lines) for `to`.
  virtual void send(SessionId to, const SharedLine& line) = 0;
  // Flush what is queued for `who`, then close the connection. The engine has already
  // forgotten the session when it calls this; it will not mention `who` again.
  virtual void close(SessionId who, std::string_view reason) = 0;
  // Stop (`paused`) or resume reading `who`'s input. The engine pauses a session whose lines it
  // has to defer (a request of its is pending) and resumes it once they are handled, so a client
  // that keeps sending is slowed by TCP instead of filling the server's memory. A transport that
  // cannot pause may ignore it: the engine still bounds what it defers.
  virtual void pause_input(SessionId /*who*/, bool /*paused*/) {}
};

// Facts the transport knows about a new connection.
struct ConnectionInfo {
  std::string ip;              // textual address, e.g. "127.0.0.1" or "::1"
  std::uint16_t port = 0;      // remote port
  bool exempt = false;         // on the operator's exempt list: no flood or per-IP limits
  bool per_ip_exempt = false;  // not counted against the per-IP limit (loopback by default)
  bool secure = false;         // TLS: the handshake follows; Engine::tls_established() reports it
};

}  // namespace parley::core
