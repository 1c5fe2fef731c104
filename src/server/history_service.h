// The production core::HistoryBackend: one storage thread that runs the engine's history requests
// (core/history.h) against the stores and posts the answers back to the engine's io_context.
//
// Group commit: the thread takes everything queued since its last turn and writes every durable
// kAppend among it with ONE store::Store::append_history(batch) call (one SQLite transaction, one
// fsync), however many messages arrived meanwhile. A turn starts at least `commit_interval` after
// the previous one began (waiting only when requests come faster than that), so that under load
// one commit carries more messages; under heavy load the wait also follows the thread's own cost
// (HistoryServiceOptions::commit_cpu_share), so that commits grow with the load instead of taking
// an ever larger share of the core the engine may share. Then it answers the whole turn in queue
// order:
// each append with the commit's outcome; in-memory appends (durable unset), kForget and every read
// through store::execute_history against `memory` or `durable`, one by one in queue order. So a read
// queued after an append sees it (it may also see appends queued after it, committed first).
// Quiet appends (core::HistoryBackend::append) are answered only when they fail, and the last
// one of each turn always: under load a turn posts one answer, not one per message.
//
// No allocation per message: the entries of queued appends are copied into slots that both
// threads keep from turn to turn (Slots), so neither thread frees what the other allocated.
//
// Durability: an append's kOk is posted only after append_history() returned ok(), that is once
// the entry is on stable storage (store/store.h). Nothing is acknowledged before its commit, so a
// crash loses only unacknowledged messages. A failed commit (disk full, read-only database) answers
// every append of it kFailed; the next turn tries again, so storage recovers with the disk. The
// first failure is logged once as an error, repeats at most once a minute, the recovery once.
//
// Bounded: at most `max_queue` requests wait (those the thread is running do not count). A request
// submitted beyond that is not run: it is answered kFailed (core::kHistoryQueueFull) in its turn,
// so the engine's thread never blocks and answers stay in submission order. This is the last
// resort: the engine holds senders long before (core::Engine::history_backlogged), so a slow disk
// slows senders down rather than losing what they sent.
//
// Retention: every `expire_interval` the thread deletes what `retention` no longer keeps, from both
// stores, in steps of at most kExpireStep rows (short transactions between commits).
//
// Thread: submit(), metrics() and commit_histogram() from any thread (submit() normally from the
// engine's); `deliver` runs on the io_context's thread, never inside submit(). Lifetime: both
// stores must outlive the service. The destructor runs and answers everything already queued (pending appends
// are committed), then joins; answers it posts are delivered if the io_context runs again.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "core/history.h"
#include "store/store.h"

namespace parley::server {

struct HistoryServiceOptions {
  std::size_t max_queue = 20'000;  // requests waiting for the storage thread
  std::chrono::milliseconds expire_interval{60'000};
  // The least time from one group commit's start to the next (HistoryOptions::commit_interval).
  std::chrono::milliseconds commit_interval{0};
  // Under load a turn also waits for its predecessor's CPU time divided by `commit_cpu_share`
  // (from the predecessor's start), but no longer than `max_commit_interval`: a commit's fixed
  // cost (the fsync, the B-trees' last pages) is shared by more messages as the load grows, and
  // the thread's turns take about that share of a core until the cap. The cap bounds what an echo
  // waits (HistoryOptions::max_commit_interval); 0 turns this off.
  double commit_cpu_share = 0.05;
  std::chrono::milliseconds max_commit_interval{0};
  store::RetentionPolicy retention;
  // Wall-clock milliseconds since the Unix epoch, for retention; tests give a fake one.
  std::function<std::int64_t()> now_ms;
  // The CPU time the calling thread has used, for the pace above; tests give a fake one.
  std::function<std::chrono::nanoseconds()> thread_cpu;
};

// How long after a turn's start the next may start, given the CPU time the turn took: at least
// commit_interval, and spent / commit_cpu_share up to max_commit_interval.
std::chrono::nanoseconds commit_pace(const HistoryServiceOptions& options, std::chrono::nanoseconds spent);

// What the storage thread has done (core/history.h), for STATS H and monitoring; latencies over
// the last kLatencyWindow commits.
using HistoryMetrics = core::HistoryStats;

// Every successful group commit's latency, by bucket (for the Prometheus histogram
// parley_history_commit_seconds): counts[i] commits took at most kCommitBoundsUs[i] and more than
// the bound before it; the last count is those above every bound. Not cumulative.
inline constexpr std::array<std::int64_t, 12> kCommitBoundsUs = {
    250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000};
struct CommitHistogram {
  std::array<std::uint64_t, kCommitBoundsUs.size() + 1> counts{};
  std::int64_t sum_us = 0;
  std::uint64_t count = 0;
  void add(std::int64_t us);
};

class HistoryService final : public core::HistoryBackend {
 public:
  using Deliver = std::function<void(core::RequestId, core::HistoryAnswer)>;
  static constexpr std::size_t kExpireStep = 10'000;
  static constexpr std::size_t kLatencyWindow = 1024;

