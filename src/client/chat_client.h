// The `parley chat` protocol state machine, without I/O (the h11 shape): the shell tells it what
// happened (connected, a line arrived, the user typed something, the connection closed, time
// passed) and collects what to do: lines to send (take_wire()) and things to show
// (take_events()). Time is always passed in, so tests drive it with a fake clock.
//
// It owns the buffers (windows) model: one server buffer (always first, never closed), one per
// channel and one per private conversation, in the order they were opened; BufferIds are stable.
// The shell mirrors the list through kOpened/kClosed events and tells the client which buffer the
// user is looking at (select()), because typed text and error replies go there.
//
// Thread: one thread. Bounded: at most kMaxBuffers buffers, kMaxMembers members per channel.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "client/sasl.h"
#include "client/send_queue.h"
#include "proto/casemap.h"
#include "proto/irc_message.h"

namespace parley::client {

using Clock = std::chrono::system_clock;
using BufferId = std::uint64_t;

struct ClientOptions {
  std::string host;  // the server window's name; the shell connects
  std::string nick;
  std::string user;
  std::string realname;
  std::string password;                 // empty: no PASS
  std::vector<std::string> autojoin;    // channels joined after registration
  std::string version = "parley chat";  // the answer to CTCP VERSION
  // SASL (docs/chat.md "Logging in"): log in to `sasl_user` during registration; empty: don't.
  // When set, registration never completes without it: a server without SASL, or a failed
  // login, stops the client (failed()).
  std::string sasl_user;
  std::string sasl_password;
  bool tls = false;  // the connection is TLS: only then may PLAIN send the password
  // A fresh SCRAM client nonce per login (printable, no ','); default: 24 random characters.
  std::function<std::string()> sasl_nonce;
  // How fast lines go to the server (send_queue.h): paced below the server's flood limit.
  Pacing pacing;
  std::string address;  // "host:port", named in connection messages; empty: the host
};

struct Event;  // below

// A point in a buffer's history: a message's msgid (preferred) and its server time.
struct HistoryRef {
  std::string msgid;
  Clock::time_point time{};
  bool empty() const { return msgid.empty() && time == Clock::time_point{}; }
};

// What a buffer knows of the server's stored history (docs/chat.md "History"). At most one
// CHATHISTORY request per buffer is in flight; while the one that fills the window on join or
// after a reconnect is, live message lines wait in `held`, so they show after the older lines.
struct BufferHistory {
  enum class Fetch : std::uint8_t { kNone, kLatest, kCatchUp, kOlder };
  static constexpr std::size_t kMaxSeen = 10000;  // msgids remembered for dedupe
  static constexpr std::size_t kMaxHeld = 1000;   // live lines held; past that they show at once
  Fetch fetching = Fetch::kNone;
  std::string request_target;   // the name the request in flight was sent for (a query may be
                                // renamed before the answer comes)
  std::string request_ref;      // the reference the request in flight was sent with
  bool msgid_refused = false;   // the server did not know a msgid we sent: use timestamps
  bool exhausted = false;       // BEFORE came back empty: nothing older is stored
  bool separator_open = false;  // a "history" separator is shown; "new" closes it
  int catch_up_pages = 0;
  HistoryRef oldest, newest;             // the oldest and newest entries seen, live or replayed
  std::unordered_set<std::string> seen;  // msgids shown in this buffer
  std::deque<std::string> seen_order;    // the same, oldest first, to forget past kMaxSeen
  std::vector<Event> held;
  HistoryRef held_newest;  // the newest of `held`: becomes `newest` when they are shown
};

enum class BufferKind : std::uint8_t { kServer, kChannel, kQuery };

// How much happened in a buffer the user is not looking at; only ever rises until select().
enum class Activity : std::uint8_t { kNone, kEvents, kMessages, kHighlight };

struct Member {
  std::string nick;
  std::string prefixes;  // channel status, highest first ("@+" with multi-prefix)
  bool away = false;
  std::uint64_t last_spoke = 0;  // a counter, for completion order
};

struct Buffer {
  BufferId id = 0;
  BufferKind kind = BufferKind::kServer;
  std::string name;
  std::string topic;
  std::string modes;  // "+nt", channels only
  std::vector<Member> members;
  bool joined = false;  // channels: we are in it now
  bool rejoin = false;  // channels: join again after reconnecting
  std::string key;      // channel key used to join
  Activity activity = Activity::kNone;
  BufferHistory history;
};

enum class ConnState : std::uint8_t { kDisconnected, kConnecting, kRegistering, kRegistered, kWaiting };
std::string_view to_string(ConnState state);

struct Event {
  enum class Kind : std::uint8_t {
    kLine,     // text to show in `buffer`
    kOpened,   // buffer `buffer` was added at the end of the list
    kClosed,   // buffer `buffer` was removed
    kRenamed,  // buffer `buffer` has a new name (text)
    kSelect,   // show buffer `buffer`
    kClear,    // clear buffer `buffer`'s scrollback
    // text to show above everything already in buffer `buffer` (older lines from history); a
    // batch of older lines comes newest first, so that each new one goes on top
    kPrepend,
  };
  // kRule: a separator, "----- text -----" (history lines come between two)
  enum class Style : std::uint8_t { kInfo, kError, kMessage, kOwnMessage, kAction, kNotice, kMeta, kRule };

