// One connected client as the engine sees it. Owned by the Engine; handlers get references
// that are valid for the duration of one engine call.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/caps.h"
#include "core/metadata.h"
#include "core/multiline.h"
#include "core/recent_messages.h"
#include "core/sasl_session.h"
#include "core/types.h"
#include "proto/casemap.h"

namespace parley::core {

class Channel;
struct ServerInfo;

struct User {
  // What every delivery of a fan-out reads or writes, together at the start (one cache line).
  SessionId id = 0;
  CapSet caps;
  bool quitting = false;  // being removed; send nothing more
  bool remote = false;    // on another server (core/network.h): no session, never sent anything
  // Traffic counters for STATS l: lines received, deliveries queued (a delivery may hold
  // several lines), and their bytes.
  std::uint64_t lines_in = 0, bytes_in = 0, deliveries_out = 0, bytes_out = 0;
  std::vector<std::string> silence;  // SILENCE masks (nick!user@host globs); empty for most users

  std::string uid;               // network-wide id (core/network.h): its server's SID + 6 characters
  ServerInfo* server = nullptr;  // where it is connected; the engine's local server for local users
  std::int64_t nick_ts = 0;      // Unix seconds when the nick was taken (linked servers' collision rule)
  std::string nick;              // "*"-free; empty until NICK is accepted
  std::string nick_folded;       // key in the engine's nick index
  std::string username;          // from USER, prefixed with '~' (no ident lookup)
  std::string realname;
  std::string host;     // shown host: the IP (no reverse DNS on the engine thread) or CHGHOST's
  std::string address;  // the IP as connected, whatever CHGHOST did to host; see ip()
  // The IP's cloak (core/cloak.h) when cloaks are enabled, else empty. `host` starts as this and
  // may change (account host, CHGHOST); bans keep matching it, the displayed host and the IP.
  std::string cloak;
  std::string away;  // empty when present

  bool registered = false;
  bool user_received = false;
  bool cap_negotiating = false;    // CAP LS/REQ seen, CAP END not yet
  bool invisible = false;          // +i
  bool bot = false;                // +B (IRCv3 bot-mode)
  bool wallops = false;            // +w: receives WALLOPS
  bool exempt = false;             // no flood/per-IP limits
  bool secure = false;             // connected over TLS
  bool password_checking = false;  // server password (PASS) submitted for checking, no answer yet
  bool password_ok = false;        // server password checked and right
  // A request for slow work is pending (Engine::request): this user's further lines wait, in
  // order, until its answer has been handled, so replies keep the order of the commands.
  bool awaiting_answer = false;
  // Durable appends of this user's messages whose echo waits for their answer without holding
  // its input (pipelined, core/history_recording.h): meanwhile its further channel messages are
  // handled at once and any other line waits, so replies keep the order of the commands.
  std::uint32_t echo_holds = 0;
  bool input_paused = false;      // the transport was asked to stop reading (ReplySink::pause_input)
  std::uint16_t cap_version = 0;  // 302 after CAP LS 302

  TimePoint connected_at{};
  TimePoint last_activity{};  // last line received, for PING scheduling
  TimePoint last_message{};   // last PRIVMSG/NOTICE sent, for WHOIS idle
  TimePoint ping_sent{};      // when an unanswered PING went out; epoch if none
  TimePoint last_knock{};     // last KNOCK accepted, for limits.knock_interval_seconds
  double flood_tokens = 0;
  TimePoint flood_at{};

  std::string prefix_;
  std::vector<Channel*> channels;                // memberships, in join order
  std::uint64_t visit_mark = 0;                  // Engine-private: de-duplicates fan-out to common channels
  std::unique_ptr<MultilineBatch> multiline;     // only while a draft/multiline batch is open
  std::unique_ptr<RecentMessages> sent_private;  // private messages sent recently, for REDACT
  std::unique_ptr<SaslSession> sasl;             // only while a SASL exchange runs
  // Keys of the in-memory private history this session took part in (ephemeral_dm_key()),
  // forgotten when it changes nick or leaves (core/history_recording.h).
  std::vector<std::string> ephemeral_history;
  // draft/read-marker for a user not logged in: (folded target, ms) pairs, kept for the session
  // only (core/read_marker.h). A logged-in user's markers are stored per account.
  std::vector<std::pair<std::string, std::int64_t>> session_read_markers;
  // Nick protection (core/login.h): when the user will be renamed unless they log in to the
  // account `enforce_nick` (folded) names or leave that nick. Epoch: nothing scheduled.
  TimePoint enforce_at{};
  std::string enforce_nick;

