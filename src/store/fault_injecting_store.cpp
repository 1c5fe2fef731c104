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

}  // namespace parley::store
