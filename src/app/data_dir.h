// The data directory: the one place `parley server` and `parley account` keep what must outlive
// the process (docs/operations.md "Data directory"):
//   parley.db          accounts (SQLite, WAL; docs/storage.md)
//   cloak.key          the cloak HMAC key (generated once; losing it changes every cloak)
//   tls/               the generated self-signed certificate, when none is configured
// Default: ./parley-data for a checkout (relative to the working directory); the Debian package
// configures /var/lib/parley.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace parley::app {

inline constexpr const char* kDefaultDataDir = "parley-data";

// Creates `dir` (and parents) if missing, with mode 0700, and checks that it is a writable
// directory. Returns an empty string on success, else a sentence saying what is wrong.
std::string prepare_data_dir(const std::filesystem::path& dir);

// Reads `dir/name`, or creates it with `bytes` random bytes from the kernel (mode 0600, written
// to a temporary file and renamed, so a crash never leaves half a key). The file holds the bytes
// hex-encoded. Returns the raw bytes, or nullopt with `error` set.
std::optional<std::string> load_or_create_secret(const std::filesystem::path& dir, const std::string& name,
                                                 std::size_t bytes, std::string& error);

}  // namespace parley::app
