// Runs one core::HistoryRequest (core/history.h) against the stores and turns the result into the
// engine's HistoryAnswer. The server's storage thread (server/history_service.h) uses it for every
// request except appends, which it batches into group commits itself; the engine tests' fake
// backend (tests/core/harness.h) uses it for everything.
//
// Routing: kAppend, kQuery, kTargets and kSearch go to `durable` when request.durable is set, else
// to `memory` (private history of users who are not logged in); kForget goes to `memory`; read
// markers and registered channels go to `durable`. kTargets also looks up the asker's in-memory
// conversations (TargetsQuery::ephemeral) in `memory` and merges the two lists.
//
// Outcomes: kOk; kNotFound stays kNotFound (an msgid reference unknown in the target, a channel
// that is not registered); every other error is kFailed with `detail` = Status::to_string().
//
// Thread: whatever thread the caller is on; both stores are thread-safe. Blocks on disk.
#pragma once

#include "core/history.h"
#include "store/store.h"

namespace parley::store {

core::HistoryAnswer execute_history(const core::HistoryRequest& request, Store& durable, Store& memory);

// The answer to a request whose result is `status` alone (an append, a save, a delete).
core::HistoryAnswer answer(const Status& status);

}  // namespace parley::store
