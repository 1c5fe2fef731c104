// ChatClient: what the user types. "/command args" runs a command from the table below, "//text"
// says "/text", other text goes to the current channel or query. The dispatcher alone answers
// unknown commands and missing arguments (with the entry's usage line).
#include <algorithm>

#include "client/chat_client.h"
#include "client/message_text.h"

namespace parley::client {

namespace {

// Splits off the first word of `s` (space separated); `s` keeps the rest, leading spaces removed.
std::string_view next_word(std::string_view& s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  const auto space = s.find(' ');
  const std::string_view word = s.substr(0, space);
  s = space == std::string_view::npos ? std::string_view{} : s.substr(space + 1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return word;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = proto::fold_char(c, proto::Casemapping::kAscii);
  return out;
}

}  // namespace

// The command handlers: each returns false when its arguments do not fit its usage line.
struct CommandHandlers {
  using Handler = bool (*)(ChatClient&, std::string_view args);
  struct Entry {
    std::string_view name;
    std::string_view alias;  // a short form ("" if none)
    bool needs_connection;   // refused with "Not connected" while not registered
    Handler handler;
    std::string_view usage, help;
  };
  static const Entry kTable[];

  static Buffer* current(ChatClient& c) { return c.find_mut(c.current_); }
  static const Buffer* channel(ChatClient& c) {
    const Buffer* b = current(c);
    return b != nullptr && b->kind == BufferKind::kChannel ? b : nullptr;
  }
  static void line(ChatClient& c, std::string_view command, std::initializer_list<std::string_view> params,
                   std::string_view trailing = {}) {
    std::string out;
    proto::LineBuilder b(out);
    b.command(command);
    for (std::string_view p : params) b.param(p);
    if (!trailing.empty()) b.trailing(trailing);
    b.finish();
    c.send(std::move(out));
  }

