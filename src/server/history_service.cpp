#include "server/history_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <ctime>
#include <utility>

#include "store/history_requests.h"

namespace parley::server {

namespace {

using core::HistoryAnswer;
using core::HistoryRequest;
using Outcome = HistoryAnswer::Outcome;
using Kind = HistoryRequest::Kind;
using SteadyClock = std::chrono::steady_clock;

// While commits keep failing, the error is repeated at most this often.
constexpr std::chrono::seconds kFailureLogInterval{60};

HistoryAnswer answer(Outcome outcome, std::string detail = {}) {
  HistoryAnswer a;
  a.outcome = outcome;
  a.detail = std::move(detail);
  return a;
}

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::chrono::nanoseconds thread_cpu_time() {
  timespec t{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0) return std::chrono::nanoseconds{0};
  return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

// The value below which `fraction` of `sorted` lies.
std::int64_t percentile(const std::vector<std::int64_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto at = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(at, sorted.size() - 1)];
}

}  // namespace

std::chrono::nanoseconds commit_pace(const HistoryServiceOptions& options, std::chrono::nanoseconds spent) {
  const std::chrono::nanoseconds cap = options.max_commit_interval;
  std::chrono::nanoseconds by_cost{0};
  if (options.commit_cpu_share > 0 && spent.count() > 0) {
    const double wait = static_cast<double>(spent.count()) / options.commit_cpu_share;
    by_cost = wait >= static_cast<double>(cap.count())
                  ? cap
                  : std::chrono::nanoseconds(static_cast<std::int64_t>(wait));
  }
  return std::max<std::chrono::nanoseconds>(options.commit_interval, by_cost);
}

HistoryService::HistoryService(boost::asio::io_context& io, store::Store& durable, store::Store& memory,
                               HistoryServiceOptions options, Deliver deliver)
    : io_(io),
      durable_(durable),
      memory_(memory),
      options_(std::move(options)),
      deliver_(std::make_shared<const Deliver>(std::move(deliver))) {
  if (!options_.now_ms) options_.now_ms = wall_clock_ms;
  if (!options_.thread_cpu) options_.thread_cpu = thread_cpu_time;
  latencies_us_.reserve(kLatencyWindow);
  next_expire_ = SteadyClock::now() + options_.expire_interval;
  thread_ = std::thread([this] { run(); });
}

HistoryService::~HistoryService() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  pace_.notify_one();
  thread_.join();
  const HistoryMetrics m = metrics();
  if (m.commits + m.failed_commits > 0) {
    spdlog::info(
        "history storage: {} entries in {} group commits (commit p50 {} us, p99 {} us), {} failed commits, "
        "{} requests refused by a full queue, {} entries expired",
        m.entries_written, m.commits, m.commit_p50_us, m.commit_p99_us, m.failed_commits, m.rejected,
        m.expired);
  }
}

void HistoryService::submit(core::RequestId id, HistoryRequest request) {
  if (request.kind == Kind::kAppend) {
    append(id, request.entry, request.durable, /*quiet=*/false);
    return;
  }
  enqueue(Item{.id = id, .request = std::make_unique<HistoryRequest>(std::move(request))});
}

void HistoryService::append(core::RequestId id, const core::HistoryEntry& entry, bool durable, bool quiet) {
  enqueue(
      Item{
          .id = id, .kind = durable ? Item::Kind::kDurableAppend : Item::Kind::kMemoryAppend, .quiet = quiet},
      &entry);
}

void HistoryService::enqueue(Item item, const core::HistoryEntry* entry) {
  {
    std::lock_guard lock(mutex_);
    if (waiting_ >= options_.max_queue) {
      ++metrics_.rejected;
      queue_.push_back(Item{.id = item.id, .kind = Item::Kind::kRefused});
    } else {
      ++waiting_;
      if (item.kind == Item::Kind::kDurableAppend) durable_entries_.push(*entry);
      if (item.kind == Item::Kind::kMemoryAppend) memory_entries_.push(*entry);
      queue_.push_back(std::move(item));
    }
  }
  wake_.notify_one();
}

void HistoryService::Slots::push(const core::HistoryEntry& entry) {
  if (size < slots.size()) {
    slots[size] = entry;  // into the strings' buffers (a copy assignment keeps their capacity)
  } else {
    slots.push_back(entry);
  }
  ++size;
}

void HistoryService::Slots::reset() {
  if (slots.size() > kKept && slots.size() > 2 * size) slots.resize(std::max(size, kKept));
  size = 0;
}

HistoryMetrics HistoryService::metrics() const {
  std::lock_guard lock(mutex_);
  HistoryMetrics m = metrics_;
  m.queue_depth = waiting_;
  std::vector<std::int64_t> sorted = latencies_us_;
  std::sort(sorted.begin(), sorted.end());
  m.commit_p50_us = percentile(sorted, 0.50);
  m.commit_p99_us = percentile(sorted, 0.99);
  return m;
}

CommitHistogram HistoryService::commit_histogram() const {
  std::lock_guard lock(mutex_);
  return histogram_;
}

void CommitHistogram::add(std::int64_t us) {
  const auto bound = std::lower_bound(kCommitBoundsUs.begin(), kCommitBoundsUs.end(), us);
  ++counts[static_cast<std::size_t>(bound - kCommitBoundsUs.begin())];
  sum_us += us;
  ++count;
}