  // `durable` keeps what must survive restarts; `memory` the ephemeral history (private messages
  // of users who are not logged in). They may be the same store (a server without a data dir).
  HistoryService(boost::asio::io_context& io, store::Store& durable, store::Store& memory,
                 HistoryServiceOptions options, Deliver deliver);
  ~HistoryService() override;
  HistoryService(const HistoryService&) = delete;
  HistoryService& operator=(const HistoryService&) = delete;

  void submit(core::RequestId id, core::HistoryRequest request) override;
  void append(core::RequestId id, const core::HistoryEntry& entry, bool durable, bool quiet) override;
  HistoryMetrics metrics() const;
  CommitHistogram commit_histogram() const;
  core::HistoryStats stats() const override { return metrics(); }

 private:
  // One queued request: an append (its entry is in Slots, in queue order), any other request, or
  // one refused because the queue was full.
  struct Item {
    enum class Kind : std::uint8_t { kDurableAppend, kMemoryAppend, kRequest, kRefused };
    core::RequestId id = 0;
    Kind kind = Kind::kRequest;
    bool quiet = false;                             // an append that need not be answered kOk
    std::unique_ptr<core::HistoryRequest> request;  // kRequest's
  };
  // Entries of queued appends, oldest first: the first `size` of `slots`. The slots outlive a
  // turn, with their strings' buffers, so the engine's copy into one seldom allocates: the queue
  // and the turn being run each have a Slots, and the two are swapped with the queue.
  struct Slots {
    static constexpr std::size_t kKept = 1024;  // the most slots kept after a turn that used fewer
    std::vector<core::HistoryEntry> slots;
    std::size_t size = 0;
    void push(const core::HistoryEntry& entry);
    std::span<const core::HistoryEntry> entries() const { return {slots.data(), size}; }
    // Empties it, giving back the slots beyond kKept that the last turn did not use.
    void reset();
  };
  using Answers = std::vector<std::pair<core::RequestId, core::HistoryAnswer>>;

  // Queues `item`, or a refusal in its place when the queue is full (then `entry` is not kept).
  void enqueue(Item item, const core::HistoryEntry* entry = nullptr);
  void run();
  // One turn: the group commit, then every answer in queue order.
  void process(std::vector<Item>& batch);
  store::Status commit();
  void note_commit(const store::Status& status, std::size_t entries, std::chrono::microseconds took);
  void expire();
  void post(Answers answers);

  boost::asio::io_context& io_;
  store::Store& durable_;
  store::Store& memory_;
  HistoryServiceOptions options_;
  std::shared_ptr<const Deliver> deliver_;  // shared with posted handlers

  mutable std::mutex mutex_;  // guards queue_, waiting_, stop_, metrics_ and histogram_
  std::condition_variable wake_;
  std::condition_variable pace_;  // the wait between turns (commit_interval); only stop ends it early
  std::vector<Item> queue_;
  Slots durable_entries_;    // of queue_'s kDurableAppend items
  Slots memory_entries_;     // of its kMemoryAppend items
  std::size_t waiting_ = 0;  // items of queue_ that will run (not refused)
  bool stop_ = false;
  HistoryMetrics metrics_;
  std::vector<std::int64_t> latencies_us_;  // ring of the last kLatencyWindow commits
  std::size_t latency_next_ = 0;
  CommitHistogram histogram_;

  // Storage thread only.
  Slots durable_batch_;  // the entries of the turn being run
  Slots memory_batch_;
  std::chrono::steady_clock::time_point next_expire_;
  std::chrono::steady_clock::time_point last_batch_;  // when the last batch was taken (commit_interval)
  std::chrono::nanoseconds next_pace_{0};             // from last_batch_ to the next turn
  std::chrono::steady_clock::time_point last_failure_log_{};

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace parley::server
