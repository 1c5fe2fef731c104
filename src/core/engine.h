// The chat engine: users, channels, modes and the IRC command set, as a deterministic state
// machine. It performs no I/O and reads no clock.
//
// Thread: every member function must be called from the single thread that owns the engine
// (the server's io_context thread). Output goes to the ReplySink given at construction, during
// the call that caused it.
//
// Entry points for transports are in the first block; the second block is the toolkit that
// command handlers (core/commands/*.cpp) use.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/accounts.h"
#include "core/channel.h"
#include "core/config.h"
#include "core/history.h"
#include "core/login.h"
#include "core/monitor.h"
#include "core/msgid.h"
#include "core/network.h"
#include "core/registered_channels.h"
#include "core/server_bans.h"
#include "core/server_control.h"
#include "core/types.h"
#include "core/user.h"
#include "proto/irc_message.h"

namespace parley::core {

struct WhowasEntry {
  std::string nick, nick_folded, username, host, realname;
  TimePoint when;
};

struct CommandSpec;

class Engine {
 public:
  // `accounts` receives the slow work (password checks, the account store): core/accounts.h;
  // `history` the storage work (history, registered channels, read markers): core/history.h.
  Engine(EngineConfig config, ReplySink& sink, AccountBackend& accounts, HistoryBackend& history);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- transport entry points -------------------------------------------------------------

  // A connection was accepted. Returns false (after sending ERROR and closing through the
  // sink) when a connection limit refuses it.
  bool connect(SessionId id, const ConnectionInfo& info, TimePoint now);
  // The session's TLS handshake completed (before any line from it). `certfp`: SHA-256 of the
  // client certificate, lowercase hex, or empty when it sent none.
  void tls_established(SessionId id, std::string certfp);
  // One line from the session, without CR/LF.
  void receive(SessionId id, std::string_view line, TimePoint now);
  // The session sent a line longer than the protocol allows; it was discarded.
  void line_too_long(SessionId id, TimePoint now);
  // The transport lost the connection (EOF, error, send queue overflow).
  void disconnect(SessionId id, std::string_view reason, TimePoint now);
  // The answer to an AccountRequest the engine submitted (core/accounts.h). An answer for a
  // session that has gone, or for an unknown id, is ignored.
  void account_answer(RequestId id, AccountAnswer answer, TimePoint now);
  // The answer to a HistoryRequest (core/history.h), by the same rules.
  void history_answer(RequestId id, HistoryAnswer answer, TimePoint now);
  // Periodic housekeeping: registration and ping timeouts. Call about once a second.
  void tick(TimePoint now);
  // Server shutdown: every client gets ERROR and is closed.
  void shutdown(std::string_view reason);
  // Startup: the registered channels the store holds (store::Store::list_channels), before any
  // connection. Each becomes known to ChanServ and exists, empty, with its stored topic, modes
  // and lists (core/registered_channels.h). A channel that exists already keeps its state.
  void restore_registered_channels(std::vector<RegisteredChannel> channels);
  // Startup: the server bans the store holds (store::Store::list_server_bans), before any
  // connection. Expired ones are dropped at the next tick().
  void restore_server_bans(std::vector<ServerBan> bans);
  // What operator commands on the server itself (REHASH, DIE, RESTART) ask of its host, and
  // where server notices are logged; null: a default that can do none of them.
  void set_control(ServerControl* control) { control_ = control ? control : &no_control_; }

  // Runs `fn` as an entry point of its own (the link layer's, src/link/): the engine's clock reads
  // `now` meanwhile, and users who left during it are freed afterwards.
  void apply(TimePoint now, const std::function<void()>& fn) {
    now_ = now;
    if (started_ == TimePoint{}) started_ = now;
    fn();
    end_call();
  }

  // A configuration re-read while running (REHASH, SIGHUP; docs/operations.md "Reloading"),
  // applied without disconnecting anyone: MOTD, operators, limits, flood, timeouts, cloaks (for
  // new connections and logins; existing hosts stay), accounts, STS, history query policy, admin
  // info, server password. What identifies the server (name, SID, network, description,
  // casemapping, version, creation date, message-id seed, the cloak key once set, whether history
  // is kept) keeps its running value: the caller refuses a reload that changes it. Rebuilds
  // ISUPPORT (registered users get a 005 with the tokens that changed) and the CAP values; users
  // with cap-notify get CAP DEL / CAP NEW for the capabilities whose offer or value changed.
  // Returns the configuration keys or sections that changed ("server.motd", "operator", "limits").
  std::vector<std::string> reconfigure(EngineConfig config);