  // /join #a,#b [key]: switches to channels already joined, joins the others (switching to them
  // when the server confirms). A missing channel prefix is added.
  static bool join(ChatClient& c, std::string_view args) {
    const std::string_view channels = next_word(args);
    const std::string_view key = next_word(args);
    if (channels.empty()) return false;
    std::string to_join;
    for (std::string_view list = channels; !list.empty();) {
      const auto comma = list.find(',');
      std::string chan(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      if (chan.empty()) continue;
      if (!c.is_channel(chan)) chan = c.chantypes_.substr(0, 1) + chan;
      if (const Buffer* b = c.find(chan); b != nullptr && b->joined) {
        c.select(b->id);
        c.emit(Event::Kind::kSelect, b->id);
        continue;
      }
      if (Buffer* b = c.find_mut(chan)) b->key = std::string(key);
      c.pending_switch_.push_back(proto::fold(chan, c.casemap_));
      if (c.pending_switch_.size() > 50) c.pending_switch_.erase(c.pending_switch_.begin());
      to_join += (to_join.empty() ? "" : ",") + chan;
    }
    if (to_join.empty()) return true;
    if (c.state_ != ConnState::kRegistered) {
      c.here(Event::Style::kError, "Not connected");
      return true;
    }
    c.join(to_join, key);
    return true;
  }
  // /part [#channel] [message]
  static bool part(ChatClient& c, std::string_view args) {
    const Buffer* here = channel(c);
    std::string_view chan = here != nullptr ? std::string_view(here->name) : std::string_view{};
    if (c.is_channel(args)) chan = next_word(args);
    if (chan.empty()) return false;
    line(c, "PART", {chan}, args);
    return true;
  }
  // /msg target text
  static bool msg(ChatClient& c, std::string_view args) {
    const std::string_view target = next_word(args);
    if (target.empty() || args.empty()) return false;
    c.send_privmsg(target, args, false);
    return true;
  }
  // /query nick [text]
  static bool query(ChatClient& c, std::string_view args) {
    const std::string_view target = next_word(args);
    if (target.empty() || c.is_channel(target)) return false;
    const Buffer* b = c.find(target);
    if (b == nullptr) b = &c.open(BufferKind::kQuery, target);
    c.select(b->id);
    c.emit(Event::Kind::kSelect, b->id);
    if (!args.empty()) c.say(b->id, args, false);
    return true;
  }
  // /me action
  static bool me(ChatClient& c, std::string_view args) {
    if (args.empty()) return false;
    c.say(c.current_, args, true);
    return true;
  }
  // /nick newnick: before registration it also becomes the base of the fallbacks.
  static bool nick(ChatClient& c, std::string_view args) {
    const std::string_view nick = next_word(args);
    if (nick.empty()) return false;
    if (c.state_ != ConnState::kRegistered) c.options_.nick = std::string(nick);
    if (c.state_ == ConnState::kRegistering || c.state_ == ConnState::kRegistered) {
      line(c, "NICK", {nick});
      if (c.state_ == ConnState::kRegistering) c.nick_ = std::string(nick);
    } else {
      c.info("Your nick will be " + std::string(nick) + " when connected");
    }
    return true;
  }
  // /topic [#channel] [text]
  static bool topic(ChatClient& c, std::string_view args) {
    const Buffer* here = channel(c);
    if (here == nullptr && !c.is_channel(args)) return false;
    const std::string_view chan = c.is_channel(args) ? next_word(args) : std::string_view(here->name);
    line(c, "TOPIC", {chan}, args);
    return true;
  }
  // /names [#channel]
  static bool names(ChatClient& c, std::string_view args) {
    const Buffer* here = channel(c);
    const std::string_view chan = !args.empty() ? next_word(args) : here ? std::string_view(here->name) : "";
    if (chan.empty()) return false;
    line(c, "NAMES", {chan});
    return true;
  }
  // /list [pattern]
  static bool list(ChatClient& c, std::string_view args) {
    if (args.empty())
      line(c, "LIST", {});
    else
      line(c, "LIST", {next_word(args)});
    return true;
  }
  // /whois nick
  static bool whois(ChatClient& c, std::string_view args) {
    if (args.empty()) return false;
    line(c, "WHOIS", {next_word(args)});
    return true;
  }
  // /mode [target] [modes [args...]]: the current channel when the target is left out.
  static bool mode(ChatClient& c, std::string_view args) {
    std::string out;
    proto::LineBuilder b(out);
    b.command("MODE");
    if (args.empty() || args[0] == '+' || args[0] == '-') {
      const Buffer* here = channel(c);
      if (here == nullptr) return false;
      b.param(here->name);
    } else {
      b.param(next_word(args));
    }
    while (!args.empty()) b.param(next_word(args));
    b.finish();
    c.send(std::move(out));
    return true;
  }
  // /kick nick [reason]
  static bool kick(ChatClient& c, std::string_view args) {
    const Buffer* here = channel(c);
    const std::string_view who = next_word(args);
    if (here == nullptr || who.empty()) return false;
    line(c, "KICK", {here->name, who}, args);
    return true;
  }
  // /invite nick [#channel]
  static bool invite(ChatClient& c, std::string_view args) {
    const Buffer* here = channel(c);
    const std::string_view who = next_word(args);
    const std::string_view chan = !args.empty() ? next_word(args) : here ? std::string_view(here->name) : "";
    if (who.empty() || chan.empty()) return false;
    line(c, "INVITE", {who, chan});
    return true;
  }
  // /away [message]
  static bool away(ChatClient& c, std::string_view args) {
    line(c, "AWAY", {}, args);
    return true;
  }
  // /quote RAW LINE
  static bool quote(ChatClient& c, std::string_view args) {
    if (args.empty()) return false;
    c.send(std::string(args) + "\r\n");
    return true;
  }
  // /clear
  static bool clear(ChatClient& c, std::string_view) {
    c.emit(Event::Kind::kClear, c.current_);
    if (Buffer* b = current(c)) c.history_cleared(*b);
    return true;
  }
  // /close: parts a joined channel first; the server window stays.
  static bool close(ChatClient& c, std::string_view) {
    const Buffer* b = current(c);
    if (b == nullptr || b->kind == BufferKind::kServer) {
      c.here(Event::Style::kError, "The server window cannot be closed (/quit leaves)");
      return true;
    }
    if (b->kind == BufferKind::kChannel && b->joined && c.state_ == ConnState::kRegistered)
      line(c, "PART", {b->name});
    c.close(c.current_);
    return true;
  }
  // /quit [message]
  static bool quit(ChatClient& c, std::string_view args) {
    if (c.quitting_) return true;  // one QUIT is enough (end of input after a typed /quit)
    c.quitting_ = true;
    c.reconnect_at_.reset();
    if (c.state_ == ConnState::kRegistering || c.state_ == ConnState::kRegistered)
      line(c, "QUIT", {}, args.empty() ? "Leaving" : args);
    return true;
  }
  // /help [command] (defined after the table)
  static bool help(ChatClient& c, std::string_view args);
  // /window N | next | prev
  static bool window(ChatClient& c, std::string_view args) {
    const std::string_view word = next_word(args);
    if (word.empty()) return false;
    const auto& buffers = c.buffers_;
    std::size_t index = buffers.size();
    if (word == "next" || word == "prev") {
      const auto it =
          std::find_if(buffers.begin(), buffers.end(), [&](const Buffer& b) { return b.id == c.current_; });
      const std::size_t at = static_cast<std::size_t>(it - buffers.begin());
      index = word == "next" ? (at + 1) % buffers.size() : (at + buffers.size() - 1) % buffers.size();
    } else {
      std::size_t n = 0;
      for (char ch : word)
        n = ch >= '0' && ch <= '9' && n < 100000 ? n * 10 + static_cast<std::size_t>(ch - '0') : 0;
      if (n >= 1) index = n - 1;
    }
    if (index >= buffers.size()) {
      c.here(Event::Style::kError,
             "No such window: " + std::string(word) + " (windows 1-" + std::to_string(buffers.size()) + ")");
      return true;
    }
    c.select(buffers[index].id);
    c.emit(Event::Kind::kSelect, c.current_);
    return true;
  }

  // /search words [in:target] [from:nick]
  static bool search(ChatClient& c, std::string_view args) {
    if (args.empty()) return false;
    c.start_search(args);
    return true;
  }

  static const Entry* lookup(std::string_view name);
};

const CommandHandlers::Entry CommandHandlers::kTable[] = {
    {"away", "", true, away, "/away [message]",
     "Marks you away with a message; without one, marks you back."},
    {"clear", "", false, clear, "/clear", "Clears the current window's scrollback."},
    {"close", "wc", false, close, "/close", "Closes the current window (leaving the channel first)."},
    {"create", "", false, join, "/create #channel", "Creates a channel: the same as /join."},
    {"help", "", false, help, "/help [command]", "Lists the commands, or explains one."},
    {"invite", "", true, invite, "/invite nick [#channel]",
     "Invites someone to the current or given channel."},
    {"join", "j", false, join, "/join #channel[,#other] [key]",
     "Joins channels; switches to one you are already in."},
    {"kick", "k", true, kick, "/kick nick [reason]", "Removes someone from the current channel."},
    {"list", "", true, list, "/list [pattern]", "Lists the server's channels."},
    {"me", "", false, me, "/me action", "Sends an action: * you waves."},
    {"mode", "", true, mode, "/mode [target] [modes [args]]",
     "Shows or changes modes of the current channel or a target."},
    {"msg", "", false, msg, "/msg target text", "Sends a private message to a nick or a channel."},
    {"names", "", true, names, "/names [#channel]", "Lists who is in the current or given channel."},
    {"nick", "", false, nick, "/nick newnick", "Changes your nick."},
    {"part", "leave", true, part, "/part [#channel] [message]",
     "Leaves the current or given channel; the window stays."},
    {"query", "q", false, query, "/query nick [text]", "Opens a private conversation window with nick."},
    {"quit", "exit", false, quit, "/quit [message]", "Disconnects and exits."},
    {"quote", "raw", true, quote, "/quote RAW LINE", "Sends a raw IRC line to the server."},
    {"search", "", true, search, "/search words [in:#channel|nick] [from:nick]",
     "Searches the server's stored messages (all you may read, or in: one target); shows them here."},
    {"topic", "", true, topic, "/topic [#channel] [text]", "Shows or sets the current channel's topic."},
    {"whois", "wi", true, whois, "/whois nick", "Shows who someone is."},
    {"window", "win", false, window, "/window N|next|prev",
     "Switches to window N (also Alt-1..9, Alt-Left/Right, Ctrl-N/Ctrl-P)."},
};

const CommandHandlers::Entry* CommandHandlers::lookup(std::string_view name) {
  for (const Entry& e : kTable)
    if (e.name == name || (!e.alias.empty() && e.alias == name)) return &e;
  return nullptr;
}

bool CommandHandlers::help(ChatClient& c, std::string_view args) {
  while (args.starts_with('/')) args.remove_prefix(1);
  if (args.empty()) {
    std::string names;
    for (const Entry& e : kTable) names += (names.empty() ? "" : " ") + std::string(e.name);
    c.here(Event::Style::kInfo, "Commands: " + names);
    c.here(Event::Style::kInfo,
           "/help COMMAND explains one. Text without / goes to the current window; // sends a leading /.");
    return true;
  }
  const std::string_view topic = next_word(args);
  if (const Entry* e = lookup(lower(topic))) {
    c.here(Event::Style::kInfo, std::string(e->usage) + ": " + std::string(e->help));
  } else {
    c.here(Event::Style::kError, "No help for /" + std::string(topic) + "; /help lists the commands");
  }
  return true;
}

std::vector<std::string_view> command_names() {
  std::vector<std::string_view> out;
  for (const auto& e : CommandHandlers::kTable) out.push_back(e.name);
  return out;
}

void ChatClient::input(std::string_view line, Clock::time_point now) {
  now_ = msg_time_ = now;
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.empty()) return;
  const bool command = line.size() >= 2 && line[0] == '/' && line[1] != '/';
  if (queue_.full()) {
    std::string_view args = line.substr(1);
    const CommandHandlers::Entry* entry = command ? CommandHandlers::lookup(lower(next_word(args))) : nullptr;
    if (entry == nullptr || entry->handler != &CommandHandlers::quit) {
      here(Event::Style::kError,
           "Not sent: the send queue is full (" + count_of(queue_.size(), "line") +
               " waiting to go to the server); type it again in a moment: " + std::string(line));
      return;
    }
  }
  if (command) {
    std::string_view args = line.substr(1);
    const std::string name = lower(next_word(args));
    const CommandHandlers::Entry* entry = CommandHandlers::lookup(name);
    if (entry == nullptr) {
      here(Event::Style::kError, "Unknown command /" + name + " (/help lists them; /quote sends raw lines)");
    } else if (entry->needs_connection && state_ != ConnState::kRegistered) {
      here(Event::Style::kError, "Not connected");
    } else if (!entry->handler(*this, args)) {
      here(Event::Style::kError, "Usage: " + std::string(entry->usage));
    }
    return;
  }
  if (line.starts_with("//")) line.remove_prefix(1);
  say(current_, line, false);
}

void ChatClient::say(BufferId target, std::string_view text, bool action) {
  const Buffer* b = find(target);
  if (b == nullptr || b->kind == BufferKind::kServer) {
    here(Event::Style::kError,
         "This is the server window: join a channel (/join #name) or open a query (/query nick)");
    return;
  }
  if (b->kind == BufferKind::kChannel && !b->joined) {
    here(Event::Style::kError, "You are not in " + b->name + " (/join " + b->name + ")");
    return;
  }
  send_privmsg(b->name, text, action);
}

void ChatClient::send_privmsg(std::string_view target, std::string_view text, bool action) {
  if (state_ != ConnState::kRegistered) {
    here(Event::Style::kError, "Not connected: the message was not sent");
    return;
  }
  std::string body = action ? "\x01"
                              "ACTION " +
                                  std::string(text) + "\x01"
                            : std::string(text);
  std::string out;
  proto::LineBuilder(out).command("PRIVMSG").param(target).trailing(body).finish();
  send(std::move(out));
  // With echo-message the server's copy is shown; otherwise we show it now.
  if (std::find(caps_.begin(), caps_.end(), "echo-message") != caps_.end()) return;
  const Buffer* b = find(target);
  show(b != nullptr ? b->id : current_, action ? Event::Style::kAction : Event::Style::kOwnMessage,
       b != nullptr ? std::string(text) : "-> " + std::string(target) + ": " + std::string(text), nick_);
}

void ChatClient::join(std::string_view channels, std::string_view keys) {
  std::string out;
  proto::LineBuilder b(out);
  b.command("JOIN").param(channels);
  if (!keys.empty()) b.param(keys);
  b.finish();
  send(std::move(out));
}

}  // namespace parley::client
