// libFuzzer target for the CHATHISTORY parameter parser (core/history_params.h). The input is the
// parameters separated by spaces; its first byte picks the server's maximum limit. Beyond "does
// not crash", it checks:
//   - a parsed command has a limit from 1 to the maximum (any size when the maximum is 0);
//   - references have the kinds the subcommand allows (TARGETS: timestamps; only LATEST takes *);
//   - every view in the result points into the input;
//   - a failure has one of the spec's codes;
//   - a timestamp that parses prints (format_server_time) as one that parses to the same value
//     (checked up to 2262-04-01: a TimePoint counts nanoseconds in 64 bits and ends soon after).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine.h"
#include "core/history_params.h"
#include "fuzz_support.h"

namespace {

using namespace parley::core;

bool inside(std::string_view view, std::string_view whole) {
  if (view.empty()) return true;
  return view.data() >= whole.data() && view.data() + view.size() <= whole.data() + whole.size();
}

bool ref_ok(const HistoryRef& r, bool allow_latest) {
  switch (r.kind) {
    case HistoryRef::Kind::kMsgid: return !r.msgid.empty() && r.msgid.find(' ') == std::string::npos;
    case HistoryRef::Kind::kTime: return r.time_ms >= 0;
    case HistoryRef::Kind::kLatest: return allow_latest;
    default: return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t max_limit = bytes[0] % 4 == 0 ? 0 : bytes[0] * 4u;
  std::string_view text(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  std::vector<std::string_view> params;
  for (std::string_view rest = text; !rest.empty() && params.size() < 8;) {
    auto space = rest.find(' ');
    params.push_back(rest.substr(0, space));
    rest.remove_prefix(space == std::string_view::npos ? rest.size() : space + 1);
  }
  ChathistoryParse p = parse_chathistory(params, max_limit);
  if (p.command) {
    const ChathistoryCommand& c = *p.command;
    using Sub = ChathistoryCommand::Sub;
    FUZZ_CHECK(c.limit >= 1);
    if (max_limit != 0) FUZZ_CHECK(c.limit <= max_limit);
    FUZZ_CHECK(inside(c.name, text) && inside(c.target, text));
    if (c.sub == Sub::kTargets) {
      FUZZ_CHECK(c.from.kind == HistoryRef::Kind::kTime && c.to.kind == HistoryRef::Kind::kTime);
    } else {
      FUZZ_CHECK(!c.target.empty());
      FUZZ_CHECK(ref_ok(c.from, c.sub == Sub::kLatest));
      if (c.sub == Sub::kBetween) FUZZ_CHECK(ref_ok(c.to, false));
    }
  } else {
    std::string_view code = p.error.code;
    FUZZ_CHECK(code == "UNKNOWN_COMMAND" || code == "NEED_MORE_PARAMS" || code == "INVALID_PARAMS");
    FUZZ_CHECK(inside(p.error.param, text));
  }
  for (std::string_view param : params) {
    if (!param.starts_with("timestamp=")) continue;
    auto ms = parse_server_time(param.substr(10));
    constexpr std::int64_t kTimePointEnd = 9222422400000;  // 2262-04-01T00:00:00Z
    if (!ms || *ms >= kTimePointEnd) continue;
    std::string printed = format_server_time(TimePoint(std::chrono::milliseconds(*ms)));
    FUZZ_CHECK(parse_server_time(printed) == ms);
  }
  return 0;
}
