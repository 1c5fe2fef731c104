#include "talk/client_session.h"

#include <algorithm>

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
    case Tag::kError: {
      // "<code> <sentence>" (docs/protocol.md "Talk errors"); a code alone is allowed.
      event.kind = Event::Kind::kServerError;
      const auto space = payload.find(' ');
      event.code.assign(payload.substr(0, space));
      event.text = space == std::string_view::npos ? std::string() : std::string(payload.substr(space + 1));
      turn_ = Turn::kOver;
      return false;
    }
    case Tag::kMessage:
    case Tag::kHangup: break;
  }
  event.kind = Event::Kind::kProtocolError;
  event.text = std::string(proto::talk::tag_name(tag)) + " frames are sent by clients, not servers";
  turn_ = Turn::kOver;
  return false;
}

void ClientSession::remember_first_bytes(std::string_view bytes) {
  constexpr std::size_t kKept = 80;
  first_bytes_.append(bytes.substr(0, kKept - std::min(kKept, first_bytes_.size())));
}

ClientSession::Event ClientSession::decode_failure() const {
  using proto::talk::DecodeError;
  const DecodeError error = decoder_.error();
  if (!frame_seen_ && (error == DecodeError::kUnknownTag || error == DecodeError::kTooLong)) {
    return Event{Event::Kind::kNotTalk, first_bytes_.substr(0, first_bytes_.find_first_of("\r\n")), {}};
  }
  return Event{Event::Kind::kProtocolError, decoder_.error_text(), {}};
}

}  // namespace parley::talk
