// Sending stored history back to a client: who may read a target, and each stored entry rebuilt
// for one viewer. Shared by everything that replays history: CHATHISTORY
// (core/commands/chathistory.cpp), the +H replay on join (core/channel_replay.h) and
// znc.in/playback (core/commands/playback.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/history.h"

namespace parley::core {

class Engine;
struct User;

// What a target means for `u`: its storage key, the name replies show, and where it is kept (the
// in-memory private history of users not logged in is not durable).
struct ReadableTarget {
  std::string key;
  std::string shown;
  bool durable = true;
};

// A channel `u` may read (docs/protocol.md "CHATHISTORY" says who), or a nick's conversation
// with `u`; nullopt when `u` may not read it or the name is not valid.
std::optional<ReadableTarget> readable_target(Engine& e, const User& u, std::string_view target);

// Whether `viewer` gets `entry` back (draft/chathistory: without event-playback, only PRIVMSG
// and NOTICE; a TAGMSG is all tags, so it also needs message-tags).
bool replay_shown_to(const User& viewer, const HistoryEntry& entry);

// A stored time (ms since the epoch) as a server-time value: 2026-11-21T20:30:00.123Z.
std::string history_time(std::int64_t ms);

// Appends `entry` to `out` as `viewer` receives it: server-time, msgid (message-tags), account
// (account-tag) and client tags as its caps allow, "batch=<batch>" when `batch` is not empty. A
// PRIVMSG/NOTICE is rebuilt from its target and text, one line per line of a multiline message;
// other commands from their stored parameters.
void replay_entry(std::string& out, const User& viewer, const HistoryEntry& entry, std::string_view batch);

// Sends `body` (lines built with `ref` as their batch) to `u` inside "BATCH +ref <type> [<arg>]"
// ... "BATCH -ref" when `ref` is not empty; else the lines as they are (nothing when empty).
void send_history_batch(Engine& e, User& u, const std::string& ref, std::string_view type,
                        std::string_view arg, std::string body);

}  // namespace parley::core
