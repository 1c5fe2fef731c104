#include "core/history.h"

#include <utility>

namespace parley::core {

namespace {

std::string pair_key(char prefix, std::string_view a_folded, std::string_view b_folded) {
  if (b_folded < a_folded) std::swap(a_folded, b_folded);
  std::string key;
  key.reserve(a_folded.size() + b_folded.size() + 2);
  key += prefix;
  key += a_folded;
  key += ' ';
  key += b_folded;
  return key;
}

}  // namespace

std::string dm_key(std::string_view a_folded, std::string_view b_folded) {
  return pair_key('@', a_folded, b_folded);
}

std::string ephemeral_dm_key(std::string_view a_folded, std::string_view b_folded) {
  return pair_key('~', a_folded, b_folded);
}

void HistoryBackend::append(RequestId id, const HistoryEntry& entry, bool durable, bool /*quiet*/) {
  HistoryRequest r;
  r.kind = HistoryRequest::Kind::kAppend;
  r.durable = durable;
  r.entry = entry;
  submit(id, std::move(r));
}

}  // namespace parley::core
