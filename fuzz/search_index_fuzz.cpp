// libFuzzer target for the search index's chunk reader (store/search_index.h): bytes as read back
// from a damaged or hostile parley.db's history_index table. Beyond "does not crash or read outside
// the chunk", it checks:
//   - every record read has a key >= 0 above the one before, and at least one block id, all > 0
//     and strictly increasing;
//   - find() agrees with reading every record: it finds each key read before any damage with the
//     same blocks, and reports kCorrupt exactly when the reader stopped at damage;
//   - writing the records read gives chunks that read back as the same records (the writer and the
//     reader agree on everything the reader accepts).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_support.h"
#include "store/search_index.h"

namespace {

using parley::store::Status;
using namespace parley::store::search_index;

using Records = std::vector<std::pair<Key, std::vector<std::int64_t>>>;

// Every record of `chunk` until its end or damage; `corrupt` says which.
Records read_all(std::string_view chunk, bool& corrupt) {
  Records out;
  ChunkReader reader(chunk);
  Key key = 0;
  std::vector<std::int64_t> blocks;
  while (reader.next(key, blocks)) out.emplace_back(key, blocks);
  corrupt = reader.corrupt();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string chunk(reinterpret_cast<const char*>(bytes), size);
  bool corrupt = false;
  const Records records = read_all(chunk, corrupt);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& [key, blocks] = records[i];
    FUZZ_CHECK(key >= 0);
    FUZZ_CHECK(i == 0 || key > records[i - 1].first);
    FUZZ_CHECK(!blocks.empty());
    FUZZ_CHECK(blocks.size() <= size);
    for (std::size_t j = 0; j < blocks.size(); ++j)
      FUZZ_CHECK(blocks[j] > 0 && (j == 0 || blocks[j] > blocks[j - 1]));
    auto found = find(chunk, key, "fuzz");
    FUZZ_CHECK(found.is_ok() && found.value() == blocks);
  }
  if (!records.empty()) {
    // A key past the last one read runs find() to where the reader stopped.
    auto past = find(
        chunk, records.back().first == INT64_MAX ? records.back().first : records.back().first + 1, "fuzz");
    if (records.back().first != INT64_MAX) FUZZ_CHECK(past.is_ok() != corrupt);
  }
  Records again;
  ChunkWriter writer([&](Key, std::string_view written) {
    bool damaged = true;
    for (auto& record : read_all(written, damaged)) again.push_back(std::move(record));
    FUZZ_CHECK(!damaged);
    return Status::ok();
  });
  for (const auto& [key, blocks] : records) FUZZ_CHECK(writer.add(key, blocks).is_ok());
  FUZZ_CHECK(writer.finish().is_ok());
  FUZZ_CHECK(again == records);
  return 0;
}
