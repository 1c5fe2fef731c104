#include "store/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <utility>

#include "store/sqlite_support.h"

namespace parley::store {

using sqlite_support::bind_blob;
using sqlite_support::bind_text;
using sqlite_support::column_blob;
using sqlite_support::column_text;
using sqlite_support::Use;

namespace {

// One schema step. Versions count up from 1 with no gaps; a step is never edited once released:
// a change to the schema is a new step (docs/storage.md "Migrations").
struct Migration {
  int version;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE accounts (
  name_folded      TEXT    NOT NULL PRIMARY KEY,
  name             TEXT    NOT NULL,
  password_hash    TEXT    NOT NULL,
  scram_salt       BLOB    NOT NULL,
  scram_iterations INTEGER NOT NULL CHECK (scram_iterations BETWEEN 0 AND 4294967295),
  scram_stored_key BLOB    NOT NULL CHECK (length(scram_stored_key) = 32),
  scram_server_key BLOB    NOT NULL CHECK (length(scram_server_key) = 32),
  email            TEXT    NOT NULL,
  verified         INTEGER NOT NULL CHECK (verified IN (0, 1)),
  enforce          INTEGER NOT NULL CHECK (enforce IN (0, 1)),
  registered_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX accounts_by_email ON accounts (email COLLATE NOCASE);
CREATE TABLE account_certfps (
  certfp  TEXT NOT NULL PRIMARY KEY,
  account TEXT NOT NULL REFERENCES accounts (name_folded) ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;
CREATE INDEX account_certfps_by_account ON account_certfps (account);
)sql"},
    // Issue 13: history (with its FTS5 index for SEARCH), read markers, registered channels.
    {2, R"sql(
CREATE TABLE history (
  id            INTEGER PRIMARY KEY,
  target        TEXT    NOT NULL,
  msgid         TEXT    NOT NULL UNIQUE,
  time_ms       INTEGER NOT NULL,
  source        TEXT    NOT NULL,
  sender_folded TEXT    NOT NULL,
  account       TEXT    NOT NULL,
  command       TEXT    NOT NULL,
  tags          TEXT    NOT NULL,
  params        TEXT    NOT NULL,
  text          TEXT    NOT NULL
);
CREATE INDEX history_by_target_time ON history (target, time_ms);
CREATE INDEX history_by_sender ON history (sender_folded, target, time_ms);
CREATE VIRTUAL TABLE history_text USING fts5 (
  text, content = 'history', content_rowid = 'id', tokenize = 'ascii', detail = 'none'
);
CREATE TRIGGER history_text_insert AFTER INSERT ON history WHEN new.text <> '' BEGIN
  INSERT INTO history_text (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER history_text_delete AFTER DELETE ON history WHEN old.text <> '' BEGIN
  INSERT INTO history_text (history_text, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER history_is_append_only BEFORE UPDATE ON history BEGIN
  SELECT RAISE (ABORT, 'history rows are never updated');
END;
CREATE TABLE conversations (
  account_folded TEXT NOT NULL,
  target         TEXT NOT NULL,
  PRIMARY KEY (account_folded, target)
) WITHOUT ROWID;
CREATE TABLE read_markers (
  account_folded TEXT    NOT NULL,
  target         TEXT    NOT NULL,
  time_ms        INTEGER NOT NULL,
  PRIMARY KEY (account_folded, target)
) WITHOUT ROWID;
CREATE TABLE channels (
  name_folded   TEXT    NOT NULL PRIMARY KEY,
  name          TEXT    NOT NULL,
  founder       TEXT    NOT NULL,
  registered_at INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  topic         TEXT    NOT NULL,
  topic_setter  TEXT    NOT NULL,
  topic_time    INTEGER NOT NULL,
  modes         TEXT    NOT NULL
) WITHOUT ROWID;
CREATE TABLE channel_bans (
  channel  TEXT    NOT NULL REFERENCES channels (name_folded) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  list     TEXT    NOT NULL CHECK (list IN ('b', 'e', 'I')),
  mask     TEXT    NOT NULL,
  setter   TEXT    NOT NULL,
  set_at   INTEGER NOT NULL,
  PRIMARY KEY (channel, position)
) WITHOUT ROWID;
CREATE TABLE channel_access (
  channel        TEXT    NOT NULL REFERENCES channels (name_folded) ON DELETE CASCADE,
  account_folded TEXT    NOT NULL,
  level          TEXT    NOT NULL CHECK (level IN ('o', 'v')),
  setter         TEXT    NOT NULL,
  set_at         INTEGER NOT NULL,
  PRIMARY KEY (channel, account_folded)
) WITHOUT ROWID;
)sql"},
    // The FTS5 index is filled by append_history() with one INSERT ... SELECT per group commit
    // instead of a trigger per row: measured four times cheaper (docs/storage.md "Schema").
    {3, R"sql(
DROP TRIGGER history_text_insert;
)sql"},
    // KLINE and DLINE (core/server_bans.h). kind: 'K' or 'D'; expires_at 0: permanent.
    {4, R"sql(
CREATE TABLE server_bans (
  kind       TEXT    NOT NULL CHECK (kind IN ('K', 'D')),
  mask       TEXT    NOT NULL,
  reason     TEXT    NOT NULL,
  set_by     TEXT    NOT NULL,
  set_at     INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (kind, mask)
) WITHOUT ROWID;
)sql"},
    // History in blocks: one row per target and group commit instead of one per message
    // (store/history_block.h, docs/storage.md "History blocks"). open() then moves version 2's rows
    // over and drops its history and history_text tables (SqliteStore::move_history_to_blocks()).
    {5, R"sql(
CREATE TABLE history_blocks (
  id      INTEGER PRIMARY KEY,
  target  TEXT    NOT NULL,
  min_ms  INTEGER NOT NULL,
  max_ms  INTEGER NOT NULL CHECK (max_ms >= min_ms),
  count   INTEGER NOT NULL CHECK (count > 0),
  entries BLOB    NOT NULL
);
CREATE INDEX history_blocks_by_max ON history_blocks (target, max_ms);
CREATE INDEX history_blocks_by_min ON history_blocks (target, min_ms);
CREATE TABLE history_msgids (
  msgid TEXT    NOT NULL PRIMARY KEY,
  block INTEGER NOT NULL
) WITHOUT ROWID;
CREATE VIRTUAL TABLE history_fts USING fts5 (text, content = '', tokenize = 'ascii', detail = 'none');
CREATE TABLE history_state (
  key   TEXT    NOT NULL PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO history_state (key, value) VALUES ('indexed_upto', 0);
)sql"},
    // Every time-range read seeks (target, max_ms), oldest-first reads too: a block spans at most
    // kMaxBlockSpanMs, so its min_ms is known to within that. One index less to write per block.
    {6, R"sql(
DROP INDEX history_blocks_by_min;
)sql"},
    // SEARCH's own index instead of FTS5 (store/search_index.h, docs/storage.md "Schema, version
    // 7"): a term's blocks as hashed postings in segments, cheaper to write than FTS5's index.
    // open() then indexes every stored block again (SqliteStore::index_backlog()).
    {7, R"sql(
DROP TABLE history_fts;
CREATE TABLE history_index_segments (
  id          INTEGER PRIMARY KEY,
  level       INTEGER NOT NULL CHECK (level >= 0),
  first_block INTEGER NOT NULL,
  last_block  INTEGER NOT NULL CHECK (last_block >= first_block)
);
CREATE INDEX history_index_segments_by_level ON history_index_segments (level, first_block);
CREATE TABLE history_index (
  segment  INTEGER NOT NULL,
  last_key INTEGER NOT NULL,
  postings BLOB    NOT NULL,
  PRIMARY KEY (segment, last_key)
) WITHOUT ROWID;
UPDATE history_state SET value = 0 WHERE key = 'indexed_upto';
)sql"},
};

constexpr int kLatestVersion = kMigrations[std::size(kMigrations) - 1].version;

constexpr const char* kAccountColumns =
    "name_folded, name, password_hash, scram_salt, scram_iterations, scram_stored_key, scram_server_key, "
    "email, verified, enforce, registered_at";

// The record's certificate fingerprints, sorted and without repeats (the order list and find
// return, whatever order the caller gave).
std::vector<std::string> normalised_certfps(const AccountRecord& account) {
  std::vector<std::string> fps = account.certfps;
  std::sort(fps.begin(), fps.end());
  fps.erase(std::unique(fps.begin(), fps.end()), fps.end());
  return fps;
}

// Why a database file cannot be opened for writing, in words: SQLite's own errno is often that
// of its last fallback attempt (a read-only open: "No such file"), not the reason.
std::string access_problem(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec)) return "directory " + dir.string() + " does not exist";
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return "cannot create files in directory " + dir.string() + ": " + std::strerror(errno);
  if (fs::exists(path, ec) && ::access(path.c_str(), R_OK | W_OK) != 0)
    return "cannot read and write " + path + ": " + std::strerror(errno);
  return std::strerror(errno);
}

}  // namespace

struct SqliteStore::Statements {
  sqlite3_stmt* begin_read = nullptr;
  sqlite3_stmt* begin_write = nullptr;
  sqlite3_stmt* commit = nullptr;
  sqlite3_stmt* rollback = nullptr;
  sqlite3_stmt* insert_account = nullptr;
  sqlite3_stmt* update_account = nullptr;
  sqlite3_stmt* delete_account = nullptr;
  sqlite3_stmt* select_account = nullptr;
  sqlite3_stmt* select_all_accounts = nullptr;
  sqlite3_stmt* select_certfps = nullptr;
  sqlite3_stmt* select_all_certfps = nullptr;
  sqlite3_stmt* select_by_certfp = nullptr;
  sqlite3_stmt* insert_certfp = nullptr;
  sqlite3_stmt* delete_certfps = nullptr;
  sqlite3_stmt* count_email = nullptr;
  sqlite3_stmt* user_version = nullptr;