  Kind kind = Kind::kLine;
  BufferId buffer = 0;
  Style style = Style::kInfo;
  Clock::time_point time{};
  std::string nick;  // who said it (messages, actions, notices)
  std::string text;
  bool highlight = false;  // our nick was mentioned
  bool history = false;    // replayed from the server's history (CHATHISTORY), not live
};

// "<alice> hi", "* alice waves", "-alice- note", "-- text", "----- text -----" (no timestamp, no
// buffer name).
std::string format_line(const Event& event);
// The colour slot (0..kNickColours-1) for a nick: stable across runs and sessions.
inline constexpr int kNickColours = 12;
int nick_colour(std::string_view nick, proto::Casemapping cm);

// A valid IRC nick made from `name` (a login name): letters, digits and []\`_^{|}- kept, other
// bytes become '_', a leading digit or '-' gets a '_' before it, at most kMaxDefaultNick bytes;
// "parley" when only '_' would be left.
inline constexpr std::size_t kMaxDefaultNick = 16;
std::string nick_from_name(std::string_view name);

// The names of the commands input() understands ("join", "msg", ...), in /help order.
std::vector<std::string_view> command_names();

class ChatClient {
 public:
  static constexpr std::size_t kMaxBuffers = 500;
  static constexpr std::size_t kMaxMembers = 20000;
  static constexpr std::chrono::seconds kMaxBackoff{60};

  explicit ChatClient(ClientOptions options);

  // ---- connection lifecycle (the shell's calls) ----
  // A connection attempt starts now (shows "Connecting").
  void connecting(Clock::time_point now);
  // The TCP connection is up: registration begins (CAP LS 302, PASS, NICK, USER). `security`
  // says how it is protected ("TLSv1.3, certificate verified"); empty for plain TCP.
  void connected(Clock::time_point now, std::string_view security = {});
  // One line from the server, without CR LF.
  void receive(std::string_view line, Clock::time_point now);
  // The connection failed or closed. Unless the user quit, a reconnect is scheduled with backoff
  // (1 s, 2 s, 4 s ... kMaxBackoff) and channels are marked for rejoin.
  void disconnected(std::string_view reason, Clock::time_point now);
  // When the shell should call connecting() again; nullopt: no reconnect pending.
  std::optional<Clock::time_point> reconnect_at() const { return reconnect_at_; }
  // True once the user asked to quit (/quit): the shell sends what is queued and exits.
  bool quitting() const { return quitting_; }
  // True when the client stopped on something the user must fix (a failed SASL login): the
  // shell exits with a non-zero status.
  bool failed() const { return failed_; }
  const std::string& stop_reason() const { return stop_reason_; }  // the text stop() showed
  // Stops on an error the user must fix (a failed login, a certificate that does not verify):
  // shows `text`, sends QUIT if connected, and does not reconnect; failed() becomes true.
  void stop(std::string text);

  // ---- the user ----
  // A line typed in the current buffer: "/command args", "//text" (text starting with '/'), or text.
  void input(std::string_view line, Clock::time_point now);
  // Tab completion for `word` in the current buffer: commands ("/jo" at the start), channels
  // ("#pa"), nicks of the current channel (most recent speakers first; "nick: " at the start).
  std::vector<std::string> complete(std::string_view word, bool at_start) const;
  void select(BufferId id);
  // The user scrolled to the top of a buffer: asks the server for the kHistoryLines messages
  // before the oldest one it shows (CHATHISTORY BEFORE), which come as kPrepend events. Does
  // nothing (returns false) without draft/chathistory and batch, for the server window, while a
  // request for the buffer is in flight, or once the server said nothing older is stored.
  bool load_older(BufferId id);
  // How many lines one CHATHISTORY request asks for (lowered to the server's CHATHISTORY=).
  static constexpr int kHistoryLines = 50;
  // After a reconnect, how many full pages of missed lines are fetched before giving up.
  static constexpr int kMaxCatchUpPages = 20;

