#include "server/simple_gateway.h"

#include <algorithm>

#include "core/channel.h"
#include "proto/irc_message.h"
#include "proto/simple_frame.h"

namespace parley::server {

namespace simple_text {
std::string no_such_channel(std::string_view name) {
  return "No channel named " + std::string(name) + " exists. Try '/create " + std::string(name) + "'?";
}
std::string channel_exists(std::string_view name) {
  return "Room " + std::string(name) + " already exists, so cannot be created.";
}
std::string has_joined(std::string_view name) { return std::string(name) + " has joined"; }
std::string has_left(std::string_view name) { return std::string(name) + " has left"; }
}  // namespace simple_text

namespace {

constexpr std::string_view kUsername = "simple";  // shown to IRC users as ~simple@host
constexpr std::string_view kFallbackNick = "simple";

bool is_nick_special(char c) {
  return c == '[' || c == ']' || c == '\\' || c == '`' || c == '_' || c == '^' || c == '{' || c == '|' ||
         c == '}';
}
bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// "first word" of `text`: skips leading spaces, ends at the next space.
std::pair<std::string_view, std::string_view> first_word(std::string_view text) {
  const auto start = text.find_first_not_of(' ');
  if (start == std::string_view::npos) return {{}, {}};
  text.remove_prefix(start);
  const auto end = text.find(' ');
  if (end == std::string_view::npos) return {text, {}};
  return {text.substr(0, end), text.substr(end + 1)};
}

// Text safe inside one IRC line: CR, LF and NUL become spaces.
std::string one_line(std::string_view text) {
  std::string out(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; }, ' ');
  return out;
}

// "#x" -> "x": the simple protocol's name for an IRC channel.
std::string_view simple_channel_name(std::string_view irc_name) {
  if (!irc_name.empty() && irc_name.front() == '#') irc_name.remove_prefix(1);
  return irc_name;
}

std::string_view nick_of_source(std::string_view source) { return source.substr(0, source.find('!')); }

}  // namespace

SimpleGateway::SimpleGateway(core::Engine& engine, SimpleFrameSink& out) : engine_(engine), out_(out) {}

void SimpleGateway::open(core::SessionId id) { sessions_.try_emplace(id); }

std::string SimpleGateway::nick_of(core::SessionId id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? std::string{} : it->second.nick;
}

void SimpleGateway::close(core::SessionId id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  if (!it->second.nick_folded.empty()) names_.erase(it->second.nick_folded);
  sessions_.erase(it);
  std::erase_if(pending_pongs_, [id](const auto& p) { return p.first == id; });
}

// ---- simple -> engine ---------------------------------------------------------------------------

void SimpleGateway::receive(core::SessionId id, std::string_view text, core::TimePoint now) {
  auto it = sessions_.find(id);
  if (it == sessions_.end() || !engine_.find_user(id)) return;
  if (!it->second.named) {
    register_user(id, it->second, text, now);
  } else if (!text.empty() && text.front() == '/') {
    command(id, text, now);
  } else {
    message(id, text, now);
  }
}

std::string SimpleGateway::derive_nick(std::string_view simple_name) const {
  const std::size_t max_len = std::max<std::size_t>(engine_.limits().nick_length, 1);
  std::string base;
  for (char c : simple_name) {
    const bool ok = is_ascii_letter(c) || is_ascii_digit(c) || is_nick_special(c) || c == '-';
    base += ok ? c : '_';
  }
  if (base.empty()) base = kFallbackNick;
  if (!is_ascii_letter(base.front()) && !is_nick_special(base.front())) base.insert(0, 1, '_');
  base.resize(std::min(base.size(), max_len));
  if (!engine_.find_nick(base)) return base;
  for (unsigned n = 1;; ++n) {
    const std::string suffix = std::to_string(n);
    std::string candidate = base.substr(0, max_len > suffix.size() ? max_len - suffix.size() : 0) + suffix;
    if (proto::is_valid_nick(candidate, max_len) && !engine_.find_nick(candidate)) return candidate;
  }
}

void SimpleGateway::register_user(core::SessionId id, Session& s, std::string_view name,
                                  core::TimePoint now) {
  s.named = true;
  s.name = std::string(name);
  s.nick = derive_nick(name);
  s.nick_folded = engine_.fold(s.nick);
  names_[s.nick_folded] = s.name;
  std::string realname = one_line(name);
  if (realname.find_first_not_of(' ') == std::string::npos) realname = s.nick;
  engine_.receive(id, "NICK " + s.nick, now);
  if (engine_.find_user(id)) engine_.receive(id, "USER " + std::string(kUsername) + " 0 * :" + realname, now);
}