  std::size_t user_count() const { return users_.size(); }
  std::size_t channel_count() const { return channels_.size(); }
  const EngineConfig& config() const { return config_; }
  ServerControl& control() { return *control_; }

  // Totals since start, for monitoring (server/server_metrics.cpp). The traffic totals add the
  // users' own counters (User::lines_in ...) at scrape time to those of users already gone, so
  // the fan-out path counts nothing twice. Plain integers: the engine's thread only.
  struct Counters {
    std::uint64_t lines_in = 0, bytes_in = 0, deliveries_out = 0, bytes_out = 0;
    std::uint64_t flood_disconnects = 0;  // "Excess Flood"
    std::uint64_t sasl_successes = 0, sasl_failures = 0;
  };
  // Walks every user (once per scrape, not per message).
  Counters counters() const;
  // For the SASL handlers, which count their outcomes here.
  Counters& counters_mut() { return counters_; }

  // ---- toolkit for command handlers ----------------------------------------------------------

  proto::Casemapping casemapping() const { return config_.casemapping; }
  std::string fold(std::string_view s) const { return proto::fold(s, config_.casemapping); }
  const Limits& limits() const { return config_.limits; }
  TimePoint now() const { return now_; }
  std::int64_t unix_now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count();
  }
  // Slow work for `u` (core/accounts.h): submits `request`; when the answer arrives and `u` is
  // still connected, runs `then` with it. If the command being handled carries a label, what
  // `then` sends `u` is the labeled reply (labeled-response); nothing is sent for it now.
  // Unless `is_reply`: work the command's reply does not wait for (nick protection's lookup).
  using AccountContinuation = std::function<void(Engine&, User&, const AccountAnswer&)>;
  void request(User& u, AccountRequest request, AccountContinuation then, bool is_reply = true);
  // Storage work (core/history.h). With a user: when the answer arrives and `u` is still
  // connected, runs `then` (labeled and deferring `u`'s later lines as request() does, unless
  // `is_reply` is false). Without one (`u` null): `then` runs with a null user, whatever happened
  // to whoever caused the request; it may be empty.
  using HistoryContinuation = std::function<void(Engine&, User*, const HistoryAnswer&)>;
  void history_request(User* u, HistoryRequest request, HistoryContinuation then, bool is_reply = true);
  // history_request() of a kAppend of `entry`, through HistoryBackend::append (no HistoryRequest).
  void history_append(User* u, const HistoryEntry& entry, bool durable, HistoryContinuation then,
                      bool is_reply);
  // An append nobody waits for (HistoryBackend::append's `quiet`), with no continuation: only a
  // failure is acted on. Then `sender`, if given and still connected, is told that its `command`
  // to `shown_target` was not stored (note_not_stored(), history_recording.h).
  void history_append_quiet(const HistoryEntry& entry, bool durable, const User* sender,
                            std::string_view command = {}, std::string_view shown_target = {});
  // Requests submitted and not yet answered (for tests and STATS).
  std::size_t pending_requests() const { return pending_.size() + history_backlog(); }
  // Storage work is backed up: at least HistoryPolicy::max_backlog history requests are still to
  // be answered. Senders are then held until their messages are stored (history_recording.h), so
  // a slow disk slows those who send, never the delivery of what they sent.
  bool history_backlogged() const { return history_backlog() >= config_.history.max_backlog; }
  std::size_t history_backlog() const { return history_pending_.size() + quiet_appends_.size(); }
  HistoryStats history_stats() const { return history_.stats(); }
  // Most bytes of lines a user may send while one of its requests is pending
  // (User::awaiting_answer); more is Excess Flood. The transport stops reading such a user
  // (ReplySink::pause_input), so what waits is at most what one read brought in (the server reads
  // up to 64 KiB at a time), and flood control stops non-exempt users long before.
  static constexpr std::size_t kMaxDeferredBytes = 128 * 1024;
  // The value CAP LS 302 shows for a capability (some follow the configuration, such as the
  // draft/metadata-3 and draft/multiline limits); empty: none.
  std::string_view cap_value(Cap c) const { return cap_values_[static_cast<std::size_t>(c)]; }
  // Whether CAP LS lists `c` and CAP REQ may enable it: sts only when configured (and never
  // requested), the history caps only when history is enabled.
  bool cap_offered(Cap c) const {
    if (c == Cap::kSts) return config_.sts.enabled;
    if (c == Cap::kChathistory || c == Cap::kEventPlayback || c == Cap::kReadMarker ||
        c == Cap::kZncPlayback || c == Cap::kSearch)
      return config_.history.enabled;
    return true;
  }

