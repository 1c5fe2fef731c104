// The durable Store: one SQLite database file (the data directory's parley.db; schema, versions
// and guarantees in docs/storage.md).
//
// Durability: WAL journal with synchronous=FULL, and every mutating call is one transaction, so a
// call that returns ok() is on stable storage and a crash (kill -9, power loss) at any moment
// leaves each call either wholly applied or not at all.
//
// Sharing: several processes may open the same file at once (`parley server` and `parley
// account`): writers take SQLite's write lock with BEGIN IMMEDIATE and wait up to
// kBusyTimeoutMs for each other; readers never block writers. Reads that span two statements run
// in one read transaction, so they see one consistent snapshot.
//
// Thread: safe from several threads; one connection behind a mutex serialises every call (the
// store is never the bottleneck next to Argon2id: docs/storage.md has the numbers).
//
// Schema: PRAGMA user_version holds the version; open() applies the missing migrations in order,
// all in one transaction, and refuses a file written by a newer Parley.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "store/history_rules.h"
#include "store/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace parley::store {

class SqliteStore final : public Store {
 public:
  // The schema version this build writes; open() migrates older files up to it.
  static int schema_version();
  // How long a call waits by default for another process's write lock before it fails with
  // kIoError ("database is locked").
  static constexpr int kBusyTimeoutMs = 5000;

  // Opens (creating if missing) the database at `path`. Errors: kCorrupt when the file is not a
  // SQLite database or is damaged (SQLite's message included); kInvalid when it was written by a
  // newer schema version or is some other program's database; kIoError when it cannot be opened
  // or written (permissions, disk full, locked). The message always names the file.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   int busy_timeout_ms = kBusyTimeoutMs);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // The schema version recorded in the file (after open(): schema_version()).
  Result<int> stored_schema_version();
  const std::string& path() const { return path_; }

  Status create_account(const AccountRecord& account) override;
  Result<AccountRecord> find_account(std::string_view name_folded) override;
  Result<AccountRecord> find_account_by_certfp(std::string_view certfp) override;
  Status update_account(const AccountRecord& account) override;
  Status delete_account(std::string_view name_folded) override;
  Result<std::vector<AccountRecord>> list_accounts() override;
  Result<std::size_t> count_accounts_with_email(std::string_view email) override;

  // History: sqlite_store_history.cpp (SEARCH uses the FTS5 table history_text, docs/storage.md);
  // read markers and registered channels: sqlite_store_channels.cpp.
  Status append_history(const std::vector<core::HistoryEntry>& entries) override;
  Result<std::vector<core::HistoryEntry>> query_history(const core::HistoryQuery& query) override;
  Result<std::vector<core::TargetActivity>> history_targets(const core::TargetsQuery& query) override;
  Result<std::vector<core::HistoryEntry>> search_history(const core::SearchQuery& query) override;
  Result<std::size_t> expire_history(const RetentionPolicy& policy, std::int64_t now_ms,
                                     std::size_t max_rows) override;
  Status forget_history(std::string_view target) override;
  Status delete_history_entry(std::string_view target, std::string_view msgid) override;
  Result<std::int64_t> read_marker(std::string_view account_folded, std::string_view target) override;
  Result<std::int64_t> set_read_marker(std::string_view account_folded, std::string_view target,
                                       std::int64_t time_ms) override;
  Status save_channel(const core::RegisteredChannel& channel) override;
  Status drop_channel(std::string_view name_folded) override;
  Result<std::vector<core::RegisteredChannel>> list_channels() override;
  Status save_server_ban(const core::ServerBan& ban) override;
  Status delete_server_ban(core::ServerBan::Kind kind, std::string_view mask) override;
  Result<std::vector<core::ServerBan>> list_server_bans() override;

 private:
  struct Statements;         // the prepared statements, made once at open()
  struct HistoryStatements;  // those of the history, marker and channel calls

  SqliteStore(sqlite3* db, std::string path);

  // A Status for the connection's last error, naming the file and what was being done.
  Status error(int rc, std::string_view doing) const;
  // Brings the schema up to schema_version() (the missing migrations, in one transaction).
  Status migrate();
  // Prepares every statement (after migrate(): they name the tables).
  Status prepare();
  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT (writes) or BEGIN ... COMMIT (reads); any
  // non-ok Status from `body`, or a failed COMMIT, rolls everything back.
  template <typename Body>
  Status in_transaction(bool write, std::string_view doing, Body&& body);
  // Reads the account row `stmt` is positioned on plus its certfps.
  Result<AccountRecord> read_account_row(sqlite3_stmt* stmt);
  Result<AccountRecord> find_locked(std::string_view name_folded);
  Status insert_certfps(const AccountRecord& account);
  // in_transaction() for the other source file.
  Status transaction(bool write, std::string_view doing, const std::function<Status()>& body);

  // sqlite_store_history.cpp (insert_channel: sqlite_store_channels.cpp). Callers hold the mutex
  // (and a transaction where it says so).
  Status prepare_history();
  Status insert_entry(const core::HistoryEntry& entry);  // in a write transaction
  Result<std::optional<history::Position>> find_msgid(std::string_view target, std::string_view msgid);
  Result<std::vector<core::HistoryEntry>> read_range(std::string_view target, const history::Range& range);
  // The rows of a statement whose columns are kEntryColumns (and, with `ids`, then the id).
  Result<std::vector<core::HistoryEntry>> read_entries(sqlite3_stmt* stmt, std::string_view doing,
                                                       std::vector<std::int64_t>* ids = nullptr);
  Result<std::optional<std::int64_t>> latest_between(std::string_view target, std::int64_t low,
                                                     std::int64_t high);
  Status fill_search_targets(const std::vector<std::string>& targets);  // in a transaction
  Result<std::size_t> expire_target(std::string_view target, const RetentionRule& rule, std::int64_t now_ms,
                                    std::size_t budget);          // in a write transaction
  Status insert_channel(const core::RegisteredChannel& channel);  // in a write transaction

  std::mutex mutex_;
  sqlite3* db_;
  std::string path_;
  std::unique_ptr<Statements> stmts_;
  struct FreeHistoryStatements {
    void operator()(HistoryStatements* statements) const;  // sqlite_store_history.cpp
  };
  std::unique_ptr<HistoryStatements, FreeHistoryStatements> history_;
};

}  // namespace parley::store
