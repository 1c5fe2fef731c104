// ChatClient: the buffers model (open/close/rename, members, modes), completion and the event
// and wire queues.
#include <algorithm>
#include <utility>

#include "client/chat_client.h"
#include "client/message_text.h"

namespace parley::client {

std::string format_line(const Event& e) {
  switch (e.style) {
    case Event::Style::kMessage:
    case Event::Style::kOwnMessage: return "<" + e.nick + "> " + e.text;
    case Event::Style::kAction: return "* " + e.nick + " " + e.text;
    case Event::Style::kNotice: return "-" + e.nick + "- " + e.text;
    case Event::Style::kError: return "!! " + e.text;
    case Event::Style::kInfo:
    case Event::Style::kMeta: return "-- " + e.text;
    case Event::Style::kRule: return "----- " + e.text + " -----";
  }
  return e.text;
}

int nick_colour(std::string_view nick, proto::Casemapping cm) {
  // FNV-1a over the folded nick: the same nick always gets the same colour.
  std::uint32_t h = 2166136261u;
  for (char c : nick) {
    h ^= static_cast<unsigned char>(proto::fold_char(c, cm));
    h *= 16777619u;
  }
  return static_cast<int>(h % kNickColours);
}

const Buffer* ChatClient::find(BufferId id) const {
  for (const Buffer& b : buffers_)
    if (b.id == id) return &b;
  return nullptr;
}

const Buffer* ChatClient::find(std::string_view name) const {
  for (const Buffer& b : buffers_)
    if (b.kind != BufferKind::kServer && proto::equal_folded(b.name, name, casemap_)) return &b;
  return nullptr;
}

Buffer* ChatClient::find_mut(BufferId id) { return const_cast<Buffer*>(find(id)); }
Buffer* ChatClient::find_mut(std::string_view name) { return const_cast<Buffer*>(find(name)); }

Buffer& ChatClient::open(BufferKind kind, std::string_view name) {
  if (buffers_.size() >= kMaxBuffers) return buffers_.front();
  Buffer b;
  b.id = next_id_++;
  b.kind = kind;
  b.name = std::string(name);
  buffers_.push_back(std::move(b));
  emit(Event::Kind::kOpened, buffers_.back().id, buffers_.back().name);
  if (kind == BufferKind::kQuery) fill_on_join(buffers_.back());
  return buffers_.back();
}

void ChatClient::close(BufferId id) {
  if (id == server_buffer()) return;
  const auto it = std::find_if(buffers_.begin(), buffers_.end(), [&](const Buffer& b) { return b.id == id; });
  if (it == buffers_.end()) return;
  const std::size_t index = static_cast<std::size_t>(it - buffers_.begin());
  buffers_.erase(it);
  emit(Event::Kind::kClosed, id);
  if (current_ == id) {
    current_ = buffers_[index - 1].id;
    emit(Event::Kind::kSelect, current_);
  }
}

void ChatClient::rename(Buffer& b, std::string_view name) {
  b.name = std::string(name);
  emit(Event::Kind::kRenamed, b.id, b.name);
}

void ChatClient::select(BufferId id) {
  Buffer* b = find_mut(id);
  if (b == nullptr) return;
  current_ = id;
  b->activity = Activity::kNone;
}

Member* ChatClient::member(Buffer& b, std::string_view nick) {
  for (Member& m : b.members)
    if (proto::equal_folded(m.nick, nick, casemap_)) return &m;
  return nullptr;
}

void ChatClient::sort_prefixes(std::string& prefixes) const {
  std::sort(prefixes.begin(), prefixes.end(),
            [&](char x, char y) { return prefix_chars_.find(x) < prefix_chars_.find(y); });
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
}

void ChatClient::add_member(Buffer& b, std::string_view entry) {
  std::size_t n = 0;
  while (n < entry.size() && prefix_chars_.find(entry[n]) != std::string::npos) ++n;
  std::string prefixes(entry.substr(0, n));
  const std::string_view nick = nick_of(entry.substr(n));
  if (nick.empty()) return;
  sort_prefixes(prefixes);
  if (Member* m = member(b, nick)) {
    m->prefixes = prefixes;
    return;
  }
  if (b.members.size() >= kMaxMembers) return;
  b.members.push_back(Member{std::string(nick), std::move(prefixes), false, 0});
}

bool ChatClient::remove_member(Buffer& b, std::string_view nick) {
  return std::erase_if(b.members,
                       [&](const Member& m) { return proto::equal_folded(m.nick, nick, casemap_); }) > 0;
}

void ChatClient::apply_mode_letters(Buffer& b, std::string_view modes,
                                    const std::vector<std::string_view>& args) {
  bool adding = true;
  std::size_t arg = 0;
  for (char c : modes) {
    if (c == '+' || c == '-') {
      adding = c == '+';
      continue;
    }
    if (const auto p = prefix_modes_.find(c); p != std::string::npos) {
      if (arg >= args.size()) continue;
      if (Member* m = member(b, args[arg++])) {
        if (adding) {
          m->prefixes += prefix_chars_[p];
          sort_prefixes(m->prefixes);
        } else {
          std::erase(m->prefixes, prefix_chars_[p]);
        }
      }
      continue;
    }
    if (chanmodes_a_.find(c) != std::string::npos || chanmodes_b_.find(c) != std::string::npos) {
      ++arg;  // list modes and keys: not shown in the mode string
      if (chanmodes_a_.find(c) != std::string::npos) continue;
    } else if (chanmodes_c_.find(c) != std::string::npos && adding) {
      ++arg;
    }
    std::string letters = b.modes.empty() ? "+" : b.modes.substr(0, b.modes.find(' '));
    std::erase(letters, c);
    if (adding) letters += c;
    b.modes = letters == "+" ? std::string() : letters;
  }
}

bool ChatClient::is_channel(std::string_view name) const {
  return !name.empty() && chantypes_.find(name[0]) != std::string::npos;
}

bool ChatClient::is_me(std::string_view nick) const { return proto::equal_folded(nick, nick_, casemap_); }

bool ChatClient::mentions_me(std::string_view text) const {
  // The nick as a word of its own, case-insensitively.
  const std::string folded_text = proto::fold(text, casemap_);
  const std::string folded_nick = proto::fold(nick_, casemap_);
  if (folded_nick.empty()) return false;
  auto word_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '{' || c == '}' ||
           c == '|' || c == '^' || c == '`' || c == '[' || c == ']' || c == '\\';
  };
  for (std::size_t pos = folded_text.find(folded_nick); pos != std::string::npos;
       pos = folded_text.find(folded_nick, pos + 1)) {
    const std::size_t end = pos + folded_nick.size();
    if ((pos == 0 || !word_char(folded_text[pos - 1])) &&
        (end == folded_text.size() || !word_char(folded_text[end])))
      return true;
  }
  return false;
}