  User* find_user(SessionId id);
  User* find_nick(std::string_view nick);
  Channel* find_channel(std::string_view name);
  const std::unordered_map<SessionId, std::unique_ptr<User>>& users() const { return users_; }
  const std::unordered_map<std::string, std::unique_ptr<Channel>>& channels() const { return channels_; }
  const std::deque<WhowasEntry>& whowas() const { return whowas_; }

  // Sends one numeric: ":server CODE <client> params..." with the last parameter as trailing.
  void reply(User& to, std::string_view code, std::initializer_list<std::string_view> params);
  // Sends a line from the server (":server COMMAND params"), last param written as needed.
  void server_message(User& to, std::string_view command, std::initializer_list<std::string_view> params);
  // Sends pre-built bytes to one user. Inline: every delivery of a fan-out comes through here.
  void send(User& to, const SharedLine& line) {
    if (labeled_.user == &to) {
      labeled_.lines.push_back(line);  // part of the reply to a labeled command: held
    } else {
      deliver_now(to, line);
    }
  }
  void send(User& to, std::string line);
  // Sends a line that is not a reply to the command being handled, even when it goes to the
  // command's author (a message to oneself is a side effect, never labeled).
  void send_side_effect(User& to, const SharedLine& line);
  // IRCv3 standard replies: ":server FAIL <command> <code> [<context>...] :<description>".
  // The last element of `params` is the description.
  void fail(User& to, std::string_view command, std::string_view code,
            std::initializer_list<std::string_view> params);
  void warn(User& to, std::string_view command, std::string_view code,
            std::initializer_list<std::string_view> params);
  void note(User& to, std::string_view command, std::string_view code,
            std::initializer_list<std::string_view> params);

  // Labeled-response for a command answered after its dispatch returns (a client batch is
  // answered when it closes). take_label() takes the current command's label, if `u` sent it
  // with one, out of labeled-response: nothing, not even ACK, is sent for it now; "" if none.
  // reply_labeled() later runs `fn` and sends what it sends `u` as the reply to `label`, by the
  // same rules dispatch applies (an empty label: `fn` runs unlabeled).
  std::string take_label(User& u);
  // Whether the command being handled is `u`'s and carries a label (labeled-response).
  bool labeled_for(const User& u) const { return labeled_.user == &u; }
  void reply_labeled(User& u, std::string label, const std::function<void()>& fn);

  // A fresh message id (core/msgid.h) and a fresh batch reference (unique on this server).
  std::string new_msgid() {
    return msgids_.next(
        std::chrono::duration_cast<std::chrono::milliseconds>(now_.time_since_epoch()).count());
  }
  std::string new_batch_ref() { return std::to_string(++batch_counter_); }
  // 32 characters of unguessable text for a SCRAM server nonce: 24 bytes from OpenSSL's CSPRNG
  // (crypto::random_bytes), never from the message-id generator, whose output everyone sees.
  std::string new_nonce();
  // Failed-login and registration budgets, counters (core/login.h).
  AccountLimits& account_limits() { return account_limits_; }

  // A message from `from` (a user or the server) for many recipients, serialised lazily once
  // per distinct tag variant (plain, server-time, message tags) and shared by all of them.
  // Message tags (a msgid, server tags such as `bot`, the sender's client tags) reach only
  // users who negotiated message-tags.
  class Broadcast {
   public:
    Broadcast(Engine& engine, std::string_view source, std::string_view command,
              std::span<const std::string_view> params, std::string_view client_tags = {});
    Broadcast(Engine& engine, std::string_view source, std::string_view command,
              std::initializer_list<std::string_view> params, std::string_view client_tags = {})
        : Broadcast(engine, source, command, std::span<const std::string_view>(params.begin(), params.size()),
                    client_tags) {}
    // Gives the message a fresh msgid (call before the first delivery). Returns it.
    const std::string& with_msgid();
    // Gives it the msgid and server time another server assigned (a message from a link).
    Broadcast& with_origin(std::string_view msgid, TimePoint time) {
      msgid_ = std::string(msgid);
      time_ = time;
      return *this;
    }
    // Adds a server tag ("key" or "key=escaped-value") for message-tags users.
    Broadcast& with_tag(std::string_view tag);
    // IRCv3 account-tag: "account=<name>" for users who negotiated account-tag (with or without
    // message-tags) when `from` is logged in.
    Broadcast& with_account(const User& from);
    const std::string& msgid() const { return msgid_; }
    // The line as `u` would receive it.
    const SharedLine& line_for(const User& u);
    void to(User& u);
    void to_channel(Channel& c, const User* except = nullptr);
    // Every user sharing a channel with `about` (and `about` itself when include_self), once.
    Broadcast& to_common_channels(User& about, bool include_self, Cap required = Cap::kCount);
    // IRCv3 extended-monitor: users who MONITOR `about`, negotiated extended-monitor and
    // `required`, and were not reached by the to_common_channels call just before this one.
    Broadcast& to_monitors(User& about, Cap required);

