// Small helpers over SQLite's C API shared by the SqliteStore source files (sqlite_store.cpp:
// accounts and schema; sqlite_store_history.cpp: history, markers, channels). Internal to store/.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace parley::store::sqlite_support {

// Resets a cached statement (and drops its bindings) when the scope that used it ends, so that no
// statement holds a read snapshot or a stale parameter past its call.
class Use {
 public:
  explicit Use(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Use() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  sqlite3_stmt* operator*() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

inline int bind_text(sqlite3_stmt* s, int i, std::string_view text) {
  return sqlite3_bind_text64(s, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
inline int bind_blob(sqlite3_stmt* s, int i, std::string_view bytes) {
  // A zero-length blob must still be a blob, not NULL: pass a non-null pointer.
  return sqlite3_bind_blob64(s, i, bytes.empty() ? "" : bytes.data(), bytes.size(), SQLITE_TRANSIENT);
}
inline std::string column_text(sqlite3_stmt* s, int i) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
}
inline std::string column_blob(sqlite3_stmt* s, int i) {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(s, i));
  return bytes ? std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

}  // namespace parley::store::sqlite_support