void SimpleGateway::command(core::SessionId id, std::string_view text, core::TimePoint now) {
  auto [word, rest] = first_word(text);
  const std::string_view channel = first_word(rest).first;
  if (word == "/join") {
    if (channel.empty()) return send_text(id, simple_text::kJoinNeedsChannel);
    join(id, channel, /*create=*/false, now);
  } else if (word == "/create") {
    if (channel.empty()) return send_text(id, simple_text::kCreateNeedsChannel);
    join(id, channel, /*create=*/true, now);
  } else if (word == "/list") {
    list(id);
  } else {
    send_text(id, std::string(word.empty() ? text : word) + std::string(simple_text::kInvalidControl));
  }
}

core::Channel* SimpleGateway::current_channel(core::SessionId id) {
  core::User* u = engine_.find_user(id);
  if (!u) return nullptr;
  for (core::Channel* c : u->channels) {
    if (!c->name.empty() && c->name.front() == '#') return c;
  }
  return nullptr;
}

// /join and /create. The JOIN goes to the engine first and the PART of the old channel only once
// the JOIN has succeeded, in the same engine turn: a refused join (+i, +k, +l, +b) leaves the
// user where it was, as the seed requires of every failed command.
void SimpleGateway::join(core::SessionId id, std::string_view channel, bool create, core::TimePoint now) {
  const std::string irc_name = "#" + std::string(channel);
  const bool valid = proto::is_valid_channel_name(irc_name, engine_.limits().channel_length);
  core::Channel* target = valid ? engine_.find_channel(irc_name) : nullptr;
  if (create && target) return send_text(id, simple_text::channel_exists(channel));
  if (!create && !target) return send_text(id, simple_text::no_such_channel(channel));
  if (!valid) {
    return send_text(id, "Cannot create " + std::string(channel) + ": a channel name is at most " +
                             std::to_string(engine_.limits().channel_length - 1) +
                             " bytes, without commas or control characters.");
  }
  core::Channel* current = current_channel(id);
  if (current && current == target) return;  // already there: nothing changes
  const std::string old_name = current ? current->name : std::string{};
  engine_.receive(id, "JOIN " + irc_name, now);
  core::Channel* joined = engine_.find_channel(irc_name);
  core::User* u = engine_.find_user(id);
  if (!u || !joined || !joined->has(*u)) return;  // refused (numeric translated) or flood-quit
  if (!old_name.empty()) engine_.receive(id, "PART " + old_name, now);
}

void SimpleGateway::list(core::SessionId id) {
  core::User* u = engine_.find_user(id);
  std::vector<std::string_view> names;
  for (const auto& [folded, channel] : engine_.channels()) {
    if (channel->name.empty() || channel->name.front() != '#') continue;
    if (channel->secret && !(u && channel->has(*u))) continue;
    names.push_back(simple_channel_name(channel->name));
  }
  if (names.empty()) return;
  std::sort(names.begin(), names.end());
  std::string text;
  for (std::string_view n : names) {
    if (!text.empty()) text += '\n';
    text += n;
  }
  send_text(id, text);
}

void SimpleGateway::message(core::SessionId id, std::string_view text, core::TimePoint now) {
  core::Channel* c = current_channel(id);
  if (!c) return send_text(id, simple_text::kNotInChannel);
  const std::string prefix = "PRIVMSG " + c->name + " :";
  // One PRIVMSG per line of the text; empty lines (IRC cannot carry them) are skipped.
  std::string clean(text);
  std::erase(clean, '\0');
  std::string_view rest = clean;
  while (!rest.empty() && engine_.find_user(id)) {
    const auto end = rest.find_first_of("\r\n");
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    if (!line.empty()) engine_.receive(id, prefix + std::string(line), now);
  }
}

void SimpleGateway::answer_pings(core::TimePoint now) {
  auto pongs = std::move(pending_pongs_);
  pending_pongs_.clear();
  for (const auto& [id, token] : pongs) {
    if (sessions_.contains(id) && engine_.find_user(id)) engine_.receive(id, "PONG :" + token, now);
  }
}

