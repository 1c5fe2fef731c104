// ChatClient's /search: SEARCH (soju.im/search, docs/protocol.md 1.10) and its answer. The
// results come in a soju.im/search batch; its lines are shown in the window /search was typed in
// ("[#chan] <nick> text", stamped with their server-time) and never reach the channel windows as
// if they were new messages.
#include <algorithm>

#include "client/chat_client.h"
#include "client/message_text.h"

namespace parley::client {

namespace {

// SEARCH's attribute string from what the user typed: "in:" and "from:" words are attributes,
// the other words the text.
std::string search_attributes(std::string_view args) {
  std::string text, in, from;
  while (!args.empty()) {
    while (!args.empty() && args.front() == ' ') args.remove_prefix(1);
    const auto space = args.find(' ');
    const std::string_view word = args.substr(0, space);
    args = space == std::string_view::npos ? std::string_view{} : args.substr(space + 1);
    if (word.empty()) continue;
    if (word.starts_with("in:") && word.size() > 3) {
      in = word.substr(3);
    } else if (word.starts_with("from:") && word.size() > 5) {
      from = word.substr(5);
    } else {
      text += (text.empty() ? "" : " ") + std::string(word);
    }
  }
  std::string out;
  auto add = [&out](std::string_view key, const std::string& value) {
    if (value.empty()) return;
    if (!out.empty()) out += ';';
    out += key;
    out += '=';
    out += proto::escape_tag_value(value);
  };
  add("in", in);
  add("from", from);
  add("text", text);
  return out;
}

}  // namespace

void ChatClient::start_search(std::string_view args) {
  const auto has = [&](std::string_view cap) {
    return std::find(caps_.begin(), caps_.end(), cap) != caps_.end();
  };
  if (!has("soju.im/search") || !has("batch")) {
    here(Event::Style::kError, "This server does not offer message search (soju.im/search)");
    return;
  }
  const std::string attributes = search_attributes(args);
  if (attributes.empty()) {
    here(Event::Style::kError, "Usage: /search words [in:#channel|nick] [from:nick]");
    return;
  }
  search_ = Search{true, current_, {}, 0};
  std::string out;
  proto::LineBuilder(out).command("SEARCH").trailing(attributes).finish();
  send(std::move(out));
  here(Event::Style::kInfo, "Searching: " + std::string(args));
}

bool ChatClient::handle_search(const proto::Message& m) {
  auto is = [&](std::string_view name) {
    return proto::equal_folded(m.command, name, proto::Casemapping::kAscii);
  };
  // The window may have been closed meanwhile: then results go to the current one.
  auto window = [&] { return find(search_.window) != nullptr ? search_.window : current_; };
  if (is("BATCH")) {
    const std::string_view ref = m.param(0);
    if (ref.starts_with('+') && m.param(1) == "soju.im/search") {
      if (!search_.waiting) search_.window = current_;  // one the user sent with /quote
      search_.waiting = false;
      search_.batch = std::string(ref.substr(1));
      search_.found = 0;
      return true;
    }
    if (search_.batch.empty() || !ref.starts_with('-') || ref.substr(1) != search_.batch) return false;
    show(window(), Event::Style::kInfo,
         search_.found == 0 ? std::string("Search: nothing found")
                            : "Search: " + count_of(search_.found, "message") + " found");
    search_.batch.clear();
    return true;
  }
  if (is("FAIL") && proto::equal_folded(m.param(0), "SEARCH", proto::Casemapping::kAscii)) {
    search_.waiting = false;
    show(window(), Event::Style::kError, "Search failed: " + std::string(m.param(m.size() - 1)));
    return true;
  }
  const auto batch = m.tag("batch");
  if (search_.batch.empty() || !batch || *batch != search_.batch) return false;
  if (is("PRIVMSG") || is("NOTICE")) {
    ++search_.found;
    std::string text(m.param(1));
    if (text.size() >= 2 && text.front() == '\x01') {  // an ACTION: "* nick text"
      text = text.substr(text.starts_with("\x01"
                                          "ACTION ")
                             ? 8
                             : 1);
      if (!text.empty() && text.back() == '\x01') text.pop_back();
      text = "* " + std::string(nick_of(m.source)) + " " + text;
    }
    show(window(), Event::Style::kInfo,
         "[" + std::string(m.param(0)) + "] <" + std::string(nick_of(m.source)) + "> " + text);
  }
  return true;
}

}  // namespace parley::client
