// ChatClient: windows filled from the server's stored history (draft/chathistory, docs/protocol.md
// 1.9): the newest lines when a channel is joined or a query opened, the lines missed while
// disconnected after a reconnect, and older lines when the user scrolls past the top
// (docs/chat.md "History"). Replayed lines never raise activity or highlights.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "client/chat_client.h"
#include "client/message_text.h"

namespace parley::client {

namespace {

using Fetch = BufferHistory::Fetch;

bool has_cap(const std::vector<std::string>& caps, std::string_view cap) {
  return std::find(caps.begin(), caps.end(), cap) != caps.end();
}

// A message's place in history: its msgid tag and its server time (`fallback` without one).
HistoryRef ref_of(const proto::Message& m, Clock::time_point fallback) {
  HistoryRef r;
  if (auto id = m.tag("msgid")) r.msgid = std::string(*id);
  r.time = fallback;
  if (auto t = m.tag("time")) {
    if (auto when = parse_server_time(*t)) r.time = *when;
  }
  return r;
}

bool is_message_style(Event::Style style) {
  return style == Event::Style::kMessage || style == Event::Style::kOwnMessage ||
         style == Event::Style::kAction || style == Event::Style::kNotice;
}

}  // namespace

std::optional<Clock::time_point> parse_server_time(std::string_view s) {
  std::tm tm{};
  int ms = 0;
  auto num = [&](std::size_t pos, std::size_t len, int& out) {
    if (s.size() < pos + len) return false;
    auto r = std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return r.ec == std::errc{} && r.ptr == s.data() + pos + len;
  };
  if (!(num(0, 4, tm.tm_year) && num(5, 2, tm.tm_mon) && num(8, 2, tm.tm_mday) && num(11, 2, tm.tm_hour) &&
        num(14, 2, tm.tm_min) && num(17, 2, tm.tm_sec)))
    return std::nullopt;
  if (s.size() >= 23 && s[19] == '.') num(20, 3, ms);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t t = ::timegm(&tm);
  if (t == -1) return std::nullopt;
  return Clock::from_time_t(t) + std::chrono::milliseconds(ms);
}

std::string format_server_time(Clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  char text[40] = "";
  if (ms < 0 || ::gmtime_r(&seconds, &utc) == nullptr) return "1970-01-01T00:00:00.000Z";
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(ms % 1000));
  return text;
}

bool ChatClient::history_enabled() const {
  return state_ == ConnState::kRegistered && has_cap(caps_, "draft/chathistory") && has_cap(caps_, "batch");
}

void ChatClient::request_history(Buffer& b, Fetch fetch) {
  BufferHistory& h = b.history;
  if (!history_enabled() || b.kind == BufferKind::kServer || h.fetching != Fetch::kNone) return;
  // A msgid is exact; a timestamp is the fallback when the server does not know our msgid (an
  // in-memory private conversation forgotten meanwhile) or the line had none.
  const auto ref_text = [&](const HistoryRef& r) {
    if (!r.msgid.empty() && !h.msgid_refused) return "msgid=" + r.msgid;
    return "timestamp=" + format_server_time(r.time);
  };
  std::string subcommand = "LATEST";
  std::string ref = "*";
  if (fetch == Fetch::kCatchUp) {
    subcommand = "AFTER";
    ref = ref_text(h.newest);
  } else if (fetch == Fetch::kOlder) {
    subcommand = "BEFORE";
    ref = h.oldest.empty() ? "timestamp=" + format_server_time(now_) : ref_text(h.oldest);
  }
  h.fetching = fetch;
  h.request_target = b.name;
  h.request_ref = ref;
  std::string out;
  proto::LineBuilder(out)
      .command("CHATHISTORY")
      .param(subcommand)
      .param(b.name)
      .param(ref)
      .last(std::to_string(history_limit()))
      .finish();
  send(std::move(out));
}

void ChatClient::fill_on_join(Buffer& b) {
  b.history.catch_up_pages = 0;
  request_history(b, b.history.newest.empty() ? Fetch::kLatest : Fetch::kCatchUp);
}

bool ChatClient::load_older(BufferId id) {
  Buffer* b = find_mut(id);
  if (b == nullptr || b->kind == BufferKind::kServer || (b->kind == BufferKind::kChannel && !b->joined))
    return false;
  if (!history_enabled() || b->history.exhausted || b->history.fetching != Fetch::kNone) return false;
  request_history(*b, Fetch::kOlder);
  return true;
}