  auto all() {
    return std::array{&begin_read,     &begin_write,        &commit,
                      &rollback,       &insert_account,     &update_account,
                      &delete_account, &select_account,     &select_all_accounts,
                      &select_certfps, &select_all_certfps, &select_by_certfp,
                      &insert_certfp,  &delete_certfps,     &count_email,
                      &user_version};
  }
  ~Statements() {
    for (sqlite3_stmt** s : all()) sqlite3_finalize(*s);
  }
};

int SqliteStore::schema_version() { return kLatestVersion; }

SqliteStore::SqliteStore(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)), stmts_(std::make_unique<Statements>()) {}

SqliteStore::~SqliteStore() {
  // statements first: a connection with live statements does not close
  history_.reset();
  stmts_.reset();
  sqlite3_close_v2(db_);
}

Status SqliteStore::error(int rc, std::string_view doing) const {
  std::string message = path_ + ": " + std::string(doing) + ": " + sqlite3_errmsg(db_);
  const int primary = rc & 0xff;
  if (primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) {
    message += " (" + access_problem(path_) + ")";
  } else if (primary == SQLITE_IOERR || primary == SQLITE_FULL) {
    if (const int sys = sqlite3_system_errno(db_); sys != 0)
      message += std::string(" (") + std::strerror(sys) + ")";
  }
  switch (primary) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Status::corrupt(std::move(message));
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE: return Status::invalid(std::move(message));
    default: return Status::io_error(std::move(message));
  }
}

Status SqliteStore::prepare() {
  const std::string columns = kAccountColumns;
  const std::pair<sqlite3_stmt**, std::string> sources[] = {
      {&stmts_->begin_read, "BEGIN"},
      {&stmts_->begin_write, "BEGIN IMMEDIATE"},
      {&stmts_->commit, "COMMIT"},
      {&stmts_->rollback, "ROLLBACK"},
      {&stmts_->insert_account,
       "INSERT INTO accounts (" + columns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"},
      {&stmts_->update_account,
       "UPDATE accounts SET name = ?2, password_hash = ?3, scram_salt = ?4, scram_iterations = ?5, "
       "scram_stored_key = ?6, scram_server_key = ?7, email = ?8, verified = ?9, enforce = ?10, "
       "registered_at = ?11 WHERE name_folded = ?1"},
      {&stmts_->delete_account, "DELETE FROM accounts WHERE name_folded = ?1"},
      {&stmts_->select_account, "SELECT " + columns + " FROM accounts WHERE name_folded = ?1"},
      {&stmts_->select_all_accounts, "SELECT " + columns + " FROM accounts ORDER BY name_folded"},
      {&stmts_->select_certfps, "SELECT certfp FROM account_certfps WHERE account = ?1 ORDER BY certfp"},
      {&stmts_->select_all_certfps, "SELECT account, certfp FROM account_certfps ORDER BY account, certfp"},
      {&stmts_->select_by_certfp, "SELECT account FROM account_certfps WHERE certfp = ?1"},
      {&stmts_->insert_certfp, "INSERT INTO account_certfps (certfp, account) VALUES (?1, ?2)"},
      {&stmts_->delete_certfps, "DELETE FROM account_certfps WHERE account = ?1"},
      {&stmts_->count_email, "SELECT count(*) FROM accounts WHERE email = ?1 COLLATE NOCASE"},
      {&stmts_->user_version, "PRAGMA user_version"},
  };
  for (const auto& [slot, sql] : sources) {
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, slot, nullptr);
    if (rc != SQLITE_OK) return error(rc, "prepare \"" + sql.substr(0, 40) + "\"");
  }
  return Status::ok();
}

namespace {

// Runs one statement that returns no rows we need (a PRAGMA's echo is skipped).
int exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

// Runs a single-row, single-column query; its text in `out`.
int query_text(sqlite3* db, const char* sql, std::string& out) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      out = column_text(stmt, 0);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      out.clear();
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(stmt);
  return rc;
}

// SQLite keeps allocation statistics by default, under a global mutex taken on every malloc and
// free it makes; nothing here reads them, and the profile of a group commit showed that mutex at
// 7 % of the storage thread. Configuration must precede SQLite's initialisation: when something
// else in the process used SQLite first, the call fails harmlessly and the default stays.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, int busy_timeout_ms) {
  configure_sqlite_once();
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (db == nullptr) return Status::io_error(path + ": cannot open: out of memory");
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));
  if (rc != SQLITE_OK) return store->error(rc, "open");
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);

  // A new file's pages are 16 KiB: a group commit's block of one target (a few KiB) then shares
  // its page with others instead of leaving most of one empty, so each commit writes fewer pages
  // (docs/storage.md "Schema, version 6"). An existing file keeps its page size: the pragma only
  // applies before the first table exists.
  if (int r = exec(db, "PRAGMA page_size = 16384"); r != SQLITE_OK)
    return store->error(r, "set the page size");
  // journal_mode is the first statement that reads the file, so a file that is not a database
  // fails here with SQLITE_NOTADB.
  std::string mode;
  if (int r = query_text(db, "PRAGMA journal_mode = WAL", mode); r != SQLITE_OK)
    return store->error(r, "open");
  if (mode != "wal")
    return Status::io_error(path + ": cannot switch to WAL mode (the journal mode stayed \"" + mode +
                            "\"; is the file on a network file system?)");
  for (const char* pragma : {"PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON"}) {
    if (int r = exec(db, pragma); r != SQLITE_OK) return store->error(r, pragma);
  }
  if (Status s = store->migrate(); !s.is_ok()) return s;
  if (Status s = store->prepare(); !s.is_ok()) return s;
  if (Status s = store->prepare_history(); !s.is_ok()) return s;
  if (Status s = store->move_history_to_blocks(); !s.is_ok()) return s;
  if (Status s = store->index_backlog(); !s.is_ok()) return s;
  return store;
}

