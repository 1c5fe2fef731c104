// The talk client's side of the protocol, without I/O: turns the user's lines into frames and
// the server's frames into things to show. run_talk_client() (talk_client.h) does the I/O.
//
// Turn-taking (docs/protocol.md "Talk"): in the user's turn the client may send MESSAGE or
// HANGUP; after a MESSAGE it is the server's turn until a RESPONSE arrives. QUEUED frames may
// arrive at any time and are only shown. ERROR, a malformed frame, a client-only tag or a
// RESPONSE out of turn end the session. A first frame that cannot be decoded at all (an unknown
// tag, or a length over the limit) means the server is no talk server (an IRC server's
// ":irc.example NOTICE ..." or "ERROR :Closing link"): kNotTalk, with what it sent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/talk_frame.h"

namespace parley::talk {

class ClientSession {
 public:
  enum class Turn : std::uint8_t { kUser, kServer, kOver };

  struct Event {
    enum class Kind : std::uint8_t {
      kResponse,       // the server's answer: print "talk server response: <text>"
      kQueued,         // a notice from the server (e.g. "you are queued ...")
      kServerError,    // ERROR frame: code and text (the sentence); the session is over
      kProtocolError,  // the server broke the protocol; the session is over
      kNotTalk,        // the first bytes are no talk frame; text: their first line (raw bytes)
    };
    Kind kind;
    std::string text;
    std::string code;  // kServerError: the ERROR frame's code ("shutdown"), may be empty
  };

  // The line typed in reply to "enter next message: ".
  struct Outgoing {
    std::string frame;    // bytes to send; empty if nothing is sent
    bool hangup = false;  // the session ends after `frame`
    std::string problem;  // why nothing was sent (e.g. too long)
  };

  static constexpr std::string_view kHangupWord = "hangup";

  // Precondition: turn() == kUser.
  Outgoing user_line(std::string_view line);
  // The frame that ends the session (also used at the end of the user's input).
  std::string hangup();

  // Bytes from the server; calls sink(const Event&) for each thing to show, in order. Stops at
  // the first event that ends the session.
  template <typename Sink>
  void receive(std::string_view bytes, Sink&& sink);

  Turn turn() const { return turn_; }

 private:
  // Returns false when the session is over.
  bool on_frame(proto::talk::Tag tag, std::string_view payload, Event& event);

  // The start of what the server sent, kept until its first frame has been decoded.
  void remember_first_bytes(std::string_view bytes);
  Event decode_failure() const;

  proto::talk::FrameDecoder decoder_;
  Turn turn_ = Turn::kUser;
  bool frame_seen_ = false;
  std::string first_bytes_;
};

template <typename Sink>
void ClientSession::receive(std::string_view bytes, Sink&& sink) {
  if (turn_ == Turn::kOver) return;
  if (!frame_seen_) remember_first_bytes(bytes);
  const auto status = decoder_.feed(bytes, [&](proto::talk::Tag tag, std::string_view payload) {
    frame_seen_ = true;
    Event event;
    const bool go_on = on_frame(tag, payload, event);
    sink(static_cast<const Event&>(event));
    return go_on;
  });
  if (status == proto::talk::FrameDecoder::Status::kError) {
    turn_ = Turn::kOver;
    sink(static_cast<const Event&>(decode_failure()));
  }
}

}  // namespace parley::talk
