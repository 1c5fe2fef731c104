// SqliteStore: server bans (KLINE/DLINE; schema version 4, docs/storage.md). Operators change them
// a few times a day and the server reads them once at start, so each call prepares its statement
// rather than keeping one prepared for the store's life.
#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include "store/sqlite_store.h"
#include "store/sqlite_support.h"

namespace parley::store {

using sqlite_support::bind_text;
using sqlite_support::column_text;

namespace {

struct Finalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, Finalize>;

std::string_view kind_text(core::ServerBan::Kind kind) { return kind == core::ServerBan::Kind::kUserHost ? "K" : "D"; }

}  // namespace

Status SqliteStore::save_server_ban(const core::ServerBan& ban) {
  if (ban.mask.empty()) return Status::invalid("a server ban needs a mask");
  std::lock_guard lock(mutex_);
  return transaction(true, "save server ban", [&]() -> Status {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_,
                                "INSERT OR REPLACE INTO server_bans (kind, mask, reason, set_by, set_at, expires_at) "
                                "VALUES (?, ?, ?, ?, ?, ?)",
                                -1, &raw, nullptr);
    Statement insert(raw);
    if (rc == SQLITE_OK) rc = bind_text(raw, 1, kind_text(ban.kind));
    if (rc == SQLITE_OK) rc = bind_text(raw, 2, ban.mask);
    if (rc == SQLITE_OK) rc = bind_text(raw, 3, ban.reason);
    if (rc == SQLITE_OK) rc = bind_text(raw, 4, ban.set_by);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(raw, 5, ban.set_at);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(raw, 6, ban.expires_at);
    if (rc == SQLITE_OK) rc = sqlite3_step(raw);
    if (rc != SQLITE_DONE) return error(rc, "save server ban " + ban.mask);
    return Status::ok();
  });
}

Status SqliteStore::delete_server_ban(core::ServerBan::Kind kind, std::string_view mask) {
  std::lock_guard lock(mutex_);
  return transaction(true, "delete server ban", [&]() -> Status {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_, "DELETE FROM server_bans WHERE kind = ? AND mask = ?", -1, &raw, nullptr);
    Statement remove(raw);
    if (rc == SQLITE_OK) rc = bind_text(raw, 1, kind_text(kind));
    if (rc == SQLITE_OK) rc = bind_text(raw, 2, mask);
    if (rc == SQLITE_OK) rc = sqlite3_step(raw);
    if (rc != SQLITE_DONE) return error(rc, "delete server ban " + std::string(mask));
    if (sqlite3_changes(db_) == 0) return Status::not_found("server ban " + std::string(mask));
    return Status::ok();
  });
}

Result<std::vector<core::ServerBan>> SqliteStore::list_server_bans() {
  std::lock_guard lock(mutex_);
  std::vector<core::ServerBan> out;
  Status s = transaction(false, "list server bans", [&]() -> Status {
    sqlite3_stmt* raw = nullptr;
    // 'K' sorts after 'D': descending kind lists the K-lines first.
    int rc = sqlite3_prepare_v2(
        db_, "SELECT kind, mask, reason, set_by, set_at, expires_at FROM server_bans ORDER BY kind DESC, mask", -1,
        &raw, nullptr);
    Statement select(raw);
    if (rc != SQLITE_OK) return error(rc, "list server bans");
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      core::ServerBan ban;
      ban.kind = column_text(raw, 0) == "K" ? core::ServerBan::Kind::kUserHost : core::ServerBan::Kind::kAddress;
      ban.mask = column_text(raw, 1);
      ban.reason = column_text(raw, 2);
      ban.set_by = column_text(raw, 3);
      ban.set_at = sqlite3_column_int64(raw, 4);
      ban.expires_at = sqlite3_column_int64(raw, 5);
      out.push_back(std::move(ban));
    }
    if (rc != SQLITE_DONE) return error(rc, "list server bans");
    return Status::ok();
  });
  if (!s.is_ok()) return s;
  return out;
}

}  // namespace parley::store
