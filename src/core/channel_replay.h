// What a joining user gets after the JOIN, topic and before the next command: the channel's read
// marker (draft/read-marker), NAMES, metadata, and the +H history replay. The join code makes
// one call, finish_join(); the parameter of +H is parsed here too (pure).
//
// +H <lines>:<period> (InspIRCd's m_chanhistory syntax, docs/protocol.md "Channel history
// replay"): a client that joins without draft/chathistory (it can fetch history itself) is sent
// up to <lines> of the channel's latest PRIVMSG and NOTICE no older than <period>, with the tags
// its caps allow (server-time, msgid, account), inside a chathistory batch when it has batch.
// The lines come from the store, so they arrive after the join burst, once the store answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::core {

class Channel;
class Engine;
struct User;

// Most lines a +H parameter may name at all; what a local MODE may set is
// HistoryPolicy::replay_max_lines (50 by default, InspIRCd's default <chanhistory maxlines>).
inline constexpr std::size_t kReplayLinesCeiling = 1000;
// Most characters of the period (InspIRCd's limit): "1w2d3h4m5s" fits.
inline constexpr std::size_t kMaxReplayPeriodChars = 10;

struct HistoryModeParam {
  std::size_t lines = 0;      // 1..max_lines
  std::int64_t period_s = 0;  // 0: no age limit
  std::string canonical;      // "<lines>:<period>", as MODE shows it
};

// "<lines>:<period>": lines a decimal number from 1 to `max_lines`; period a number of seconds
// or a sum of <number><unit> with units s, m, h, d, w, y ("1d12h"). nullopt otherwise. A local
// MODE passes HistoryPolicy::replay_max_lines; a mode from a link or the store the ceiling.
std::optional<HistoryModeParam> parse_history_mode(std::string_view text,
                                                   std::size_t max_lines = kReplayLinesCeiling);

// Sends `u`, who has just joined `c` (JOIN and topic sent), the rest of the join burst: MARKREAD
// (read-marker clients: from the session, or for a logged-in user from the store, in which case
// what follows waits for the answer), NAMES unless no-implicit-names, the metadata of
// send_join_metadata(), and asks the store for the +H replay.
void finish_join(Engine& e, User& u, Channel& c);

}  // namespace parley::core