void ChatClient::handle_batch(const proto::Message& m) {
  const std::string_view ref = m.param(0);
  if (ref.size() < 2) return;
  if (ref[0] == '+') {
    if (!proto::equal_folded(m.param(1), "chathistory", proto::Casemapping::kAscii)) return;
    // Only answers to our own requests; a bounded number open at once.
    Buffer* b = awaiting_history(m.param(2));
    if (b == nullptr || batches_.size() >= 32) return;
    HistoryBatch batch;
    batch.ref = std::string(ref.substr(1));
    batch.buffer = b->id;
    batches_.push_back(std::move(batch));
  } else if (ref[0] == '-') {
    const auto it = std::find_if(batches_.begin(), batches_.end(),
                                 [&](const HistoryBatch& x) { return x.ref == ref.substr(1); });
    if (it == batches_.end()) return;
    HistoryBatch batch = std::move(*it);
    batches_.erase(it);
    finish_history(batch);
  }
}

bool ChatClient::collect_history(const proto::Message& m) {
  const auto tag = m.tag("batch");
  if (!tag) return false;
  const auto it =
      std::find_if(batches_.begin(), batches_.end(), [&](const HistoryBatch& x) { return x.ref == *tag; });
  if (it == batches_.end()) return false;
  HistoryBatch& batch = *it;
  if (batch.entries >= 10 * static_cast<std::size_t>(kHistoryLines)) return true;  // more than asked for
  ++batch.entries;
  const HistoryRef r = ref_of(m, now_);
  if (batch.entries == 1) batch.first = r;
  batch.last = r;
  // Events (draft/event-playback: JOIN, PART, ...) count and move the references, but only
  // messages are shown.
  const bool notice = proto::equal_folded(m.command, "NOTICE", proto::Casemapping::kAscii);
  if (!notice && !proto::equal_folded(m.command, "PRIVMSG", proto::Casemapping::kAscii)) return true;
  CtcpText unwrapped = unwrap_ctcp(m.param(1));
  if (unwrapped.framed && !unwrapped.action) return true;  // old CTCP requests
  const bool action = unwrapped.action;
  std::string text = std::move(unwrapped.text);
  const std::string_view from = nick_of(m.source);
  Event e;
  e.kind = Event::Kind::kLine;
  e.buffer = batch.buffer;
  e.style = notice        ? Event::Style::kNotice
            : action      ? Event::Style::kAction
            : is_me(from) ? Event::Style::kOwnMessage
                          : Event::Style::kMessage;
  e.time = r.time;
  e.nick = std::string(from.empty() ? m.source : from);
  e.text = std::move(text);
  e.history = true;
  batch.lines.emplace_back(r.msgid, std::move(e));
  return true;
}

void ChatClient::finish_history(HistoryBatch& batch) {
  Buffer* b = find_mut(batch.buffer);
  if (b == nullptr) return;  // closed meanwhile
  BufferHistory& h = b->history;
  const Fetch fetch = h.fetching;
  h.fetching = Fetch::kNone;
  if (fetch == Fetch::kLatest || fetch == Fetch::kCatchUp) return finish_fill(*b, batch, fetch);
  if (fetch != Fetch::kOlder) return;
  Event e;
  e.kind = Event::Kind::kPrepend;
  e.buffer = b->id;
  e.time = now_;
  if (batch.entries == 0) {
    h.exhausted = true;
    e.style = Event::Style::kMeta;
    e.text = "No older messages in the history of " + b->name;
    events_.push_back(std::move(e));
    return;
  }
  h.oldest = batch.first;
  // Newest first: each kPrepend goes above the one before.
  for (auto it = batch.lines.rbegin(); it != batch.lines.rend(); ++it) {
    if (!it->first.empty() && !remember(*b, it->first)) continue;
    Event line = std::move(it->second);
    line.kind = Event::Kind::kPrepend;
    events_.push_back(std::move(line));
  }
}

void ChatClient::finish_fill(Buffer& b, HistoryBatch& batch, Fetch fetch) {
  BufferHistory& h = b.history;
  if (batch.entries > 0) {
    if (h.oldest.empty() || batch.first.time <= h.oldest.time) h.oldest = batch.first;
    if (h.newest.empty() || batch.last.time >= h.newest.time) h.newest = batch.last;
  }
  Event separator;
  separator.buffer = b.id;
  separator.style = Event::Style::kRule;
  separator.time = now_;
  for (auto& [msgid, line] : batch.lines) {
    if (!msgid.empty() && !remember(b, msgid)) continue;
    if (!h.separator_open) {
      separator.text = "history";
      events_.push_back(separator);
      h.separator_open = true;
    }
    events_.push_back(std::move(line));
  }
  // A full page after a reconnect: more was missed, so ask for the next one (still holding
  // the live lines, which are newer than all of it).
  const bool full = batch.entries >= static_cast<std::size_t>(history_limit());
  if (fetch == Fetch::kCatchUp && full && batch.entries > 0) {
    if (++h.catch_up_pages < kMaxCatchUpPages) {
      request_history(b, Fetch::kCatchUp);
      if (h.fetching != Fetch::kNone) return;
    } else {
      show(b.id, Event::Style::kMeta,
           "More was said while you were disconnected than is shown here (" +
               std::to_string(kMaxCatchUpPages * history_limit()) + " lines)");
    }
  }
  if (h.separator_open) {
    separator.text = "new";
    events_.push_back(separator);
    h.separator_open = false;
  }
  release_held(b);
}