Status SqliteStore::migrate() {
  std::string text;
  if (int r = query_text(db_, "PRAGMA user_version", text); r != SQLITE_OK)
    return error(r, "read the schema version");
  if (std::atoi(text.c_str()) == kLatestVersion) return Status::ok();

  // Under the write lock, so that two processes opening a new file do not both migrate it.
  if (int r = exec(db_, "BEGIN IMMEDIATE"); r != SQLITE_OK) return error(r, "migrate the schema");
  Status status = [&]() -> Status {
    if (int r = query_text(db_, "PRAGMA user_version", text); r != SQLITE_OK)
      return error(r, "read the schema version");
    const int current = std::atoi(text.c_str());
    if (current > kLatestVersion) {
      return Status::invalid(path_ + ": schema version " + std::to_string(current) +
                             " is newer than this parley understands (" + std::to_string(kLatestVersion) +
                             "): run a newer parley, or restore a backup made for this version");
    }
    if (current == 0) {
      std::string tables;
      if (int r =
              query_text(db_, "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'", tables);
          r != SQLITE_OK)
        return error(r, "read the schema");
      if (tables != "0")
        return Status::invalid(path_ +
                               ": not a parley database (it has tables but no parley schema version)");
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= current) continue;
      if (int r = exec(db_, m.sql); r != SQLITE_OK)
        return error(r, "migrate to schema version " + std::to_string(m.version));
    }
    const std::string set = "PRAGMA user_version = " + std::to_string(kLatestVersion);
    if (int r = exec(db_, set.c_str()); r != SQLITE_OK) return error(r, "record the schema version");
    if (int r = exec(db_, "COMMIT"); r != SQLITE_OK) return error(r, "migrate the schema");
    return Status::ok();
  }();
  if (!sqlite3_get_autocommit(db_)) exec(db_, "ROLLBACK");
  return status;
}

