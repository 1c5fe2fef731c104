// Everything the engine needs to know about its deployment. Filled from defaults, the TOML file
// and the command line by the app layer; the engine treats it as read-only.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "proto/casemap.h"

namespace parley::core {

struct Limits {
  std::size_t max_clients = 10000;      // connections, registered or not
  std::size_t max_clients_per_ip = 10;  // lifted for exempt addresses
  std::size_t max_channels_per_user = 50;
  std::size_t max_targets = 4;  // PRIVMSG/NOTICE/JOIN/KICK targets per command
  std::size_t nick_length = 30;
  std::size_t channel_length = 50;
  std::size_t topic_length = 390;
  std::size_t kick_length = 255;
  std::size_t away_length = 200;
  std::size_t user_length = 10;
  std::size_t realname_length = 100;
  std::size_t max_bans = 100;  // per channel: +b, +e and +I entries together
  std::size_t max_modes = 4;   // parameterised mode changes per MODE command
  std::size_t whowas_entries = 1000;
  std::size_t list_max = 1000;                 // LIST replies before truncation
  std::size_t monitor_entries = 100;           // nicks on one user's MONITOR list
  std::size_t knock_interval_seconds = 60;     // one KNOCK per user per interval
  std::size_t metadata_max_keys = 20;          // draft/metadata-3 keys per user and per channel
  std::size_t metadata_max_subs = 50;          // metadata keys one client may subscribe to
  std::size_t metadata_max_value_bytes = 300;  // longest metadata value accepted
  std::size_t metadata_sync_members = 250;     // larger channels get 774 (sync later) on JOIN
  std::size_t max_silence = 32;                // SILENCE masks per user (ISUPPORT SILENCE)
  std::size_t multiline_max_bytes = 4096;      // draft/multiline: text per batch, line feeds included
  std::size_t multiline_max_lines = 32;        // draft/multiline: PRIVMSG/NOTICE lines per batch
  std::size_t redact_window = 900;             // seconds during which a message may be REDACTed
  std::size_t redact_messages = 100;           // latest messages per target that REDACT can find

  bool operator==(const Limits&) const = default;
};

// Token bucket per client: each command costs one token; tokens refill at `rate` per second
// up to `burst`. A client that keeps sending with an empty bucket past `max_debt` commands is
// disconnected with "Excess Flood".
struct FloodControl {
  double burst = 20;
  double rate = 2;
  double max_debt = 10;

  bool operator==(const FloodControl&) const = default;
};

struct Timeouts {
  std::chrono::seconds registration{30};
  std::chrono::seconds ping_interval{90};    // idle time before the server sends PING
  std::chrono::seconds ping_timeout{60};     // unanswered PING before the client is dropped
  std::chrono::seconds multiline_batch{30};  // an open draft/multiline batch is discarded after this

  bool operator==(const Timeouts&) const = default;
};

// What an operator may do (docs/operations.md "Operator classes"): the operator-only commands
// it may use, and the server notices it gets by default when it opers up.
struct OperatorClass {
  std::string name;
  std::vector<std::string> commands;  // upper case; "*": every operator command
  std::string snomask = "acgkloqx";  // core/snomask.h letters

  bool operator==(const OperatorClass&) const = default;
};

struct OperatorBlock {
  std::string name;
  std::string password_hash;  // libsodium crypto_pwhash_str (argon2id); see `parley mkpasswd`
  std::string host_mask = "*@*";
  std::string class_name;  // an OperatorClass's name; empty: every operator command, every notice

  bool operator==(const OperatorBlock&) const = default;
};

// Built-in accounts (NickServ, SASL, draft/account-registration). docs/operations.md "Accounts".
struct AccountPolicy {
  // Who may register: anyone; nobody (operators create accounts with `parley account create`);
  // or anyone, but the account works only after an operator's SAVERIFY. Parley sends no e-mail.
  enum class Registration : std::uint8_t { kOpen, kClosed, kOperatorVerify };
  Registration registration = Registration::kOpen;
  // REGISTER accepted before the connection has completed registration (the cap's before-connect).
  bool register_before_connect = true;
  // A user on a registered nick without being logged in to it is renamed after this long.
  std::chrono::seconds enforce_grace{30};
  std::size_t min_password_length = 8;
  std::size_t max_password_length = 300;
  // Failed logins (any mechanism) allowed per minute, per account and per IP address.
  std::size_t login_failures_per_minute = 5;
  std::size_t registrations_per_ip_per_hour = 3;
  std::size_t max_accounts_per_email = 3;  // 0: no limit

