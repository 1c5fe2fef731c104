// ChatClient: connection lifecycle, registration (CAP, nick fallback) and what the server sends.
#include "client/chat_client.h"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "client/message_text.h"

namespace parley::client {

namespace {

// The capabilities we ask for, when offered.
// batch, draft/chathistory and draft/event-playback: windows filled from history (history.cpp).
constexpr std::string_view kWantedCaps[] = {"server-time",       "multi-prefix",        "echo-message",
                                            "away-notify",       "message-tags",        "batch",
                                            "draft/chathistory", "draft/event-playback"};

// "45s", "3m 5s", "2h 3m", "4d 2h": a number of seconds as a person reads it.
std::string duration_text(std::uint64_t seconds) {
  const std::uint64_t d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60, s = seconds % 60;
  if (d > 0) return std::to_string(d) + "d " + std::to_string(h) + "h";
  if (h > 0) return std::to_string(h) + "h " + std::to_string(m) + "m";
  if (m > 0) return std::to_string(m) + "m " + std::to_string(s) + "s";
  return std::to_string(s) + "s";
}

// 317 "nick 7380 1796550120 :seconds idle, signon time" -> "nick is idle 2h 3m, signed on
// 2026-12-06 14:02" (local time); numbers that do not parse are shown as the server sent them.
std::string whois_idle_text(const proto::Message& m) {
  const auto number = [](std::string_view text) -> std::optional<std::uint64_t> {
    std::uint64_t value = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
    if (r.ec != std::errc{} || r.ptr != text.data() + text.size()) return std::nullopt;
    return value;
  };
  const auto idle = number(m.param(2));
  if (!idle) return join_params(m, 1);
  std::string out = std::string(m.param(1)) + " is idle " + duration_text(*idle);
  if (m.size() > 4) {  // the signon time is optional (RFC 1459 has only the idle time)
    const auto signon = number(m.param(3));
    std::tm local{};
    const std::time_t t = signon ? static_cast<std::time_t>(*signon) : 0;
    char date[32] = "";
    if (signon && ::localtime_r(&t, &local) != nullptr)
      std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", &local);
    out += ", signed on " + (date[0] != '\0' ? std::string(date) : std::string(m.param(3)));
  }
  return out;
}

}  // namespace

std::string_view to_string(ConnState state) {
  switch (state) {
    case ConnState::kDisconnected: return "disconnected";
    case ConnState::kConnecting: return "connecting";
    case ConnState::kRegistering: return "registering";
    case ConnState::kRegistered: return "connected";
    case ConnState::kWaiting: return "reconnecting";
  }
  return "?";
}

ChatClient::ChatClient(ClientOptions options)
    : options_(std::move(options)), nick_(options_.nick), queue_(options_.pacing) {
  if (options_.user.empty()) options_.user = options_.nick;
  if (options_.realname.empty()) options_.realname = options_.nick;
  if (options_.address.empty()) options_.address = options_.host;
  Buffer server;
  server.id = next_id_++;
  server.kind = BufferKind::kServer;
  server.name = options_.host.empty() ? "server" : options_.host;
  buffers_.push_back(std::move(server));
  current_ = buffers_.front().id;
}

void ChatClient::connecting(Clock::time_point now) {
  now_ = msg_time_ = now;
  reconnect_at_.reset();
  state_ = ConnState::kConnecting;
  info("Connecting to " + options_.address + "...");
}

void ChatClient::connected(Clock::time_point now, std::string_view security) {
  now_ = msg_time_ = now;
  state_ = ConnState::kRegistering;
  reset_history_requests();
  caps_.clear();
  cap_offered_.clear();
  sasl_offered_.clear();
  sasl_step_ = SaslStep::kIdle;
  sasl_received_.clear();
  scram_.reset();
  cap_negotiating_ = true;
  queue_.reset(now);
  nick_ = options_.nick;
  nick_attempt_ = 0;
  info("Connected to " + options_.address + (security.empty() ? "" : " (" + std::string(security) + ")") +
       ", registering as " + nick_);
  std::string line;
  proto::LineBuilder(line).command("CAP").param("LS").last("302").finish();
  send(std::move(line));
  if (!options_.password.empty()) {
    line.clear();
    proto::LineBuilder(line).command("PASS").last(options_.password).finish();
    send(std::move(line));
  }
  line.clear();
  proto::LineBuilder(line).command("NICK").last(nick_).finish();
  send(std::move(line));
  line.clear();
  proto::LineBuilder(line)
      .command("USER")
      .param(options_.user)
      .param("0")
      .param("*")
      .trailing(options_.realname)
      .finish();
  send(std::move(line));
}

void ChatClient::disconnected(std::string_view reason, Clock::time_point now) {
  now_ = msg_time_ = now;
  const bool was_registered = state_ == ConnState::kRegistered;
  drop_queue("the connection closed first");
  awaiting_join_.clear();
  reset_history_requests();  // held lines show now, before "Disconnected"
  for (Buffer& b : buffers_) {
    if (b.kind != BufferKind::kChannel) continue;
    if (b.joined && !quitting_) {
      b.rejoin = true;
      show(b.id, Event::Style::kError, "Disconnected from the server");
    }
    // The server forgets all of it with the connection; what it still holds comes again with
    // the rejoin (332 topic, 353 names, 324 modes), so nothing stale stays on screen.
    b.joined = false;
    b.members.clear();
    b.topic.clear();
    b.modes.clear();
  }
  away_ = false;
  if (quitting_) {
    state_ = ConnState::kDisconnected;
    info("Disconnected");
    return;
  }
  if (was_registered) failures_ = 0;
  const auto delay =
      std::min<std::chrono::seconds>(std::chrono::seconds(1L << std::min(failures_, 6)), kMaxBackoff);
  ++failures_;
  reconnect_at_ = now + delay;
  state_ = ConnState::kWaiting;
  const std::string what = was_registered ? "Disconnected from " : "Cannot connect to ";
  show(server_buffer(), Event::Style::kError,
       what + options_.address + ": " + std::string(reason) + "; reconnecting in " +
           std::to_string(delay.count()) + " s");
}

void ChatClient::receive(std::string_view line, Clock::time_point now) {
  now_ = msg_time_ = now;
  auto parsed = proto::parse_message(line);
  if (!parsed.message) return;
  const proto::Message& m = *parsed.message;
  if (auto t = m.tag("time")) {
    if (auto when = parse_server_time(*t)) msg_time_ = *when;
  }
  if (handle_search(m)) return;
  if (collect_history(m)) return;
  handle(m);
}

void ChatClient::handle(const proto::Message& m) {
  const std::string_view cmd = m.command;
  auto is = [&](std::string_view name) { return proto::equal_folded(cmd, name, proto::Casemapping::kAscii); };
  if (cmd.size() == 3 && std::all_of(cmd.begin(), cmd.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    handle_numeric((cmd[0] - '0') * 100 + (cmd[1] - '0') * 10 + (cmd[2] - '0'), m);
  } else if (is("PING")) {
    std::string out;
    proto::LineBuilder(out).command("PONG").last(m.param(0)).finish();
    send_urgent(std::move(out));
  } else if (is("CAP")) {
    handle_cap(m);
  } else if (is("BATCH")) {
    handle_batch(m);
  } else if (is("FAIL")) {
    handle_fail(m);
  } else if (is("AUTHENTICATE")) {
    handle_authenticate(m);
  } else if (is("PRIVMSG") || is("NOTICE")) {
    handle_message(m, is("NOTICE"));
  } else if (is("JOIN")) {
    handle_join(m);
  } else if (is("PART")) {
    handle_part(m);
  } else if (is("KICK")) {
    handle_kick(m);
  } else if (is("QUIT")) {
    handle_quit(m);
  } else if (is("NICK")) {
    handle_nick(m);
  } else if (is("MODE")) {
    handle_mode(m);
  } else if (is("TOPIC")) {
    if (Buffer* b = find_mut(m.param(0))) {
      b->topic = std::string(m.param(1));
      show(b->id, Event::Style::kMeta,
           std::string(nick_of(m.source)) + " changed the topic to: " + std::string(m.param(1)));
      bump(*b, Activity::kEvents);
    }
  } else if (is("AWAY")) {
    const std::string_view who = nick_of(m.source);
    for (Buffer& b : buffers_) {
      if (Member* mem = member(b, who)) mem->away = m.size() > 0;
    }
  } else if (is("INVITE")) {
    here(Event::Style::kMeta, std::string(nick_of(m.source)) + " invites you to " + std::string(m.param(1)));
  } else if (is("ERROR")) {
    // After our own QUIT the server's ERROR is the expected goodbye, not a fault.
    show(server_buffer(), quitting_ ? Event::Style::kInfo : Event::Style::kError,
         "Server closed the connection: " + std::string(m.param(0)));
  } else if (is("WALLOPS")) {
    show(server_buffer(), Event::Style::kNotice, std::string(m.param(0)),
         "!" + std::string(nick_of(m.source)));
  }
}

void ChatClient::handle_cap(const proto::Message& m) {
  const std::string_view sub = m.param(1);
  auto sub_is = [&](std::string_view s) { return proto::equal_folded(sub, s, proto::Casemapping::kAscii); };
  if (sub_is("LS")) {
    // "CAP * LS * :a b=c" continues; the last line has no "*".
    const bool more = m.size() > 3 && m.param(2) == "*";
    std::string_view list = m.param(m.size() - 1);
    while (!list.empty()) {
      const auto space = list.find(' ');
      std::string_view item = list.substr(0, space);
      const auto eq = item.find('=');
      if (item.substr(0, eq) == "sasl" && eq != std::string_view::npos)
        sasl_offered_ = std::string(item.substr(eq + 1, 200));
      item = item.substr(0, eq);
      if (!item.empty() && cap_offered_.size() < 200) cap_offered_.emplace_back(item);
      list = space == std::string_view::npos ? std::string_view{} : list.substr(space + 1);
    }
    if (more) return;
    std::string want;
    for (std::string_view cap : kWantedCaps) {
      if (std::find(cap_offered_.begin(), cap_offered_.end(), cap) != cap_offered_.end()) {
        if (!want.empty()) want += ' ';
        want += cap;
      }
    }
    // /search (search.cpp) needs its answer in a batch, to tell results from live messages.
    auto offered = [&](std::string_view cap) {
      return std::find(cap_offered_.begin(), cap_offered_.end(), cap) != cap_offered_.end();
    };
    if (offered("soju.im/search") && offered("batch")) {
      for (std::string_view cap : {"batch", "soju.im/search"}) {
        if ((" " + want + " ").find(" " + std::string(cap) + " ") == std::string::npos)
          want += (want.empty() ? "" : " ") + std::string(cap);
      }
    }
    if (sasl_wanted()) {
      if (std::find(cap_offered_.begin(), cap_offered_.end(), "sasl") == cap_offered_.end())
        return stop("The server does not offer SASL, so you cannot log in as " + options_.sasl_user +
                    " there; leave out --sasl-user to connect without logging in");
      sasl_mechanism_ = choose_sasl_mechanism(sasl_offered_, options_.tls);
      if (sasl_mechanism_.empty()) {
        if (!options_.tls && choose_sasl_mechanism(sasl_offered_, true) == "PLAIN")
          return stop(
              "The server offers only SASL PLAIN, which would send your password unencrypted: "
              "connect with TLS (ircs://HOST or --tls)");
        return stop("The server offers no SASL mechanism parley chat speaks (it offers " + sasl_offered_ +
                    "; parley chat speaks SCRAM-SHA-256 and PLAIN)");
      }
      want += want.empty() ? "sasl" : " sasl";
    }
    std::string out;
    if (want.empty()) {
      cap_negotiating_ = false;
      proto::LineBuilder(out).command("CAP").last("END").finish();
    } else {
      proto::LineBuilder(out).command("CAP").param("REQ").trailing(want).finish();
    }
    send(std::move(out));
  } else if (sub_is("ACK") || sub_is("NAK")) {
    if (sub_is("NAK") && sasl_wanted() && sasl_step_ == SaslStep::kIdle && cap_negotiating_)
      return stop("The server refused the capabilities we asked for, sasl among them: cannot log in");
    if (sub_is("ACK")) {
      std::string_view list = m.param(m.size() - 1);
      while (!list.empty()) {
        const auto space = list.find(' ');
        std::string_view item = list.substr(0, space);
        if (!item.empty() && item[0] == '-') {
          std::erase(caps_, std::string(item.substr(1)));
        } else if (!item.empty()) {
          caps_.emplace_back(item);
        }
        list = space == std::string_view::npos ? std::string_view{} : list.substr(space + 1);
      }
      std::string names;
      for (const auto& c : caps_) names += (names.empty() ? "" : " ") + c;
      info("Capabilities enabled: " + names);
      if (sasl_wanted() && sasl_step_ == SaslStep::kIdle &&
          std::find(caps_.begin(), caps_.end(), "sasl") != caps_.end())
        sasl_start();
    }
    if (sasl_wanted() && sasl_step_ == SaslStep::kIdle && cap_negotiating_)
      return stop("The server did not enable sasl: cannot log in as " + options_.sasl_user);
    if (!sasl_busy()) cap_end();
  }
}

void ChatClient::cap_end() {
  if (!cap_negotiating_) return;
  cap_negotiating_ = false;
  std::string out;
  proto::LineBuilder(out).command("CAP").last("END").finish();
  send(std::move(out));
}

void ChatClient::stop(std::string text) {
  stop_reason_ = text;
  show(server_buffer(), Event::Style::kError, std::move(text));
  failed_ = true;
  quitting_ = true;
  reconnect_at_.reset();
  if (state_ == ConnState::kRegistering || state_ == ConnState::kRegistered) {
    std::string out;
    proto::LineBuilder(out).command("QUIT").last("Leaving").finish();
    send(std::move(out));
  }
}

void ChatClient::registered(const proto::Message& m) {
  state_ = ConnState::kRegistered;
  failures_ = 0;
  nick_ = std::string(m.param(0));
  cap_negotiating_ = false;
  // Rejoin what we were in, then the command line's channels.
  std::vector<std::string> channels;
  std::vector<std::string> keys;
  for (Buffer& b : buffers_) {
    if (b.kind == BufferKind::kChannel && b.rejoin) {
      channels.push_back(b.name);
      keys.push_back(b.key);
      b.rejoin = false;
    }
  }
  // The first command-line channel becomes the current window when it is joined.
  if (!options_.autojoin.empty()) pending_switch_.push_back(proto::fold(options_.autojoin.front(), casemap_));
  for (const auto& c : options_.autojoin) {
    const bool dup = std::any_of(channels.begin(), channels.end(),
                                 [&](const std::string& x) { return proto::equal_folded(x, c, casemap_); });
    if (!dup) {
      channels.push_back(c);
      keys.emplace_back();
    }
  }
  options_.autojoin.clear();  // after the first registration, rejoin decides
  // Query windows catch up at once; channels do when their JOIN is confirmed.
  for (Buffer& b : buffers_)
    if (b.kind == BufferKind::kQuery) fill_on_join(b);
  if (!channels.empty()) awaiting_join_ = proto::fold(channels.front(), casemap_);
  for (std::size_t i = 0; i < channels.size(); ++i) join(channels[i], keys[i]);
}

std::string nick_from_name(std::string_view name) {
  const auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("[]\\`_^{|}-").find(c) != std::string_view::npos;
  };
  std::string nick;
  for (char c : name) {
    if (nick.size() >= kMaxDefaultNick) break;
    if (nick.empty() && ((c >= '0' && c <= '9') || c == '-')) nick += '_';
    nick += allowed(c) ? c : '_';
  }
  nick.resize(std::min(nick.size(), kMaxDefaultNick));
  if (nick.find_first_not_of('_') == std::string::npos) return "parley";
  return nick;
}

void ChatClient::nick_in_use() {
  // alice -> alice_ -> alice__ -> alice1 ... alice9, then give up and let the user choose.
  ++nick_attempt_;
  std::string next = options_.nick;
  if (nick_attempt_ <= 2) {
    next += std::string(static_cast<std::size_t>(nick_attempt_), '_');
  } else if (nick_attempt_ <= 11) {
    next += std::to_string(nick_attempt_ - 2);
  } else {
    here(Event::Style::kError, "Every fallback nick is taken; choose one with /nick");
    return;
  }
  info("Nick " + nick_ + " is in use, trying " + next);
  nick_ = next;
  std::string out;
  proto::LineBuilder(out).command("NICK").last(next).finish();
  send(std::move(out));
}

void ChatClient::nick_invalid(const proto::Message& m) {
  // Unlike 433 (in use), no fallback of the same nick can be valid: the user must choose.
  if (state_ == ConnState::kRegistering)
    return stop("The server refuses the nick " + nick_ + " as invalid (" +
                std::string(m.param(m.size() - 1)) +
                "); choose another with --nick: letters, digits and []\\`_^{|}-, not starting with a "
                "digit or -");
  here(Event::Style::kError,
       "Invalid nick " + std::string(m.param(1)) + ": " + std::string(m.param(m.size() - 1)));
}

void ChatClient::handle_numeric(int code, const proto::Message& m) {
  if (code >= 900 && code <= 908 && handle_sasl_numeric(code, m)) return;
  switch (code) {
    case 1:  // RPL_WELCOME
      registered(m);
      info(std::string(m.param(1)));
      return;
    case 5: handle_isupport(m); return;
    case 301:  // RPL_AWAY
      here(Event::Style::kMeta, std::string(m.param(1)) + " is away: " + std::string(m.param(2)));
      return;
    case 305:
      away_ = false;
      info("You are no longer marked as away");
      return;
    case 306:
      away_ = true;
      info("You are marked as away");
      return;
    case 324:  // RPL_CHANNELMODEIS
      if (Buffer* b = find_mut(m.param(1))) {
        b->modes = std::string(m.param(2));
      }
      return;
    case 329: return;  // channel creation time
    case 331:
    case 332:  // RPL_NOTOPIC / RPL_TOPIC
      if (Buffer* b = find_mut(m.param(1))) {
        b->topic = code == 332 ? std::string(m.param(2)) : std::string();
        show(b->id, Event::Style::kMeta,
             code == 332 ? "Topic for " + b->name + ": " + b->topic : "No topic is set for " + b->name);
        return;
      }
      break;
    case 333:  // RPL_TOPICWHOTIME
      if (Buffer* b = find_mut(m.param(1))) {
        show(b->id, Event::Style::kMeta, "Topic set by " + std::string(nick_of(m.param(2))));
        return;
      }
      break;
    case 353: handle_names(m); return;
    case 366:  // RPL_ENDOFNAMES
      if (Buffer* b = find_mut(m.param(1))) {
        std::vector<const Member*> sorted;
        for (const Member& mem : b->members) sorted.push_back(&mem);
        std::sort(sorted.begin(), sorted.end(), [&](const Member* x, const Member* y) {
          const auto rank = [&](const Member* v) {
            return v->prefixes.empty() ? prefix_chars_.size() : prefix_chars_.find(v->prefixes[0]);
          };
          if (rank(x) != rank(y)) return rank(x) < rank(y);
          return proto::fold(x->nick, casemap_) < proto::fold(y->nick, casemap_);
        });
        std::string list;
        for (const Member* mem : sorted) {
          list += (list.empty() ? "" : " ") + mem->prefixes.substr(0, 1) + mem->nick;
        }
        show(b->id, Event::Style::kMeta,
             b->name + ": " + count_of(b->members.size(), "nick") + " [" + list + "]");
        return;
      }
      break;
    case 317:  // RPL_WHOISIDLE: nick seconds-idle [signon-time] :text
      here(Event::Style::kMeta, whois_idle_text(m));
      return;
    case 432:  // ERR_ERRONEUSNICKNAME
      nick_invalid(m);
      return;
    case 433:  // ERR_NICKNAMEINUSE
    case 437:  // ERR_UNAVAILRESOURCE
      if (state_ == ConnState::kRegistering) {
        nick_in_use();
        return;
      }
      here(Event::Style::kError, std::string(m.param(1)) + ": " + std::string(m.param(m.size() - 1)));
      return;
    default: break;
  }
  if (code >= 400 && code < 600) {
    // A refused JOIN (403, 405, 471, 473-477, ...) names the channel: stop waiting for it.
    if (!awaiting_join_.empty() && proto::equal_folded(awaiting_join_, m.param(1), casemap_))
      awaiting_join_.clear();
    here(Event::Style::kError, join_params(m, 1));
  } else if ((code >= 311 && code <= 319) || code == 330 || code == 338 || code == 378 || code == 671 ||
             code == 276 || code == 307) {
    here(Event::Style::kMeta, join_params(m, 1));  // WHOIS replies go where /whois was typed
  } else {
    info(join_params(m, 1));
  }
}

void ChatClient::handle_isupport(const proto::Message& m) {
  for (std::size_t i = 1; i + 1 < m.size(); ++i) {
    const std::string_view token = m.param(i);
    const auto eq = token.find('=');
    const std::string_view key = token.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : token.substr(eq + 1);
    if (key == "CASEMAPPING") {
      if (auto cm = proto::casemapping_from_string(value)) casemap_ = *cm;
    } else if (key == "CHANTYPES" && !value.empty()) {
      chantypes_ = std::string(value);
    } else if (key == "CHATHISTORY") {
      int max = 0;
      const auto r = std::from_chars(value.data(), value.data() + value.size(), max);
      history_max_ = r.ec == std::errc{} && max > 0 ? max : 0;
    } else if (key == "NETWORK") {
      network_ = std::string(value);
    } else if (key == "PREFIX" && value.size() > 2 && value[0] == '(') {
      const auto close = value.find(')');
      if (close != std::string_view::npos && value.size() - close - 1 == close - 1) {
        prefix_modes_ = std::string(value.substr(1, close - 1));
        prefix_chars_ = std::string(value.substr(close + 1));
      }
    } else if (key == "CHANMODES") {
      std::string_view rest = value;
      std::string* groups[] = {&chanmodes_a_, &chanmodes_b_, &chanmodes_c_};
      for (std::string* g : groups) {
        const auto comma = rest.find(',');
        *g = std::string(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      }
    }
  }
}

}  // namespace parley::client
