// LIST, with the search extensions of ISUPPORT ELIST=CMNTU (modern.ircdocs.horse "ELIST").
#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

// One bound "less than n" or "more than n" (n in users or in minutes).
struct Bound {
  std::optional<std::int64_t> below, above;
  bool holds(std::int64_t v) const { return (!below || v < *below) && (!above || v > *above); }
};

// What a LIST parameter asks for. Each comma-separated item is a channel name, a mask (M), a
// "!mask" (N), "<n"/">n" users (U), "C<n"/"C>n" minutes since creation (C) or "T<n"/"T>n"
// minutes since the topic was set (T). Every condition given must hold.
struct ListQuery {
  std::vector<std::string_view> names, masks, not_masks;
  Bound users, created_minutes, topic_minutes;
  bool topic_filter = false;
};

// Parses "<n" or ">n" into `b`; false when the number is not a non-negative integer.
bool parse_bound(std::string_view item, Bound& b) {
  std::int64_t n = 0;
  std::string_view digits = item.substr(1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size() || n < 0) return false;
  (item.front() == '<' ? b.below : b.above) = n;
  return true;
}

// The query, or the first item that is not understood.
std::optional<ListQuery> parse_query(std::string_view param, std::string_view& bad) {
  ListQuery q;
  for (std::string_view item : split_list(param)) {
    bool ok = true;
    if (item.front() == '<' || item.front() == '>') {
      ok = parse_bound(item, q.users);
    } else if (item.size() > 1 && (item[0] == 'C' || item[0] == 'T') && (item[1] == '<' || item[1] == '>')) {
      q.topic_filter |= item[0] == 'T';
      ok = parse_bound(item.substr(1), item[0] == 'C' ? q.created_minutes : q.topic_minutes);
    } else if (item.front() == '!') {
      q.not_masks.push_back(item.substr(1));
    } else if (item.find_first_of("*?") != std::string_view::npos) {
      q.masks.push_back(item);
    } else {
      q.names.push_back(item);
    }
    if (!ok) {
      bad = item;
      return std::nullopt;
    }
  }
  return q;
}

bool matches(Engine& e, const ListQuery& q, const Channel& c) {
  auto cm = e.casemapping();
  auto match = [&](std::string_view mask) { return proto::match_mask(mask, c.name, cm); };
  if (!q.masks.empty() && std::none_of(q.masks.begin(), q.masks.end(), match)) return false;
  if (std::any_of(q.not_masks.begin(), q.not_masks.end(), match)) return false;
  if (!q.users.holds(static_cast<std::int64_t>(c.members.size()))) return false;
  // Minutes are compared exactly: "C>2" is "created more than two minutes ago".
  auto age = e.now() - c.created;
  auto in_minutes = [](const Bound& b, auto d) {
    using std::chrono::minutes;
    return (!b.below || d < minutes(*b.below)) && (!b.above || d > minutes(*b.above));
  };
  if (!in_minutes(q.created_minutes, age)) return false;
  if (q.topic_filter && (c.topic.empty() || !in_minutes(q.topic_minutes, e.now() - c.topic_set_at)))
    return false;
  return true;
}

}  // namespace

// LIST [<channel>|<elist condition>{,...}]
void list(Engine& e, User& u, const proto::Message& m) {
  std::string_view bad;
  auto query = parse_query(m.size() > 0 ? m.param(0) : std::string_view{}, bad);
  if (!query) {
    e.fail(u, "LIST", "INVALID_PARAMS",
           {bad.substr(0, 64), "Invalid LIST condition (ELIST: C<n C>n T<n T>n <n >n !mask mask)"});
    e.reply(u, RPL_LISTEND, {"End of /LIST"});
    return;
  }
  std::vector<Channel*> chosen;
  if (!query->names.empty()) {
    for (std::string_view name : query->names) {
      if (Channel* c = e.find_channel(name)) chosen.push_back(c);
    }
  } else {
    for (auto& [key, c] : e.channels()) chosen.push_back(c.get());
    std::sort(chosen.begin(), chosen.end(), [](Channel* a, Channel* b) { return a->folded < b->folded; });
  }
  e.reply(u, RPL_LISTSTART, {"Channel", "Users  Name"});
  std::size_t shown = 0;
  for (Channel* c : chosen) {
    if (shown >= e.limits().list_max) break;
    if ((c->secret || c->private_) && !c->has(u) && !u.is_oper()) continue;
    if (!matches(e, *query, *c)) continue;
    e.reply(u, RPL_LIST,
            {c->name, std::to_string(c->members.size()), "[" + c->mode_string(false) + "] " + c->topic});
    ++shown;
  }
  e.reply(u, RPL_LISTEND, {"End of /LIST"});
}

}  // namespace parley::core::commands
