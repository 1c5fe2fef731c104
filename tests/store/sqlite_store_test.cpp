// What only the SQLite store has: a file that outlives the object, a schema version, and the ways
// a file can be wrong. The shared contract is in store_contract_test.cpp.
#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "store/same_record.h"
#include "store/temp_dir.h"

namespace parley::store {
namespace {

AccountRecord account(const std::string& name, std::vector<std::string> certfps = {}) {
  AccountRecord a;
  a.name = name;
  a.name_folded = name;
  a.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  a.scram.salt = "salt";
  a.scram.iterations = 4096;
  a.scram.stored_key.fill(7);
  a.scram.server_key.fill(9);
  a.email = name + "@example.org";
  a.certfps = std::move(certfps);
  a.registered_at = 1'796'000'000;
  return a;
}

std::unique_ptr<SqliteStore> open_ok(const std::string& path) {
  auto opened = SqliteStore::open(path);
  EXPECT_TRUE(opened.is_ok()) << opened.status().to_string();
  return opened.is_ok() ? std::move(opened).value() : nullptr;
}

// Runs one SQL statement on `path` with a connection of its own (as another program would).
void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK) << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

std::string raw_query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SqliteStore, ReopenKeepsEveryAccount) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  const AccountRecord alice = account("alice", {std::string(64, 'a')});
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->create_account(alice).is_ok());
    ASSERT_TRUE(store->create_account(account("bob")).is_ok());
    ASSERT_TRUE(store->delete_account("bob").is_ok());
  }
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_TRUE(testing::same_record(store->find_account("alice").value(), alice));
  EXPECT_EQ(store->find_account_by_certfp(std::string(64, 'a')).value().name, "alice");
  EXPECT_EQ(store->list_accounts().value().size(), 1u);
}

TEST(SqliteStore, ReopenKeepsEveryServerBan) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  core::ServerBan kline;
  kline.mask = "*@192.0.2.7";
  kline.reason = "spam";
  kline.set_by = "root!~root@127.0.0.1";
  kline.set_at = 1'796'000'000;
  kline.expires_at = 1'796'003'600;
  {
    auto store = open_ok(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->save_server_ban(kline).is_ok());
  }
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->list_server_bans().value(), std::vector<core::ServerBan>{kline});
}

TEST(SqliteStore, RecordsItsSchemaVersionAndUsesWal) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_GE(SqliteStore::schema_version(), 1);
  EXPECT_EQ(store->stored_schema_version().value(), SqliteStore::schema_version());
  EXPECT_EQ(raw_query(path, "PRAGMA user_version"), std::to_string(SqliteStore::schema_version()));
  EXPECT_EQ(raw_query(path, "PRAGMA journal_mode"), "wal");  // persistent in the file
}

TEST(SqliteStore, ForeignKeysCascadeInTheFile) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->create_account(account("alice", {std::string(64, 'a'), std::string(64, 'b')})).is_ok());
  EXPECT_EQ(raw_query(path, "SELECT count(*) FROM account_certfps"), "2");
  ASSERT_TRUE(store->delete_account("alice").is_ok());
  EXPECT_EQ(raw_query(path, "SELECT count(*) FROM account_certfps"), "0");
}

TEST(SqliteStore, ANewerSchemaVersionIsRefused) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  { ASSERT_TRUE(open_ok(path)); }
  const int newer = SqliteStore::schema_version() + 1;
  raw_exec(path, "PRAGMA user_version = " + std::to_string(newer));
  auto opened = SqliteStore::open(path);
  ASSERT_FALSE(opened.is_ok());
  EXPECT_EQ(opened.status().code(), Status::Code::kInvalid);
  const std::string message = opened.status().message();
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("newer"), std::string::npos) << message;
  EXPECT_NE(message.find(std::to_string(newer)), std::string::npos) << message;
  // Refusing left the file as it was.
  EXPECT_EQ(raw_query(path, "PRAGMA user_version"), std::to_string(newer));
}

TEST(SqliteStore, GarbageFileIsCorruptAndLeftAlone) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  const std::string garbage(8192, 'x');
  std::ofstream(path, std::ios::binary) << garbage;
  auto opened = SqliteStore::open(path);
  ASSERT_FALSE(opened.is_ok());
  EXPECT_EQ(opened.status().code(), Status::Code::kCorrupt);
  const std::string message = opened.status().message();
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("not a database"), std::string::npos) << message;  // SQLite's words
  EXPECT_EQ(read_file(path), garbage);
}

TEST(SqliteStore, AnotherProgramsDatabaseIsRefused) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  raw_exec(path, "CREATE TABLE notes (body TEXT)");
  auto opened = SqliteStore::open(path);
  ASSERT_FALSE(opened.is_ok());
  EXPECT_EQ(opened.status().code(), Status::Code::kInvalid);
  EXPECT_NE(opened.status().message().find("not a parley database"), std::string::npos);
  EXPECT_EQ(raw_query(path, "SELECT count(*) FROM sqlite_schema"), "1");
}

TEST(SqliteStore, AnEmptyFileBecomesANewDatabase) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  std::ofstream(path, std::ios::binary).flush();
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->create_account(account("alice")).is_ok());
}

