#include "core/history_params.h"

#include <array>

namespace parley::core {

namespace {

bool equal_upper(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (c != upper[i]) return false;
  }
  return true;
}

// `n` decimal digits at text[at...] into `out`; false if any is not a digit.
bool digits(std::string_view text, std::size_t at, std::size_t n, int& out) {
  if (at + n > text.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

struct Shape {
  ChathistoryCommand::Sub sub;
  std::string_view name;
  std::size_t params;  // including the subcommand
};
constexpr std::array<Shape, 6> kShapes = {{
    {ChathistoryCommand::Sub::kLatest, "LATEST", 4},
    {ChathistoryCommand::Sub::kBefore, "BEFORE", 4},
    {ChathistoryCommand::Sub::kAfter, "AFTER", 4},
    {ChathistoryCommand::Sub::kAround, "AROUND", 4},
    {ChathistoryCommand::Sub::kBetween, "BETWEEN", 5},
    {ChathistoryCommand::Sub::kTargets, "TARGETS", 4},
}};

ChathistoryParse failure(std::string_view code, std::string_view param, std::string_view description) {
  ChathistoryParse out;
  out.error = {code, param, description};
  return out;
}

}  // namespace

std::optional<std::int64_t> parse_server_time(std::string_view t) {
  // YYYY-MM-DDThh:mm:ss, then optionally '.' and 1..9 digits, then 'Z'.
  int year, month, day, hour, minute, second;
  if (t.size() < 20 || !digits(t, 0, 4, year) || t[4] != '-' || !digits(t, 5, 2, month) || t[7] != '-' ||
      !digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't') || !digits(t, 11, 2, hour) || t[13] != ':' ||
      !digits(t, 14, 2, minute) || t[16] != ':' || !digits(t, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t at = 19;
  int millis = 0;
  if (t[at] == '.') {
    std::size_t start = ++at;
    while (at < t.size() && t[at] >= '0' && t[at] <= '9') {
      if (at - start < 3) millis = millis * 10 + (t[at] - '0');
      ++at;
    }
    std::size_t n = at - start;
    if (n == 0 || n > 9) return std::nullopt;
    for (std::size_t i = n; i < 3; ++i) millis *= 10;
  }
  if (at + 1 != t.size() || (t[at] != 'Z' && t[at] != 'z')) return std::nullopt;
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }
  std::int64_t days = days_from_civil(year, month, day);
  return ((days * 24 + hour) * 60 + minute) * 60000 + second * 1000 + millis;
}

std::optional<HistoryRef> parse_history_ref(std::string_view text, bool allow_latest) {
  HistoryRef ref;
  if (text == "*") {
    if (!allow_latest) return std::nullopt;
    ref.kind = HistoryRef::Kind::kLatest;
    return ref;
  }
  auto eq = text.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  std::string_view key = text.substr(0, eq), value = text.substr(eq + 1);
  if (key == "msgid") {
    if (value.empty()) return std::nullopt;
    for (char c : value) {
      if (c == ' ' || c == '\0' || c == '\r' || c == '\n') return std::nullopt;
    }
    ref.kind = HistoryRef::Kind::kMsgid;
    ref.msgid = std::string(value);
    return ref;
  }
  if (key == "timestamp") {
    auto ms = parse_server_time(value);
    if (!ms) return std::nullopt;
    ref.kind = HistoryRef::Kind::kTime;
    ref.time_ms = *ms;
    return ref;
  }
  return std::nullopt;
}

std::optional<std::size_t> parse_history_limit(std::string_view text, std::size_t max_limit) {
  if (text.empty()) return std::nullopt;
  constexpr std::size_t kHuge = static_cast<std::size_t>(1) << 40;  // anything above is "a lot"
  std::size_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
    if (n > kHuge) n = kHuge;
  }
  if (n == 0) return std::nullopt;
  if (max_limit != 0 && n > max_limit) n = max_limit;
  return n;
}

ChathistoryParse parse_chathistory(std::span<const std::string_view> params, std::size_t max_limit) {
  if (params.empty()) return failure("NEED_MORE_PARAMS", {}, "Missing parameters");
  const Shape* shape = nullptr;
  for (const Shape& s : kShapes) {
    if (equal_upper(params[0], s.name)) shape = &s;
  }
  if (!shape) return failure("UNKNOWN_COMMAND", params[0], "Unknown command");
  if (params.size() < shape->params) return failure("NEED_MORE_PARAMS", params[0], "Missing parameters");
  ChathistoryCommand c;
  c.sub = shape->sub;
  c.name = params[0];
  using Sub = ChathistoryCommand::Sub;
  auto limit = parse_history_limit(params[shape->params - 1], max_limit);
  if (!limit) return failure("INVALID_PARAMS", params[shape->params - 1], "Invalid limit");
  c.limit = *limit;
  if (c.sub == Sub::kTargets) {
    auto from = parse_history_ref(params[1], false), to = parse_history_ref(params[2], false);
    if (!from || from->kind != HistoryRef::Kind::kTime)
      return failure("INVALID_PARAMS", params[1], "Invalid timestamp");
    if (!to || to->kind != HistoryRef::Kind::kTime)
      return failure("INVALID_PARAMS", params[2], "Invalid timestamp");
    c.from = std::move(*from);
    c.to = std::move(*to);
  } else {
    c.target = params[1];
    if (c.target.empty()) return failure("INVALID_PARAMS", params[1], "Invalid target");
    auto from = parse_history_ref(params[2], c.sub == Sub::kLatest);
    if (!from) return failure("INVALID_PARAMS", params[2], "Invalid message reference");
    c.from = std::move(*from);
    if (c.sub == Sub::kBetween) {
      auto to = parse_history_ref(params[3], false);
      if (!to) return failure("INVALID_PARAMS", params[3], "Invalid message reference");
      c.to = std::move(*to);
    }
  }
  ChathistoryParse out;
  out.command = std::move(c);
  return out;
}

}  // namespace parley::core
