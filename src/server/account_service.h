// The production core::AccountBackend: runs the engine's account requests (core/accounts.h) on a
// WorkerPool against a store::Store, and posts each answer back to the engine's io_context.
//
// Each request is executed whole on one worker: the store read, the Argon2id hash or check, the
// SCRAM key derivation, the durable write. So a REGISTER's answer is sent only after its account
// is on stable storage, and a burst of slow logins occupies the workers, never the engine.
// A full queue answers kFailed at once ("server busy") rather than queueing without bound.
//
// Thread: submit() is called on the engine's thread; `deliver` runs there too (posted to `io`).
// Lifetime: the service must be destroyed before `io` and `store`; its destructor joins the
// workers (answers still in flight are dropped with the io_context's queue).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "core/accounts.h"
#include "server/worker_pool.h"
#include "store/store.h"

namespace parley::server {

class AccountService final : public core::AccountBackend {
 public:
  using Deliver = std::function<void(core::RequestId, core::AccountAnswer)>;
  // Jobs waiting beyond this are refused with kFailed.
  static constexpr std::size_t kMaxQueued = 4096;

  AccountService(boost::asio::io_context& io, store::Store& store, std::size_t threads, Deliver deliver);

  void submit(core::RequestId id, core::AccountRequest request) override;
  std::size_t queued() const { return pool_.queued(); }

  // What a worker runs for one request, synchronously; `now_unix` stamps new accounts. Public
  // so that tests and `parley account` share the exact rules.
  static core::AccountAnswer execute(store::Store& store, const core::AccountRequest& request,
                                     std::int64_t now_unix);

 private:
  boost::asio::io_context& io_;
  store::Store& store_;
  Deliver deliver_;
  WorkerPool pool_;  // last: its workers stop before the members they use go
};

}  // namespace parley::server
