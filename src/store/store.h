// The one place data outlives the process: accounts, history, read markers and registered
// channels.
//
// Implementations: MemoryStore (tests and --no-data-dir runs), SqliteStore (the data directory's
// parley.db, schema in docs/storage.md) and FaultInjectingStore (wraps another and fails on
// command, for failure tests). One contract test suite (tests/store/store_contract_test.cpp)
// runs against all of them.
//
// Errors are values: every call returns a Status or a Result; nothing throws for an expected
// failure (a missing account, a name taken, a disk error).
//
// Thread: every implementation is safe to call from several threads at once (calls are
// serialised inside). Calls block on disk: never call them on the engine's thread; the server
// runs them on its worker pool (server/account_service.h).
//
// Durability: a mutating call that returns ok() has reached stable storage (SQLite: committed in
// WAL mode with synchronous=FULL), so an acknowledgement sent after it survives kill -9.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/history.h"
#include "crypto/scram.h"

namespace parley::store {

class Status {
 public:
  enum class Code : std::uint8_t { kOk, kNotFound, kExists, kIoError, kCorrupt, kInvalid };

  Status() = default;
  static Status ok() { return {}; }
  static Status not_found(std::string message = {}) { return {Code::kNotFound, std::move(message)}; }
  static Status exists(std::string message = {}) { return {Code::kExists, std::move(message)}; }
  static Status io_error(std::string message) { return {Code::kIoError, std::move(message)}; }
  static Status corrupt(std::string message) { return {Code::kCorrupt, std::move(message)}; }
  static Status invalid(std::string message) { return {Code::kInvalid, std::move(message)}; }

  bool is_ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "not found: ...", "I/O error: ...": for logs and operator tools, never for IRC clients.
  std::string to_string() const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status saying why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : value_(std::move(status)) {}
  bool is_ok() const { return std::holds_alternative<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T& value() & { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(value_); }

 private:
  std::variant<T, Status> value_;
};

// One registered account. `name` is the account name as registered (its display form);
// lookups use the casefolded form, which the caller computes with the server's casemapping.
struct AccountRecord {
  std::string name;
  std::string name_folded;
  std::string password_hash;       // libsodium crypto_pwhash_str (Argon2id); empty: no password login
  crypto::ScramCredentials scram;  // empty when the account has no SCRAM credentials
  std::string email;               // may be empty
  bool verified = true;            // false while waiting for an operator's SAVERIFY
  bool enforce = true;             // protect the nick: rename someone who uses it without logging in
  // SHA-256 of client certificates, lowercase hex. Stores keep them sorted and without repeats,
  // whatever order they were given in.
  std::vector<std::string> certfps;
  std::int64_t registered_at = 0;  // Unix seconds
};

// How long history is kept. 0 means no bound. A per-target rule replaces both server-wide
// bounds for that target (a folded channel name or a dm_key()).
struct RetentionRule {
  std::int64_t max_age_ms = 0;
  std::size_t max_count = 0;  // the newest max_count entries of each target are kept
  friend bool operator==(const RetentionRule&, const RetentionRule&) = default;
};
struct RetentionPolicy {
  RetentionRule all;
  std::vector<std::pair<std::string, RetentionRule>> per_target;
};

class Store {
 public:
  virtual ~Store() = default;

  // Adds `account`. kExists when its name_folded is taken, or one of its certfps belongs to
  // another account; nothing is written then.
  virtual Status create_account(const AccountRecord& account) = 0;
  // kNotFound when no account has this folded name.
  virtual Result<AccountRecord> find_account(std::string_view name_folded) = 0;
  // The account a certificate fingerprint is registered to; kNotFound if none.
  virtual Result<AccountRecord> find_account_by_certfp(std::string_view certfp) = 0;
  // Replaces the record whose name_folded is `account.name_folded` (kNotFound if none; kExists if
  // a new certfp belongs to another account). All or nothing.
  virtual Status update_account(const AccountRecord& account) = 0;
  // Removes the account and everything it owns. kNotFound if none.
  virtual Status delete_account(std::string_view name_folded) = 0;
  // Every account, ordered by name_folded.
  virtual Result<std::vector<AccountRecord>> list_accounts() = 0;
  // How many accounts use `email` (compared case-insensitively in ASCII); 0 for an empty email.
  virtual Result<std::size_t> count_accounts_with_email(std::string_view email) = 0;