  // ---- outputs ----
  // Lines with CR LF, in order, as many as the pacing lets go at `now` (the time of the last
  // event when not given); the rest wait for next_send_at().
  std::vector<std::string> take_wire();
  std::vector<std::string> take_wire(Clock::time_point now);
  // When take_wire() will have the next waiting line; nullopt when nothing waits.
  std::optional<Clock::time_point> next_send_at() const { return queue_.next_at(); }
  std::size_t queued_lines() const { return queue_.size(); }
  // The send queue is at its bound: typed lines are refused with an error until it drains.
  bool queue_full() const { return queue_.full(); }
  std::vector<Event> take_events();

  // True when a line of text typed now would reach a channel: registered, and the channel the
  // client switches to after (re)connecting has answered its JOIN. A script's lines wait for it.
  bool ready_for_text() const { return state_ == ConnState::kRegistered && awaiting_join_.empty(); }
  // Ctrl-C: the first call quits as /quit does (after the waiting lines); a second one forgets
  // the waiting lines (saying how many) so that the QUIT goes at once.
  void quit_now();

  // ---- state ----
  const std::vector<Buffer>& buffers() const { return buffers_; }
  const Buffer* find(BufferId id) const;
  const Buffer* find(std::string_view name) const;
  BufferId current() const { return current_; }
  BufferId server_buffer() const { return buffers_.front().id; }
  const std::string& nick() const { return nick_; }
  ConnState state() const { return state_; }
  const std::vector<std::string>& enabled_caps() const { return caps_; }
  bool away() const { return away_; }
  proto::Casemapping casemapping() const { return casemap_; }
  const std::string& network() const { return network_; }

 private:
  // incoming (chat_client.cpp)
  void handle(const proto::Message& m);
  void handle_cap(const proto::Message& m);
  void handle_numeric(int code, const proto::Message& m);
  void handle_isupport(const proto::Message& m);
  void handle_message(const proto::Message& m, bool notice);
  void handle_join(const proto::Message& m);
  void handle_part(const proto::Message& m);
  void handle_kick(const proto::Message& m);
  void handle_quit(const proto::Message& m);
  void handle_nick(const proto::Message& m);
  void handle_mode(const proto::Message& m);
  void handle_names(const proto::Message& m);
  void registered(const proto::Message& m);
  void nick_in_use();
  void nick_invalid(const proto::Message& m);  // 432
  // SASL (sasl_client.cpp)
  bool sasl_wanted() const { return !options_.sasl_user.empty(); }
  bool sasl_busy() const { return sasl_step_ != SaslStep::kIdle && sasl_step_ != SaslStep::kDone; }
  void sasl_start();
  void handle_authenticate(const proto::Message& m);
  void sasl_payload(std::string_view decoded);
  void sasl_send(std::string_view payload);
  bool handle_sasl_numeric(int code, const proto::Message& m);
  void cap_end();

  // history (history.cpp): fills windows from CHATHISTORY, docs/chat.md "History"
  struct HistoryBatch {
    std::string ref;  // the BATCH reference tag
    BufferId buffer = 0;
    std::size_t entries = 0;  // every line in it, shown or not (the server's limit counts them)
    HistoryRef first, last;   // its oldest and newest entries
    std::vector<std::pair<std::string, Event>> lines;  // msgid and line, oldest first
  };
  bool history_enabled() const;
  int history_limit() const {
    return history_max_ > 0 ? std::min(kHistoryLines, history_max_) : kHistoryLines;
  }
  void request_history(Buffer& b, BufferHistory::Fetch fetch);
  void fill_on_join(Buffer& b);  // LATEST when nothing was seen yet, else the lines missed (AFTER)
  void handle_batch(const proto::Message& m);
  bool collect_history(const proto::Message& m);  // true: the line belonged to a history batch
  void finish_history(HistoryBatch& batch);
  void finish_fill(Buffer& b, HistoryBatch& batch, BufferHistory::Fetch fetch);
  void handle_fail(const proto::Message& m);
  bool remember(Buffer& b, std::string_view msgid);   // false: already shown
  Buffer* awaiting_history(std::string_view target);  // the buffer whose request named target
  void note_live(Buffer& b, const proto::Message& m);
  void release_held(Buffer& b);
  void reset_history_requests();
  void history_cleared(Buffer& b);  // /clear emptied the window
  bool hold(const Event& e);        // true: the line waits for its buffer's history

