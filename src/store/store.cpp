#include "store/store.h"

namespace parley::store {

std::string Status::to_string() const {
  std::string_view what;
  switch (code_) {
    case Code::kOk: return "ok";
    case Code::kNotFound: what = "not found"; break;
    case Code::kExists: what = "already exists"; break;
    case Code::kIoError: what = "I/O error"; break;
    case Code::kCorrupt: what = "corrupt data"; break;
    case Code::kInvalid: what = "invalid"; break;
  }
  std::string out(what);
  if (!message_.empty()) out += ": " + message_;
  return out;
}

}  // namespace parley::store

// INTERIM (branch h-base only; see store.h): every history call answers kInvalid until the store
// helper implements it in each Store.
namespace parley::store {
namespace {
Status not_yet() { return Status::invalid("this store does not keep history yet"); }
}  // namespace
Status Store::append_history(const std::vector<core::HistoryEntry>&) { return not_yet(); }
Result<std::vector<core::HistoryEntry>> Store::query_history(const core::HistoryQuery&) { return not_yet(); }
Result<std::vector<core::TargetActivity>> Store::history_targets(const core::TargetsQuery&) { return not_yet(); }
Result<std::vector<core::HistoryEntry>> Store::search_history(const core::SearchQuery&) { return not_yet(); }
Result<std::size_t> Store::expire_history(const RetentionPolicy&, std::int64_t, std::size_t) { return not_yet(); }
Status Store::forget_history(std::string_view) { return not_yet(); }
Result<std::int64_t> Store::read_marker(std::string_view, std::string_view) { return not_yet(); }
Result<std::int64_t> Store::set_read_marker(std::string_view, std::string_view, std::int64_t) { return not_yet(); }
Status Store::save_channel(const core::RegisteredChannel&) { return not_yet(); }
Status Store::drop_channel(std::string_view) { return not_yet(); }
Result<std::vector<core::RegisteredChannel>> Store::list_channels() { return not_yet(); }
}  // namespace parley::store
