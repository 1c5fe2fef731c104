#include "store/history_rules.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace parley::store::history {

namespace {

using core::HistoryQuery;
using core::HistoryRef;

// The position just before every entry a time reference names ({t, 0}), or the msgid's own.
struct Point {
  Position at;
  bool is_msgid = false;
};

Result<std::optional<Point>> resolve_ref(const HistoryRef& ref, const Resolve& resolve) {
  switch (ref.kind) {
    case HistoryRef::Kind::kNone:
    case HistoryRef::Kind::kLatest: return std::optional<Point>{};
    case HistoryRef::Kind::kTime: return std::optional<Point>{Point{{ref.time_ms, 0}, false}};
    case HistoryRef::Kind::kMsgid: break;
  }
  auto found = resolve(ref.msgid);
  if (!found.is_ok()) return found.status();
  if (!found.value()) return Status::not_found("msgid " + ref.msgid);
  return std::optional<Point>{Point{*found.value(), true}};
}

// The exclusive lower bound a reference makes: after a time t means every entry at t is excluded.
Position lower_bound_of(const Point& p) { return p.is_msgid ? p.at : Position{p.at.time_ms, kMaxSeq}; }
// The exclusive upper bound: before a time t excludes every entry at t ({t, 0} is below them all).
Position upper_bound_of(const Point& p) { return p.at; }

// AROUND: up to `limit` entries, the reference's own entry (or, for a time, the first at or after
// it) and those after it on one side, those before it on the other; about half each, and when one
// side runs short the other fills the limit.
Result<std::vector<core::HistoryEntry>> around(const HistoryQuery& query, const Point& p,
                                               const Fetch& fetch) {
  Range before{kFirst, p.at, true, query.limit, query.include_events};
  // From the reference inclusive: just below the msgid's seq, or below every entry at the time.
  const Position from = p.is_msgid ? Position{p.at.time_ms, p.at.seq - 1} : p.at;
  Range after{from, kLast, false, query.limit, query.include_events};
  auto older = fetch(before);
  if (!older.is_ok()) return older.status();
  auto newer = fetch(after);
  if (!newer.is_ok()) return newer.status();
  const std::size_t have_older = older.value().size(), have_newer = newer.value().size();
  std::size_t take_older = std::min(have_older, query.limit / 2);
  const std::size_t take_newer = std::min(have_newer, query.limit - take_older);
  take_older = std::min(have_older, query.limit - take_newer);
  std::vector<core::HistoryEntry> out;
  out.reserve(take_older + take_newer);
  auto& o = older.value();
  std::move(o.end() - static_cast<std::ptrdiff_t>(take_older), o.end(), std::back_inserter(out));
  auto& n = newer.value();
  std::move(n.begin(), n.begin() + static_cast<std::ptrdiff_t>(take_newer), std::back_inserter(out));
  return out;
}

}  // namespace

bool is_plain_message(std::string_view command) { return command == "PRIVMSG" || command == "NOTICE"; }

Result<std::vector<core::HistoryEntry>> run_query(const HistoryQuery& query, const Resolve& resolve,
                                                  const Fetch& fetch) {
  auto from = resolve_ref(query.from, resolve);
  if (!from.is_ok()) return from.status();
  const std::optional<Point> f = from.value();
  Range range{kFirst, kLast, false, query.limit, query.include_events};
  if (query.limit == 0) return std::vector<core::HistoryEntry>{};
  switch (query.kind) {
    case HistoryQuery::Kind::kLatest:
      if (f) range.after = lower_bound_of(*f);
      range.from_newest = true;
      break;
    case HistoryQuery::Kind::kBefore:
      if (f) range.before = upper_bound_of(*f);
      range.from_newest = true;
      break;
    case HistoryQuery::Kind::kAfter:
      if (f) range.after = lower_bound_of(*f);
      break;
    case HistoryQuery::Kind::kAround:
      if (!f) {  // AROUND * : the newest entries
        range.from_newest = true;
        break;
      }
      return around(query, *f, fetch);
    case HistoryQuery::Kind::kBetween: {
      auto to = resolve_ref(query.to, resolve);
      if (!to.is_ok()) return to.status();
      const std::optional<Point> t = to.value();
      const bool forwards = !f || (t && f->at <= t->at);  // "*" as `from` reads from the newest end
      const std::optional<Point>& low = forwards ? f : t;
      const std::optional<Point>& high = forwards ? t : f;
      if (low) range.after = lower_bound_of(*low);
      if (high) range.before = upper_bound_of(*high);
      range.from_newest = !forwards || !f;
      break;
    }
  }
  if (range.before <= range.after) return std::vector<core::HistoryEntry>{};
  return fetch(range);
}

