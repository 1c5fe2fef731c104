#include "talk/switchboard.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "talk/text.h"

namespace parley::talk {

namespace {
constexpr std::string_view kPrompt = "enter next message: ";
}  // namespace

Switchboard::Switchboard(SwitchboardOptions options, SwitchboardSink& sink) : options_(options), sink_(sink) {
  options_.max_payload = std::min(options_.max_payload, proto::talk::kMaxPayloadBytes);
}

void Switchboard::connect(SessionId id, std::string_view ip, std::uint16_t port) {
  std::string label = client_label(ip, port);
  if (shutting_down_) {
    send_frame(id, Tag::kError, fmt::format("{} the talk server is shutting down", kErrorShutdown));
    sink_.close(id);
    return;
  }
  if (sessions_.size() >= options_.max_sessions) {
    send_frame(id, Tag::kError,
               fmt::format("{} the talk server is full ({} sessions); try again later", kErrorServerFull,
                           options_.max_sessions));
    sink_.close(id);
    sink_.log(LogLevel::kWarn,
              fmt::format("{} refused: {} sessions is the limit", label, options_.max_sessions));
    return;
  }
  auto [it, inserted] = sessions_.try_emplace(id);
  if (!inserted) return;  // ids are the caller's; a duplicate is a caller bug, keep the first
  Session& s = it->second;
  s.label = std::move(label);
  s.decoder = proto::talk::FrameDecoder(options_.max_payload);
  sink_.log(LogLevel::kDebug, fmt::format("{}: session {} started", s.label, id));
  if (options_.mode == TalkMode::kEcho) {
    sink_.console(fmt::format("{} connected\n", s.label));
    return;
  }
  line_.push_back(id);
  if (line_.size() == 1) {
    notify(fmt::format("{} connected; talking with it now", s.label));
  } else {
    notify(fmt::format("{} connected; it waits behind {} client(s)", s.label, line_.size() - 1));
  }
}

void Switchboard::receive(SessionId id, std::string_view bytes) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  const auto status =
      s.decoder.feed(bytes, [&](Tag tag, std::string_view payload) { return on_frame(id, s, tag, payload); });
  if (status == proto::talk::FrameDecoder::Status::kError) {
    fail(id, s, proto::talk::error_code(s.decoder.error()), s.decoder.error_text());
  }
  // Erased only here, never while its decoder is running.
  if (s.ended) sessions_.erase(it);
}

bool Switchboard::on_frame(SessionId id, Session& s, Tag tag, std::string_view payload) {
  switch (tag) {
    case Tag::kMessage: on_message(id, s, payload); break;
    case Tag::kHangup:
      sink_.log(LogLevel::kInfo, fmt::format("{} hung up", s.label));
      end(id, s, /*close_connection=*/true, fmt::format("{} hung up", s.label));
      break;
    case Tag::kResponse:
    case Tag::kQueued:
    case Tag::kError:
      fail(id, s, kErrorUnexpectedTag,
           fmt::format("{} frames are sent by talk servers, not clients", proto::talk::tag_name(tag)));
      break;
  }
  return !s.ended;
}

void Switchboard::on_message(SessionId id, Session& s, std::string_view text) {
  if (options_.mode == TalkMode::kEcho) {
    sink_.console(fmt::format("{} sent message: {}\n", s.label, printable(text)));
    send_frame(id, Tag::kResponse, text);
    return;
  }
  if (s.unanswered) {
    fail(id, s, kErrorOutOfTurn, "MESSAGE sent before the RESPONSE to the previous one");
    return;
  }
  if (!operator_present_) {
    fail(id, s, kErrorNoOperator, "nobody is at the talk server's console to answer");
    return;
  }
  s.unanswered.emplace(text);
  if (line_.front() == id) {
    show_message(s);
    prompt();
    return;
  }
  const std::size_t ahead = position_in_line(id);
  send_frame(id, Tag::kQueued,
             fmt::format("you are queued: {} client(s) ahead of you; the operator talks with one client at a "
                         "time, in order of arrival",
                         ahead));
  notify(fmt::format("{} waits for its turn ({} ahead)", s.label, ahead));
}

bool Switchboard::wants_answer() const {
  if (options_.mode != TalkMode::kInteractive || !operator_present_ || line_.empty()) return false;
  auto it = sessions_.find(line_.front());
  return it != sessions_.end() && it->second.unanswered.has_value();
}

