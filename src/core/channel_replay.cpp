#include "core/channel_replay.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>

#include "core/engine.h"
#include "core/history_access.h"
#include "core/metadata.h"
#include "core/read_marker.h"

namespace parley::core {

namespace {

// How many lines +H replays in `c`: its parameter's, at most what this server allows (a larger
// one may have come from a link or from before the operator lowered the limit).
std::size_t replay_lines(const Engine& e, const Channel& c) {
  return std::min(c.history_lines, e.config().history.replay_max_lines);
}

// A decimal number without sign, or nullopt (also on overflow).
std::optional<std::int64_t> parse_count(std::string_view digits) {
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size() || n < 0)
    return std::nullopt;
  return n;
}

// "90", "1d12h", "2w": seconds. Every number but a lone one needs a unit.
std::optional<std::int64_t> parse_period(std::string_view text) {
  if (text.empty() || text.size() > kMaxReplayPeriodChars) return std::nullopt;
  if (auto plain = parse_count(text)) return plain;
  std::int64_t total = 0;
  while (!text.empty()) {
    std::size_t n = 0;
    while (n < text.size() && text[n] >= '0' && text[n] <= '9') ++n;
    if (n == 0 || n == text.size()) return std::nullopt;
    auto count = parse_count(text.substr(0, n));
    std::int64_t unit = 0;
    switch (text[n]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      case 'w': unit = 7 * 86400; break;
      case 'y': unit = 365 * 86400; break;
      default: return std::nullopt;
    }
    if (!count) return std::nullopt;
    total += *count * unit;  // at most 10 characters: no overflow
    text.remove_prefix(n + 1);
  }
  return total;
}

std::int64_t now_ms(const Engine& e) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(e.now().time_since_epoch()).count();
}

// NAMES and metadata: the part of the burst that follows MARKREAD.
void send_names_and_metadata(Engine& e, User& u, Channel& c) {
  if (!u.caps.has(Cap::kNoImplicitNames)) e.send_names(u, c);
  send_join_metadata(e, u, c);
}

// The +H replay, once the store has answered; nothing when `u` left the channel meanwhile.
void send_replay(Engine& e, User& u, const std::string& folded, const HistoryAnswer& a) {
  Channel* c = e.find_channel(folded);
  if (a.outcome != HistoryAnswer::Outcome::kOk || a.entries.empty() || !c || !c->has(u)) return;
  std::string ref = u.caps.has(Cap::kBatch) ? e.new_batch_ref() : std::string();
  std::string body;
  for (const HistoryEntry& entry : a.entries) replay_entry(e, body, u, entry, ref);
  // As InspIRCd does, a notice says what follows, so that a client without server-time can tell
  // old lines from new ones.
  std::string what = "Replaying up to " + std::to_string(replay_lines(e, *c)) + " lines of pre-join history";
  if (c->history_period_s) what += " spanning up to " + std::to_string(c->history_period_s) + " seconds";
  e.server_message(u, "NOTICE", {c->name, what});
  send_history_batch(e, u, ref, "chathistory", c->name, std::move(body));
}

void request_replay(Engine& e, User& u, Channel& c) {
  HistoryRequest r;
  r.kind = HistoryRequest::Kind::kQuery;
  r.query.kind = HistoryQuery::Kind::kLatest;
  r.query.target = c.folded;
  r.query.limit = replay_lines(e, c);
  if (c.history_period_s) {
    r.query.from.kind = HistoryRef::Kind::kTime;
    // The reference is exclusive; a line exactly `period` old is still within it.
    r.query.from.time_ms = now_ms(e) - c.history_period_s * 1000 - 1;
  }
  // Not a reply to the JOIN: the user's next commands need not wait for the store.
  e.history_request(
      &u, std::move(r),
      [folded = c.folded](Engine& e, User* u, const HistoryAnswer& a) { send_replay(e, *u, folded, a); },
      /*is_reply=*/false);
}

}  // namespace

std::optional<HistoryModeParam> parse_history_mode(std::string_view text, std::size_t max_lines) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto lines = parse_count(text.substr(0, colon));
  std::string_view period_text = text.substr(colon + 1);
  auto period = parse_period(period_text);
  if (!lines || *lines < 1 || *lines > static_cast<std::int64_t>(std::min(max_lines, kReplayLinesCeiling)) ||
      !period)
    return std::nullopt;
  HistoryModeParam p;
  p.lines = static_cast<std::size_t>(*lines);
  p.period_s = *period;
  p.canonical = std::to_string(p.lines) + ":" + std::string(period_text);
  return p;
}

void finish_join(Engine& e, User& u, Channel& c) {
  const bool wants_marker = u.caps.has(Cap::kReadMarker);
  if (wants_marker && read_markers_stored(u)) {
    // draft/read-marker puts MARKREAD before the end of NAMES: the rest waits for the store.
    HistoryRequest r;
    r.kind = HistoryRequest::Kind::kGetMarker;
    r.account_folded = e.fold(u.account());
    r.target = c.folded;
    e.history_request(&u, std::move(r), [folded = c.folded](Engine& e, User* u, const HistoryAnswer& a) {
      Channel* c = e.find_channel(folded);
      if (!c || !c->has(*u)) return;
      send_markread(e, *u, c->name, a.outcome == HistoryAnswer::Outcome::kOk ? a.marker_ms : 0);
      send_names_and_metadata(e, *u, *c);
    });
  } else {
    if (wants_marker) send_markread(e, u, c.name, session_read_marker(u, c.folded));
    send_names_and_metadata(e, u, c);
  }
  if (c.history_lines && !u.caps.has(Cap::kChathistory) && e.config().history.enabled)
    request_replay(e, u, c);
}

}  // namespace parley::core
