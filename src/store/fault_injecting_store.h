// A Store that forwards to another and fails on command, for failure tests (the model is
// leveldb's db/fault_injection_test.cc). Armed faults answer kIoError ("injected fault: ...")
// BEFORE the call reaches the wrapped store, so a failed call has changed nothing: there is no
// half-applied write to find afterwards, which is exactly what a real Store promises for a call
// that fails (store/store.h).
//
// Writes are create_account, update_account, delete_account, append_history, expire_history,
// forget_history, delete_history_entry, set_read_marker, save_channel, drop_channel,
// save_server_ban and delete_server_ban; every
// other call is a read. With nothing armed the wrapper is transparent (the contract suite runs
// against it).
//
// Thread: safe from several threads, like every Store. The wrapped store must outlive it.
#pragma once

#include <cstddef>
#include <limits>
#include <mutex>
#include <string_view>

#include "store/store.h"

namespace parley::store {

class FaultInjectingStore final : public Store {
 public:
  static constexpr std::size_t kForever = std::numeric_limits<std::size_t>::max();

  explicit FaultInjectingStore(Store& target) : target_(target) {}

  // Lets `after` more writes through, then fails the next `count` (kForever: every one).
  void fail_writes(std::size_t count, std::size_t after = 0);
  void fail_every_write() { fail_writes(kForever); }
  // Fails every read while on.
  void fail_reads(bool on);
  // Disarms everything.
  void heal();
  // How many calls have failed by injection so far.
  std::size_t injected_failures() const;

  Status create_account(const AccountRecord& account) override;
  Result<AccountRecord> find_account(std::string_view name_folded) override;
  Result<AccountRecord> find_account_by_certfp(std::string_view certfp) override;
  Status update_account(const AccountRecord& account) override;
  Status delete_account(std::string_view name_folded) override;
  Result<std::vector<AccountRecord>> list_accounts() override;
  Result<std::size_t> count_accounts_with_email(std::string_view email) override;

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
  // Whether this write (named `what`) fails; counts it either way. Non-ok Status if it fails.
  Status check_write(std::string_view what);
  Status check_read(std::string_view what);

  Store& target_;
  mutable std::mutex mutex_;
  std::size_t writes_to_pass_ = 0;
  std::size_t writes_to_fail_ = 0;
  bool fail_reads_ = false;
  std::size_t injected_ = 0;
};

}  // namespace parley::store