TEST(SqliteStore, AMissingDirectoryIsAClearError) {
  testing::TempDir dir;
  const std::string path = dir.file("no/such/dir/parley.db");
  auto opened = SqliteStore::open(path);
  ASSERT_FALSE(opened.is_ok());
  EXPECT_EQ(opened.status().code(), Status::Code::kIoError);
  EXPECT_NE(opened.status().message().find(path), std::string::npos);
  EXPECT_NE(opened.status().message().find("unable to open"), std::string::npos) << opened.status().message();
  EXPECT_NE(opened.status().message().find("no/such/dir does not exist"), std::string::npos)
      << opened.status().message();
}

// Permissions do not stop root, so the check runs in a child that drops to an unprivileged user
// first when the tests run as root (as in the build container).
void open_in_read_only_directory(const std::string& dir) {
  if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) std::_Exit(3);
  auto opened = SqliteStore::open(dir + "/parley.db");
  if (opened.is_ok()) std::_Exit(4);
  const std::string message = opened.status().to_string();
  std::fprintf(stderr, "%s\n", message.c_str());
  if (opened.status().code() != Status::Code::kIoError) std::_Exit(5);
  if (message.find(dir) == std::string::npos) std::_Exit(6);
  if (message.find("cannot create files in directory " + dir + ": Permission denied") == std::string::npos)
    std::_Exit(7);
  std::_Exit(0);
}

TEST(SqliteStoreDeathTest, AReadOnlyDirectoryIsAClearError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  testing::TempDir dir;
  ::chmod(dir.path().c_str(), 0555);
  EXPECT_EXIT(
      open_in_read_only_directory(dir.path().string()), ::testing::ExitedWithCode(0),
      "I/O error: .*parley.db: open: unable to open database file \\(cannot create files in directory .*: "
      "Permission denied\\)");
}

TEST(SqliteStoreDeathTest, AnExistingDatabaseInAReadOnlyDirectoryIsAClearError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  testing::TempDir dir;
  {
    auto store = open_ok(dir.file("parley.db"));
    ASSERT_TRUE(store);
  }
  // WAL needs its -wal and -shm files beside the database: with the directory read-only, opening
  // fails (with the file itself world-readable so that only the directory is in the way).
  ::chmod(dir.file("parley.db").c_str(), 0644);
  ::chmod(dir.path().c_str(), 0555);
  EXPECT_EXIT(open_in_read_only_directory(dir.path().string()), ::testing::ExitedWithCode(0),
              "I/O error: .*parley.db");
}

TEST(SqliteStore, TwoConnectionsShareTheFile) {
  // `parley account` and the server each open the file; what one writes the other reads.
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto server = open_ok(path);
  auto tool = open_ok(path);
  ASSERT_TRUE(server && tool);
  ASSERT_TRUE(tool->create_account(account("alice")).is_ok());
  EXPECT_TRUE(server->find_account("alice").is_ok());
  ASSERT_TRUE(server->delete_account("alice").is_ok());
  EXPECT_EQ(tool->find_account("alice").status().code(), Status::Code::kNotFound);
}

TEST(SqliteStore, TwoConnectionsWritingAtOnceBothSucceed) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto first = open_ok(path);
  auto second = open_ok(path);
  ASSERT_TRUE(first && second);
  constexpr int kEach = 100;
  auto writer = [](SqliteStore& store, const std::string& prefix) {
    for (int i = 0; i < kEach; ++i)
      EXPECT_TRUE(store.create_account(account(prefix + std::to_string(i))).is_ok());
  };
  std::thread a(writer, std::ref(*first), "a");
  std::thread b(writer, std::ref(*second), "b");
  a.join();
  b.join();
  EXPECT_EQ(first->list_accounts().value().size(), 2u * kEach);
}

TEST(SqliteStore, AWriteLockHeldTooLongIsAnIoErrorNotAHang) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  constexpr int kTimeoutMs = 300;
  auto opened = SqliteStore::open(path, kTimeoutMs);
  ASSERT_TRUE(opened.is_ok());
  auto store = std::move(opened).value();
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto start = std::chrono::steady_clock::now();
  const Status s = store->create_account(account("alice"));
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(store->list_accounts().is_ok());  // WAL: reading goes on under another's write lock
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_NE(s.message().find("locked"), std::string::npos) << s.message();
  EXPECT_GE(waited, std::chrono::milliseconds(kTimeoutMs - 50));
  // The lock's release lets writes through again.
  EXPECT_TRUE(store->create_account(account("alice")).is_ok());
}

TEST(SqliteStore, ACorruptRowIsReportedNotReturned) {
  testing::TempDir dir;
  const std::string path = dir.file("parley.db");
  auto store = open_ok(path);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->create_account(account("alice")).is_ok());
  // Bypass the CHECK constraints the way a damaged file or a careless hand edit would.
  raw_exec(path,
           "PRAGMA ignore_check_constraints = ON; UPDATE accounts SET scram_stored_key = x'00' "
           "WHERE name_folded = 'alice'");
  auto found = store->find_account("alice");
  ASSERT_FALSE(found.is_ok());
  EXPECT_EQ(found.status().code(), Status::Code::kCorrupt);
  EXPECT_NE(found.status().message().find("alice"), std::string::npos);
  EXPECT_EQ(store->list_accounts().status().code(), Status::Code::kCorrupt);
}

}  // namespace
}  // namespace parley::store
