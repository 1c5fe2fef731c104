// draft/read-marker (ircv3.net): the time up to which a user has read a target, kept per account
// and target in the store (HistoryRequest kGetMarker/kSetMarker) and shared by all of the
// account's sessions; for a user not logged in, per session only (User::session_read_markers).
// MARKREAD itself is in core/commands/read_marker.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley::core {

class Engine;
struct User;

// Most targets a session not logged in keeps a marker for; the oldest set goes first.
inline constexpr std::size_t kMaxSessionReadMarkers = 256;

// Whether `u`'s markers live in the store (logged in) rather than in the session.
bool read_markers_stored(const User& u);
// The marker a session not logged in set for `folded_target` (ms since the epoch); 0: none.
std::int64_t session_read_marker(const User& u, std::string_view folded_target);
// "MARKREAD <target> timestamp=<time>", or "MARKREAD <target> *" when `ms` is 0.
void send_markread(Engine& e, User& to, std::string_view target, std::int64_t ms);

}  // namespace parley::core