Result<int> SqliteStore::stored_schema_version() {
  std::lock_guard lock(mutex_);
  Use use(stmts_->user_version);
  const int rc = sqlite3_step(*use);
  if (rc != SQLITE_ROW) return error(rc, "read the schema version");
  return sqlite3_column_int(*use, 0);
}

template <typename Body>
Status SqliteStore::in_transaction(bool write, std::string_view doing, Body&& body) {
  {
    Use begin(write ? stmts_->begin_write : stmts_->begin_read);
    if (int rc = sqlite3_step(*begin); rc != SQLITE_DONE) return error(rc, doing);
  }
  Status status = body();
  if (status.is_ok()) {
    Use commit(stmts_->commit);
    if (int rc = sqlite3_step(*commit); rc != SQLITE_DONE) status = error(rc, doing);
  }
  // Some errors (disk full, I/O) end the transaction by themselves; roll back what is left.
  if (!status.is_ok() && !sqlite3_get_autocommit(db_)) {
    Use rollback(stmts_->rollback);
    sqlite3_step(*rollback);
  }
  return status;
}

Status SqliteStore::transaction(bool write, std::string_view doing, const std::function<Status()>& body) {
  return in_transaction(write, doing, body);
}

namespace {

// Binds ?1..?11 in kAccountColumns order.
int bind_account(sqlite3_stmt* s, const AccountRecord& a) {
  int rc = SQLITE_OK;
  auto step = [&rc](int r) {
    if (rc == SQLITE_OK) rc = r;
  };
  step(bind_text(s, 1, a.name_folded));
  step(bind_text(s, 2, a.name));
  step(bind_text(s, 3, a.password_hash));
  step(bind_blob(s, 4, a.scram.salt));
  step(sqlite3_bind_int64(s, 5, a.scram.iterations));
  step(bind_blob(s, 6, crypto::as_view(a.scram.stored_key)));
  step(bind_blob(s, 7, crypto::as_view(a.scram.server_key)));
  step(bind_text(s, 8, a.email));
  step(sqlite3_bind_int(s, 9, a.verified ? 1 : 0));
  step(sqlite3_bind_int(s, 10, a.enforce ? 1 : 0));
  step(sqlite3_bind_int64(s, 11, a.registered_at));
  return rc;
}

bool copy_digest(const std::string& bytes, crypto::Digest& out) {
  if (bytes.size() != out.size()) return false;
  std::memcpy(out.data(), bytes.data(), out.size());
  return true;
}

}  // namespace