  bool operator==(const AccountPolicy&) const = default;
};

// Hidden hosts. docs/operations.md "Cloaks".
struct CloakConfig {
  bool enabled = true;
  // Key of the HMAC-SHA-256 that turns an IP address into its cloak. The app layer reads it from
  // the data directory (generated once); never shown to anyone.
  std::string secret;
  std::string suffix = "ip";  // a cloak reads "<hash>.<hash>.<suffix>"
  bool account_hosts = true;  // after login the host becomes "user/<account>"

  bool operator==(const CloakConfig&) const = default;
};

// IRCv3 strict transport security: offered only when an operator configures it, because a
// client that sees it will refuse plaintext for `duration`, and a self-signed certificate must
// never be pinned that way.
struct StsPolicy {
  bool enabled = false;
  std::uint16_t port = 6697;  // the TLS port plaintext clients are sent to
  std::chrono::seconds duration{std::chrono::hours(24 * 30)};
  bool preload = false;

  bool operator==(const StsPolicy&) const = default;
};

// History (core/history.h, docs/protocol.md "CHATHISTORY").
struct HistoryPolicy {
  // Off: nothing is recorded, CHATHISTORY is an unknown command, no caps or ISUPPORT tokens.
  bool enabled = true;
  std::size_t max_query = 1000;  // most entries one CHATHISTORY/SEARCH returns; ISUPPORT CHATHISTORY=
  // On: a channel without +s may be read by anyone, member or not (a channel that does not exist
  // now has no modes, so this decides for it too). Off (the default): members only, as
  // draft/chathistory servers usually answer and the privacy rule asks.
  bool public_channels = false;
  // History requests outstanding (submitted, not yet answered) at which senders start to be held
  // until their messages are stored (Engine::history_backlogged); [history] queue.
  std::size_t max_backlog = 10'000;
  // Most lines a channel operator may ask +H to replay (core/channel_replay.h), 1 to
  // kReplayLinesCeiling; [history] replay_max_lines. A larger +H that came from a link or the
  // store stands, and replays this many.
  std::size_t replay_max_lines = 50;

  bool operator==(const HistoryPolicy&) const = default;
};

// Its sections compare with ==, so that a reload (Engine::reconfigure) can say what changed.
struct EngineConfig {
  // The configuration file the server was started with (REHASH names it); empty: the embedded
  // default.
  std::string config_file;
  std::string server_name = "parley.local";
  std::string network_name = "Parley";
  std::string server_description = "Parley IRC server";
  // SID (core/network.h): a digit and two of [0-9A-Z], unique in the network. Empty: derived from
  // server_name (sid_from_name).
  std::string server_id;
  std::string version = "parley-0.1.0";
  std::string created = "";  // shown in RPL_CREATED; set at start-up
  proto::Casemapping casemapping = proto::Casemapping::kRfc1459;
  std::string password_hash;      // server password (PASS); empty = none
  std::vector<std::string> motd;  // lines; empty = ERR_NOMOTD
  std::vector<OperatorBlock> operators;
  std::vector<OperatorClass> operator_classes;
  std::vector<std::string> admin_info = {"Parley", "An IRC server", "admin@parley.local"};
  // Seeds the message-id generator (core/msgid.h). The app layer fills it from the OS; the
  // default keeps tests repeatable.
  std::array<std::uint64_t, 4> msgid_seed{};
  // UTF8ONLY (ircv3.net utf8-only): refuse lines that are not valid UTF-8 with FAIL INVALID_UTF8.
  bool utf8_only = true;
  Limits limits;
  FloodControl flood;
  Timeouts timeouts;
  AccountPolicy accounts;
  CloakConfig cloaks;
  StsPolicy sts;
  HistoryPolicy history;
};

}  // namespace parley::core
