// The simple-protocol front door's translator (docs/protocol.md "Simple"): it turns the frames
// of seed 001's channel protocol into engine calls and the engine's IRC output for a simple
// session into frames. A simple user is an ordinary engine user: the gateway registers it with
// synthesized NICK/USER lines (a valid, free nick derived from the simple name), maps simple
// channel `x` to IRC channel `#x`, and keeps a nick -> simple name map so that simple users see
// each other by their simple names. The engine's semantics are untouched.
//
// Sans-I/O: no sockets, no clock. The transport hands it decoded frame texts (receive), the
// engine's output for simple sessions (deliver, from its ReplySink) and session ends (close);
// frames go out through the FrameSink.
//
// Re-entrancy: deliver() runs inside an engine call and never calls the engine back (it only
// reads names). PINGs the engine sends to simple sessions are queued and answered with PONG by
// answer_pings(), which the transport calls after Engine::tick(), outside any engine call.
//
// Thread: the engine's owner thread. Lifetime: the Engine and the FrameSink outlive the gateway.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/engine.h"
#include "core/types.h"

namespace parley::server {

class SimpleFrameSink {
 public:
  virtual ~SimpleFrameSink() = default;
  // Queue `frames` (one or more complete 200-byte frames) for session `to`.
  virtual void send_frames(core::SessionId to, const core::SharedLine& frames) = 0;
};

// The seed's server strings (utils.py), with {0} placeholders filled by the gateway.
namespace simple_text {
inline constexpr std::string_view kInvalidControl =
    " is not a valid control message. Valid messages are /create, /list, and /join.";
inline constexpr std::string_view kJoinNeedsChannel =
    "/join command must be followed by the name of a channel to join.";
inline constexpr std::string_view kCreateNeedsChannel =
    "/create command must be followed by the name of a channel to create";
inline constexpr std::string_view kNotInChannel =
    "Not currently in any channel. Must join a channel before sending messages.";
std::string no_such_channel(std::string_view name);  // No channel named {0} exists. Try '/create {0}'?
std::string channel_exists(std::string_view name);   // Room {0} already exists, so cannot be created.
std::string has_joined(std::string_view name);       // {0} has joined
std::string has_left(std::string_view name);         // {0} has left
}  // namespace simple_text

class SimpleGateway {
 public:
  SimpleGateway(core::Engine& engine, SimpleFrameSink& out);
  SimpleGateway(const SimpleGateway&) = delete;
  SimpleGateway& operator=(const SimpleGateway&) = delete;

  // A simple-protocol connection was accepted by Engine::connect(). Its first frame is its name.
  void open(core::SessionId id);
  // One frame's text (padding already stripped) from session `id`.
  void receive(core::SessionId id, std::string_view text, core::TimePoint now);
  // Engine output (CR LF terminated IRC lines) addressed to simple session `id`: translated to
  // frames, or dropped. Call from the ReplySink.
  void deliver(core::SessionId id, std::string_view lines);
  // The session is gone (closed by the engine or the transport). Unknown ids are ignored.
  void close(core::SessionId id);
  // Answers the PINGs queued by deliver(). Call after Engine::tick(), outside engine calls.
  void answer_pings(core::TimePoint now);

  bool owns(core::SessionId id) const { return sessions_.contains(id); }
  std::size_t session_count() const { return sessions_.size(); }
  // The IRC nick the engine knows session `id` by; empty before its name frame.
  std::string nick_of(core::SessionId id) const;
  // A valid IRC nick for `simple_name` that no engine user holds (see docs/protocol.md).
  std::string derive_nick(std::string_view simple_name) const;

 private:
  struct Session {
    bool named = false;
    std::string name;         // as the client sent it
    std::string nick;         // its IRC nick
    std::string nick_folded;  // key in names_
  };

  void register_user(core::SessionId id, Session& s, std::string_view name, core::TimePoint now);
  void command(core::SessionId id, std::string_view text, core::TimePoint now);
  void join(core::SessionId id, std::string_view channel, bool create, core::TimePoint now);
  void list(core::SessionId id);
  void message(core::SessionId id, std::string_view text, core::TimePoint now);
  void send_text(core::SessionId id, std::string_view text);
  void translate(core::SessionId id, const Session& s, std::string_view line);
  // The simple name of the user holding `nick`, or `nick` itself for IRC users.
  std::string display_name(std::string_view nick) const;
  // The IRC channel the user is in (simple users are in at most one), or nullptr.
  core::Channel* current_channel(core::SessionId id);

  core::Engine& engine_;
  SimpleFrameSink& out_;
  std::unordered_map<core::SessionId, Session> sessions_;
  std::unordered_map<std::string, std::string> names_;  // folded nick -> simple name
  std::vector<std::pair<core::SessionId, std::string>> pending_pongs_;
};

}  // namespace parley::server