namespace {

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether `word` (a run of inside_word bytes of a text) is `lowered` (already lowercased).
bool same_word(std::string_view word, std::string_view lowered) {
  if (word.size() != lowered.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (lower_ascii(word[i]) != lowered[i]) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (const char c : text) {
    if (inside_word(c)) {
      word += lower_ascii(c);
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

// The same words as words(), compared where they lie: this runs for every entry a SEARCH looks
// at, so it allocates nothing.
bool has_all_words(std::string_view text, const std::vector<std::string>& wanted) {
  if (wanted.empty()) return true;
  std::uint64_t found = 0;  // bit i: wanted[i] seen (SEARCH has at most a few words; more are
  const std::size_t n = std::min<std::size_t>(wanted.size(), 64);  // checked one by one below)
  for (std::size_t i = 0; i < text.size();) {
    if (!inside_word(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && inside_word(text[end])) ++end;
    const std::string_view word = text.substr(i, end - i);
    for (std::size_t w = 0; w < n; ++w) {
      if (same_word(word, wanted[w])) found |= std::uint64_t{1} << w;
    }
    i = end;
  }
  if (found != (n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1)) return false;
  if (wanted.size() <= 64) return true;
  const std::vector<std::string> have = words(text);
  return std::all_of(wanted.begin() + 64, wanted.end(), [&](const std::string& w) {
    return std::find(have.begin(), have.end(), w) != have.end();
  });
}

const RetentionRule& rule_for(const RetentionPolicy& policy, std::string_view target) {
  for (const auto& [key, rule] : policy.per_target) {
    if (key == target) return rule;
  }
  return policy.all;
}

std::optional<std::pair<std::string_view, std::string_view>> conversation_accounts(std::string_view target) {
  if (target.size() < 2 || target.front() != '@') return std::nullopt;
  const std::string_view pair = target.substr(1);
  const std::size_t space = pair.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  return std::make_pair(pair.substr(0, space), pair.substr(space + 1));
}

bool is_conversation_of(std::string_view target, std::string_view account_folded) {
  const auto accounts = conversation_accounts(target);
  return accounts && !account_folded.empty() &&
         (accounts->first == account_folded || accounts->second == account_folded);
}

Result<core::RegisteredChannel> normalised(core::RegisteredChannel channel) {
  if (channel.name_folded.empty()) return Status::invalid("registered channel without a name");
  for (const auto& ban : channel.bans) {
    if (ban.list != 'b' && ban.list != 'e' && ban.list != 'I')
      return Status::invalid("channel " + channel.name + ": unknown list mode '" + std::string(1, ban.list) +
                             "'");
  }
  auto& access = channel.access;
  for (const auto& entry : access) {
    if (entry.level != 'o' && entry.level != 'v')
      return Status::invalid("channel " + channel.name + ": unknown access level '" +
                             std::string(1, entry.level) + "'");
  }
  std::sort(access.begin(), access.end(),
            [](const auto& a, const auto& b) { return a.account_folded < b.account_folded; });
  const auto twice = std::adjacent_find(access.begin(), access.end(), [](const auto& a, const auto& b) {
    return a.account_folded == b.account_folded;
  });
  if (twice != access.end())
    return Status::invalid("channel " + channel.name + " lists account " + twice->account_folded + " twice");
  return channel;
}

Status validate(const core::HistoryEntry& entry) {
  if (entry.msgid.empty()) return Status::invalid("history entry without msgid");
  if (entry.target.empty()) return Status::invalid("history entry " + entry.msgid + " without target");
  if (entry.command.empty()) return Status::invalid("history entry " + entry.msgid + " without command");
  return Status::ok();
}

}  // namespace parley::store::history
