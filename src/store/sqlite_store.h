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

#include <memory>
#include <mutex>
#include <string>

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

 private:
  struct Statements;  // the prepared statements, made once at open()

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

  std::mutex mutex_;
  sqlite3* db_;
  std::string path_;
  std::unique_ptr<Statements> stmts_;
};

}  // namespace parley::store