  // Rarely set fields live in an extension allocated on first use, so an idle user stays small.
  const std::string& oper_name() const {
    return extra_ ? extra_->oper_name : empty_string();
  }  // empty: not an oper
  const std::string& pending_password() const { return extra_ ? extra_->pending_password : empty_string(); }
  void set_oper_name(std::string name) { set(&Extra::oper_name, std::move(name)); }
  // The server notices this operator gets (core/snomask.h letters; user mode +s); empty: none.
  const std::string& snomask() const { return extra_ ? extra_->snomask : empty_string(); }
  void set_snomask(std::string mask) { set(&Extra::snomask, std::move(mask)); }
  void set_pending_password(std::string password) { set(&Extra::pending_password, std::move(password)); }
  // The account this user is logged in to (display form); empty: not logged in.
  const std::string& account() const { return extra_ ? extra_->account : empty_string(); }
  void set_account(std::string name) { set(&Extra::account, std::move(name)); }
  // The nick an unregistered user last asked for when it was taken (REGISTER * names it).
  const std::string& requested_nick() const { return extra_ ? extra_->requested_nick : empty_string(); }
  void set_requested_nick(std::string nick) { set(&Extra::requested_nick, std::move(nick)); }
  // SHA-256 of the TLS client certificate, lowercase hex; empty: none (or not TLS).
  const std::string& certfp() const { return extra_ ? extra_->certfp : empty_string(); }
  void set_certfp(std::string fp) { set(&Extra::certfp, std::move(fp)); }
  // Lines received while awaiting_answer, oldest first, and their bytes.
  std::size_t deferred_count() const { return extra_ ? extra_->deferred.size() : 0; }
  std::size_t deferred_bytes() const { return extra_ ? extra_->deferred_bytes : 0; }
  void defer_line(std::string_view line) {
    if (!extra_) extra_ = std::make_unique<Extra>();
    extra_->deferred.emplace_back(line);
    extra_->deferred_bytes += line.size();
  }
  const std::string& next_deferred_line() const { return extra_->deferred.front(); }
  std::string take_deferred_line() {
    std::string line = std::move(extra_->deferred.front());
    extra_->deferred.pop_front();
    extra_->deferred_bytes -= line.size();
    if (extra_->unused()) extra_.reset();
    return line;
  }
  // draft/metadata-3 keys and subscriptions; null for a user who has neither.
  const UserMetadata* metadata() const {
    return extra_ && !extra_->metadata.empty() ? &extra_->metadata : nullptr;
  }
  // For changing them; call release_unused_metadata() afterwards so an emptied extension goes.
  UserMetadata& metadata_for_update() {
    if (!extra_) extra_ = std::make_unique<Extra>();
    return extra_->metadata;
  }
  void release_unused_metadata() {
    if (extra_ && extra_->unused()) extra_.reset();
  }
  // The textual IP: `address` is the IP, with "0" prepended to an IPv6 address that starts
  // with ':' (a host may not start with ':' on the wire). Such an address starts with "::", and
  // no address as formatted by inet_ntop starts with "0::", so stripping that "0" is exact.
  std::string_view ip() const {
    std::string_view h = address;
    if (h.size() > 2 && h[0] == '0' && h[1] == ':' && h[2] == ':') h.remove_prefix(1);
    return h;
  }

  bool is_oper() const { return !oper_name().empty(); }
  // nick!user@host, the message source for everything this user does. Cached: call
  // update_prefix() after changing nick, username or host.
  const std::string& prefix() const { return prefix_; }
  void update_prefix() { prefix_ = nick + "!" + username + "@" + host; }
  // The name numerics address this user by: the nick, or "*" before one is set.
  const std::string& target_name() const {
    static const std::string star = "*";
    return nick.empty() ? star : nick;
  }

 private:
  struct Extra {
    std::string oper_name, snomask, pending_password, account, certfp, requested_nick;
    UserMetadata metadata;
    std::deque<std::string> deferred;
    std::size_t deferred_bytes = 0;
    bool unused() const {
      return oper_name.empty() && snomask.empty() && pending_password.empty() && account.empty() && certfp.empty() &&
             requested_nick.empty() && metadata.empty() && deferred.empty();
    }
  };
  static const std::string& empty_string() {
    static const std::string empty;
    return empty;
  }
  void set(std::string Extra::*field, std::string value) {
    if (!extra_) {
      if (value.empty()) return;
      extra_ = std::make_unique<Extra>();
    }
    (*extra_).*field = std::move(value);
    if (extra_->unused()) extra_.reset();
  }
  std::unique_ptr<Extra> extra_;
};

// SILENCE: whether `recipient` does not want messages or invitations from `sender`. Free for a
// recipient whose list is empty, as almost every list is.
bool silence_matches(const User& recipient, const User& sender, proto::Casemapping cm);
inline bool silenced(const User& recipient, const User& sender, proto::Casemapping cm) {
  return !recipient.silence.empty() && silence_matches(recipient, sender, cm);
}

}  // namespace parley::core
