// Who may read which history, and how stored entries are sent back: shared by everything that
// replays history -- CHATHISTORY (commands/chathistory.cpp), SEARCH (commands/search.cpp), the +H
// replay on join (core/channel_replay.h), znc.in/playback (commands/playback.cpp) and MARKREAD
// (commands/read_marker.cpp) -- so all of them apply the same rules.
//
// Read rules (docs/protocol.md "CHATHISTORY"):
//   - a channel: its members; anyone when it has no +s and history.public_channels is set. A
//     channel that does not exist now has no modes: anyone when public_channels, else nobody.
//   - a nick, for a logged-in user: the conversation between the two accounts (the nick's
//     account when it is online and logged in; an offline nick is taken as an account name), or
//     the in-memory conversation with an online nick that is not logged in.
//   - a nick, for a user who is not logged in: only the in-memory conversation between the
//     user's current nick and that nick.
// All functions run on the engine's thread and keep no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/history.h"

namespace parley::core {

class Engine;
struct User;

// What a target means for the asker: its storage key, the name a batch shows, and where it is
// kept (the in-memory private history of users not logged in is not durable).
struct ReadableTarget {
  std::string key;
  std::string shown;
  bool durable = true;
};

// The history `u` may read under the name `target` (a channel or a nick), or nullopt when the
// rules above refuse it or the name is not a valid channel or nick.
std::optional<ReadableTarget> readable_channel(Engine& e, const User& u, std::string_view channel);
std::optional<ReadableTarget> readable_nick(Engine& e, const User& u, std::string_view nick);
std::optional<ReadableTarget> readable_target(Engine& e, const User& u, std::string_view target);

// The name a storage key shows `u` (a TARGETS answer's): a channel's current name (the folded
// key when it does not exist now), or the other side of a private conversation: the account of
// "@a b", the current nick of "~a b" (an in-memory one).
std::string shown_key(Engine& e, const User& u, const std::string& key);

// Whether `viewer` gets `entry` back (draft/chathistory: without event-playback, only PRIVMSG
// and NOTICE; a TAGMSG is all tags, so it also needs message-tags).
bool replay_shown_to(const User& viewer, const HistoryEntry& entry);

// One line of a replayed PRIVMSG/NOTICE (replay_pieces()).
struct ReplayPiece {
  std::string_view text;
  bool concat = false;  // continues the piece before it (draft/multiline-concat)
};
// A stored text as lines: split at its line feeds, and a line longer than `max_bytes` (a
// multiline message's concatenated lines are stored joined) cut into pieces of at most that
// many bytes, on UTF-8 character boundaries. An empty text is one empty piece.
std::vector<ReplayPiece> replay_pieces(std::string_view text, std::size_t max_bytes);

// Appends `entry` to `out` as lines for `viewer`, tagged with `batch` when not empty. A
// PRIVMSG/NOTICE is rebuilt from its target and text, each line within proto::kMaxLineBytes as
// relayed: a multiline message as a draft/multiline batch nested in `batch` for a client with
// draft/multiline (refs from `e`), else a line per line (its msgid on the first, blank ones left
// out, as multiline's fallback does); other commands from their parameters.
void replay_entry(Engine& e, std::string& out, const User& viewer, const HistoryEntry& entry,
                  std::string_view batch);

// Sends `body` (lines built with `ref` as their batch) inside "BATCH +ref <type> [arg]" when
// `ref` is not empty, as they are otherwise (a client without batch).
void send_history_batch(Engine& e, User& u, const std::string& ref, std::string_view type,
                        std::string_view arg, std::string body);

// A server-time timestamp for milliseconds since the Unix epoch.
std::string history_time(std::int64_t ms);

}  // namespace parley::core
