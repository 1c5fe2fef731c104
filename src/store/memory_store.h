// The in-memory Store: for tests and for a server run without a data directory (nothing survives
// a restart then). Same contract as every Store (store/store.h); thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

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

 private:
  // Whether one of `account`'s certfps belongs to an account other than itself.
  bool certfp_taken_by_other(const AccountRecord& account) const;

  std::mutex mutex_;
  std::map<std::string, AccountRecord, std::less<>> accounts_;  // by name_folded
};

}  // namespace parley::store
