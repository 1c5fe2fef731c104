// ChatClient: messages and channel events from the server (PRIVMSG/NOTICE, JOIN, PART, KICK,
// QUIT, NICK, MODE, NAMES): which buffer they go to and how they change its members.
#include <algorithm>
#include <chrono>
#include <ctime>

#include "client/chat_client.h"
#include "client/message_text.h"

namespace parley::client {

namespace {
// "Sun, 22 Nov 2026 00:30:00 GMT" (RFC 1123), for CTCP TIME.
std::string http_date(Clock::time_point t) {
  const std::time_t seconds = Clock::to_time_t(t);
  std::tm utc{};
  char text[40] = "";
  if (::gmtime_r(&seconds, &utc) != nullptr)
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}
}  // namespace

void ChatClient::handle_message(const proto::Message& m, bool notice) {
  const std::string_view from = nick_of(m.source);
  std::string_view target = m.param(0);
  // STATUSMSG ("@#chan": to the channel's operators) goes to the channel's window.
  while (target.size() > 1 && prefix_chars_.find(target[0]) != std::string::npos &&
         is_channel(target.substr(1)))
    target.remove_prefix(1);
  CtcpText unwrapped = unwrap_ctcp(m.param(1));
  const bool action = unwrapped.action;
  if (unwrapped.framed && !action) {
    const std::string_view ctcp = unwrapped.ctcp;
    here(Event::Style::kMeta,
         std::string(notice ? "CTCP reply " : "CTCP ") + std::string(ctcp) + " from " + std::string(from));
    if (!notice && !is_me(from)) answer_ctcp(from, ctcp);
    return;
  }
  std::string text = std::move(unwrapped.text);
  const bool from_me = is_me(from);
  const bool server_source = m.source.empty() || from.find('.') != std::string_view::npos;
  Buffer* buffer = nullptr;
  if (is_channel(target)) {
    buffer = find_mut(target);
    if (buffer == nullptr) buffer = &open(BufferKind::kChannel, target);
    if (Member* mem = member(*buffer, from)) mem->last_spoke = ++speak_counter_;
  } else if (from_me) {
    buffer = find_mut(target);  // our own message echoed back (echo-message)
    if (buffer == nullptr && !notice) buffer = &open(BufferKind::kQuery, target);
  } else if (server_source || (notice && find(from) == nullptr)) {
    buffer = notice && state_ == ConnState::kRegistered ? find_mut(current_) : &buffers_.front();
  } else {
    buffer = find_mut(from);
    if (buffer == nullptr) buffer = &open(BufferKind::kQuery, from);
  }
  if (buffer == nullptr) buffer = &buffers_.front();
  note_live(*buffer, m);
  const bool highlight = !from_me && (buffer->kind == BufferKind::kQuery || mentions_me(text));
  const auto style = notice    ? Event::Style::kNotice
                     : action  ? Event::Style::kAction
                     : from_me ? Event::Style::kOwnMessage
                               : Event::Style::kMessage;
  show(buffer->id, style, std::move(text), std::string(from.empty() ? m.source : from), highlight);
  if (!from_me) bump(*buffer, highlight ? Activity::kHighlight : Activity::kMessages);
}

// VERSION, PING, TIME and CLIENTINFO are answered with a NOTICE (never a PRIVMSG, so two clients
// cannot loop), at most one a second: a CTCP flood must not get us disconnected for flooding.
void ChatClient::answer_ctcp(std::string_view from, std::string_view ctcp) {
  const std::string_view command = ctcp.substr(0, ctcp.find(' '));
  const std::string_view argument = command.size() < ctcp.size() ? ctcp.substr(command.size() + 1) : "";
  std::string answer;
  if (command == "VERSION") {
    answer = "VERSION " + options_.version;
  } else if (command == "PING") {
    answer = "PING " + std::string(argument.substr(0, 64));
  } else if (command == "TIME") {
    answer = "TIME " + http_date(now_);
  } else if (command == "CLIENTINFO") {
    answer = "CLIENTINFO ACTION CLIENTINFO PING TIME VERSION";
  } else {
    return;
  }
  if (last_ctcp_reply_ && now_ - *last_ctcp_reply_ < std::chrono::seconds(1)) return;
  last_ctcp_reply_ = now_;
  std::string out;
  proto::LineBuilder(out).command("NOTICE").param(from).last("\x01" + answer + "\x01").finish();
  send(std::move(out));
}

void ChatClient::handle_join(const proto::Message& m) {
  const std::string_view who = nick_of(m.source);
  const std::string_view channel = m.param(0);
  if (is_me(who)) {
    Buffer* b = find_mut(channel);
    if (b == nullptr) b = &open(BufferKind::kChannel, channel);
    if (b->name != channel) rename(*b, channel);
    b->joined = true;
    b->members.clear();
    show(b->id, Event::Style::kMeta, "You joined " + b->name);
    std::string out;
    proto::LineBuilder(out).command("MODE").last(b->name).finish();
    send(std::move(out));
    fill_on_join(*b);
    const std::string folded = proto::fold(channel, casemap_);
    if (proto::equal_folded(awaiting_join_, channel, casemap_)) awaiting_join_.clear();
    if (auto it = std::find(pending_switch_.begin(), pending_switch_.end(), folded);
        it != pending_switch_.end()) {
      pending_switch_.erase(it);
      select(b->id);
      emit(Event::Kind::kSelect, b->id);
    }
    return;
  }
  Buffer* b = find_mut(channel);
  if (b == nullptr) return;
  add_member(*b, who);
  const auto bang = m.source.find('!');
  const std::string mask =
      bang == std::string_view::npos ? "" : " (" + std::string(m.source.substr(bang + 1)) + ")";
  show(b->id, Event::Style::kMeta, "--> " + std::string(who) + mask + " joined");
  bump(*b, Activity::kEvents);
}

void ChatClient::handle_part(const proto::Message& m) {
  const std::string_view who = nick_of(m.source);
  Buffer* b = find_mut(m.param(0));
  if (b == nullptr) return;
  const std::string reason = m.size() > 1 && !m.param(1).empty() ? " (" + std::string(m.param(1)) + ")" : "";
  if (is_me(who)) {
    b->joined = false;
    b->members.clear();
    show(b->id, Event::Style::kMeta, "You left " + b->name + reason);
  } else {
    remove_member(*b, who);
    show(b->id, Event::Style::kMeta, "<-- " + std::string(who) + " left" + reason);
    bump(*b, Activity::kEvents);
  }
}

void ChatClient::handle_kick(const proto::Message& m) {
  Buffer* b = find_mut(m.param(0));
  if (b == nullptr) return;
  const std::string_view victim = m.param(1);
  const std::string text = std::string(victim) + " was kicked by " + std::string(nick_of(m.source)) + " (" +
                           std::string(m.param(2)) + ")";
  if (is_me(victim)) {
    b->joined = false;
    b->members.clear();
    show(b->id, Event::Style::kError,
         "You were kicked by " + std::string(nick_of(m.source)) + " (" + std::string(m.param(2)) + ")");
    bump(*b, Activity::kHighlight);
  } else {
    remove_member(*b, victim);
    show(b->id, Event::Style::kMeta, "<-- " + text);
    bump(*b, Activity::kEvents);
  }
}

void ChatClient::handle_quit(const proto::Message& m) {
  const std::string_view who = nick_of(m.source);
  const std::string text = "<-- " + std::string(who) + " quit (" + std::string(m.param(0)) + ")";
  for (Buffer& b : buffers_) {
    const bool here_too = (b.kind == BufferKind::kChannel && remove_member(b, who)) ||
                          (b.kind == BufferKind::kQuery && proto::equal_folded(b.name, who, casemap_));
    if (!here_too) continue;
    show(b.id, Event::Style::kMeta, text);
    bump(b, Activity::kEvents);
  }
}

void ChatClient::handle_nick(const proto::Message& m) {
  const std::string_view old_nick = nick_of(m.source);
  const std::string_view new_nick = m.param(0);
  const bool me = is_me(old_nick);
  if (me) {
    nick_ = std::string(new_nick);
    info("You are now known as " + nick_);
  }
  const std::string text = me ? "You are now known as " + std::string(new_nick)
                              : std::string(old_nick) + " is now known as " + std::string(new_nick);
  for (Buffer& b : buffers_) {
    bool here_too = false;
    if (b.kind == BufferKind::kChannel) {
      if (Member* mem = member(b, old_nick)) {
        mem->nick = std::string(new_nick);
        here_too = true;
      }
    } else if (b.kind == BufferKind::kQuery && proto::equal_folded(b.name, old_nick, casemap_)) {
      rename(b, new_nick);
      here_too = true;
    }
    if (here_too) show(b.id, Event::Style::kMeta, text);
  }
}

void ChatClient::handle_mode(const proto::Message& m) {
  const std::string_view target = m.param(0);
  std::vector<std::string_view> args;
  for (std::size_t i = 2; i < m.size(); ++i) args.push_back(m.param(i));
  std::string text = join_params(m, 1);
  if (!is_channel(target)) {
    info("Mode " + std::string(target) + " " + text);
    return;
  }
  Buffer* b = find_mut(target);
  if (b == nullptr) return;
  apply_mode_letters(*b, m.param(1), args);
  show(b->id, Event::Style::kMeta,
       "Mode " + b->name + " [" + text + "] by " + std::string(nick_of(m.source)));
}

void ChatClient::handle_names(const proto::Message& m) {
  // 353 me = #chan :@alice +bob
  Buffer* b = find_mut(m.param(2));
  if (b == nullptr || !b->joined) {
    here(Event::Style::kMeta, "Names " + std::string(m.param(2)) + ": " + std::string(m.param(3)));
    return;
  }
  std::string_view list = m.param(3);
  while (!list.empty()) {
    const auto space = list.find(' ');
    const std::string_view entry = list.substr(0, space);
    if (!entry.empty()) add_member(*b, entry);
    list = space == std::string_view::npos ? std::string_view{} : list.substr(space + 1);
  }
}

}  // namespace parley::client