   private:
    Engine& engine_;
    std::string body_;  // ":source COMMAND params\r\n"
    std::string msgid_;
    std::string tags_;     // "bot;+a=b;+c": server tags, then the client's; for message-tags users
    std::string account_;  // account-tag value; empty: none
    TimePoint time_{};     // server-time; epoch: the engine's now
    SharedLine variants_[8];
  };

  void complete_registration_if_ready(User& u);
  void send_welcome(User& u);
  void send_lusers(User& u);
  void send_motd(User& u);
  void send_isupport(User& u);
  // 353 lines for `c` and, when `end`, the 366 that closes them.
  void send_names(User& u, Channel& c, bool end = true);
  void send_topic(User& u, Channel& c);

  // Adds `u` to channel `name` (creating it), announces the JOIN and sends topic and names.
  void join_channel(User& u, std::string_view name, Channel* existing);
  // A new, empty channel `name` (no channel has it) created at `created`.
  Channel& add_channel(std::string_view name, TimePoint created);
  // Tells `c`'s members that `u` (already a member) joined: JOIN (extended-join where asked),
  // recorded in history, and its away message for away-notify clients.
  void announce_join(User& u, Channel& c);
  // Removes `u` from `c` without announcing; deletes the channel when it empties.
  void leave_channel(User& u, Channel& c);
  // Deletes `c` (invalidating it) when it has no members and is not registered.
  void discard_if_empty(Channel& c);
  // ChanServ's registrations (core/registered_channels.h).
  ChannelRegistry& registered_channels() { return registered_channels_; }
  // Gives `c` a new name (no channel may already have it, unless it is `c`); announces nothing.
  void rename_channel(Channel& c, std::string_view name);
  void change_nick(User& u, std::string_view nick);
  // Removes the user everywhere, tells common channels "QUIT :reason" and closes.
  // `u` stays valid until the current entry point returns. When `tell_transport`, the
  // session gets "ERROR :Closing Link: host (error_text or reason)" and is closed.
  void quit(User& u, std::string_view reason, std::string_view error_text = {}, bool tell_transport = true);

  // One shared WHOWAS record when a nick disappears.
  void remember_whowas(const User& u);
  std::string server_time_tag() const;
  bool sees_user(const User& viewer, const User& target) const;  // for WHO/+i visibility

  std::size_t unregistered_count() const { return users_.size() - registered_count_; }
  std::size_t registered_count() const { return registered_count_; }
  std::size_t oper_count() const;
  std::size_t peak_user_count() const { return peak_users_; }
  std::size_t invisible_count() const;
  // When the engine first ran (its first entry point call), for STATS u.
  TimePoint started() const { return started_; }
  // How many times `spec`'s handler ran (STATS m).
  std::uint64_t command_uses(const CommandSpec& spec) const;

  // ---- operators (docs/operations.md "Operators") ------------------------------------------

  // Whether operator `u` may use operator-only command `command` (upper case): its class
  // (OperatorBlock::class_name) lists it, or it has no class. False for a non-operator, and for an
  // operator whose block a reload removed.
  bool oper_may(const User& u, std::string_view command) const;
  // Makes `u` the operator of `block` (after OPER's password check): +o, its class's snomask, the
  // server notice; the links are told.
  void oper_up(User& u, const OperatorBlock& block);
  // A server notice "*** <text>" to every local operator whose snomask (core/snomask.h) has
  // `category`, and to the log. Cheap when no operator listens: check opers_listening() before
  // building a notice's text on a busy path.
  void notify_opers(char category, std::string_view text);
  bool opers_listening() const { return !oper_sessions_.empty(); }
  // K-lines and D-lines (core/server_bans.h). Changes go through add_server_ban/remove_server_ban,
  // which apply them to connected users, store them and tell the operators.
  const ServerBanList& server_bans() const { return server_bans_; }
  // Adds (or replaces) `ban` set by `by`; disconnects the local users it matches. Returns how many.
  std::size_t add_server_ban(ServerBan ban, const User& by);
  bool remove_server_ban(ServerBan::Kind kind, std::string_view mask, const User& by);