void ChatClient::handle_fail(const proto::Message& m) {
  if (!proto::equal_folded(m.param(0), "CHATHISTORY", proto::Casemapping::kAscii)) return;
  const std::string_view code = m.param(1);
  const std::string_view about = m.param(3);  // the target, or the parameter at fault
  Buffer* b = awaiting_history(about);
  for (Buffer& x : buffers_) {
    if (b == nullptr && x.history.fetching != Fetch::kNone && x.history.request_ref == about) b = &x;
  }
  if (b == nullptr) return here(Event::Style::kError, "History: " + std::string(m.param(m.size() - 1)));
  BufferHistory& h = b->history;
  const Fetch fetch = h.fetching;
  h.fetching = Fetch::kNone;
  if (code == "INVALID_PARAMS" && h.request_ref.starts_with("msgid=") && !h.msgid_refused) {
    h.msgid_refused = true;  // the server forgot that msgid: the same request by time
    request_history(*b, fetch);
    if (h.fetching != Fetch::kNone) return;
  }
  if (fetch == Fetch::kOlder) h.exhausted = true;  // asking again would fail again
  show(b->id, Event::Style::kError, "No history: " + std::string(m.param(m.size() - 1)));
  h.separator_open = false;
  release_held(*b);
}

Buffer* ChatClient::awaiting_history(std::string_view target) {
  for (Buffer& b : buffers_) {
    if (b.history.fetching != Fetch::kNone && proto::equal_folded(b.history.request_target, target, casemap_))
      return &b;
  }
  return nullptr;
}

bool ChatClient::remember(Buffer& b, std::string_view msgid) {
  BufferHistory& h = b.history;
  if (!h.seen.emplace(msgid).second) return false;
  h.seen_order.emplace_back(msgid);
  if (h.seen_order.size() > BufferHistory::kMaxSeen) {
    h.seen.erase(h.seen_order.front());
    h.seen_order.pop_front();
  }
  return true;
}

void ChatClient::note_live(Buffer& b, const proto::Message& m) {
  if (b.kind == BufferKind::kServer) return;
  BufferHistory& h = b.history;
  const HistoryRef r = ref_of(m, msg_time_);
  if (!r.msgid.empty()) remember(b, r.msgid);
  if (h.oldest.empty()) h.oldest = r;
  // While the window is being filled, `newest` is where the next catch-up page starts.
  if (h.fetching == Fetch::kLatest || h.fetching == Fetch::kCatchUp)
    h.held_newest = r;
  else
    h.newest = r;
}

bool ChatClient::hold(const Event& e) {
  if (e.kind != Event::Kind::kLine || e.history || !is_message_style(e.style)) return false;
  Buffer* b = find_mut(e.buffer);
  if (b == nullptr) return false;
  BufferHistory& h = b->history;
  if (h.fetching != Fetch::kLatest && h.fetching != Fetch::kCatchUp) return false;
  if (h.held.size() >= BufferHistory::kMaxHeld) return false;
  h.held.push_back(e);
  return true;
}

void ChatClient::release_held(Buffer& b) {
  BufferHistory& h = b.history;
  for (Event& e : h.held) events_.push_back(std::move(e));
  h.held.clear();
  if (!h.held_newest.empty() && (h.newest.empty() || h.held_newest.time >= h.newest.time))
    h.newest = h.held_newest;
  h.held_newest = {};
}

void ChatClient::history_cleared(Buffer& b) {
  // Scrolling up in the emptied window starts again from the present, and the lines that come
  // back are not duplicates of anything shown.
  b.history.oldest = {};
  b.history.seen.clear();
  b.history.seen_order.clear();
  b.history.exhausted = false;
}

void ChatClient::reset_history_requests() {
  batches_.clear();
  for (Buffer& b : buffers_) {
    b.history.fetching = Fetch::kNone;
    b.history.separator_open = false;
    release_held(b);
  }
}

}  // namespace parley::client
