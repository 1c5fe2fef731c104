#include "store/history_requests.h"

#include <algorithm>
#include <utility>

namespace parley::store {

using core::HistoryAnswer;
using core::HistoryRequest;
using Outcome = HistoryAnswer::Outcome;

HistoryAnswer answer(const Status& status) {
  HistoryAnswer a;
  if (status.is_ok()) {
    a.outcome = Outcome::kOk;
  } else {
    a.outcome = status.code() == Status::Code::kNotFound ? Outcome::kNotFound : Outcome::kFailed;
    a.detail = status.to_string();
  }
  return a;
}

namespace {

// The answer for a Result: its status, and its value handed to `put` when there is one.
template <typename T, typename Put>
HistoryAnswer answer(Result<T> result, Put&& put) {
  HistoryAnswer a = answer(result.status());
  if (result.is_ok()) put(a, std::move(result).value());
  return a;
}

void put_entries(HistoryAnswer& a, std::vector<core::HistoryEntry> entries) {
  a.entries = std::move(entries);
}
void put_marker(HistoryAnswer& a, std::int64_t marker) { a.marker_ms = marker; }

void put_activity(HistoryAnswer& a, std::vector<core::TargetActivity> activity) {
  a.activity = std::move(activity);
}

// kTargets: the targets `history` holds, and the asker's in-memory conversations, newest activity
// first, at most query.limit.
HistoryAnswer targets(const core::TargetsQuery& query, Store& history, Store& memory) {
  auto found = history.history_targets(query);  // (stores list `channels` and conversations only)
  if (!found.is_ok() || query.ephemeral.empty()) return answer(std::move(found), put_activity);
  core::TargetsQuery in_memory;
  in_memory.channels = query.ephemeral;
  in_memory.from_ms = query.from_ms;
  in_memory.to_ms = query.to_ms;
  in_memory.limit = query.limit;
  auto more = memory.history_targets(in_memory);
  if (!more.is_ok()) return answer(more.status());
  std::vector<core::TargetActivity> all = std::move(found).value();
  for (core::TargetActivity& t : more.value()) {
    auto same = [&](const core::TargetActivity& x) { return x.target == t.target; };
    if (std::none_of(all.begin(), all.end(), same)) all.push_back(std::move(t));
  }
  auto newer = [](const core::TargetActivity& a, const core::TargetActivity& b) {
    return a.latest_ms > b.latest_ms;
  };
  std::stable_sort(all.begin(), all.end(), newer);
  if (all.size() > query.limit) all.resize(query.limit);
  HistoryAnswer a = answer(Status::ok());
  put_activity(a, std::move(all));
  return a;
}

}  // namespace

core::HistoryAnswer execute_history(const HistoryRequest& request, Store& durable, Store& memory) {
  Store& history = request.durable ? durable : memory;
  switch (request.kind) {
    case HistoryRequest::Kind::kAppend: return answer(history.append_history(std::span(&request.entry, 1)));
    case HistoryRequest::Kind::kQuery: return answer(history.query_history(request.query), put_entries);
    case HistoryRequest::Kind::kTargets: return targets(request.targets, history, memory);
    case HistoryRequest::Kind::kSearch: return answer(history.search_history(request.search), put_entries);
    case HistoryRequest::Kind::kGetMarker:
      return answer(durable.read_marker(request.account_folded, request.target), put_marker);
    case HistoryRequest::Kind::kSetMarker:
      return answer(durable.set_read_marker(request.account_folded, request.target, request.marker_ms),
                    put_marker);
    case HistoryRequest::Kind::kSaveChannel: return answer(durable.save_channel(request.channel));
    case HistoryRequest::Kind::kDropChannel: return answer(durable.drop_channel(request.channel.name_folded));
    case HistoryRequest::Kind::kSaveServerBan: return answer(durable.save_server_ban(request.ban));
    case HistoryRequest::Kind::kDeleteServerBan:
      return answer(durable.delete_server_ban(request.ban.kind, request.ban.mask));
    case HistoryRequest::Kind::kForget: return answer(memory.forget_history(request.target));
    case HistoryRequest::Kind::kRedact:
      return answer(history.delete_history_entry(request.target, request.msgid));
  }
  HistoryAnswer unknown;
  unknown.detail = "unknown history request kind";
  return unknown;
}

}  // namespace parley::store