void SimpleGateway::send_text(core::SessionId id, std::string_view text) {
  out_.send_frames(id, proto::make_line(proto::simple::encode(text)));
}

// ---- engine -> simple ---------------------------------------------------------------------------

std::string SimpleGateway::display_name(std::string_view nick) const {
  auto it = names_.find(engine_.fold(nick));
  return it == names_.end() ? std::string(nick) : it->second;
}

void SimpleGateway::deliver(core::SessionId id, std::string_view lines) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  while (!lines.empty()) {
    const auto end = lines.find_first_of("\r\n");
    const std::string_view line = lines.substr(0, end);
    lines = end == std::string_view::npos ? std::string_view{} : lines.substr(end + 1);
    if (!line.empty()) translate(id, it->second, line);
  }
}

namespace {

// "[Name] text" for every piece of `text`, each piece in its own frame(s).
void append_prefixed(std::string& out, std::string_view prefix, std::string_view text) {
  namespace simple = proto::simple;
  if (prefix.size() > simple::kFrameBytes / 2) {
    simple::append_frames(out, std::string(prefix) + std::string(text));
    return;
  }
  for (std::string_view piece : simple::split_text(text, simple::kFrameBytes - prefix.size())) {
    simple::append_frame(out, std::string(prefix) + std::string(piece));
  }
}

}  // namespace

void SimpleGateway::translate(core::SessionId id, const Session& s, std::string_view line) {
  auto parsed = proto::parse_message(line);
  if (!parsed.message) return;
  const proto::Message& m = *parsed.message;
  const std::string_view cmd = m.command;
  if (cmd == "PING") {
    pending_pongs_.emplace_back(id, std::string(m.param(0)));
    return;
  }
  if (m.source.find('!') == std::string_view::npos) {
    // From the server: only the refusals a simple user can cause are worth showing.
    const bool refusal = cmd == "404" || cmd == "405" || cmd == "471" || cmd == "473" || cmd == "474" ||
                         cmd == "475" || cmd == "FAIL";  // FAIL: e.g. INVALID_UTF8 (UTF8ONLY)
    if (!refusal || m.size() < 3) return;
    std::string text(m.param(m.size() - 1));
    if (auto at = text.find("channel ("); at != std::string::npos) {  // "Cannot join channel (+k)"
      text.replace(at, 7, simple_channel_name(m.param(1)));
    }
    return send_text(id, text);
  }
  const std::string_view nick = nick_of_source(m.source);
  const bool self = engine_.fold(nick) == s.nick_folded;
  std::string frames;
  if (cmd == "PRIVMSG" || cmd == "NOTICE") {
    if (self || m.size() < 2) return;
    const std::string name = display_name(nick);
    const bool to_channel = proto::is_channel_name(m.param(0));
    std::string_view text = m.param(1);
    if (text.size() >= 2 && text.front() == '\x01') {  // CTCP: only ACTION is shown
      text.remove_prefix(1);
      if (text.back() == '\x01') text.remove_suffix(1);
      if (cmd != "PRIVMSG" || !text.starts_with("ACTION ")) return;
      text.remove_prefix(7);
      append_prefixed(frames, "* " + name + " ", text);
    } else if (cmd == "NOTICE") {
      append_prefixed(frames, "-" + name + "- ", text);
    } else if (to_channel) {
      append_prefixed(frames, "[" + name + "] ", text);
    } else {
      append_prefixed(frames, "*" + name + "* ", text);  // a private message
    }
  } else if (cmd == "JOIN") {
    if (self) return;
    proto::simple::append_frames(frames, simple_text::has_joined(display_name(nick)));
  } else if (cmd == "PART" || cmd == "QUIT") {
    if (self) return;
    proto::simple::append_frames(frames, simple_text::has_left(display_name(nick)));
  } else if (cmd == "KICK") {
    const std::string_view target = m.param(1);
    if (engine_.fold(target) == s.nick_folded) {
      proto::simple::append_frames(frames, "You were removed from " +
                                               std::string(simple_channel_name(m.param(0))) + " by " +
                                               display_name(nick));
    } else {
      proto::simple::append_frames(frames, simple_text::has_left(display_name(target)));
    }
  } else {
    return;  // numerics, NICK, MODE, TOPIC, ERROR, ...: nothing in the simple protocol
  }
  out_.send_frames(id, proto::make_line(std::move(frames)));
}

}  // namespace parley::server
