// History, registered channels and read markers as the engine sees them, and the slow work it
// asks the storage thread for.
//
// Like accounts (core/accounts.h), anything that touches the database is a request: the engine
// submits a HistoryRequest to the HistoryBackend it was given and keeps serving everyone else;
// the answer comes back later as Engine::history_answer(id, answer, now) on the engine's thread.
// The backend answers requests in the order they were submitted.
//
// Production backend: server/history_service.h (one storage thread over store::Store that batches
// appends into group commits). Tests use a fake over store::MemoryStore (tests/core/harness.h).
//
// Durability contract: the answer to a kAppend with `durable` set arrives only after the entry has
// reached stable storage (or with kFailed). The engine holds the sender's echo-message copy (and
// its labeled ACK) until then, so a message whose echo a client saw survives kill -9.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/accounts.h"  // RequestId
#include "core/server_bans.h"

namespace parley::core {

// One stored event: a message (PRIVMSG, NOTICE, TAGMSG) or, for draft/event-playback, a JOIN,
// PART, QUIT, KICK, MODE, TOPIC or NICK, as its recipients saw it.
struct HistoryEntry {
  std::string target;         // storage key: a folded channel name, or dm_key() for private messages
  std::string msgid;          // the message's msgid tag, unique on the server
  std::int64_t time_ms = 0;   // server-time, milliseconds since the Unix epoch
  std::string source;         // nick!user@host of the sender
  std::string sender_folded;  // the sender's casefolded nick at the time (SEARCH from=)
  std::string account;        // the sender's account (display form); empty: not logged in
  std::string command;        // PRIVMSG, NOTICE, TAGMSG, JOIN, PART, QUIT, KICK, MODE, TOPIC, NICK
  std::string tags;           // client-only tags, escaped, without '@': "+draft/reply=abc;+typing=done"
  std::string params;         // the parameters as on the wire after the command: "#chan :hello there"
  std::string text;           // the searchable text (PRIVMSG/NOTICE body); empty for other commands
  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

// The storage key of the private conversation between two accounts (casefolded account names),
// the same whichever of them is `a`: "@" + the smaller + " " + the larger. Channel keys start with
// a channel prefix, so the two never meet.
std::string dm_key(std::string_view a_folded, std::string_view b_folded);
// The storage key of the in-memory (durable=false) private conversation between two sessions of
// which at least one is not logged in, from their casefolded nicks, the same whichever is `a`:
// "~" + the smaller + " " + the larger. '~' starts neither a channel name nor dm_key(), so the
// three kinds of key never meet. The engine forgets such a key (kForget) when either session
// changes nick or leaves, so that whoever takes the nick next cannot read it.
std::string ephemeral_dm_key(std::string_view a_folded, std::string_view b_folded);

// A point in a target's history, as a CHATHISTORY reference names it.
struct HistoryRef {
  enum class Kind : std::uint8_t { kNone, kMsgid, kTime, kLatest /* "*" */ };
  Kind kind = Kind::kNone;
  std::string msgid;
  std::int64_t time_ms = 0;
};

// What a read asks for. Entries come back oldest first, at most `limit` of them. References are
// exclusive (the entry a reference names is never returned; a timestamp excludes every entry at
// exactly that time), as draft/chathistory says, except AROUND's, whose own entry is returned (as
// irctest and Ergo do). An msgid reference unknown in `target` makes the answer kNotFound.
// Entries with equal times keep the order they were appended in. The store code is
// store/history_rules.h.
struct HistoryQuery {
  enum class Kind : std::uint8_t {
    kLatest,   // the newest `limit` entries, after `from` when it is not kLatest/kNone
    kBefore,   // the `limit` entries just before `from`
    kAfter,    // the `limit` entries just after `from`
    kAround,   // `limit` entries centred on `from`: limit/2 before it, the rest from it on (its own
               // entry first; for a time, the first entry at or after it); a short side is filled
               // from the other
    kBetween,  // entries strictly between `from` and `to`, from `from`'s side, `limit` of them
  };
  Kind kind = Kind::kLatest;
  std::string target;
  HistoryRef from;
  HistoryRef to;
  std::size_t limit = 0;
  // Without it only PRIVMSG and NOTICE come back; with it also TAGMSG, JOIN, PART, ... (clients
  // with draft/event-playback: that spec and irctest's testChathistoryTagmsg keep TAGMSG out of
  // plain CHATHISTORY). `limit` counts the entries returned, not those skipped.
  bool include_events = false;
};

// CHATHISTORY TARGETS: the targets that have history strictly between two times (every command
// counts), each with its newest entry in that range, newest first (ties by target).
struct TargetsQuery {
  std::string account_folded;         // private conversations of this account are included
  std::vector<std::string> channels;  // folded channel names the asker may read
  // The asker's in-memory conversations (ephemeral_dm_key()s, User::ephemeral_history): looked up
  // in the in-memory store, whatever `durable` says, and listed with the rest.
  std::vector<std::string> ephemeral;
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;  // from/to in either order: the range between them
  std::size_t limit = 0;
};
struct TargetActivity {
  std::string target;  // a folded channel name, or a conversation's dm_key()
  std::int64_t latest_ms = 0;
  friend bool operator==(const TargetActivity&, const TargetActivity&) = default;
};

// soju.im/search, over PRIVMSG and NOTICE entries. Empty fields do not filter, except `targets`:
// none listed finds nothing. Newest matches first, at most `limit`.
struct SearchQuery {
  std::vector<std::string> targets;  // the keys the asker may read (in=, or all of theirs)
  std::string from_folded;           // the sender's casefolded nick
  std::int64_t after_ms = 0;         // exclusive; 0: no bound
  std::int64_t before_ms = 0;        // exclusive; 0: no bound
  // Words, all of which must occur as whole words, ASCII case-insensitively (never a regex or
  // FTS syntax: quotes, *, -, NEAR( are separators). A text with no word in it finds nothing.
  std::string text;
  std::size_t limit = 0;
};

// A registered channel, as ChanServ keeps it.
struct ChannelAccess {
  std::string account_folded;
  char level = 'v';  // 'o' (op on join) or 'v' (voice on join); the founder is always 'o'
  std::string setter;
  std::int64_t set_at = 0;  // Unix seconds
  friend bool operator==(const ChannelAccess&, const ChannelAccess&) = default;
};
struct ChannelBan {
  char list = 'b';  // 'b' ban, 'e' exception, 'I' invite exception
  std::string mask;
  std::string setter;
  std::int64_t set_at = 0;  // Unix seconds
  friend bool operator==(const ChannelBan&, const ChannelBan&) = default;
};
struct RegisteredChannel {
  std::string name;                // display form
  std::string name_folded;         // key
  std::string founder;             // account, folded
  std::int64_t registered_at = 0;  // Unix seconds
  std::int64_t created_at = 0;     // the channel's creation time (Unix seconds), kept across restarts
  std::string topic;
  std::string topic_setter;
  std::int64_t topic_time = 0;  // Unix seconds
  std::string modes;            // simple modes with their arguments, as MODE shows them: "+ntk key"
  std::vector<ChannelBan> bans;
  std::vector<ChannelAccess> access;  // sorted by account_folded
  friend bool operator==(const RegisteredChannel&, const RegisteredChannel&) = default;
};

struct HistoryRequest {
  enum class Kind : std::uint8_t {
    kAppend,       // `entry`. `durable`: to the database (else the in-memory store). kOk or kFailed.
    kQuery,        // `query`. kOk (+entries), kNotFound (unknown msgid reference), kFailed.
    kTargets,      // `targets`. kOk (+activity) or kFailed.
    kSearch,       // `search`. kOk (+entries) or kFailed.
    kGetMarker,    // `account_folded` + `target`. kOk (+marker_ms, 0 when none) or kFailed.
    kSetMarker,    // `account_folded` + `target` + `marker_ms`. Never moves a marker backwards.
                   // kOk (+marker_ms: the stored value after the call) or kFailed.
    kSaveChannel,  // `channel`: insert or replace. kOk or kFailed.
    kDropChannel,  // `channel.name_folded`. kOk or kNotFound.
    kForget,       // `target`: delete every in-memory entry for it (a session's ephemeral
                   // private history when it goes). kOk.
    kRedact,       // `target` + `msgid`: delete that one entry (a REDACTed message), from the
                   // database when `durable`, else from memory. kOk or kNotFound.
    kSaveServerBan,    // `ban`: insert or replace (by kind and mask). kOk or kFailed.
    kDeleteServerBan,  // `ban.kind` + `ban.mask`. kOk or kNotFound.
  };
  Kind kind = Kind::kAppend;
  bool durable = true;
  HistoryEntry entry;
  HistoryQuery query;
  TargetsQuery targets;
  SearchQuery search;
  std::string account_folded;
  std::string target;
  std::string msgid;  // kRedact
  std::int64_t marker_ms = 0;
  RegisteredChannel channel;
  ServerBan ban;  // kSaveServerBan, kDeleteServerBan
};

// HistoryAnswer::detail of a request the backend refused because too much work was queued
// (the engine tells a sender "the history queue is full" rather than "unavailable").
inline constexpr std::string_view kHistoryQueueFull = "history queue full";

struct HistoryAnswer {
  enum class Outcome : std::uint8_t { kOk, kNotFound, kFailed };
  Outcome outcome = Outcome::kFailed;
  std::vector<HistoryEntry> entries;
  std::vector<TargetActivity> activity;
  std::int64_t marker_ms = 0;
  std::string detail;  // why it failed, for the log only
};

// What the storage backend has done, for STATS H. Latencies are of group commits, in
// microseconds, over the backend's recent commits.
struct HistoryStats {
  std::size_t queue_depth = 0;        // requests waiting now
  std::uint64_t commits = 0;          // successful group commits
  std::uint64_t entries_written = 0;  // durable entries in them
  std::uint64_t failed_commits = 0;
  std::uint64_t failed_entries = 0;  // durable appends answered kFailed by a failed commit
  std::uint64_t rejected = 0;        // requests refused because the queue was full
  std::uint64_t expired = 0;         // entries deleted by retention
  bool failing = false;              // the last commit failed
  std::int64_t last_commit_us = 0;
  std::int64_t commit_p50_us = 0;
  std::int64_t commit_p99_us = 0;
};

// Where the engine sends history work. Implementations must never call back into the engine from
// inside submit(): answers arrive later, through Engine::history_answer, in submission order.
class HistoryBackend {
 public:
  virtual ~HistoryBackend() = default;
  virtual void submit(RequestId id, HistoryRequest request) = 0;
  // A kAppend of `entry`, the request every relayed message makes: the same as submit() of a
  // HistoryRequest with that kind, entry and `durable`, which is what this default does. A backend
  // on the hot path overrides it to queue the entry without building a whole HistoryRequest.
  // `quiet`: nobody waits for this append, only its failure matters. The backend may then leave
  // out its kOk answer, as long as it answers some request submitted after it: answers come in
  // submission order, so the engine takes any answer as the kOk of every quiet append submitted
  // before it and not answered. A quiet append that fails is answered kFailed like any other.
  virtual void append(RequestId id, const HistoryEntry& entry, bool durable, bool quiet);
  // A snapshot of what it has done (any thread may ask).
  virtual HistoryStats stats() const = 0;
};

}  // namespace parley::core