Result<AccountRecord> SqliteStore::read_account_row(sqlite3_stmt* s) {
  AccountRecord a;
  a.name_folded = column_text(s, 0);
  a.name = column_text(s, 1);
  a.password_hash = column_text(s, 2);
  a.scram.salt = column_blob(s, 3);
  const sqlite3_int64 iterations = sqlite3_column_int64(s, 4);
  if (iterations < 0 || iterations > std::numeric_limits<std::uint32_t>::max())
    return Status::corrupt(path_ + ": account " + a.name_folded + " has an impossible SCRAM iteration count");
  a.scram.iterations = static_cast<std::uint32_t>(iterations);
  if (!copy_digest(column_blob(s, 5), a.scram.stored_key) ||
      !copy_digest(column_blob(s, 6), a.scram.server_key))
    return Status::corrupt(path_ + ": account " + a.name_folded + " has a SCRAM key that is not 32 bytes");
  a.email = column_text(s, 7);
  a.verified = sqlite3_column_int(s, 8) != 0;
  a.enforce = sqlite3_column_int(s, 9) != 0;
  a.registered_at = sqlite3_column_int64(s, 10);
  return a;
}

// Caller holds the mutex and a transaction.
Result<AccountRecord> SqliteStore::find_locked(std::string_view name_folded) {
  AccountRecord account;
  {
    Use select(stmts_->select_account);
    if (int rc = bind_text(*select, 1, name_folded); rc != SQLITE_OK) return error(rc, "find account");
    const int rc = sqlite3_step(*select);
    if (rc == SQLITE_DONE) return Status::not_found("account " + std::string(name_folded));
    if (rc != SQLITE_ROW) return error(rc, "find account");
    auto row = read_account_row(*select);
    if (!row.is_ok()) return row.status();
    account = std::move(row).value();
  }
  Use certs(stmts_->select_certfps);
  if (int rc = bind_text(*certs, 1, name_folded); rc != SQLITE_OK) return error(rc, "find account");
  int rc;
  while ((rc = sqlite3_step(*certs)) == SQLITE_ROW) account.certfps.push_back(column_text(*certs, 0));
  if (rc != SQLITE_DONE) return error(rc, "find account certificates");
  return account;
}

