// SEARCH (soju.im/search): finding stored PRIVMSG and NOTICE messages by target, sender, time and
// words. Attributes are parsed by core/search_params.h; the store does the matching (a word index,
// store/store.h search_history); who may read what is CHATHISTORY's rule (core/history_access.h).
//
// Without in=, the search covers every target the asker may read: the channels it is in (and,
// with history.public_channels, every channel without +s that exists now), and, when it is logged
// in, its accounts' private conversations (found with a TARGETS request first; the newest
// kMaxConversations of them). The in-memory conversations of users who are not logged in are
// searched only with in=nick.
//
// Results: the newest `limit` matches, sent oldest first (the spec's ascending order) in a
// soju.im/search batch (bare lines without batch), rebuilt for the asker as CHATHISTORY does.
#include <limits>
#include <vector>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/history_access.h"
#include "core/numerics.h"
#include "core/search_params.h"

namespace parley::core::commands {

namespace {

constexpr std::string_view kCommand = "SEARCH";
constexpr std::string_view kBatchType = "soju.im/search";
// How many of an account's private conversations a SEARCH without in= looks at (the most
// recently active ones): bounds the target list the store receives.
constexpr std::size_t kMaxConversations = 1000;

// The spec's after/before are inclusive; SearchQuery's bounds are exclusive milliseconds.
SearchQuery query_for(Engine& e, const SearchAttributes& a) {
  SearchQuery q;
  if (!a.from.empty()) q.from_folded = e.fold(a.from);
  if (a.after_ms) q.after_ms = *a.after_ms - 1;
  if (a.before_ms) q.before_ms = *a.before_ms + 1;
  q.text = a.text;
  q.limit = a.limit;
  return q;
}

void answer(Engine& e, User& u, const HistoryAnswer& a) {
  if (a.outcome != HistoryAnswer::Outcome::kOk) {
    return e.fail(u, kCommand, "INTERNAL_ERROR", {"The search could not be run"});
  }
  std::string ref = u.caps.has(Cap::kBatch) ? e.new_batch_ref() : std::string();
  std::string body;
  // The store answers newest first; the spec asks for ascending time order.
  for (auto it = a.entries.rbegin(); it != a.entries.rend(); ++it) replay_entry(e, body, u, *it, ref);
  send_history_batch(e, u, ref, kBatchType, {}, std::move(body));
}

void submit(Engine& e, User& u, SearchQuery q, bool durable) {
  HistoryRequest r;
  r.kind = HistoryRequest::Kind::kSearch;
  r.durable = durable;
  r.search = std::move(q);
  e.history_request(&u, std::move(r), [](Engine& e, User* u, const HistoryAnswer& a) { answer(e, *u, a); });
}

// The channels `u` may search without in=.
std::vector<std::string> readable_channels(Engine& e, const User& u) {
  std::vector<std::string> out;
  for (const Channel* c : u.channels) out.push_back(c->folded);
  if (e.config().history.public_channels) {
    for (const auto& [folded, c] : e.channels()) {
      if (!c->secret && !c->has(u)) out.push_back(c->folded);
    }
  }
  return out;
}

// Every readable target: the channels now, then (logged in) the account's conversations, which
// only the store knows.
void search_everywhere(Engine& e, User& u, SearchQuery q) {
  q.targets = readable_channels(e, u);
  if (u.account().empty()) return submit(e, u, std::move(q), true);
  HistoryRequest r;
  r.kind = HistoryRequest::Kind::kTargets;
  r.targets.account_folded = e.fold(u.account());
  r.targets.from_ms = 0;
  r.targets.to_ms = std::numeric_limits<std::int64_t>::max();
  r.targets.limit = kMaxConversations;
  e.history_request(&u, std::move(r), [q = std::move(q)](Engine& e, User* u, const HistoryAnswer& a) mutable {
    if (a.outcome != HistoryAnswer::Outcome::kOk) {
      return e.fail(*u, kCommand, "INTERNAL_ERROR", {"The search could not be run"});
    }
    for (const TargetActivity& t : a.activity) {
      if (!t.target.empty() && t.target.front() == '@') q.targets.push_back(t.target);
    }
    submit(e, *u, std::move(q), true);
  });
}

}  // namespace

// SEARCH <attributes>: see core/search_params.h.
void search(Engine& e, User& u, const proto::Message& m) {
  if (!e.config().history.enabled) {
    return e.reply(u, numeric::ERR_UNKNOWNCOMMAND, {m.command.substr(0, 32), "Unknown command"});
  }
  // The spec: the capability MUST be negotiated before SEARCH is used.
  if (!u.caps.has(Cap::kSearch)) {
    return e.fail(u, kCommand, "NEED_CAPABILITY",
                  {kBatchType, "The soju.im/search capability is not enabled"});
  }
  if (m.size() == 0) return e.fail(u, kCommand, "NEED_MORE_PARAMS", {"Missing parameters"});
  SearchParse parsed = parse_search(m.param(0), e.config().history.max_query);
  if (!parsed.attributes) {
    std::string key(proto::safe_middle_param(parsed.error.key.substr(0, 32)));
    return e.fail(u, kCommand, "INVALID_PARAMS", {key, parsed.error.description});
  }
  const SearchAttributes& a = *parsed.attributes;
  SearchQuery q = query_for(e, a);
  if (a.in.empty()) return search_everywhere(e, u, std::move(q));
  std::optional<ReadableTarget> target = readable_target(e, u, a.in);
  if (!target) return e.fail(u, kCommand, "INVALID_PARAMS", {"in", "Messages could not be retrieved"});
  q.targets.push_back(std::move(target->key));
  submit(e, u, std::move(q), target->durable);
}

}  // namespace parley::core::commands
