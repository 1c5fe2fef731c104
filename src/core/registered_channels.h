// Registered channels (ChanServ, docs/protocol.md "ChanServ"): the registrations the engine
// knows, how a Channel's state is captured for the store and put back from it, the hooks JOIN,
// TOPIC and MODE call, and the ChanServ pseudo-user. The commands are core/commands/chanserv.cpp.
//
// A registered channel's Channel object outlives its members (Engine::discard_if_empty keeps
// it): its topic, modes and lists stay as they were, and whoever joins it next meets its bans,
// key, limit and +i, and gets no operator status for being first; status comes from the access
// list (the founder +o, AMODE entries +o or +v).
//
// Saving: every TOPIC or MODE that changes what the store holds for a registered channel submits
// one kSaveChannel at once (registered_channel_changed). Such changes are rare (people type
// them, flood control bounds them), a save is one small row write that the storage thread folds
// into its group commit, and saving at once means a restart (even kill -9) restores the state
// clients last saw. A debounce would need a timer and could lose the last change.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "core/history.h"

namespace parley::core {

class Channel;
class Engine;
struct User;

// Registrations by folded channel name, as last submitted to the store. Owned by the Engine.
class ChannelRegistry {
 public:
  RegisteredChannel* find(std::string_view folded);
  const RegisteredChannel* find(std::string_view folded) const;
  // Inserts or replaces the registration with r.name_folded.
  RegisteredChannel& put(RegisteredChannel r);
  void erase(std::string_view folded) { by_name_.erase(std::string(folded)); }
  std::size_t size() const { return by_name_.size(); }

 private:
  std::unordered_map<std::string, RegisteredChannel> by_name_;
};

// The record to store for `c`: `base`'s registration (name, founder, access list, registered_at)
// with `c`'s creation time, topic, simple modes (with key and limit) and +b/+e/+I lists.
RegisteredChannel capture_channel(const Channel& c, const RegisteredChannel& base);
// Puts `r`'s creation time, topic, simple modes and lists on `c` (unknown mode letters and
// malformed values are skipped: the store may hold what an older version wrote).
void restore_channel_state(Channel& c, const RegisteredChannel& r);
// The status an account gets in `r` on join: 'o' (the founder, +o entries), 'v', or 0.
char access_level(const RegisteredChannel& r, std::string_view account_folded);

// JOIN hook (Engine::join_channel, after the JOIN went out, before topic and names), also run
// by log_in (core/login.cpp) for each channel `u` is in: in a registered channel, gives `u` the
// status its account has, announced by a MODE from ChanServ.
void registered_channel_join(Engine& e, User& u, Channel& c);
// TOPIC and MODE hook, after `c` changed: when `c` is registered and differs from what was last
// saved, saves it again (a fire-and-forget kSaveChannel).
void registered_channel_changed(Engine& e, Channel& c);
// Gives or takes `target`'s +o or +v (`mode`) in `c` and announces it to the channel as a MODE
// from ChanServ. False when nothing changed (`target` had it already, or is not a member).
bool chanserv_set_status(Engine& e, Channel& c, User& target, char mode, bool plus);

// The ChanServ pseudo-user: its nick (reserved) and the prefix its notices and modes come from.
inline constexpr std::string_view kChanServ = "ChanServ";
std::string chanserv_prefix(const Engine& e);
bool is_chanserv(const Engine& e, std::string_view nick);
// A NOTICE from ChanServ to `u`.
void chanserv_notice(Engine& e, User& u, std::string_view text);

}  // namespace parley::core
