// One channel: its members with their prefixes, modes, topic, bans and invitations.
// Owned by the Engine. Members point at Users owned by the Engine; a User is removed from every
// channel before it is destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/metadata.h"
#include "core/recent_messages.h"
#include "core/types.h"
#include "proto/casemap.h"

namespace parley::core {

struct User;

enum MemberFlag : std::uint8_t {
  kOp = 1 << 0,     // @
  kVoice = 1 << 1,  // +
};

// One entry of a list mode (+b, +e, +I): a nick!user@host glob, or an extended ban (ISUPPORT
// EXTBAN=,am; docs/protocol.md "Extended bans"), stored in canonical form:
//   a:<glob>  users logged in to an account matching <glob> ("a:*": anyone logged in)
//   m:<mask>  the mute: in +b the user may join but not speak; in +e it lifts such a mute.
//             <mask> is a host glob or an a: extban.
// "$a", "$a:<glob>" and "$m:<mask>" are accepted on input and stored as above.
struct Ban {
  std::string mask;
  std::string set_by;
  TimePoint set_at;
};

class Channel {
 public:
  Channel(std::string name, std::string folded, TimePoint created)
      : name(std::move(name)), folded(std::move(folded)), created(created) {}

  std::string name;
  std::string folded;
  TimePoint created;

  std::string topic;
  std::string topic_set_by;
  TimePoint topic_set_at{};

  bool invite_only = false;     // +i
  bool moderated = false;       // +m
  bool no_ctcp = false;         // +C: no CTCP but ACTION
  bool no_external = true;      // +n
  bool topic_protected = true;  // +t
  bool secret = false;          // +s
  bool private_ = false;        // +p: like +s in LIST and WHOIS; shown with '*' in NAMES
  std::string key;              // +k, empty when unset
  std::size_t user_limit = 0;   // +l, 0 when unset
  // +H <lines>:<period> (core/channel_replay.h): replay up to `history_lines` messages no older
  // than `history_period` to joining clients without draft/chathistory. 0 lines: unset; the
  // parameter as MODE shows it is kept in `history_param`.
  std::size_t history_lines = 0;
  std::int64_t history_period_s = 0;  // 0: no age limit
  std::string history_param;

  std::vector<Ban> bans;     // +b
  std::vector<Ban> excepts;  // +e, ban exceptions
  std::vector<Ban> invexes;  // +I, invite-only exceptions
  std::unordered_set<SessionId> invited;
  std::unordered_map<User*, std::uint8_t> members;
  std::size_t remote_members = 0;  // members on other servers (core/network.h)
  // This server's members, kept apart only while the channel also has remote ones, so that
  // telling local members costs what they cost, however many remote users the channel has (a
  // burst or a split of 20,000 users otherwise walks the whole channel per user). Maintained by
  // the Engine's join and leave; empty while remote_members is 0.
  std::unordered_set<User*> local_members;
  // Calls f(member, flags) for every member of this server.
  template <class F>
  void for_each_local(F&& f) {
    if (remote_members == 0) {
      for (auto& [member, flags] : members) f(*member, flags);
    } else {
      for (User* member : local_members) f(*member, members.find(member)->second);
    }
  }
  // The membership id (spanning-tree 1205) of each remote member, as its server numbered it:
  // KICK names it, so that a kick meant for an earlier membership misses a rejoined user.
  std::unordered_map<const User*, std::uint64_t> membership_ids;
  MetadataMap metadata;                    // draft/metadata-3, set by channel operators
  std::unique_ptr<RecentMessages> recent;  // latest messages, for REDACT; made on the first one

  bool has(const User& u) const { return members.count(const_cast<User*>(&u)) != 0; }
  std::uint8_t flags(const User& u) const {
    auto it = members.find(const_cast<User*>(&u));
    return it == members.end() ? 0 : it->second;
  }
  bool is_op(const User& u) const { return flags(u) & kOp; }
  bool can_speak(const User& u) const { return !moderated || (flags(u) & (kOp | kVoice)); }

  // "+nt" style, with key and limit values when `with_values` (only members see the key).
  std::string mode_string(bool with_values) const;
  // +b (other than mutes) matches and no +e does.
  bool is_banned(const User& u, proto::Casemapping cm) const;
  // A "+b m:" mute matches and no "+e m:" exception does. Voice and op are checked by callers.
  bool is_muted(const User& u, proto::Casemapping cm) const;
  // An +I entry matches: the user may join despite +i.
  bool is_invite_excepted(const User& u, proto::Casemapping cm) const;
  // Entries in +b, +e and +I together, the count ISUPPORT MAXLIST bounds.
  std::size_t list_entries() const { return bans.size() + excepts.size() + invexes.size(); }
};

// Whether the list mask `mask` (canonical, as stored in a Ban; mutes without their "m:") matches
// `u`: an a: extban against the account; a host glob against nick!user@host for the displayed
// host, the real IP and the cloak, so neither an account host nor CHGHOST escapes a ban.
bool ban_mask_matches(std::string_view mask, const User& u, proto::Casemapping cm);

// The canonical form of a list-mode mask given by a user (see Ban), without length limits.
std::string normalize_ban_mask(std::string_view raw);

// "@+" for multi-prefix, or the highest prefix only.
std::string prefix_string(std::uint8_t flags, bool multi_prefix);

}  // namespace parley::core
