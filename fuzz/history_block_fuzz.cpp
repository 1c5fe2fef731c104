// libFuzzer target for the history block decoder (store/history_block.h): bytes as read back from
// a damaged or hostile parley.db. The first eight bytes are the row's min_ms, the rest the blob.
// Beyond "does not crash or read outside the blob", it checks:
//   - a block that decodes has at least one byte per field, every view inside the blob, no entry
//     before min_ms, and a msgid and command in every entry;
//   - encoding the decoded entries again gives a block that decodes to the same entries (the
//     writer and the reader agree on everything the reader accepts).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "store/history_block.h"

namespace {

using parley::store::history::EntryView;

bool inside(std::string_view view, std::string_view whole) {
  if (view.empty()) return true;
  return view.data() >= whole.data() && view.data() + view.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size < 8) return 0;
  std::int64_t min_ms = 0;
  std::memcpy(&min_ms, bytes, 8);
  const std::string blob(reinterpret_cast<const char*>(bytes) + 8, size - 8);
  auto decoded = parley::store::history::decode_block(blob, min_ms, "fuzz");
  if (!decoded.is_ok()) {
    FUZZ_CHECK(decoded.status().code() == parley::store::Status::Code::kCorrupt);
    return 0;
  }
  const auto& entries = decoded.value();
  FUZZ_CHECK(entries.size() * 9 <= blob.size());
  for (const EntryView& e : entries) {
    FUZZ_CHECK(e.time_ms >= min_ms);
    FUZZ_CHECK(!e.msgid.empty() && !e.command.empty());
    for (std::string_view field : {e.msgid, e.source, e.sender_folded, e.account, e.command, e.tags, e.params, e.text})
      FUZZ_CHECK(inside(field, blob));
  }
  if (entries.empty()) return 0;
  const auto again = parley::store::history::encode_block(entries);
  auto redecoded = parley::store::history::decode_block(again.blob, again.min_ms, "fuzz");
  FUZZ_CHECK(redecoded.is_ok());
  FUZZ_CHECK(redecoded.value().size() == entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i)
    FUZZ_CHECK(redecoded.value()[i].to_entry("#t") == entries[i].to_entry("#t"));
  return 0;
}
