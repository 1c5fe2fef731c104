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
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "store/history_block.h"
#include "store/history_rules.h"
#include "store/search_index.h"
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

  // How history is laid out (sqlite_store_history.cpp): entries appended before the search index
  // takes them in (a segment, store/search_index.h), and the most entries one block holds. Tests make both
  // small, so that every path (index and not-yet-indexed tail, many blocks per commit) is taken with a few
  // entries.
  struct HistoryTuning {
    std::size_t index_batch = 4096;
    std::size_t max_block_entries = 64;
  };
  void set_history_tuning(HistoryTuning tuning);

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

  // History: sqlite_store_history.cpp (blocks, and SEARCH's index: store/search_index.h, docs/storage.md);
  // read markers and registered channels: sqlite_store_channels.cpp.
  using Store::append_history;
  Status append_history(std::span<const core::HistoryEntry> entries) override;
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
  struct Block;  // one history_blocks row, decoded
  using Found = std::pair<history::Position, core::HistoryEntry>;
  using Keep = std::function<bool(const history::Position&, const history::EntryView&)>;
  struct Located;  // an entry found by its msgid: its block and index there
  Status prepare_history();
  // Moves version 2's history rows into blocks and drops that table, if it is still there.
  Status move_history_to_blocks();
  Result<Block> read_block(sqlite3_stmt* stmt);  // the row `stmt` is on (kBlockColumns)
  // Steps `stmt` (whose binding gave `bound`), handing each block to `take` until it says false.
  using EachBlock = std::function<Result<bool>(Block&&)>;
  Status each_block(sqlite3_stmt* stmt, int bound, std::string_view doing, const EachBlock& take);
  Result<std::int64_t> indexed_upto();           // the last block in the search index
  Result<std::size_t> unindexed_entries(std::int64_t indexed_upto);
  Status refresh_unindexed_hint(std::int64_t indexed_upto);
  Status step_done(sqlite3_stmt* stmt, std::string_view doing);
  // The rest in a write transaction: entries into blocks (returns how many were new), one block,
  // an msgid's claim, and the blocks not yet indexed into the search index.
  Result<std::size_t> store_entries(std::span<const core::HistoryEntry* const> entries);
  Status insert_block(std::int64_t id, std::string_view target, std::span<const core::HistoryEntry* const> entries);
  Result<bool> claim_msgid(std::string_view msgid, std::int64_t id);
  // Puts the blocks after indexed_upto into the search index (store/search_index.h): segments of
  // at most a few index batches each, merged as levels fill up.
  Status index_pending();
  // At open(): index_pending() in its own transaction once a batch is waiting (a file the search
  // index was just rebuilt for, by migration 7).
  Status index_backlog();
  // A new segment's row (its chunks then go through chunk_writer()), and a whole one.
  Result<std::int64_t> insert_segment(int level, std::int64_t first_block, std::int64_t last_block);
  search_index::ChunkWriter chunk_writer(std::int64_t segment);
  Status write_segment(std::int64_t first_block, std::int64_t last_block,
                       std::vector<search_index::Posting>& postings);
  Status merge_segments(int level);  // of `level` into one of level + 1
  // The blocks of `key` in segment `segment`, ascending.
  Result<std::vector<std::int64_t>> postings(std::int64_t segment, search_index::Key key);
  // The indexed blocks that may hold all of `keys` (and, when `any_of` is not empty, one of
  // them), newest first, segment by segment: `take` gets each segment's until it says false.
  using TakeBlocks = std::function<Result<bool>(const std::vector<std::int64_t>& newest_first)>;
  Status indexed_blocks(const std::vector<search_index::Key>& keys,
                        const std::vector<search_index::Key>& any_of, const TakeBlocks& take);
  // The `limit` entries `keep` accepts that are nearest the start of `stmt`'s block order (newest:
  // by max_ms descending; else by min_ms ascending), nearest first. `copy`: fill in the entries
  // (else only their positions are wanted).
  Result<std::vector<Found>> collect(sqlite3_stmt* stmt, bool newest, std::size_t limit, const Keep& keep,
                                     bool copy = true);
  Result<std::vector<Found>> collect_range(std::string_view target, const history::Range& range, bool copy);
  Result<std::optional<history::Position>> find_msgid(std::string_view target, std::string_view msgid);
  Result<std::optional<Located>> find_entry(std::string_view target, std::string_view msgid);
  // What store_entries() does with each of `entries` (one target's, in append order).
  enum class Fate : std::uint8_t {
    kClaim,     // its msgid is not found by its time: claim it in history_msgids (which knows it if stored)
    kStore,     // found by its time, new
    kRepeated,  // found by its time, and stored already or an earlier entry of `entries` has it
  };
  Result<std::vector<Fate>> fates(std::string_view target,
                                  std::span<const core::HistoryEntry* const> entries);
  Status search_words(const core::SearchQuery& query, const std::vector<std::string>& words,
                      const std::vector<std::string>& targets, std::int64_t indexed_upto,
                      const std::function<bool(const history::EntryView&)>& matches, std::vector<Found>& found);
  // Deletes the entries `gone` marks from block `b` (the whole row when none is left), with their
  // msgids. The search index keeps naming the block until its segment is merged: a search reads
  // the block and finds the entries gone.
  Status rewrite_block(const Block& b, const std::vector<bool>& gone);
  Result<std::size_t> expire_target(std::string_view target, const RetentionRule& rule, std::int64_t now_ms,
                                    std::size_t budget);
  Status insert_channel(const core::RegisteredChannel& channel);  // in a write transaction

  std::mutex mutex_;
  sqlite3* db_;
  std::string path_;
  std::unique_ptr<Statements> stmts_;
  struct FreeHistoryStatements {
    void operator()(HistoryStatements* statements) const;  // sqlite_store_history.cpp
  };
  std::unique_ptr<HistoryStatements, FreeHistoryStatements> history_;
  // About how many stored entries the search index does not hold yet (index_pending() runs when
  // it reaches a batch). Only a hint: searches read indexed_upto from the file.
  std::size_t unindexed_hint_ = 0;
  HistoryTuning tuning_;
};

}  // namespace parley::store
