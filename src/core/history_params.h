// Parameters of CHATHISTORY (ircv3.net draft/chathistory), parsed by pure functions (no engine,
// no clock). Fuzzed by fuzz/chathistory_fuzz.cpp.
//
//   CHATHISTORY LATEST  <target> <* | timestamp=T | msgid=M> <limit>
//   CHATHISTORY BEFORE  <target> <timestamp=T | msgid=M> <limit>      (AFTER and AROUND alike)
//   CHATHISTORY BETWEEN <target> <timestamp=T | msgid=M> <timestamp=T | msgid=M> <limit>
//   CHATHISTORY TARGETS <timestamp=T> <timestamp=T> <limit>
//
// T is YYYY-MM-DDThh:mm:ss[.fraction]Z (UTC; the fraction has 1 to 9 digits, milliseconds are
// kept). <limit> is a decimal number from 1: a larger one than the server's maximum is lowered
// to it (draft/chathistory lets a server return fewer); 0, a sign or anything not a number is
// INVALID_PARAMS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/history.h"

namespace parley::core {

struct ChathistoryCommand {
  enum class Sub : std::uint8_t { kLatest, kBefore, kAfter, kAround, kBetween, kTargets };
  Sub sub = Sub::kLatest;
  std::string_view name;    // the subcommand as the client wrote it
  std::string_view target;  // empty for TARGETS
  HistoryRef from;          // TARGETS: kTime
  HistoryRef to;            // BETWEEN and TARGETS
  std::size_t limit = 0;    // 1..max (max 0: no maximum)
};

// A parse failure: the FAIL CHATHISTORY code (UNKNOWN_COMMAND, NEED_MORE_PARAMS, INVALID_PARAMS)
// and the offending parameter (a view into the input; empty when none applies).
struct ChathistoryError {
  std::string_view code;
  std::string_view param;
  std::string_view description;
};

struct ChathistoryParse {
  std::optional<ChathistoryCommand> command;
  ChathistoryError error;  // when !command
};

// `params`: CHATHISTORY's parameters (the subcommand first). `max_limit`: ISUPPORT CHATHISTORY.
// Subcommand names are case-insensitive. The views in the result point into `params`.
ChathistoryParse parse_chathistory(std::span<const std::string_view> params, std::size_t max_limit);

// "timestamp=..." / "msgid=..." (and "*" when `allow_latest`); nullopt when malformed.
std::optional<HistoryRef> parse_history_ref(std::string_view text, bool allow_latest);
// A server-time timestamp (without "timestamp="), as milliseconds since the Unix epoch, or
// nullopt: malformed, or a date that does not exist (2026-02-30), or outside years 1970..9999.
std::optional<std::int64_t> parse_server_time(std::string_view text);
// <limit>, clamped to `max_limit` (0: no maximum); nullopt when not a number from 1.
std::optional<std::size_t> parse_history_limit(std::string_view text, std::size_t max_limit);

}  // namespace parley::core
