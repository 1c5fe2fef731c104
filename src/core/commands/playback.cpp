// znc.in/playback (ZNC's playback module, as The Lounge and Textual use it): a client that keeps
// its own log asks for what it missed with a private message to "*playback".
//
//   PRIVMSG *playback :PLAY <target>[,<target>...] | * [<from> [<to>]]
//
// <from> and <to> are Unix times in seconds, with an optional fraction ("1700000000.25"); both
// are exclusive, <from> defaults to the beginning and <to> to now. "*" means every channel the
// user is in and, when logged in, every private conversation of the account with history in the
// range. Each target's PRIVMSG and NOTICE lines come back with the tags the client's caps allow
// (server-time above all), in a chathistory batch when it has batch, at most
// history.max_query per target (the latest ones). The answers come from *playback as PRIVMSG.
// CLEAR does nothing here: history is the server's, shared by everyone in a conversation.
#include <algorithm>
#include <limits>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/history_access.h"
#include "core/text.h"

namespace parley::core::commands {

namespace {

constexpr std::string_view kPlaybackSource = "*playback!znc@znc.in";
constexpr std::int64_t kNoLimit = std::numeric_limits<std::int64_t>::max();
// Most targets "PLAY *" replays (TARGETS answers newest first).
constexpr std::size_t kMaxPlayTargets = 100;

void answer(Engine& e, User& u, std::string_view text) {
  std::string line;
  proto::LineBuilder(line).source(kPlaybackSource).command("PRIVMSG").param(u.nick).trailing(text);
  line += "\r\n";
  e.send(u, std::move(line));
}

// "1700000000", "1700000000.123456": milliseconds, rounded; nullopt when malformed.
std::optional<std::int64_t> parse_unix_time(std::string_view text) {
  auto dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 12 || (dot != std::string_view::npos && fraction.empty()))
    return std::nullopt;
  std::int64_t seconds = 0, micros = 0, scale = 100000;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  for (char c : fraction) {
    if (c < '0' || c > '9') return std::nullopt;
    micros += (c - '0') * scale;  // digits past the sixth add nothing
    scale /= 10;
  }
  return seconds * 1000 + (micros + 500) / 1000;
}

struct Range {
  std::int64_t from_ms = 0;       // exclusive; 0: from the beginning
  std::int64_t to_ms = kNoLimit;  // exclusive
};

// Replays `key` (a readable storage key) in `range` to `u`, the latest max_query entries.
void play_key(Engine& e, User& u, std::string key, bool durable, std::string shown, Range range) {
  HistoryRequest r;
  r.kind = HistoryRequest::Kind::kQuery;
  r.durable = durable;
  r.query.target = std::move(key);
  r.query.limit = e.config().history.max_query;
  if (range.to_ms != kNoLimit) {
    r.query.kind = HistoryQuery::Kind::kBefore;  // the latest before <to>; <from> is applied below
    r.query.from = HistoryRef{HistoryRef::Kind::kTime, {}, range.to_ms};
  } else {
    r.query.kind = HistoryQuery::Kind::kLatest;
    if (range.from_ms) r.query.from = HistoryRef{HistoryRef::Kind::kTime, {}, range.from_ms};
  }
  e.history_request(
      &u, std::move(r),
      [shown = std::move(shown), from = range.from_ms](Engine& e, User* u, const HistoryAnswer& a) {
        if (a.outcome != HistoryAnswer::Outcome::kOk)
          return answer(e, *u, "History of " + shown + " could not be read");
        std::string ref = u->caps.has(Cap::kBatch) ? e.new_batch_ref() : std::string();
        std::string body;
        for (const HistoryEntry& entry : a.entries) {
          if (entry.time_ms > from) replay_entry(e, body, *u, entry, ref);
        }
        if (!body.empty()) send_history_batch(e, *u, ref, "chathistory", shown, std::move(body));
      },
      /*is_reply=*/false);
}

void play_all(Engine& e, User& u, Range range) {
  HistoryRequest r;
  r.kind = HistoryRequest::Kind::kTargets;
  if (!u.account().empty()) r.targets.account_folded = e.fold(u.account());
  for (const Channel* c : u.channels) r.targets.channels.push_back(c->folded);
  r.targets.from_ms = range.from_ms;
  r.targets.to_ms = range.to_ms;
  r.targets.limit = kMaxPlayTargets;
  e.history_request(&u, std::move(r), [range](Engine& e, User* u, const HistoryAnswer& a) {
    if (a.outcome != HistoryAnswer::Outcome::kOk) return answer(e, *u, "History could not be read");
    for (const TargetActivity& t : a.activity)
      play_key(e, *u, t.target, true, shown_key(e, *u, t.target), range);
  });
}

void play(Engine& e, User& u, const std::vector<std::string_view>& words) {
  Range range;
  std::optional<std::int64_t> from =
      words.size() > 2 ? parse_unix_time(words[2]) : std::optional<std::int64_t>(0);
  std::optional<std::int64_t> to =
      words.size() > 3 ? parse_unix_time(words[3]) : std::optional<std::int64_t>(kNoLimit);
  if (words.size() < 2 || !from || !to)
    return answer(e, u, "Usage: PLAY <target[,target...]|*> [<from> [<to>]]");
  range.from_ms = *from;
  range.to_ms = *to;
  if (words[1] == "*") return play_all(e, u, range);
  for (std::string_view target : split_list(words[1])) {
    std::optional<ReadableTarget> readable = readable_target(e, u, target);
    if (!readable) {
      answer(e, u, "No history for " + std::string(target.substr(0, 64)));
      continue;
    }
    play_key(e, u, std::move(readable->key), readable->durable, std::move(readable->shown), range);
  }
}

}  // namespace

bool is_playback_target(std::string_view target) { return ascii_upper(target) == "*PLAYBACK"; }

// PRIVMSG *playback :<command> [<args>]
void playback_command(Engine& e, User& u, std::string_view text) {
  if (!e.config().history.enabled) return answer(e, u, "History is not kept on this server");
  std::vector<std::string_view> words = split_words(text);
  std::string command = words.empty() ? std::string() : ascii_upper(words[0]);
  if (command == "PLAY") return play(e, u, words);
  if (command == "CLEAR") {
    return answer(e, u, "Nothing to clear: history is kept by the server for everyone in a conversation");
  }
  answer(e, u, "Commands: PLAY <target[,target...]|*> [<from> [<to>]] (Unix times, exclusive)");
}

}  // namespace parley::core::commands