  // MONITOR (core/monitor.h). The engine tells watchers when a nick comes online (registration,
  // nick change) and goes offline (nick change, quit); handlers only edit the lists.
  MonitorRegistry& monitors() { return monitors_; }
  void announce_online(User& u);
  void announce_offline(const std::string& folded, std::string_view nick);

  // ---- the network of linked servers (core/network.h, src/link/) ----------------------------

  // Told of every change to network-wide state; null: nobody (a server without links).
  void set_network(NetworkObserver* observer) { network_ = observer ? observer : &no_network_; }
  NetworkObserver& network() { return *network_; }
  ServerInfo& local_server() { return local_server_; }
  const ServerInfo& local_server() const { return local_server_; }
  ServerInfo* find_server(std::string_view sid);
  ServerInfo* find_server_by_name(std::string_view name);
  // Every other server of the network, by SID.
  const std::unordered_map<std::string, std::unique_ptr<ServerInfo>>& remote_servers() const {
    return servers_;
  }
  // A server behind `parent`, reached through link `route`. Its SID and name are not in use.
  ServerInfo& add_server(ServerInfo& parent, std::string sid, std::string name, std::string description,
                         std::uint64_t route);
  // Netsplit: removes `s` and every server behind it, and quits their users at once with
  // "<s's parent's name> <s's name>" (the observer is not told of those quits).
  void split_server(ServerInfo& s);
  User* find_uid(std::string_view uid);
  // A query another server routed here for its user `u` (TIME, MOTD, ADMIN, INFO, STATS,
  // VERSION): runs command `m`'s handler for `u`, handing each line it sends `u` to `out`, which
  // turns them into lines for the links. False when `m` is not such a command.
  bool answer_remote_query(User& u, const proto::Message& m,
                           const std::function<void(const SharedLine&)>& out);
  // Remote users (core/network.h), by UID.
  const std::unordered_map<std::string, std::unique_ptr<User>>& remote_users() const { return remote_users_; }
  // Adds a user of server `on`, registered, with its UID, nick (free: collisions are the link
  // layer's to settle), nick_ts, username, host and realname set. Tells nobody.
  User& add_remote_user(ServerInfo& on, std::unique_ptr<User> u);
  // Registered users on every server.
  std::size_t global_user_count() const { return registered_count_ + remote_users_.size(); }
  // A remote user's +i or operator status, as the link layer applies them: kept counted, so that
  // LUSERS (in every welcome) never walks the network's users.
  void set_remote_invisible(User& u, bool on);
  void set_remote_oper(User& u, std::string oper_name);
  std::size_t global_peak_user_count() const { return peak_global_users_; }

 private:
  // One line, flood control already applied: parse and dispatch, or answer the parse error.
  void handle_line(User& u, std::string_view line);
  // After an answer to `u`'s request: the lines that arrived meanwhile, in order, until one of
  // them asks for slow work again; then input resumes if nothing is left waiting.
  void handle_deferred(User& u);
  void dispatch(User& u, const proto::Message& msg);
  void dispatch_command(User& u, const proto::Message& msg);
  void deliver_now(User& to, const SharedLine& line) {
    if (to.quitting || to.remote) [[unlikely]] {
      if (&to == remote_query_.user) (*remote_query_.out)(line);
      return;
    }
    ++to.deliveries_out;  // for STATS l
    to.bytes_out += line->size();
    sink_.send(to.id, line);
  }
  // IRCv3 labeled-response: while a labeled command runs, what it sends its author is held
  // here and released, labeled, when the handler returns (or before the session closes).
  struct LabeledReply {
    User* user = nullptr;
    std::string label;  // the escaped tag value, as received
    std::vector<SharedLine> lines;
  };
  void release_labeled_reply();
  void close_session(User& u, std::string_view reason);
  bool flood_ok(User& u);
  void end_call();  // frees departed users
  // Registers what waits for a history answer (history_request, history_append); returns the
  // request's id.
  RequestId await_history(User* u, HistoryContinuation then, bool is_reply);
  void expire_server_bans();  // tick(): the K-lines and D-lines whose time is up go
  void retire_departed();  // adds departed users' traffic to counters_, then frees them
  void build_isupport();
  void build_cap_values();
  // After reconfigure(): tells users what changed in ISUPPORT and in the offered caps.
  void announce_isupport_changes(const std::vector<std::vector<std::string>>& before);
  void announce_cap_changes(
      const EngineConfig& before_config,
      const std::array<std::string, static_cast<std::size_t>(Cap::kCount)>& before_values);
  std::uint64_t next_visit_epoch() { return ++visit_epoch_; }