// Caller holds the mutex and a write transaction.
Status SqliteStore::insert_certfps(const AccountRecord& account) {
  for (const std::string& fp : normalised_certfps(account)) {
    Use insert(stmts_->insert_certfp);
    int rc = bind_text(*insert, 1, fp);
    if (rc == SQLITE_OK) rc = bind_text(*insert, 2, account.name_folded);
    if (rc == SQLITE_OK) rc = sqlite3_step(*insert);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
      return Status::exists("certificate registered to another account");
    if (rc != SQLITE_DONE) return error(rc, "store certificate");
  }
  return Status::ok();
}

Status SqliteStore::create_account(const AccountRecord& account) {
  std::lock_guard lock(mutex_);
  return in_transaction(true, "create account", [&]() -> Status {
    {
      Use insert(stmts_->insert_account);
      int rc = bind_account(*insert, account);
      if (rc == SQLITE_OK) rc = sqlite3_step(*insert);
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) return Status::exists("account " + account.name);
      if (rc != SQLITE_DONE) return error(rc, "create account " + account.name);
    }
    return insert_certfps(account);
  });
}

Result<AccountRecord> SqliteStore::find_account(std::string_view name_folded) {
  std::lock_guard lock(mutex_);
  Result<AccountRecord> found = Status::not_found();
  Status s = in_transaction(false, "find account", [&]() -> Status {
    found = find_locked(name_folded);
    return found.status();
  });
  if (!s.is_ok()) return s;
  return found;
}

