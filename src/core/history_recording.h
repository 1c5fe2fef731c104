// Recording relayed messages into history, and the held echo (docs/protocol.md "CHATHISTORY").
//
// What is recorded: every PRIVMSG, NOTICE and TAGMSG (a TAGMSG always has client-only tags, or
// it is not relayed) to a channel, under the channel's folded name; private messages between two
// logged-in users under dm_key() of their accounts, durably; private messages where either side
// is not logged in under ephemeral_dm_key() of the two nicks, in memory only (durable=false).
// Not recorded: messages a target refused (nothing calls in for them), messages to NickServ,
// STATUSMSG deliveries ("@#chan": only some members saw them, and history has no per-entry
// audience, so replaying them to every reader would leak them), private messages the recipient
// SILENCEs (they were not delivered), and anything at all when history is disabled. A
// draft/multiline message is one entry: its lines joined with '\n' in `text` and `params`
// (replay splits them again), under the batch's one msgid.
//
// The held echo: the other recipients get a message at once; the sender's echo-message copy and
// its labeled-response reply (ACK or echo) wait for the answer to the message's durable append,
// so that an echo the client saw means the message is stored. For a labeled command the sender's
// later lines wait too (Engine::history_request with is_reply). An echo-message sender's do not
// all wait (pipelining, User::echo_holds): its further messages to channels are handled at once,
// each one's echo going out when its own append is answered, so a burst of lines shares one
// group commit instead of taking one each; any other line waits for the echoes before it, so its
// replies keep the order of the commands. A sender with neither echo-message nor a label is not
// held, unless storage is backed up (Engine::history_backlogged): then every sender is held until
// its message is stored, so a slow disk slows senders instead of growing the queue or refusing. If the append
// fails, the echo still comes (the others did get the message), followed by "FAIL <command> MESSAGE_ERROR
// <target> :Message not stored in history: ...". Ephemeral appends never hold anything.
//
// Thread: the engine's. A MessageLog lives for one command of one user.
#pragma once

#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine.h"
#include "core/history.h"
#include "core/types.h"

namespace parley::core {

class Channel;
class Engine;
struct User;

// One relayed message, as its history entry needs it.
struct RelayedMessage {
  std::string_view command;  // PRIVMSG, NOTICE or TAGMSG
  std::string_view msgid;
  std::string_view client_tags;  // escaped, without '@'; may be empty
  std::string_view target;       // the target as relayed (channel name or recipient nick)
  std::string_view text;         // the body; empty for TAGMSG; lines joined by '\n' for multiline
  TimePoint time{};              // when it was sent, for a message from a linked server; epoch: now
};

class MessageLog {
 public:
  MessageLog(Engine& e, User& sender);
  MessageLog(const MessageLog&) = delete;
  MessageLog& operator=(const MessageLog&) = delete;
  // Submits what was recorded (finish()) if the caller did not.
  ~MessageLog();

  // `m` reached channel `c`.
  void channel(Channel& c, const RelayedMessage& m);
  // `m` reached user `to` (who may be the sender).
  void private_to(User& to, const RelayedMessage& m);
  // The sender's echo of the message recorded last (or of one not recorded): sent now, or held
  // when a durable append this command made is still to be answered and the sender is held.
  void echo(SharedLine line);
  // Submits the appends; held echoes go out when the last durable one is answered.
  void finish();

 private:
  struct Held;
  void append(std::string key, bool durable, const RelayedMessage& m);

  Engine& e_;
  User& u_;
  bool hold_;  // the sender waits for durable appends: echo-message or a labeled command
  // ... for its echo only, not with its input (User::echo_holds): echo-message, no label, and
  // storage is not backed up.
  bool pipelined_;
  std::string command_;
  struct Append {
    HistoryEntry entry;
    bool durable = true;
    std::string shown_target;  // the target as relayed, for the FAIL note
  };
  // appends_[0, used_) are this command's. The vector comes from spare_appends() and goes back
  // there with its entries' strings, so that the next command writes into their buffers: no
  // allocation per relayed message.
  std::vector<Append> appends_;
  std::size_t used_ = 0;
  static std::vector<Append>& spare_appends();  // this thread's
  std::shared_ptr<Held> held_;        // set from the first durable append while hold_
  bool finished_ = false;
};

// draft/event-playback: records an event `from` caused in channel `c` (JOIN, PART, KICK, MODE,
// TOPIC; QUIT and NICK once per channel), with `params` as the channel saw them, durably and
// without holding anyone. When history is enabled `live` (the broadcast, if any) gets the entry's
// msgid, so that clients can match what they saw with what CHATHISTORY replays. Returns the
// msgid; empty when history is disabled.
std::string record_event(Engine& e, const User& from, const Channel& c, std::string_view command,
                         std::span<const std::string_view> params, Engine::Broadcast* live = nullptr);
inline std::string record_event(Engine& e, const User& from, const Channel& c, std::string_view command,
                                std::initializer_list<std::string_view> params,
                                Engine::Broadcast* live = nullptr) {
  return record_event(e, from, c, command, std::span<const std::string_view>(params.begin(), params.size()),
                      live);
}

// Tells `sender` that its `command` to `target` was not stored: "FAIL <command> MESSAGE_ERROR
// <target> :Message not stored in history: <why>", why being the queue or the store, from `a`.
void note_not_stored(Engine& e, User& sender, std::string_view command, std::string_view target,
                     const HistoryAnswer& a);

// Deletes a REDACTed message from history (kRedact), so CHATHISTORY no longer returns it: the one
// in channel `c`, or (c null) the private message `author` sent to `to`, under the key it was
// recorded with. Nothing waits for the answer.
void forget_redacted(Engine& e, const Channel* c, const User& author, const User* to, std::string_view msgid);

// Forgets (kForget) the ephemeral private history `u` took part in: called when `u` changes nick
// or leaves, so that nobody who takes the nick later can read it.
void forget_ephemeral_history(Engine& e, User& u);

}  // namespace parley::core