  EngineConfig config_;
  ReplySink& sink_;
  AccountBackend& accounts_;
  struct PendingRequest {
    SessionId session = 0;
    std::string label;  // labeled-response label of the command that asked, if any
    AccountContinuation then;
    bool is_reply = true;  // answers a command of the user's: its later lines wait meanwhile
  };
  std::unordered_map<RequestId, PendingRequest> pending_;
  HistoryBackend& history_;
  struct PendingHistory {
    SessionId session = 0;  // 0: no user waits
    std::string label;
    HistoryContinuation then;
    bool is_reply = true;
  };
  std::unordered_map<RequestId, PendingHistory> history_pending_;
  // Quiet appends not answered yet, oldest first (history_append_quiet): what to say if one fails.
  struct QuietAppend {
    RequestId id = 0;
    SessionId sender = 0;  // 0: nobody is told
    std::string command;
    std::string shown_target;
  };
  std::deque<QuietAppend> quiet_appends_;
  RequestId last_request_ = 0;
  TimePoint now_{};
  std::unordered_map<SessionId, std::unique_ptr<User>> users_;
  std::unordered_map<std::string, User*> nicks_;
  std::unordered_map<std::string, std::unique_ptr<Channel>> channels_;
  std::unordered_map<std::string, std::size_t> clients_per_ip_;
  std::deque<WhowasEntry> whowas_;
  std::vector<std::unique_ptr<User>> departed_;           // freed at the end of each entry point
  std::vector<std::vector<std::string>> isupport_lines_;  // tokens, at most 13 per line
  std::array<std::string, static_cast<std::size_t>(Cap::kCount)> cap_values_;
  MsgIdGenerator msgids_;
  AccountLimits account_limits_;
  LabeledReply labeled_;
  std::uint64_t batch_counter_ = 0;
  Counters counters_;  // traffic of departed users; the other totals entire
  std::uint64_t visit_epoch_ = 0;
  std::size_t registered_count_ = 0;
  MonitorRegistry monitors_;
  ChannelRegistry registered_channels_;
  std::vector<std::uint64_t> command_uses_;  // indexed like all_commands()
  TimePoint started_{};
  std::size_t peak_users_ = 0;
  std::size_t peak_global_users_ = 0;
  NetworkObserver no_network_;
  NetworkObserver* network_ = &no_network_;
  ServerInfo local_server_;
  ServerControl no_control_;
  ServerControl* control_ = &no_control_;
  ServerBanList server_bans_;
  std::vector<SessionId> oper_sessions_;  // local operators (some may have left: checked on use)
  std::unordered_map<std::string, std::unique_ptr<ServerInfo>> servers_;  // by SID, without this one
  std::unordered_map<std::string, User*> uids_;                           // every user, local or remote
  std::unordered_map<std::string, std::unique_ptr<User>> remote_users_;   // by UID
  std::uint64_t uids_issued_ = 0;
  std::size_t remote_invisible_ = 0, remote_opers_ = 0;  // counted for LUSERS
  bool splitting_ = false;                               // split_server() is quitting a lost server's users
  struct RemoteQuery {
    const User* user = nullptr;
    const std::function<void(const SharedLine&)>* out = nullptr;
  } remote_query_;  // while answer_remote_query() runs
  // Remote users' SessionIds (kept in Channel::invited like local ones) have this bit set, so they
  // never collide with the transport's.
  static constexpr SessionId kRemoteSessionBit = SessionId{1} << 63;
  SessionId remote_ids_issued_ = 0;
  friend struct EngineTestAccess;
};

// Formats a time point as the server-time tag value, e.g. 2026-11-21T20:30:00.123Z.
std::string format_server_time(TimePoint t);
// Unix seconds as a decimal string.
std::string unix_seconds(TimePoint t);

}  // namespace parley::core