Result<AccountRecord> SqliteStore::find_account_by_certfp(std::string_view certfp) {
  std::lock_guard lock(mutex_);
  Result<AccountRecord> found = Status::not_found();
  Status s = in_transaction(false, "find certificate", [&]() -> Status {
    std::string owner;
    {
      Use select(stmts_->select_by_certfp);
      if (int rc = bind_text(*select, 1, certfp); rc != SQLITE_OK) return error(rc, "find certificate");
      const int rc = sqlite3_step(*select);
      if (rc == SQLITE_DONE) return Status::not_found("certificate " + std::string(certfp));
      if (rc != SQLITE_ROW) return error(rc, "find certificate");
      owner = column_text(*select, 0);
    }
    found = find_locked(owner);
    if (found.status().code() == Status::Code::kNotFound)  // the foreign key forbids this
      return Status::corrupt(path_ + ": certificate " + std::string(certfp) +
                             " belongs to a missing account");
    return found.status();
  });
  if (!s.is_ok()) return s;
  return found;
}

Status SqliteStore::update_account(const AccountRecord& account) {
  std::lock_guard lock(mutex_);
  return in_transaction(true, "update account", [&]() -> Status {
    {
      Use update(stmts_->update_account);
      int rc = bind_account(*update, account);
      if (rc == SQLITE_OK) rc = sqlite3_step(*update);
      if (rc != SQLITE_DONE) return error(rc, "update account " + account.name);
      if (sqlite3_changes(db_) == 0) return Status::not_found("account " + account.name);
    }
    {
      Use clear(stmts_->delete_certfps);
      int rc = bind_text(*clear, 1, account.name_folded);
      if (rc == SQLITE_OK) rc = sqlite3_step(*clear);
      if (rc != SQLITE_DONE) return error(rc, "update certificates of " + account.name);
    }
    return insert_certfps(account);
  });
}

Status SqliteStore::delete_account(std::string_view name_folded) {
  std::lock_guard lock(mutex_);
  return in_transaction(true, "delete account", [&]() -> Status {
    Use remove(stmts_->delete_account);  // account_certfps rows go with it (ON DELETE CASCADE)
    int rc = bind_text(*remove, 1, name_folded);
    if (rc == SQLITE_OK) rc = sqlite3_step(*remove);
    if (rc != SQLITE_DONE) return error(rc, "delete account " + std::string(name_folded));
    if (sqlite3_changes(db_) == 0) return Status::not_found("account " + std::string(name_folded));
    return Status::ok();
  });
}

Result<std::vector<AccountRecord>> SqliteStore::list_accounts() {
  std::lock_guard lock(mutex_);
  std::vector<AccountRecord> accounts;
  Status s = in_transaction(false, "list accounts", [&]() -> Status {
    int rc;
    {
      Use select(stmts_->select_all_accounts);
      while ((rc = sqlite3_step(*select)) == SQLITE_ROW) {
        auto row = read_account_row(*select);
        if (!row.is_ok()) return row.status();
        accounts.push_back(std::move(row).value());
      }
      if (rc != SQLITE_DONE) return error(rc, "list accounts");
    }
    // Both queries are ordered by account name, so one forward walk pairs them.
    Use certs(stmts_->select_all_certfps);
    auto owner = accounts.begin();
    while ((rc = sqlite3_step(*certs)) == SQLITE_ROW) {
      const std::string account = column_text(*certs, 0);
      while (owner != accounts.end() && owner->name_folded < account) ++owner;
      if (owner == accounts.end() || owner->name_folded != account)
        return Status::corrupt(path_ + ": a certificate belongs to the missing account " + account);
      owner->certfps.push_back(column_text(*certs, 1));
    }
    if (rc != SQLITE_DONE) return error(rc, "list certificates");
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  return accounts;
}

Result<std::size_t> SqliteStore::count_accounts_with_email(std::string_view email) {
  if (email.empty()) return std::size_t{0};
  std::lock_guard lock(mutex_);
  Use count(stmts_->count_email);
  int rc = bind_text(*count, 1, email);
  if (rc == SQLITE_OK) rc = sqlite3_step(*count);
  if (rc != SQLITE_ROW) return error(rc, "count accounts by email");
  return static_cast<std::size_t>(sqlite3_column_int64(*count, 0));
}

}  // namespace parley::store
