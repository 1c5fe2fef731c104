// Opening the data directory's account database, shared by `parley server` and `parley account`
// so that both find the same file the same way.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite_store.h"

namespace parley::app {

// The database's name inside the data directory (docs/storage.md).
inline constexpr const char* kAccountDatabase = "parley.db";

inline std::filesystem::path account_database_path(const std::filesystem::path& data_dir) {
  return data_dir / kAccountDatabase;
}

// Prepares `data_dir` (creating it, mode 0700, if `create` and it is missing) and opens its
// database, migrating the schema if it is older. Without `create`, a missing database is a
// kNotFound that names the file, so that a mistyped --data-dir is not silently a new, empty
// store. The Status message is a sentence for an operator.
store::Result<std::unique_ptr<store::SqliteStore>> open_account_store(const std::filesystem::path& data_dir,
                                                                      bool create);

}  // namespace parley::app