  // input (input.cpp; the command handlers are CommandHandlers there)
  friend struct CommandHandlers;
  void say(BufferId target, std::string_view text, bool action);
  void send_privmsg(std::string_view target, std::string_view text, bool action);
  void join(std::string_view channels, std::string_view keys);
  // search.cpp: /search sends SEARCH (soju.im/search); the answer's batch is shown in the
  // window /search was typed in. handle_search() takes the lines that belong to it (true).
  void start_search(std::string_view args);
  bool handle_search(const proto::Message& m);

  // model (buffers.cpp)
  Buffer* find_mut(BufferId id);
  Buffer* find_mut(std::string_view name);
  Buffer& open(BufferKind kind, std::string_view name);
  void close(BufferId id);
  void rename(Buffer& b, std::string_view name);
  Member* member(Buffer& b, std::string_view nick);
  void add_member(Buffer& b, std::string_view nick_with_prefixes);
  bool remove_member(Buffer& b, std::string_view nick);
  void sort_prefixes(std::string& prefixes) const;
  void apply_mode_letters(Buffer& b, std::string_view modes, const std::vector<std::string_view>& args);
  bool is_channel(std::string_view name) const;
  bool is_me(std::string_view nick) const;
  bool mentions_me(std::string_view text) const;
  void answer_ctcp(std::string_view from, std::string_view ctcp);

  // output helpers
  void send(std::string line);         // built with LineBuilder, CR LF included; paced
  void send_urgent(std::string line);  // before every waiting line (PONG)
  void drop_queue(std::string_view why);
  void show(BufferId buffer, Event::Style style, std::string text, std::string nick = {},
            bool highlight = false);
  void info(std::string text) { show(server_buffer(), Event::Style::kInfo, std::move(text)); }
  void here(Event::Style style, std::string text) { show(current_, style, std::move(text)); }
  void emit(Event::Kind kind, BufferId buffer, std::string text = {});
  void bump(Buffer& b, Activity level);

  ClientOptions options_;
  std::vector<Buffer> buffers_;
  BufferId next_id_ = 1;
  BufferId current_ = 0;
  std::string nick_;
  int nick_attempt_ = 0;
  ConnState state_ = ConnState::kDisconnected;
  bool quitting_ = false;
  bool away_ = false;
  int failures_ = 0;  // consecutive connection failures, for the backoff
  std::optional<Clock::time_point> reconnect_at_;
  Clock::time_point now_{};                           // the time of the event being handled
  Clock::time_point msg_time_{};                      // server-time of the message being handled, or now_
  std::optional<Clock::time_point> last_ctcp_reply_;  // at most one reply a second

  // registration and server features
  bool cap_negotiating_ = false;
  std::vector<std::string> caps_;
  std::vector<std::string> cap_offered_;
  std::string sasl_offered_;  // the sasl capability's value: mechanisms, comma separated
  enum class SaslStep : std::uint8_t { kIdle, kStarted, kSentFirst, kSentFinal, kVerified, kDone };
  SaslStep sasl_step_ = SaslStep::kIdle;
  std::string sasl_mechanism_;
  std::string sasl_received_;  // AUTHENTICATE chunks of the message being received
  std::unique_ptr<ScramClient> scram_;
  bool failed_ = false;
  std::string stop_reason_;
  proto::Casemapping casemap_ = proto::Casemapping::kRfc1459;
  std::string chantypes_ = "#&";
  std::string prefix_modes_ = "ov";
  std::string prefix_chars_ = "@+";
  std::string chanmodes_a_ = "beI", chanmodes_b_ = "k", chanmodes_c_ = "l";
  std::string network_;
  std::vector<std::string> pending_switch_;  // folded channels whose JOIN should switch to them
  std::uint64_t speak_counter_ = 0;

  SendQueue queue_;
  std::string awaiting_join_;  // folded: the channel whose JOIN ready_for_text() waits for
  std::vector<Event> events_;
  int history_max_ = 0;                // ISUPPORT CHATHISTORY=; 0: not given
  std::vector<HistoryBatch> batches_;  // chathistory batches being received

  struct Search {
    bool waiting = false;  // a SEARCH was sent and its answer has not begun
    BufferId window = 0;   // where its results go
    std::string batch;     // the answer's batch reference while it arrives
    std::size_t found = 0;
  };
  Search search_;
};

}  // namespace parley::client