  // ---- History (core/history.h has the types and the query semantics) ----
  // Stores `entries` in one transaction: all or nothing. An entry whose msgid is already stored
  // is skipped (appending the same batch twice stores it once). kInvalid, and nothing stored, when
  // an entry has no msgid, target or command. The server's group commit calls this with every
  // append that queued up meanwhile.
  virtual Status append_history(std::span<const core::HistoryEntry> entries) = 0;
  // The same for a list written in place (tests: append_history({a, b})). Derived classes bring it
  // into scope with `using Store::append_history;`.
  Status append_history(std::initializer_list<core::HistoryEntry> entries) {
    return append_history(std::span<const core::HistoryEntry>(entries.begin(), entries.size()));
  }
  // Oldest first, at most query.limit. kNotFound when an msgid reference is not in query.target.
  virtual Result<std::vector<core::HistoryEntry>> query_history(const core::HistoryQuery& query) = 0;
  // CHATHISTORY TARGETS: the listed channels and the account's private conversations that have an
  // entry strictly between the two times, each with its newest such entry; newest first (ties by
  // target), at most query.limit.
  virtual Result<std::vector<core::TargetActivity>> history_targets(const core::TargetsQuery& query) = 0;
  // SEARCH: PRIVMSG and NOTICE entries of query.targets (none listed: nothing found) that contain
  // every word of query.text (store/history_rules.h words(): ASCII case-insensitive, whole words;
  // a text without any word finds nothing), from query.from_folded, strictly between after_ms and
  // before_ms. At most query.limit, newest first (with words: the most recently appended matches,
  // history_rules.h).
  virtual Result<std::vector<core::HistoryEntry>> search_history(const core::SearchQuery& query) = 0;
  // Deletes what `policy` no longer keeps at `now_ms` (entries older than now_ms - max_age_ms, and
  // those beyond the newest max_count of their target), oldest first, at most `max_rows` rows per
  // call (0: no bound), so a long backlog is expired in short transactions. Returns how many were
  // deleted; call again while it returns max_rows.
  virtual Result<std::size_t> expire_history(const RetentionPolicy& policy, std::int64_t now_ms,
                                             std::size_t max_rows) = 0;
  // Deletes every entry of `target` (nothing to delete is ok).
  virtual Status forget_history(std::string_view target) = 0;
  // Deletes the one entry of `target` with this msgid (a REDACTed message). kNotFound if none.
  virtual Status delete_history_entry(std::string_view target, std::string_view msgid) = 0;

  // ---- Read markers (draft/read-marker), per account and target ----
  // The stored marker (ms since the epoch); 0 when none.
  virtual Result<std::int64_t> read_marker(std::string_view account_folded, std::string_view target) = 0;
  // Moves the marker to `time_ms` unless it is already later. Returns the stored value after the call.
  virtual Result<std::int64_t> set_read_marker(std::string_view account_folded, std::string_view target,
                                               std::int64_t time_ms) = 0;

  // ---- Registered channels (ChanServ) ----
  // Inserts or replaces the channel whose name_folded is channel.name_folded, bans (in the order
  // given) and access list (kept sorted by account) included, all or nothing. kInvalid for an
  // empty name_folded, an account listed twice, a list other than b/e/I, a level other than o/v.
  virtual Status save_channel(const core::RegisteredChannel& channel) = 0;
  // kNotFound if none.
  virtual Status drop_channel(std::string_view name_folded) = 0;
  // Every registered channel, ordered by name_folded.
  virtual Result<std::vector<core::RegisteredChannel>> list_channels() = 0;

  // ---- Server bans (KLINE/DLINE, core/server_bans.h) ----
  // Inserts or replaces the ban of ban.kind and ban.mask. kInvalid for an empty mask.
  virtual Status save_server_ban(const core::ServerBan& ban) = 0;
  // kNotFound if none.
  virtual Status delete_server_ban(core::ServerBan::Kind kind, std::string_view mask) = 0;
  // Every stored ban, expired or not, K-lines first, each kind by mask.
  virtual Result<std::vector<core::ServerBan>> list_server_bans() = 0;
};

}  // namespace parley::store