void Switchboard::answer(std::string_view line) {
  if (!wants_answer()) {
    sink_.console("(no client is waiting for an answer; line ignored)\n");
    return;
  }
  const SessionId id = line_.front();
  Session& s = sessions_.at(id);
  prompt_showing_ = false;
  if (line.size() > options_.max_payload) {
    sink_.console(fmt::format("answer too long ({} bytes; the limit is {}); not sent\n", line.size(),
                              options_.max_payload));
    prompt();
    return;
  }
  send_frame(id, Tag::kResponse, line);
  s.unanswered.reset();
}

void Switchboard::answer_too_long() {
  sink_.console(fmt::format("answer too long (over {} bytes); not sent\n", options_.max_payload));
  if (wants_answer()) prompt();
}

void Switchboard::operator_left() {
  if (!operator_present_) return;
  operator_present_ = false;
  prompt_showing_ = false;
  sink_.log(LogLevel::kWarn,
            "the console's input has ended: nobody can answer; clients that send a message are told so "
            "(use --echo for an unattended server)");
  std::vector<SessionId> waiting;
  for (SessionId id : line_) {
    if (sessions_.at(id).unanswered) waiting.push_back(id);
  }
  for (SessionId id : waiting) {
    auto it = sessions_.find(id);
    fail(id, it->second, kErrorNoOperator, "nobody is at the talk server's console to answer");
    sessions_.erase(it);
  }
}

void Switchboard::disconnect(SessionId id, std::string_view reason) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  const auto& decoder = s.decoder;
  if (decoder.buffered() > 0) {
    const std::string progress =
        decoder.expected() > 0
            ? fmt::format("{} of {} bytes", decoder.buffered(), decoder.expected())
            : fmt::format("{} of the {} header bytes", decoder.buffered(), proto::talk::kHeaderBytes);
    sink_.log(LogLevel::kWarn,
              fmt::format("{}: truncated frame: the connection ended after {} of a frame ({})", s.label,
                          progress, reason));
    end(id, s, /*close_connection=*/false,
        fmt::format("{} disconnected in the middle of a frame ({})", s.label, reason));
  } else {
    sink_.log(LogLevel::kInfo, fmt::format("{} disconnected without hanging up ({})", s.label, reason));
    end(id, s, /*close_connection=*/false, fmt::format("{} disconnected ({})", s.label, reason));
  }
  sessions_.erase(it);
}

void Switchboard::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  prompt_showing_ = false;
  const std::string reason = fmt::format("{} the talk server is shutting down", kErrorShutdown);
  for (auto& [id, s] : sessions_) {
    send_frame(id, Tag::kError, reason);
    sink_.close(id);
  }
  sessions_.clear();
  line_.clear();
}

void Switchboard::send_frame(SessionId to, Tag tag, std::string_view payload) {
  sink_.send(to, proto::make_line(proto::talk::encode_frame(tag, payload)));
}

void Switchboard::fail(SessionId id, Session& s, std::string_view code, std::string_view text) {
  send_frame(id, Tag::kError, fmt::format("{} {}", code, text));
  sink_.log(LogLevel::kWarn, fmt::format("{}: {}; session ended with ERROR {}", s.label, text, code));
  end(id, s, /*close_connection=*/true, fmt::format("{} ended by the server: {}", s.label, text));
}

void Switchboard::end(SessionId id, Session& s, bool close_connection, std::string_view notice) {
  s.ended = true;
  if (close_connection) sink_.close(id);
  auto it = std::find(line_.begin(), line_.end(), id);
  const bool was_current = it == line_.begin() && it != line_.end();
  // The operator's prompt was for this client: it is gone, so is the prompt.
  if (was_current) prompt_showing_ = false;
  notify(notice);
  if (it == line_.end()) return;
  line_.erase(it);
  if (was_current && !line_.empty()) greet_current();
}

void Switchboard::show_message(const Session& s) {
  sink_.console(fmt::format("{} sent message: {}\n", s.label, printable(*s.unanswered)));
}

void Switchboard::prompt() {
  prompt_showing_ = true;
  sink_.console(kPrompt);
}

void Switchboard::notify(std::string_view text) {
  if (!prompt_showing_) {
    sink_.console(fmt::format("{}\n", text));
    return;
  }
  sink_.console(fmt::format("\n{}\n{}", text, kPrompt));
}

void Switchboard::greet_current() {
  const Session& s = sessions_.at(line_.front());
  sink_.console(fmt::format("\nnow talking with {} ({} waiting)\n", s.label, line_.size() - 1));
  if (s.unanswered && operator_present_) {
    show_message(s);
    prompt();
  }
}

std::size_t Switchboard::position_in_line(SessionId id) const {
  auto it = std::find(line_.begin(), line_.end(), id);
  return static_cast<std::size_t>(it - line_.begin());
}

}  // namespace parley::talk
