#include "client/chat_view.h"

#include <algorithm>
#include <ctime>

#include "client/message_text.h"

namespace parley::client {

static_assert(kNickColours <= tui::kColourSlots, "every nick colour needs a terminal colour slot");

StyledLine styled_line(const Event& e, proto::Casemapping cm) {
  char stamp[16] = "";
  const std::time_t t = Clock::to_time_t(e.time);
  std::tm local{};
  if (::localtime_r(&t, &local) != nullptr) std::strftime(stamp, sizeof stamp, "%H:%M ", &local);
  StyledLine out{std::string(stamp) + format_line(e), {}};
  std::size_t nick_at = 0;  // offset of the nick within format_line()
  switch (e.style) {
    case Event::Style::kMessage:
    case Event::Style::kOwnMessage:
    case Event::Style::kNotice: nick_at = 1; break;
    case Event::Style::kAction: nick_at = 2; break;
    default: return out;
  }
  if (e.nick.empty()) return out;
  const std::size_t begin = std::string_view(stamp).size() + nick_at;
  out.span = {begin, begin + e.nick.size(), e.highlight ? tui::kHighlightColour : nick_colour(e.nick, cm)};
  return out;
}

ChatView::ChatView(ChatClient& client, tui::UiModel& model) : client_(client), model_(model) {
  model_.set_window_keys(true);
  model_.rename_window(0, client_.buffers().front().name);
  ids_.push_back(client_.server_buffer());
  model_.input().set_completer(
      [this](std::string_view word, bool at_start) { return client_.complete(word, at_start); });
  refresh();
}

std::size_t ChatView::index_of(BufferId id) const {
  const auto it = std::find(ids_.begin(), ids_.end(), id);
  return it == ids_.end() ? ids_.size() : static_cast<std::size_t>(it - ids_.begin());
}

void ChatView::update() {
  for (const Event& e : client_.take_events()) {
    const std::size_t index = index_of(e.buffer);
    switch (e.kind) {
      case Event::Kind::kLine:
        if (index < ids_.size()) {
          const StyledLine line = styled_line(e, client_.casemapping());
          const bool message = e.style == Event::Style::kMessage || e.style == Event::Style::kAction ||
                               e.style == Event::Style::kNotice;
          model_.add_line(index, line.text, line.span, message && !e.history);
        }
        break;
      case Event::Kind::kPrepend:
        if (index < ids_.size()) {
          const StyledLine line = styled_line(e, client_.casemapping());
          model_.prepend_line(index, line.text, line.span);
        }
        break;
      case Event::Kind::kOpened:
        ids_.push_back(e.buffer);
        model_.add_window(e.text);
        break;
      case Event::Kind::kClosed:
        if (index < ids_.size()) {
          ids_.erase(ids_.begin() + static_cast<std::ptrdiff_t>(index));
          model_.remove_window(index);
        }
        break;
      case Event::Kind::kRenamed:
        if (index < ids_.size()) model_.rename_window(index, e.text);
        break;
      case Event::Kind::kSelect:
        if (index < ids_.size()) model_.select(index);
        break;
      case Event::Kind::kClear:
        if (index < ids_.size()) model_.clear_window(index);
        break;
    }
  }
  // The model is the authority on the shown window (keys switch it); keep the client in step.
  if (model_.active() < ids_.size()) client_.select(ids_[model_.active()]);
  refresh();
}

void ChatView::key(const tui::Key& key, int cols, int rows, Clock::time_point now) {
  // Raw mode turns Ctrl-C into a key rather than SIGINT: it quits like /quit (after the lines
  // still queued); a second Ctrl-C quits at once.
  if (key == tui::Key::ctrl('c')) {
    client_.quit_now();
    update();
    return;
  }
  auto line = model_.handle(key, cols, rows);
  if (model_.active() < ids_.size()) client_.select(ids_[model_.active()]);
  // Paging up to the top asks for older lines at once, so the next PgUp has them.
  if (key.code == tui::Key::Code::kPageUp && model_.at_top(cols, rows)) client_.load_older(client_.current());
  if (line) client_.input(*line, now);
  update();
}

std::string ChatView::activity() const {
  std::string out;
  const auto& buffers = client_.buffers();
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    if (buffers[i].activity < Activity::kMessages) continue;
    if (!out.empty()) out += ',';
    out += std::to_string(i + 1);
    if (buffers[i].activity == Activity::kHighlight) out += '!';
  }
  return out;
}

void ChatView::refresh() {
  const Buffer* b = client_.find(client_.current());
  if (b == nullptr) return;
  std::string status = " [" + client_.nick() + (client_.away() ? " (away)" : "") + "] " +
                       std::to_string(index_of(b->id) + 1) + ":" + b->name;
  if (b->kind == BufferKind::kChannel) {
    if (!b->modes.empty()) status += "(" + b->modes + ")";
    if (!b->joined)
      status += " (not joined)";
    else
      status += " " + count_of(b->members.size(), "nick");
  }
  const std::string act = activity();
  if (!act.empty()) status += " | Act: " + act;
  status += " | " + std::string(to_string(client_.state()));
  status += client_.quitting() ? " | quitting (Ctrl-C: at once)" : " | /quit or Ctrl-C leaves";
  model_.set_status(std::move(status));
  model_.set_prompt("[" + b->name + "] ");
  model_.set_topic(b->kind == BufferKind::kChannel ? (b->topic.empty() ? b->name : b->name + ": " + b->topic)
                                                   : std::string());
  std::vector<std::string> nicks;
  if (b->kind == BufferKind::kChannel) {
    std::vector<const Member*> sorted;
    for (const Member& m : b->members) sorted.push_back(&m);
    const auto cm = client_.casemapping();
    std::sort(sorted.begin(), sorted.end(), [&](const Member* x, const Member* y) {
      // Highest status first (owner, admin, op, halfop, voice, none), then by name.
      const auto rank = [](const Member* m) {
        return m->prefixes.empty() ? std::string_view::npos : std::string_view("~&@%+").find(m->prefixes[0]);
      };
      if (rank(x) != rank(y)) return rank(x) < rank(y);
      return proto::fold(x->nick, cm) < proto::fold(y->nick, cm);
    });
    for (const Member* m : sorted) nicks.push_back(m->prefixes.substr(0, 1) + m->nick);
  }
  model_.set_nicklist(std::move(nicks));
}

}  // namespace parley::client
