// The Stores the contract suite runs against (store/store.h): MemoryStore, SqliteStore on a
// temporary file, and FaultInjectingStore with nothing armed. Shared by the suite's two files
// (store_contract_test.cpp: accounts; history_contract_test.cpp: history, markers, channels), so
// every implementation passes exactly the same tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "store/fault_injecting_store.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"
#include "store/temp_dir.h"

namespace parley::store::testing_contract {

struct MemoryFixture {
  MemoryStore store;
  Store& get() { return store; }
};

struct SqliteFixture {
  parley::testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  SqliteFixture() {
    auto opened = SqliteStore::open(dir.file("parley.db"));
    if (!opened.is_ok()) throw std::runtime_error(opened.status().to_string());
    store = std::move(opened).value();
  }
  Store& get() { return *store; }
};

// SqliteStore with blocks of at most two entries and every commit indexed for SEARCH, so that the
// paths a big history takes (many blocks, the search index) run on the contract's few entries.
struct SqliteSmallBlocksFixture : SqliteFixture {
  SqliteSmallBlocksFixture() { store->set_history_tuning({.index_batch = 1, .max_block_entries = 2}); }
};

struct FaultFixture {
  MemoryStore inner;
  FaultInjectingStore store{inner};
  Store& get() { return store; }
};

template <typename Fixture>
class StoreContract : public ::testing::Test {
 protected:
  Fixture fixture_;
  Store& store() { return fixture_.get(); }
};

using Implementations = ::testing::Types<MemoryFixture, SqliteFixture, SqliteSmallBlocksFixture, FaultFixture>;
class ImplementationNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if (std::is_same_v<T, MemoryFixture>) return "Memory";
    if (std::is_same_v<T, SqliteFixture>) return "Sqlite";
    if (std::is_same_v<T, SqliteSmallBlocksFixture>) return "SqliteSmallBlocks";
    return "FaultInjecting";
  }
};

}  // namespace parley::store::testing_contract
