// The talk server's sessions, without I/O: bytes from clients and lines from the operator in,
// frames, console text and log lines out (through a SwitchboardSink). The Asio composition is
// TalkServer; tests drive this class directly with a recording sink.
//
// Turn-taking (docs/protocol.md "Talk"): a client sends MESSAGE and waits; the server answers
// with RESPONSE; a second MESSAGE before the answer is an error ("out-of-turn"). HANGUP ends the
// session. A malformed frame or a server-only tag ends the session with an ERROR frame.
//
//  - Echo mode answers every MESSAGE at once with its own text.
//  - Interactive mode has one operator, who talks with one client at a time: the sessions form a
//    line in order of connection, the operator answers the first until it hangs up, and a
//    client further back that sends a MESSAGE gets a QUEUED frame and waits for its turn.
//
// Re-entrancy: the sink must not call back into the Switchboard; session ends reported by the
// transport come in through disconnect(), later. Thread: one thread, the caller's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "proto/shared_line.h"
#include "proto/talk_frame.h"

namespace parley::talk {

using SessionId = std::uint64_t;
using proto::talk::Tag;

enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarn };

// Where the Switchboard's output goes. Implemented by TalkServer; a vector in tests.
class SwitchboardSink {
 public:
  virtual ~SwitchboardSink() = default;
  // Queue one encoded frame for the session.
  virtual void send(SessionId to, proto::SharedLine frame) = 0;
  // End the session's connection once what was sent to it has been flushed. The Switchboard
  // has already forgotten the session; a later disconnect() for it is ignored.
  virtual void close(SessionId who) = 0;
  // Text for the operator's console (stdout), complete with its newlines, or a prompt without
  // one; the sink writes it out at once (a prompt must be visible before input is read).
  virtual void console(std::string_view text) = 0;
  virtual void log(LogLevel level, std::string_view text) = 0;
};

enum class TalkMode : std::uint8_t { kInteractive, kEcho };

struct SwitchboardOptions {
  TalkMode mode = TalkMode::kInteractive;
  // Sessions beyond this many get "ERROR server-full ..." and are closed.
  std::size_t max_sessions = 1000;
  // Largest MESSAGE accepted (and RESPONSE sent); at most proto::talk::kMaxPayloadBytes.
  std::size_t max_payload = proto::talk::kMaxPayloadBytes;
};

// ERROR frame codes (the first word of an ERROR payload). The decoder's own codes come from
// proto::talk::error_code(): "unknown-tag", "too-long", "bad-length".
inline constexpr std::string_view kErrorUnexpectedTag = "unexpected-tag";
inline constexpr std::string_view kErrorOutOfTurn = "out-of-turn";
inline constexpr std::string_view kErrorNoOperator = "no-operator";
inline constexpr std::string_view kErrorServerFull = "server-full";
inline constexpr std::string_view kErrorShutdown = "shutdown";

class Switchboard {
 public:
  Switchboard(SwitchboardOptions options, SwitchboardSink& sink);
  Switchboard(const Switchboard&) = delete;
  Switchboard& operator=(const Switchboard&) = delete;

  // A new connection from ip:port. Refused (ERROR + close) when full or shutting down.
  void connect(SessionId id, std::string_view ip, std::uint16_t port);
  // Bytes from the session's connection. Ignored for unknown (already ended) sessions.
  void receive(SessionId id, std::string_view bytes);
  // The transport has ended the connection (peer closed, read error, send queue overflow).
  void disconnect(SessionId id, std::string_view reason);

  // Interactive mode: true while the client being talked with waits for the operator's answer
  // (the console should deliver the operator's next line to answer()).
  bool wants_answer() const;
  // One line from the operator: the answer to the current client's message.
  void answer(std::string_view line);
  // The operator typed a line too long to send (the console reader dropped it).
  void answer_too_long();
  // The console's input has ended: nobody can answer any more. Waiting clients, and any client
  // that sends a message from now on, get "ERROR no-operator ..." and are closed.
  void operator_left();

  // Every session gets "ERROR shutdown ..." and is closed; new connections are refused.
  void shutdown();

  std::size_t session_count() const { return sessions_.size(); }
  // Interactive mode: sessions behind the one the operator talks with.
  std::size_t waiting_count() const { return line_.empty() ? 0 : line_.size() - 1; }

 private:
  struct Session {
    std::string label;  // "client (IP,PORT)"
    proto::talk::FrameDecoder decoder;
    std::optional<std::string> unanswered;  // the MESSAGE waiting for its RESPONSE
    bool ended = false;                     // ended while its bytes were being decoded
  };

  // Returns false when the session has ended.
  bool on_frame(SessionId id, Session& s, Tag tag, std::string_view payload);
  void on_message(SessionId id, Session& s, std::string_view text);
  void send_frame(SessionId to, Tag tag, std::string_view payload);
  // Sends ERROR "<code> <text>", logs, tells the console and ends the session.
  void fail(SessionId id, Session& s, std::string_view code, std::string_view text);
  // Marks the session ended, closes its connection unless the transport already has, shows
  // `notice` on the console and lets the next client in line come to the operator. The caller
  // erases it from sessions_.
  void end(SessionId id, Session& s, bool close_connection, std::string_view notice);
  void show_message(const Session& s);
  void prompt();
  // A console line that may interrupt a prompt: the prompt is shown again after it.
  void notify(std::string_view text);
  void greet_current();
  std::size_t position_in_line(SessionId id) const;

  SwitchboardOptions options_;
  SwitchboardSink& sink_;
  std::unordered_map<SessionId, Session> sessions_;
  std::deque<SessionId> line_;  // interactive mode: in order of arrival; front() is current
  bool operator_present_ = true;
  bool prompt_showing_ = false;  // the console shows "enter next message: " and waits
  bool shutting_down_ = false;
};

}  // namespace parley::talk
