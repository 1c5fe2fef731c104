// The in-memory Store: for tests and for a server run without a data directory (nothing survives
// a restart then). Same contract as every Store (store/store.h); thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "store/history_rules.h"
#include "store/store.h"

namespace parley::store {

class MemoryStore final : public Store {
 public:
  Status create_account(const AccountRecord& account) override;
  Result<AccountRecord> find_account(std::string_view name_folded) override;
  Result<AccountRecord> find_account_by_certfp(std::string_view certfp) override;
  Status update_account(const AccountRecord& account) override;
  Status delete_account(std::string_view name_folded) override;
  Result<std::vector<AccountRecord>> list_accounts() override;
  Result<std::size_t> count_accounts_with_email(std::string_view email) override;

  // History, markers and channels: memory_store_history.cpp.
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
  // One target's entries in history order (history_rules.h).
  using Log = std::map<history::Position, core::HistoryEntry>;

  // Caller holds the mutex. The entries of `range` in `log` (oldest first).
  std::vector<core::HistoryEntry> read_range(const Log& log, const history::Range& range) const;
  // Caller holds the mutex. Removes one entry (and its msgid).
  Log::iterator erase_entry(Log& log, Log::iterator it);

  // Whether one of `account`'s certfps belongs to an account other than itself.
  bool certfp_taken_by_other(const AccountRecord& account) const;

  std::mutex mutex_;
  std::map<std::string, AccountRecord, std::less<>> accounts_;                         // by name_folded
  std::map<std::string, Log, std::less<>> history_;                                    // by target
  std::unordered_map<std::string, std::pair<std::string, history::Position>> msgids_;  // msgid -> where
  std::int64_t next_seq_ = 1;
  std::map<std::pair<std::string, std::string>, std::int64_t> markers_;   // (account, target) -> ms
  std::map<std::string, core::RegisteredChannel, std::less<>> channels_;  // by name_folded
  std::map<std::pair<core::ServerBan::Kind, std::string>, core::ServerBan> server_bans_;
};

}  // namespace parley::store
