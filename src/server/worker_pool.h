// A small pool of threads for CPU-heavy or blocking work (password hashing, SCRAM key derivation,
// account store calls), so the engine's thread never waits on it (DESIGN.md "Concurrency").
//
// Jobs run in submission order across `threads` workers. The queue is bounded: submit() refuses
// (returns false) when `max_queued` jobs wait, and the caller answers its client with an error
// instead of letting a burst of logins grow memory without limit.
//
// Thread: submit() from any thread. Lifetime: the destructor stops taking jobs, lets the running
// ones finish, drops the queued ones and joins the workers.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace parley::server {

class WorkerPool {
 public:
  // Workers run at this nice value (Linux: per thread), below the engine's thread.
  static constexpr int kWorkerNice = 10;
  WorkerPool(std::size_t threads, std::size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool submit(std::function<void()> job);
  std::size_t queued() const;

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  std::size_t max_queued_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace parley::server
