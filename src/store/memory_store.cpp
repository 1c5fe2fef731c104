#include "store/memory_store.h"

#include <algorithm>

namespace parley::store {

namespace {
bool same_email(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}
// The record as every Store keeps it: certificate fingerprints sorted, without repeats.
AccountRecord normalised(AccountRecord account) {
  auto& fps = account.certfps;
  std::sort(fps.begin(), fps.end());
  fps.erase(std::unique(fps.begin(), fps.end()), fps.end());
  return account;
}
}  // namespace

bool MemoryStore::certfp_taken_by_other(const AccountRecord& account) const {
  for (const auto& [name, other] : accounts_) {
    if (name == account.name_folded) continue;
    for (const auto& fp : account.certfps) {
      if (std::find(other.certfps.begin(), other.certfps.end(), fp) != other.certfps.end()) return true;
    }
  }
  return false;
}

Status MemoryStore::create_account(const AccountRecord& account) {
  std::lock_guard lock(mutex_);
  if (accounts_.contains(account.name_folded)) return Status::exists("account " + account.name);
  if (certfp_taken_by_other(account)) return Status::exists("certificate registered to another account");
  accounts_.emplace(account.name_folded, normalised(account));
  return Status::ok();
}

Result<AccountRecord> MemoryStore::find_account(std::string_view name_folded) {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(name_folded);
  if (it == accounts_.end()) return Status::not_found("account " + std::string(name_folded));
  return it->second;
}

Result<AccountRecord> MemoryStore::find_account_by_certfp(std::string_view certfp) {
  std::lock_guard lock(mutex_);
  for (const auto& [name, account] : accounts_) {
    if (std::find(account.certfps.begin(), account.certfps.end(), certfp) != account.certfps.end())
      return account;
  }
  return Status::not_found("certificate " + std::string(certfp));
}

Status MemoryStore::update_account(const AccountRecord& account) {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(account.name_folded);
  if (it == accounts_.end()) return Status::not_found("account " + account.name);
  if (certfp_taken_by_other(account)) return Status::exists("certificate registered to another account");
  it->second = normalised(account);
  return Status::ok();
}

Status MemoryStore::delete_account(std::string_view name_folded) {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(name_folded);
  if (it == accounts_.end()) return Status::not_found("account " + std::string(name_folded));
  accounts_.erase(it);
  return Status::ok();
}

Result<std::vector<AccountRecord>> MemoryStore::list_accounts() {
  std::lock_guard lock(mutex_);
  std::vector<AccountRecord> out;
  out.reserve(accounts_.size());
  for (const auto& [name, account] : accounts_) out.push_back(account);
  return out;
}

Result<std::size_t> MemoryStore::count_accounts_with_email(std::string_view email) {
  if (email.empty()) return std::size_t{0};
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(accounts_.begin(), accounts_.end(), [&](const auto& entry) {
    return same_email(entry.second.email, email);
  }));
}

}  // namespace parley::store
