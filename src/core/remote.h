// Changes made on other servers, applied to this one (core/network.h, src/link/).
//
// Each function applies a change that a linked server reported, the way the engine applies the
// same change made by a local user: local users who can see it are told (with the tags their
// capabilities ask for) and history records it. None checks permissions — the origin server did
// — and none tells the NetworkObserver: the link layer relays the line it received itself.
// Collision and channel-timestamp rules are pure functions here too, so they are tested alone.
//
// Thread: the engine's.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace parley::core {

class Channel;
class Engine;
struct User;

namespace remote {

// ---- rules (pure) --------------------------------------------------------------------------

// Nick collision (InspIRCd's nickcollide.cpp, after TS6): equal timestamps, both lose; the same
// user@ip, the older one loses (it is a ghost of the newer); different user@ip, the newer loses.
// A loser is renamed to its UID ("SAVE"); nobody is killed.
enum class CollisionLoser : std::uint8_t { kOurs, kTheirs, kBoth };
struct CollisionSide {
  std::int64_t nick_ts = 0;
  std::string_view username, ip;
};
CollisionLoser nick_collision(const CollisionSide& ours, const CollisionSide& theirs);

// Channel timestamps when a link brings a channel we have too: the lower timestamp wins and the
// side with the higher one drops its modes and statuses; equal timestamps merge both.
enum class ChannelTs : std::uint8_t { kTheirsWin, kMerge, kOursWin };
ChannelTs compare_channel_ts(std::int64_t ours, std::int64_t theirs);

// A channel's timestamp as links carry it: Unix seconds of its creation.
std::int64_t channel_ts(const Channel& c);

// ---- applying changes ----------------------------------------------------------------------

// Renames `u` (local or remote) to `nick` with nick timestamp `ts`; users sharing a channel with
// it see NICK. `nick` must be free (or `u`'s own in another case).
void nick(Engine& e, User& u, std::string_view nick, std::int64_t ts);

// Makes `u` a member of channel `name` with `flags` (kOp/kVoice), creating it with timestamp
// `ts` when it does not exist. Local members see JOIN (and MODE for the flags). Returns it.
Channel& join(Engine& e, User& u, std::string_view name, std::int64_t ts, std::uint8_t flags,
              std::uint64_t membership_id = 0);
void part(Engine& e, User& u, Channel& c, std::string_view reason);
// `source`: the kicker's prefix (or a server name).
void kick(Engine& e, std::string_view source, const User* by, Channel& c, User& victim,
          std::string_view reason);

// Mode changes from a linked server: `modes` with `params`, members named by UID. Applied
// without permission checks; changes that change nothing, unknown modes and unknown members are
// skipped. Local members see one MODE line from `source` with members by nick. Returns whether
// anything changed.
bool channel_modes(Engine& e, std::string_view source, const User* by, Channel& c, std::string_view modes,
                   std::span<const std::string_view> params);
// Drops every mode, list entry and member status of `c` (it lost a timestamp comparison);
// local members see the MODE lines that undo them, from `server_name`.
void drop_channel_modes(Engine& e, std::string_view server_name, Channel& c);

// `by` (null: a server named `source`) set `c`'s topic; `setter` and `set_at` as the origin says.
void topic(Engine& e, std::string_view source, const User* by, Channel& c, std::string_view text,
           std::string_view setter, TimePoint set_at);

// A PRIVMSG/NOTICE/TAGMSG from `from` to channel `c` (`status`: "@", "+" or "") or to the local
// user `to`, carrying the origin's msgid, time and client tags. Delivered to local recipients
// and recorded in history.
struct RemoteMessage {
  std::string_view command, text, msgid, client_tags;
  TimePoint time;
};
void channel_message(Engine& e, User& from, Channel& c, std::string_view status, const RemoteMessage& m);
void private_message(Engine& e, User& from, User& to, const RemoteMessage& m);

void away(Engine& e, User& u, std::string_view text);
void account(Engine& e, User& u, std::string_view account);  // empty: logged out
void host(Engine& e, User& u, std::string_view host);
void realname(Engine& e, User& u, std::string_view realname);

}  // namespace remote
}  // namespace parley::core
