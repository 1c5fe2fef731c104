#include "talk/client_session.h"

namespace parley::talk {

using proto::talk::Tag;

ClientSession::Outgoing ClientSession::user_line(std::string_view line) {
  Outgoing out;
  if (turn_ != Turn::kUser) {
    out.problem = "it is not your turn";
    return out;
  }
  if (line == kHangupWord) {
    out.frame = hangup();
    out.hangup = true;
    return out;
  }
  if (line.size() > proto::talk::kMaxPayloadBytes) {
    out.problem = "message too long (" + std::to_string(line.size()) + " bytes; the limit is " +
                  std::to_string(proto::talk::kMaxPayloadBytes) + "); not sent";
    return out;
  }
  out.frame = proto::talk::encode_frame(Tag::kMessage, line);
  turn_ = Turn::kServer;
  return out;
}

std::string ClientSession::hangup() {
  turn_ = Turn::kOver;
  return proto::talk::encode_frame(Tag::kHangup, {});
}

bool ClientSession::on_frame(Tag tag, std::string_view payload, Event& event) {
  event.text.assign(payload);
  switch (tag) {
    case Tag::kResponse:
      if (turn_ != Turn::kServer) {
        event.kind = Event::Kind::kProtocolError;
        event.text = "RESPONSE received without a MESSAGE to answer";
        turn_ = Turn::kOver;
        return false;
      }
      event.kind = Event::Kind::kResponse;
      turn_ = Turn::kUser;
      return true;
    case Tag::kQueued: event.kind = Event::Kind::kQueued; return true;
    case Tag::kError:
      event.kind = Event::Kind::kServerError;
      turn_ = Turn::kOver;
      return false;
    case Tag::kMessage:
    case Tag::kHangup: break;
  }
  event.kind = Event::Kind::kProtocolError;
  event.text = std::string(proto::talk::tag_name(tag)) + " frames are sent by clients, not servers";
  turn_ = Turn::kOver;
  return false;
}

}  // namespace parley::talk
