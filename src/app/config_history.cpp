#include "app/config_history.h"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <set>
#include <string>

#include "core/channel_replay.h"
#include "proto/casemap.h"
#include "proto/irc_message.h"

namespace parley::app {

namespace {

constexpr std::string_view kSection = "history";
// Longest retention a duration may say: 100 years (beyond it, say 0: forever).
constexpr std::int64_t kMaxAgeMs = std::int64_t{100} * 366 * 24 * 3600 * 1000;
constexpr std::int64_t kMaxCount = 1'000'000'000;
constexpr std::size_t kMaxChannelName = 200;
// Most entries one CHATHISTORY may ask for: a batch of this many lines is about 5 MB.
constexpr std::int64_t kMaxQuery = 10'000;

// A duration key: a string such as "90d" or an integer number of seconds. Records a problem and
// returns nullopt when it is neither, or is outside [min_ms, max_ms].
std::optional<std::int64_t> duration(ConfigReader& r, const toml::table& t, std::string_view section,
                                     std::string_view key, std::int64_t min_ms, std::int64_t max_ms) {
  const toml::node* node = t.get(key);
  if (!node) return std::nullopt;
  std::optional<std::int64_t> ms;
  if (const auto* i = node->as_integer()) {
    if (i->get() >= 0 && i->get() <= max_ms / 1000) ms = i->get() * 1000;
  } else if (const auto* s = node->as_string()) {
    ms = parse_duration_ms(s->get());
  }
  const std::string name = ConfigReader::qualified(section, key);
  if (!ms) {
    r.problem(*node, fmt::format("{} must be a duration such as \"90d\", \"12h\", \"30m\", \"45s\" or "
                                 "\"250ms\" (or a number of seconds)",
                                 name));
    return std::nullopt;
  }
  if (*ms < min_ms || *ms > max_ms) {
    auto said = [](std::int64_t v) { return v % 1000 == 0 ? fmt::format("{} s", v / 1000) : fmt::format("{} ms", v); };
    r.problem(*node, fmt::format("{} must be between {} and {}", name, said(min_ms), said(max_ms)));
    return std::nullopt;
  }
  return ms;
}

// max_age and max_count of one rule ([history] or a [[history.channel]]).
void retention_rule(ConfigReader& r, const toml::table& t, std::string_view section,
                    store::RetentionRule& rule) {
  if (auto v = duration(r, t, section, "max_age", 0, kMaxAgeMs)) rule.max_age_ms = *v;
  r.set_integer(t, section, "max_count", 0, kMaxCount, rule.max_count);
}

void channels(ConfigReader& r, const toml::node& node, server::ServerOptions& options) {
  const toml::array* list = node.as_array();
  if (!list || !list->is_array_of_tables()) {
    r.problem(node, "per-channel history settings must be written as [[history.channel]] tables");
    return;
  }
  constexpr std::string_view s = "history.channel";
  std::set<std::string> seen;
  for (const toml::node& element : *list) {
    const toml::table& t = *element.as_table();
    r.reject_unknown(t, s, {"name", "max_age", "max_count"});
    auto name = r.string(t, s, "name");
    if (!t.get("name")) {
      r.problem(t, "[[history.channel]] needs a name (\"#channel\")");
      continue;
    }
    if (!name) continue;
    if (!proto::is_valid_channel_name(*name, kMaxChannelName)) {
      r.problem(*t.get("name"), fmt::format("history.channel.name \"{}\" is not a channel name", *name));
      continue;
    }
    std::string folded = proto::fold(*name, options.engine.casemapping);
    if (!seen.insert(folded).second) {
      r.problem(*t.get("name"), fmt::format("two [[history.channel]] tables name {}", *name));
      continue;
    }
    store::RetentionRule rule = options.history.retention.all;  // what it does not say, it inherits
    retention_rule(r, t, s, rule);
    options.history.retention.per_target.emplace_back(std::move(folded), rule);
  }
}

}  // namespace

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  if (text == "0") return 0;
  if (text.size() < 2) return std::nullopt;
  if (text.ends_with("ms")) {  // milliseconds
    std::int64_t n = 0;
    const char* end = text.data() + text.size() - 2;
    auto [at, ec] = std::from_chars(text.data(), end, n);
    if (ec != std::errc() || at != end || n < 0) return std::nullopt;
    return n;
  }
  std::int64_t n = 0;
  const char* end = text.data() + text.size() - 1;
  auto [at, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || at != end || n < 0) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1000; break;
    case 'm': unit = 60 * 1000; break;
    case 'h': unit = 3600 * 1000; break;
    case 'd': unit = 24 * 3600 * 1000; break;
    case 'w': unit = 7 * 24 * 3600 * 1000; break;
    default: return std::nullopt;
  }
  if (n > std::numeric_limits<std::int64_t>::max() / unit) return std::nullopt;
  return n * unit;
}

void load_history_config(ConfigReader& r, const toml::table& t, server::ServerOptions& options) {
  r.reject_unknown(
      t, kSection,
      {"enabled", "max_query", "public_channels", "max_age", "max_count", "queue", "expire_interval",
       "commit_interval", "max_commit_interval", "replay_max_lines", "channel"});
  auto& policy = options.engine.history;
  if (auto v = r.boolean(t, kSection, "enabled")) policy.enabled = *v;
  r.set_integer(t, kSection, "max_query", 1, kMaxQuery, policy.max_query);
  if (auto v = r.boolean(t, kSection, "public_channels")) policy.public_channels = *v;
  auto& h = options.history;
  retention_rule(r, t, kSection, h.retention.all);
  r.set_integer(t, kSection, "queue", 1, 10'000'000, policy.max_backlog);
  r.set_integer(t, kSection, "replay_max_lines", 1, core::kReplayLinesCeiling, policy.replay_max_lines);
  if (auto v = duration(r, t, kSection, "expire_interval", 1000, std::int64_t{24} * 3600 * 1000))
    h.expire_interval = std::chrono::milliseconds(*v);
  if (auto v = duration(r, t, kSection, "commit_interval", 0, 1000)) h.commit_interval = std::chrono::milliseconds(*v);
  if (auto v = duration(r, t, kSection, "max_commit_interval", 0, 1000)) {
    if (*v != 0 && *v < h.commit_interval.count()) {
      r.problem(
          *t.get("max_commit_interval"),
          fmt::format("history.max_commit_interval ({} ms) must be at least history.commit_interval ({} ms), "
                      "or 0 to keep the commit interval fixed",
                      *v, h.commit_interval.count()));
    } else {
      h.max_commit_interval = std::chrono::milliseconds(*v);
    }
  }
  if (const toml::node* list = t.get("channel")) channels(r, *list, options);
}

}  // namespace parley::app
