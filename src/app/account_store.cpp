#include "app/account_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <system_error>

#include "app/data_dir.h"

namespace parley::app {

store::Result<std::unique_ptr<store::SqliteStore>> open_account_store(const std::filesystem::path& data_dir,
                                                                      bool create) {
  const std::filesystem::path path = account_database_path(data_dir);
  if (create) {
    if (std::string why = prepare_data_dir(data_dir); !why.empty()) return store::Status::io_error(why);
    // A new database starts as an empty file only its owner may read (password hashes live in
    // it); SQLite gives its -wal and -shm files the same mode.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  } else if (std::error_code ec; !std::filesystem::exists(path, ec)) {
    return store::Status::not_found("no account database at " + path.string() +
                                    " (check --data-dir; `parley account create` makes one)");
  }
  return store::SqliteStore::open(path.string());
}

}  // namespace parley::app
