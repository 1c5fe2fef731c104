// The history semantics every Store shares (core/history.h states them), as small pure functions:
// the order of entries, how a CHATHISTORY query becomes one or two range reads, which entries a
// client without draft/event-playback sees, the words of a SEARCH, and which retention rule
// applies to a target. MemoryStore and SqliteStore both build on these, so the two cannot drift.
//
// Order: entries of a target are ordered by (time_ms, seq), where seq is the store's append
// sequence (SqliteStore: the rowid), so entries with equal times keep their append order.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/history.h"
#include "store/store.h"

namespace parley::store::history {

// Where an entry sits in its target's history. seq is never 0 or negative for a stored entry, so
// {t, 0} sorts before every entry at time t and {t, kMaxSeq} after all of them.
struct Position {
  std::int64_t time_ms = 0;
  std::int64_t seq = 0;
  friend auto operator<=>(const Position&, const Position&) = default;
};
inline constexpr std::int64_t kMaxSeq = std::numeric_limits<std::int64_t>::max();
inline constexpr Position kFirst{std::numeric_limits<std::int64_t>::min(), 0};
inline constexpr Position kLast{std::numeric_limits<std::int64_t>::max(), kMaxSeq};

// One range read: the entries strictly between `after` and `before`, the `limit` nearest to
// `after` (from_newest false) or to `before` (from_newest true). Returned oldest first.
struct Range {
  Position after = kFirst;
  Position before = kLast;
  bool from_newest = false;
  std::size_t limit = 0;
  bool include_events = false;
};

// Whether a client without draft/event-playback sees this command in history: PRIVMSG and NOTICE
// only (TAGMSG and the channel events need event-playback, as that spec and irctest say).
bool is_plain_message(std::string_view command);
// SEARCH with words picks the `limit` most recently appended matches (the search index yields its
// matches in append order, so a common word does not cost one read per match) and returns them
// newest first by (time_ms, seq); without words it picks the newest by (time_ms, seq). The two
// agree whenever times grow with appends, which they do unless the server's clock steps back.
// Whether `command` is one SEARCH looks at (PRIVMSG and NOTICE: the commands with text).
inline bool is_searchable(std::string_view command) { return is_plain_message(command); }

// The position of an msgid in the query's target; nullopt when it is not there (or not stored).
using Resolve = std::function<Result<std::optional<Position>>(std::string_view msgid)>;
// Runs one range read on the store (oldest first).
using Fetch = std::function<Result<std::vector<core::HistoryEntry>>(const Range&)>;

// Runs `query` with the store's two primitives: resolves its references, maps each kind onto
// one range read (AROUND: two), and joins the results. kNotFound for an unknown msgid.
Result<std::vector<core::HistoryEntry>> run_query(const core::HistoryQuery& query, const Resolve& resolve,
                                                  const Fetch& fetch);

// The words of a SEARCH text or of a stored text: maximal runs of inside_word() bytes (ASCII
// letters and digits, and bytes >= 0x80, so UTF-8 letters stay inside words), ASCII letters
// lowercased (what SQLite FTS5's "ascii" tokenizer makes of a text). MemoryStore and SqliteStore's
// search index (store/search_index.h) both go by them, so they find the same messages.
inline bool inside_word(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
}
std::vector<std::string> words(std::string_view text);
// Whether every one of `wanted` (words()) is a word of `text`; true when none is wanted.
bool has_all_words(std::string_view text, const std::vector<std::string>& wanted);

// The rule that governs `target`: its per-target rule if the policy has one, else `all`.
const RetentionRule& rule_for(const RetentionPolicy& policy, std::string_view target);
// Whether a rule deletes anything at all.
inline bool keeps_everything(const RetentionRule& rule) {
  return rule.max_age_ms == 0 && rule.max_count == 0;
}

// The two accounts of a private conversation's key (core::dm_key); nullopt for any other target.
std::optional<std::pair<std::string_view, std::string_view>> conversation_accounts(std::string_view target);
// Whether `target` is a private conversation (a dm_key) that `account_folded` is part of.
bool is_conversation_of(std::string_view target, std::string_view account_folded);

// The channel as every Store keeps it: its access list sorted by account. kInvalid when it has no
// name_folded, lists an account twice, or has a ban list other than b/e/I or a level other than o/v.
Result<core::RegisteredChannel> normalised(core::RegisteredChannel channel);

// Why an entry cannot be stored (an empty msgid or target, an unknown command); ok() if it can.
Status validate(const core::HistoryEntry& entry);

}  // namespace parley::store::history
