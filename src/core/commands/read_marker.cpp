// MARKREAD (ircv3.net draft/read-marker): the time up to which a user has read a target.
//
//   MARKREAD <target>                       ask: the server answers MARKREAD <target> timestamp=T | *
//   MARKREAD <target> timestamp=<time>      set: a marker only moves forwards; every session of
//                                           the account with the capability is told the new
//                                           value, and a setter whose time was older is told the
//                                           stored one.
// Errors: FAIL MARKREAD NEED_MORE_PARAMS | INVALID_PARAMS | INTERNAL_ERROR. Storage and the join
// behaviour: core/read_marker.h, core/channel_replay.h.
#include "core/read_marker.h"

#include <algorithm>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/history_access.h"
#include "core/history_params.h"

namespace parley::core {

bool read_markers_stored(const User& u) { return !u.account().empty(); }

std::int64_t session_read_marker(const User& u, std::string_view folded_target) {
  for (const auto& [target, ms] : u.session_read_markers) {
    if (target == folded_target) return ms;
  }
  return 0;
}

void send_markread(Engine& e, User& to, std::string_view target, std::int64_t ms) {
  e.server_message(to, "MARKREAD", {target, ms ? "timestamp=" + history_time(ms) : std::string("*")});
}

namespace commands {

namespace {

constexpr std::string_view kCommand = "MARKREAD";

// Keeps the later of the two times for a session not logged in; returns the kept one.
std::int64_t set_session_marker(User& u, const std::string& folded, std::int64_t ms) {
  auto& markers = u.session_read_markers;
  auto it = std::find_if(markers.begin(), markers.end(), [&](const auto& m) { return m.first == folded; });
  if (it != markers.end()) return it->second = std::max(it->second, ms);
  if (markers.size() >= kMaxSessionReadMarkers) markers.erase(markers.begin());
  markers.emplace_back(folded, ms);
  return ms;
}

// The new marker to every other session of `u`'s account that negotiated the capability.
void tell_other_sessions(Engine& e, User& u, std::string_view target, std::int64_t ms) {
  const std::string account = e.fold(u.account());
  SharedLine line;  // built once, for the first session that gets it, and shared by the others
  for (const auto& [id, other] : e.users()) {
    if (other.get() == &u || other->quitting || !other->caps.has(Cap::kReadMarker)) continue;
    if (other->account().empty() || e.fold(other->account()) != account) continue;
    if (!line)
      line = proto::make_line(":" + e.config().server_name + " MARKREAD " + std::string(target) +
                              " timestamp=" + history_time(ms) + "\r\n");
    e.send_side_effect(*other, line);
  }
}

void get_marker(Engine& e, User& u, const std::string& folded, const std::string& shown) {
  if (!read_markers_stored(u)) return send_markread(e, u, shown, session_read_marker(u, folded));
  HistoryRequest r;
  r.kind = HistoryRequest::Kind::kGetMarker;
  r.account_folded = e.fold(u.account());
  r.target = folded;
  e.history_request(&u, std::move(r), [shown](Engine& e, User* u, const HistoryAnswer& a) {
    if (a.outcome != HistoryAnswer::Outcome::kOk) {
      return e.fail(*u, kCommand, "INTERNAL_ERROR", {shown, "The read marker could not be read"});
    }
    send_markread(e, *u, shown, a.marker_ms);
  });
}

void set_marker(Engine& e, User& u, const std::string& folded, const std::string& shown, std::int64_t ms) {
  if (!read_markers_stored(u)) return send_markread(e, u, shown, set_session_marker(u, folded, ms));
  HistoryRequest r;
  r.kind = HistoryRequest::Kind::kSetMarker;
  r.account_folded = e.fold(u.account());
  r.target = folded;
  r.marker_ms = ms;
  e.history_request(&u, std::move(r), [shown, ms](Engine& e, User* u, const HistoryAnswer& a) {
    if (a.outcome != HistoryAnswer::Outcome::kOk) {
      return e.fail(*u, kCommand, "INTERNAL_ERROR", {shown, "The read marker could not be saved"});
    }
    send_markread(e, *u, shown, a.marker_ms);
    // Only a marker that moved is news to the other sessions (an older time changes nothing).
    if (a.marker_ms == ms) tell_other_sessions(e, *u, shown, ms);
  });
}

}  // namespace

// MARKREAD <target> [timestamp=<YYYY-MM-DDThh:mm:ss.sssZ>]
void markread(Engine& e, User& u, const proto::Message& m) {
  if (m.size() == 0 || m.param(0).empty()) {
    return e.fail(u, kCommand, "NEED_MORE_PARAMS", {"Missing parameters"});
  }
  std::string_view target = m.param(0);
  std::string shown(proto::safe_middle_param(target.substr(0, 64)));
  if (!proto::is_channel_name(target) && !proto::is_valid_nick(target, 64)) {
    return e.fail(u, kCommand, "INVALID_PARAMS", {shown, "Invalid target"});
  }
  std::string folded = e.fold(target);
  if (m.size() < 2) return get_marker(e, u, folded, shown);
  // "*" is what the server says for no marker; a client may only set a time.
  std::string_view value = m.param(1);
  std::optional<std::int64_t> ms;
  if (value.starts_with("timestamp=")) ms = parse_server_time(value.substr(10));
  if (!ms || *ms <= 0) return e.fail(u, kCommand, "INVALID_PARAMS", {shown, "Invalid timestamp"});
  set_marker(e, u, folded, shown, *ms);
}

}  // namespace commands

}  // namespace parley::core