std::vector<std::string> ChatClient::complete(std::string_view word, bool at_start) const {
  std::vector<std::string> out;
  auto prefix_of = [&](std::string_view candidate) {
    return candidate.size() >= word.size() &&
           proto::equal_folded(candidate.substr(0, word.size()), word, casemap_);
  };
  if (at_start && word.starts_with('/')) {
    for (std::string_view c : command_names())
      if (prefix_of("/" + std::string(c))) out.push_back("/" + std::string(c) + " ");
    return out;
  }
  if (is_channel(word)) {
    for (const Buffer& b : buffers_)
      if (b.kind == BufferKind::kChannel && prefix_of(b.name)) out.push_back(b.name);
    return out;
  }
  if (word.empty()) return out;
  const Buffer* b = find(current_);
  std::vector<const Member*> matches;
  if (b != nullptr) {
    for (const Member& m : b->members)
      if (prefix_of(m.nick) && !is_me(m.nick)) matches.push_back(&m);
  }
  std::sort(matches.begin(), matches.end(), [&](const Member* x, const Member* y) {
    if (x->last_spoke != y->last_spoke) return x->last_spoke > y->last_spoke;
    return proto::fold(x->nick, casemap_) < proto::fold(y->nick, casemap_);
  });
  for (const Member* m : matches) out.push_back(at_start ? m->nick + ": " : m->nick);
  if (b != nullptr && b->kind == BufferKind::kQuery && prefix_of(b->name))
    out.push_back(at_start ? b->name + ": " : b->name);
  return out;
}

void ChatClient::send(std::string line) { queue_.push(std::move(line)); }
void ChatClient::send_urgent(std::string line) { queue_.push_urgent(std::move(line)); }

void ChatClient::drop_queue(std::string_view why) {
  if (const std::size_t n = queue_.clear(); n > 0)
    show(server_buffer(), Event::Style::kError,
         std::to_string(n) + (n == 1 ? " line was" : " lines were") + " not sent: " + std::string(why));
}

void ChatClient::quit_now() {
  if (!quitting_) return input("/quit", now_);
  drop_queue("you asked to quit at once");
  if (state_ == ConnState::kRegistering || state_ == ConnState::kRegistered) {
    std::string out;
    proto::LineBuilder(out).command("QUIT").last("Leaving").finish();
    send(std::move(out));
  }
}

void ChatClient::show(BufferId buffer, Event::Style style, std::string text, std::string nick,
                      bool highlight) {
  Event e;
  e.kind = Event::Kind::kLine;
  e.buffer = buffer;
  e.style = style;
  e.time = msg_time_;
  e.nick = std::move(nick);
  e.text = std::move(text);
  e.highlight = highlight;
  if (hold(e)) return;
  events_.push_back(std::move(e));
}

void ChatClient::emit(Event::Kind kind, BufferId buffer, std::string text) {
  Event e;
  e.kind = kind;
  e.buffer = buffer;
  e.time = now_;
  e.text = std::move(text);
  events_.push_back(std::move(e));
}

void ChatClient::bump(Buffer& b, Activity level) {
  if (b.id != current_ && level > b.activity) b.activity = level;
}

std::vector<std::string> ChatClient::take_wire() { return queue_.take(now_); }
std::vector<std::string> ChatClient::take_wire(Clock::time_point now) { return queue_.take(now); }
std::vector<Event> ChatClient::take_events() { return std::exchange(events_, {}); }

}  // namespace parley::client