void HistoryService::run() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next_expire_, [&] { return stop_ || !queue_.empty(); });
      if (stop_ && queue_.empty()) return;
      // The group commit's pace: under load, let a commit interval's requests gather (a quiet
      // server's first request is later than that and goes at once).
      // (On its own condition variable: submit() does not wake this wait, only the destructor.)
      pace_.wait_until(lock, last_batch_ + next_pace_, [&] { return stop_; });
      last_batch_ = SteadyClock::now();
      batch.swap(queue_);
      std::swap(durable_batch_, durable_entries_);
      std::swap(memory_batch_, memory_entries_);
      waiting_ = 0;
    }
    if (!batch.empty()) {
      const std::chrono::nanoseconds start = options_.thread_cpu();
      process(batch);
      next_pace_ = commit_pace(options_, options_.thread_cpu() - start);
    }
    batch.clear();
    durable_batch_.reset();  // (the queue's slots next turn)
    memory_batch_.reset();
    if (SteadyClock::now() >= next_expire_) {
      expire();
      next_expire_ = SteadyClock::now() + options_.expire_interval;
    }
  }
}

void HistoryService::process(std::vector<Item>& batch) {
  const store::Status committed = commit();
  std::size_t last_quiet = batch.size();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].quiet) last_quiet = i;
  }
  Answers answers;
  std::size_t memory_next = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Item& item = batch[i];
    HistoryAnswer a;
    switch (item.kind) {
      case Item::Kind::kRefused: a = answer(Outcome::kFailed, std::string(core::kHistoryQueueFull)); break;
      case Item::Kind::kDurableAppend:
        a = committed.is_ok() ? answer(Outcome::kOk) : answer(Outcome::kFailed, committed.to_string());
        break;
      case Item::Kind::kMemoryAppend:
        a = store::answer(memory_.append_history(memory_batch_.entries().subspan(memory_next++, 1)));
        break;
      case Item::Kind::kRequest: a = store::execute_history(*item.request, durable_, memory_); break;
    }
    // A quiet append's kOk is implied by any later answer; the turn's last one says it.
    if (item.quiet && a.outcome == Outcome::kOk && i != last_quiet) continue;
    answers.emplace_back(item.id, std::move(a));
  }
  post(std::move(answers));
}

// The group commit: every durable append of the turn in one append_history() call.
store::Status HistoryService::commit() {
  const std::span<const core::HistoryEntry> entries = durable_batch_.entries();
  if (entries.empty()) return store::Status::ok();
  const auto start = SteadyClock::now();
  store::Status status = durable_.append_history(entries);
  note_commit(status, entries.size(),
              std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start));
  return status;
}

void HistoryService::note_commit(const store::Status& status, std::size_t entries,
                                 std::chrono::microseconds took) {
  bool was_failing = false;
  std::uint64_t failed_commits = 0;
  {
    std::lock_guard lock(mutex_);
    was_failing = metrics_.failing;
    metrics_.failing = !status.is_ok();
    if (status.is_ok()) {
      ++metrics_.commits;
      metrics_.entries_written += entries;
      metrics_.last_commit_us = took.count();
      if (latencies_us_.size() < kLatencyWindow)
        latencies_us_.push_back(took.count());
      else
        latencies_us_[latency_next_] = took.count();
      latency_next_ = (latency_next_ + 1) % kLatencyWindow;
      histogram_.add(took.count());
    } else {
      ++metrics_.failed_commits;
      metrics_.failed_entries += entries;
    }
    failed_commits = metrics_.failed_commits;
  }
  const auto now = SteadyClock::now();
  if (status.is_ok()) {
    if (was_failing)
      spdlog::info("history storage works again; {} commits failed in all, their senders were told",
                   failed_commits);
    return;
  }
  if (!was_failing || now - last_failure_log_ >= kFailureLogInterval) {
    spdlog::error(
        "history storage failed: {} ({} failed commits so far); senders get FAIL and their messages "
        "are not kept until it recovers",
        status.to_string(), failed_commits);
    last_failure_log_ = now;
  }
}

void HistoryService::expire() {
  const auto& policy = options_.retention;
  if (policy.all == store::RetentionRule{} && policy.per_target.empty()) return;  // keeps everything
  const std::int64_t now = options_.now_ms();
  std::uint64_t deleted = 0;
  for (store::Store* s : {&durable_, &memory_}) {
    if (s == &memory_ && &memory_ == &durable_) break;
    for (;;) {
      auto result = s->expire_history(policy, now, kExpireStep);
      if (!result.is_ok()) {
        spdlog::warn("history retention: {}", result.status().to_string());
        break;
      }
      deleted += result.value();
      if (result.value() < kExpireStep) break;
    }
  }
  if (deleted == 0) return;
  std::lock_guard lock(mutex_);
  metrics_.expired += deleted;
}

void HistoryService::post(Answers answers) {
  boost::asio::post(io_, [deliver = deliver_, answers = std::move(answers)]() mutable {
    for (auto& [id, a] : answers) (*deliver)(id, std::move(a));
  });
}

}  // namespace parley::server
