#include "store/fault_injecting_store.h"

#include <string>

namespace parley::store {

void FaultInjectingStore::fail_writes(std::size_t count, std::size_t after) {
  std::lock_guard lock(mutex_);
  writes_to_pass_ = after;
  writes_to_fail_ = count;
}

void FaultInjectingStore::fail_reads(bool on) {
  std::lock_guard lock(mutex_);
  fail_reads_ = on;
}

void FaultInjectingStore::heal() {
  std::lock_guard lock(mutex_);
  writes_to_pass_ = 0;
  writes_to_fail_ = 0;
  fail_reads_ = false;
}

std::size_t FaultInjectingStore::injected_failures() const {
  std::lock_guard lock(mutex_);
  return injected_;
}

Status FaultInjectingStore::check_write(std::string_view what) {
  std::lock_guard lock(mutex_);
  if (writes_to_fail_ == 0) return Status::ok();
  if (writes_to_pass_ > 0) {
    --writes_to_pass_;
    return Status::ok();
  }
  if (writes_to_fail_ != kForever) --writes_to_fail_;
  ++injected_;
  return Status::io_error("injected fault: " + std::string(what));
}

Status FaultInjectingStore::check_read(std::string_view what) {
  std::lock_guard lock(mutex_);
  if (!fail_reads_) return Status::ok();
  ++injected_;
  return Status::io_error("injected fault: " + std::string(what));
}

Status FaultInjectingStore::create_account(const AccountRecord& account) {
  if (Status s = check_write("create_account"); !s.is_ok()) return s;
  return target_.create_account(account);
}

Result<AccountRecord> FaultInjectingStore::find_account(std::string_view name_folded) {
  if (Status s = check_read("find_account"); !s.is_ok()) return s;
  return target_.find_account(name_folded);
}

Result<AccountRecord> FaultInjectingStore::find_account_by_certfp(std::string_view certfp) {
  if (Status s = check_read("find_account_by_certfp"); !s.is_ok()) return s;
  return target_.find_account_by_certfp(certfp);
}

Status FaultInjectingStore::update_account(const AccountRecord& account) {
  if (Status s = check_write("update_account"); !s.is_ok()) return s;
  return target_.update_account(account);
}

Status FaultInjectingStore::delete_account(std::string_view name_folded) {
  if (Status s = check_write("delete_account"); !s.is_ok()) return s;
  return target_.delete_account(name_folded);
}

Result<std::vector<AccountRecord>> FaultInjectingStore::list_accounts() {
  if (Status s = check_read("list_accounts"); !s.is_ok()) return s;
  return target_.list_accounts();
}

Result<std::size_t> FaultInjectingStore::count_accounts_with_email(std::string_view email) {
  if (Status s = check_read("count_accounts_with_email"); !s.is_ok()) return s;
  return target_.count_accounts_with_email(email);
}

Status FaultInjectingStore::append_history(std::span<const core::HistoryEntry> entries) {
  if (Status s = check_write("append_history"); !s.is_ok()) return s;
  return target_.append_history(entries);
}

Result<std::vector<core::HistoryEntry>> FaultInjectingStore::query_history(const core::HistoryQuery& query) {
  if (Status s = check_read("query_history"); !s.is_ok()) return s;
  return target_.query_history(query);
}

Result<std::vector<core::TargetActivity>> FaultInjectingStore::history_targets(
    const core::TargetsQuery& query) {
  if (Status s = check_read("history_targets"); !s.is_ok()) return s;
  return target_.history_targets(query);
}

Result<std::vector<core::HistoryEntry>> FaultInjectingStore::search_history(const core::SearchQuery& query) {
  if (Status s = check_read("search_history"); !s.is_ok()) return s;
  return target_.search_history(query);
}

Result<std::size_t> FaultInjectingStore::expire_history(const RetentionPolicy& policy, std::int64_t now_ms,
                                                        std::size_t max_rows) {
  if (Status s = check_write("expire_history"); !s.is_ok()) return s;
  return target_.expire_history(policy, now_ms, max_rows);
}

Status FaultInjectingStore::forget_history(std::string_view target) {
  if (Status s = check_write("forget_history"); !s.is_ok()) return s;
  return target_.forget_history(target);
}

Status FaultInjectingStore::delete_history_entry(std::string_view target, std::string_view msgid) {
  if (Status s = check_write("delete_history_entry"); !s.is_ok()) return s;
  return target_.delete_history_entry(target, msgid);
}

Result<std::int64_t> FaultInjectingStore::read_marker(std::string_view account_folded,
                                                      std::string_view target) {
  if (Status s = check_read("read_marker"); !s.is_ok()) return s;
  return target_.read_marker(account_folded, target);
}

Result<std::int64_t> FaultInjectingStore::set_read_marker(std::string_view account_folded,
                                                          std::string_view target, std::int64_t time_ms) {
  if (Status s = check_write("set_read_marker"); !s.is_ok()) return s;
  return target_.set_read_marker(account_folded, target, time_ms);
}

Status FaultInjectingStore::save_channel(const core::RegisteredChannel& channel) {
  if (Status s = check_write("save_channel"); !s.is_ok()) return s;
  return target_.save_channel(channel);
}

Status FaultInjectingStore::drop_channel(std::string_view name_folded) {
  if (Status s = check_write("drop_channel"); !s.is_ok()) return s;
  return target_.drop_channel(name_folded);
}

Result<std::vector<core::RegisteredChannel>> FaultInjectingStore::list_channels() {
  if (Status s = check_read("list_channels"); !s.is_ok()) return s;
  return target_.list_channels();
}

Status FaultInjectingStore::save_server_ban(const core::ServerBan& ban) {
  if (Status s = check_write("save_server_ban"); !s.is_ok()) return s;
  return target_.save_server_ban(ban);
}

Status FaultInjectingStore::delete_server_ban(core::ServerBan::Kind kind, std::string_view mask) {
  if (Status s = check_write("delete_server_ban"); !s.is_ok()) return s;
  return target_.delete_server_ban(kind, mask);
}

Result<std::vector<core::ServerBan>> FaultInjectingStore::list_server_bans() {
  if (Status s = check_read("list_server_bans"); !s.is_ok()) return s;
  return target_.list_server_bans();
}

}  // namespace parley::store
