// HistoryService (server/history_service.h): the storage thread's ordering, group commit, failure
// and recovery, bounded queue, retention and drain on destruction, over the in-memory store and
// the fault-injecting wrapper.
#include "server/history_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "store/fault_injecting_store.h"
#include "store/memory_store.h"

namespace parley::server {
namespace {

using core::HistoryAnswer;
using core::HistoryRequest;
using Outcome = HistoryAnswer::Outcome;
using Kind = HistoryRequest::Kind;
using namespace std::chrono_literals;

constexpr std::int64_t kT0 = 1'796'000'000'000;

// Forwards to another store; counts append_history() calls and can hold them at a gate, so a
// test can pile requests up while the storage thread is busy.
class GatedStore final : public store::Store {
 public:
  explicit GatedStore(store::Store& target) : target_(target) {}

  void close_gate() {
    std::lock_guard lock(mutex_);
    gate_open_ = false;
  }
  void open_gate() {
    {
      std::lock_guard lock(mutex_);
      gate_open_ = true;
    }
    changed_.notify_all();
  }
  // Waits until a commit is held at the closed gate.
  void wait_until_held() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return held_ > 0; });
  }
  std::vector<std::size_t> batch_sizes() const {
    std::lock_guard lock(mutex_);
    return batch_sizes_;
  }

  using store::Store::append_history;
  store::Status append_history(std::span<const core::HistoryEntry> entries) override {
    {
      std::unique_lock lock(mutex_);
      batch_sizes_.push_back(entries.size());
      ++held_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return gate_open_; });
      --held_;
    }
    return target_.append_history(entries);
  }
  store::Result<std::vector<core::HistoryEntry>> query_history(const core::HistoryQuery& q) override {
    return target_.query_history(q);
  }
  store::Result<std::vector<core::TargetActivity>> history_targets(const core::TargetsQuery& q) override {
    return target_.history_targets(q);
  }
  store::Result<std::vector<core::HistoryEntry>> search_history(const core::SearchQuery& q) override {
    return target_.search_history(q);
  }
  store::Result<std::size_t> expire_history(const store::RetentionPolicy& p, std::int64_t now,
                                            std::size_t max_rows) override {
    return target_.expire_history(p, now, max_rows);
  }
  store::Status forget_history(std::string_view target) override { return target_.forget_history(target); }
  store::Status delete_history_entry(std::string_view target, std::string_view msgid) override {
    return target_.delete_history_entry(target, msgid);
  }
  store::Result<std::int64_t> read_marker(std::string_view a, std::string_view t) override {
    return target_.read_marker(a, t);
  }
  store::Result<std::int64_t> set_read_marker(std::string_view a, std::string_view t,
                                              std::int64_t ms) override {
    return target_.set_read_marker(a, t, ms);
  }
  store::Status save_channel(const core::RegisteredChannel& c) override { return target_.save_channel(c); }
  store::Status drop_channel(std::string_view name) override { return target_.drop_channel(name); }
  store::Result<std::vector<core::RegisteredChannel>> list_channels() override {
    return target_.list_channels();
  }
  store::Status save_server_ban(const core::ServerBan& b) override { return target_.save_server_ban(b); }
  store::Status delete_server_ban(core::ServerBan::Kind k, std::string_view m) override {
    return target_.delete_server_ban(k, m);
  }
  store::Result<std::vector<core::ServerBan>> list_server_bans() override { return target_.list_server_bans(); }
  store::Status create_account(const store::AccountRecord& a) override { return target_.create_account(a); }
  store::Result<store::AccountRecord> find_account(std::string_view n) override {
    return target_.find_account(n);
  }
  store::Result<store::AccountRecord> find_account_by_certfp(std::string_view c) override {
    return target_.find_account_by_certfp(c);
  }
  store::Status update_account(const store::AccountRecord& a) override { return target_.update_account(a); }
  store::Status delete_account(std::string_view n) override { return target_.delete_account(n); }
  store::Result<std::vector<store::AccountRecord>> list_accounts() override {
    return target_.list_accounts();
  }
  store::Result<std::size_t> count_accounts_with_email(std::string_view e) override {
    return target_.count_accounts_with_email(e);
  }

 private:
  store::Store& target_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool gate_open_ = true;
  std::size_t held_ = 0;
  std::vector<std::size_t> batch_sizes_;
};

core::HistoryEntry entry(const std::string& target, int n) {
  core::HistoryEntry e;
  e.target = target;
  e.msgid = target + "-" + std::to_string(n);
  e.time_ms = kT0 + n;
  e.source = "alice!a@host";
  e.sender_folded = "alice";
  e.account = "alice";
  e.command = "PRIVMSG";
  e.params = target + " :message " + std::to_string(n);
  e.text = "message " + std::to_string(n);
  return e;
}

HistoryRequest append(const std::string& target, int n, bool durable = true) {
  HistoryRequest r;
  r.kind = Kind::kAppend;
  r.durable = durable;
  r.entry = entry(target, n);
  return r;
}

HistoryRequest latest(const std::string& target, std::size_t limit, bool durable = true) {
  HistoryRequest r;
  r.kind = Kind::kQuery;
  r.durable = durable;
  r.query.kind = core::HistoryQuery::Kind::kLatest;
  r.query.target = target;
  r.query.from.kind = core::HistoryRef::Kind::kLatest;
  r.query.limit = limit;
  return r;
}

std::vector<std::string> msgids(const std::vector<core::HistoryEntry>& entries) {
  std::vector<std::string> ids;
  for (const auto& e : entries) ids.push_back(e.msgid);
  return ids;
}

class HistoryServiceTest : public ::testing::Test {
 protected:
  // A service over `durable` (the gated wrapper of durable_ by default) and memory_.
  void start(HistoryServiceOptions options = {}, store::Store* durable = nullptr) {
    service_ = std::make_unique<HistoryService>(
        io_, durable ? *durable : gated_, memory_, std::move(options),
        [this](core::RequestId id, HistoryAnswer a) { answers_.emplace_back(id, std::move(a)); });
  }
  // Runs the io_context until `n` answers have arrived (or 5 s have passed).
  void await_answers(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (answers_.size() < n && std::chrono::steady_clock::now() < deadline) io_.run_one_for(50ms);
    ASSERT_EQ(answers_.size(), n);
  }
  std::vector<core::RequestId> answered_ids() const {
    std::vector<core::RequestId> ids;
    for (const auto& [id, a] : answers_) ids.push_back(id);
    return ids;
  }
  const HistoryAnswer& answer_to(core::RequestId id) const {
    for (const auto& [i, a] : answers_)
      if (i == id) return a;
    throw std::runtime_error("no answer to request " + std::to_string(id));
  }
  std::vector<std::string> stored(store::Store& s, const std::string& target) {
    HistoryRequest r = latest(target, 1000);
    auto result = s.query_history(r.query);
    EXPECT_TRUE(result.is_ok()) << result.status().to_string();
    return result.is_ok() ? msgids(result.value()) : std::vector<std::string>{};
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  store::MemoryStore durable_;
  store::MemoryStore memory_;
  GatedStore gated_{durable_};
  std::vector<std::pair<core::RequestId, HistoryAnswer>> answers_;
  std::unique_ptr<HistoryService> service_;  // last: destroyed first
};

TEST_F(HistoryServiceTest, AnswersArriveInSubmissionOrder) {
  start();
  gated_.close_gate();
  service_->submit(1, append("#a", 1));
  gated_.wait_until_held();
  service_->submit(2, latest("#a", 10));
  service_->submit(3, append("#a", 2));
  service_->submit(4, append("@alice bob", 3, /*durable=*/false));
  service_->submit(5, latest("#a", 10));
  gated_.open_gate();
  for (core::RequestId id = 6; id <= 20; ++id)
    service_->submit(id, id % 2 ? latest("#a", 1) : append("#b", int(id)));
  await_answers(20);
  std::vector<core::RequestId> expected;
  for (core::RequestId id = 1; id <= 20; ++id) expected.push_back(id);
  EXPECT_EQ(answered_ids(), expected);
  for (const auto& [id, a] : answers_)
    EXPECT_EQ(a.outcome, Outcome::kOk) << "request " << id << ": " << a.detail;
}

TEST_F(HistoryServiceTest, AppendsQueuedMeanwhileGoIntoOneGroupCommit) {
  start();
  gated_.close_gate();
  service_->submit(1, append("#a", 1));
  gated_.wait_until_held();  // the first commit is in progress; the next 50 queue up behind it
  for (int n = 2; n <= 51; ++n) service_->submit(core::RequestId(n), append("#a", n));
  gated_.open_gate();
  await_answers(51);
  EXPECT_EQ(gated_.batch_sizes(), (std::vector<std::size_t>{1, 50}));
  for (const auto& [id, a] : answers_) EXPECT_EQ(a.outcome, Outcome::kOk);
  EXPECT_EQ(stored(durable_, "#a").size(), 51u);
  const HistoryMetrics m = service_->metrics();
  EXPECT_EQ(m.commits, 2u);
  EXPECT_EQ(m.entries_written, 51u);
  EXPECT_EQ(m.failed_commits, 0u);
  EXPECT_FALSE(m.failing);
}

TEST_F(HistoryServiceTest, InMemoryAppendsNeverReachTheDurableStore) {
  start();
  service_->submit(1, append("@alice bob", 1, /*durable=*/false));
  service_->submit(2, latest("@alice bob", 10, /*durable=*/false));
  await_answers(2);
  EXPECT_EQ(answer_to(1).outcome, Outcome::kOk);
  EXPECT_EQ(msgids(answer_to(2).entries), (std::vector<std::string>{"@alice bob-1"}));
  EXPECT_EQ(stored(memory_, "@alice bob"), (std::vector<std::string>{"@alice bob-1"}));
  EXPECT_TRUE(stored(durable_, "@alice bob").empty());
  EXPECT_TRUE(gated_.batch_sizes().empty());
}

// append() (the relayed message's path, no HistoryRequest) shares submit()'s queue: the same
// order, the same group commit, the same routing to the in-memory store.
TEST_F(HistoryServiceTest, AppendsWithoutARequestShareTheQueueAndTheGroupCommit) {
  start();
  gated_.close_gate();
  service_->append(1, entry("#a", 1), true, false);
  gated_.wait_until_held();
  service_->submit(2, append("#a", 2));
  service_->append(3, entry("#a", 3), true, false);
  service_->append(4, entry("@alice bob", 4), /*durable=*/false, false);
  service_->submit(5, latest("#a", 10));
  gated_.open_gate();
  await_answers(5);
  EXPECT_EQ(answered_ids(), (std::vector<core::RequestId>{1, 2, 3, 4, 5}));
  for (const auto& [id, a] : answers_) EXPECT_EQ(a.outcome, Outcome::kOk) << "request " << id;
  EXPECT_EQ(gated_.batch_sizes(), (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(msgids(answer_to(5).entries), (std::vector<std::string>{"#a-1", "#a-2", "#a-3"}));
  EXPECT_EQ(stored(memory_, "@alice bob"), (std::vector<std::string>{"@alice bob-4"}));
  EXPECT_TRUE(stored(durable_, "@alice bob").empty());
}

// A quiet append (nobody waits for it) is answered only when it fails, and the last one of each
// turn always, so that the engine learns that those before it were stored.
TEST_F(HistoryServiceTest, QuietAppendsAreAnsweredWhenTheyFailAndTheLastOfEachTurn) {
  store::FaultInjectingStore faulty(durable_);
  GatedStore gated(faulty);
  start({}, &gated);
  gated.close_gate();
  service_->append(1, entry("#a", 1), true, /*quiet=*/true);
  gated.wait_until_held();
  service_->append(2, entry("#a", 2), true, true);
  service_->append(3, entry("#b", 3), true, true);
  service_->append(4, entry("@alice bob", 4), /*durable=*/false, true);
  service_->submit(5, latest("#a", 10));
  service_->append(6, entry("#a", 6), true, true);
  service_->append(7, entry("#a", 7), true, /*quiet=*/false);
  gated.open_gate();
  await_answers(4);
  EXPECT_EQ(answered_ids(), (std::vector<core::RequestId>{1, 5, 6, 7}));
  for (const auto& [id, a] : answers_) EXPECT_EQ(a.outcome, Outcome::kOk) << "request " << id;
  EXPECT_EQ(stored(durable_, "#a"), (std::vector<std::string>{"#a-1", "#a-2", "#a-6", "#a-7"}));
  EXPECT_EQ(stored(durable_, "#b"), (std::vector<std::string>{"#b-3"}));
  EXPECT_EQ(stored(memory_, "@alice bob"), (std::vector<std::string>{"@alice bob-4"}));

  gated.close_gate();
  service_->append(8, entry("#a", 8), true, true);
  gated.wait_until_held();
  faulty.fail_every_write();
  for (int n = 9; n <= 11; ++n) service_->append(core::RequestId(n), entry("#a", n), true, true);
  gated.open_gate();
  await_answers(8);  // every one of the failed commit
  EXPECT_EQ(answered_ids(), (std::vector<core::RequestId>{1, 5, 6, 7, 8, 9, 10, 11}));
  for (core::RequestId id = 8; id <= 11; ++id) EXPECT_EQ(answer_to(id).outcome, Outcome::kFailed) << id;
}

// The queue keeps its entries' slots from turn to turn: entries of every size, longer and shorter
// than the one the slot held before, arrive whole and unmixed.
TEST_F(HistoryServiceTest, EntriesOfEachTurnArriveWholeWhateverTheSlotsHeldBefore) {
  start();
  std::vector<core::HistoryEntry> sent;
  core::RequestId id = 0;
  for (int turn = 0; turn < 6; ++turn) {
    gated_.close_gate();
    service_->append(++id, entry("#pace", 1000 + turn), true, false);
    gated_.wait_until_held();  // the next ones queue up together
    for (int n = 0; n < 40; ++n) {
      const int k = turn * 100 + n;
      core::HistoryEntry e = entry(n % 3 ? "#a" : "#b", k);
      // Sizes that rise and fall from turn to turn, and empty fields after full ones.
      const std::size_t size = static_cast<std::size_t>((turn % 2 ? 3 : 300) + (n * 37) % 90);
      e.text = std::string(size, static_cast<char>('a' + (k % 26)));
      e.params = e.target + " :" + e.text;
      e.tags = (turn + n) % 2 ? "+draft/reply=" + std::string(size / 3, 'r') : "";
      e.account = n % 4 ? "alice" : "";
      service_->append(++id, e, true, false);
      sent.push_back(std::move(e));
    }
    gated_.open_gate();
    await_answers(static_cast<std::size_t>(id));
  }
  for (const std::string target : {"#a", "#b"}) {
    auto got = durable_.query_history(latest(target, 1000).query);
    ASSERT_TRUE(got.is_ok());
    std::vector<core::HistoryEntry> expected;
    for (const auto& e : sent)
      if (e.target == target) expected.push_back(e);
    EXPECT_EQ(got.value(), expected) << target;
  }
}

TEST_F(HistoryServiceTest, ReadQueuedAfterAnAppendSeesIt) {
  start();
  gated_.close_gate();
  service_->submit(1, append("#a", 1));
  gated_.wait_until_held();
  service_->submit(2, append("#a", 2));  // same turn as the read below
  service_->submit(3, latest("#a", 10));
  gated_.open_gate();
  await_answers(3);
  EXPECT_EQ(msgids(answer_to(3).entries), (std::vector<std::string>{"#a-1", "#a-2"}));
}

TEST_F(HistoryServiceTest, FailedCommitFailsEveryAppendInItAndTheNextCommitRecovers) {
  store::FaultInjectingStore faulty(durable_);
  GatedStore gated(faulty);
  start({}, &gated);
  service_->submit(1, append("#a", 1));
  await_answers(1);
  gated.close_gate();
  service_->submit(2, append("#a", 2));
  gated.wait_until_held();
  faulty.fail_every_write();  // the disk fills up
  for (int n = 3; n <= 6; ++n) service_->submit(core::RequestId(n), append("#a", n));
  service_->submit(7, latest("#a", 10));
  gated.open_gate();
  await_answers(7);
  EXPECT_EQ(answer_to(1).outcome, Outcome::kOk);
  for (core::RequestId id = 2; id <= 6; ++id) {
    EXPECT_EQ(answer_to(id).outcome, Outcome::kFailed) << "request " << id;
    EXPECT_NE(answer_to(id).detail.find("injected"), std::string::npos) << answer_to(id).detail;
  }
  // Chat goes on: a read still works, and what was stored before is intact.
  EXPECT_EQ(msgids(answer_to(7).entries), (std::vector<std::string>{"#a-1"}));
  HistoryMetrics m = service_->metrics();
  EXPECT_EQ(m.failed_commits, 2u);
  EXPECT_EQ(m.failed_entries, 5u);
  EXPECT_TRUE(m.failing);

  faulty.heal();  // space is freed
  service_->submit(8, append("#a", 8));
  await_answers(8);
  EXPECT_EQ(answer_to(8).outcome, Outcome::kOk);
  EXPECT_EQ(stored(durable_, "#a"), (std::vector<std::string>{"#a-1", "#a-8"}));
  m = service_->metrics();
  EXPECT_FALSE(m.failing);
  EXPECT_EQ(m.commits, 2u);
}

TEST_F(HistoryServiceTest, FullQueueRefusesAtOnceAndKeepsTheOrder) {
  HistoryServiceOptions options;
  options.max_queue = 3;
  start(std::move(options));
  gated_.close_gate();
  service_->submit(1, append("#a", 1));
  gated_.wait_until_held();  // taken by the thread: no longer waiting
  for (int n = 2; n <= 6; ++n) service_->submit(core::RequestId(n), append("#a", n));
  service_->submit(7, latest("#a", 10));
  EXPECT_EQ(service_->metrics().queue_depth, 3u);
  EXPECT_EQ(service_->metrics().rejected, 3u);
  gated_.open_gate();
  await_answers(7);
  EXPECT_EQ(answered_ids(), (std::vector<core::RequestId>{1, 2, 3, 4, 5, 6, 7}));
  for (core::RequestId id : {1, 2, 3, 4}) EXPECT_EQ(answer_to(id).outcome, Outcome::kOk) << id;
  for (core::RequestId id : {5, 6, 7}) {
    EXPECT_EQ(answer_to(id).outcome, Outcome::kFailed) << id;
    EXPECT_EQ(answer_to(id).detail, "history queue full");
  }
  EXPECT_EQ(stored(durable_, "#a"), (std::vector<std::string>{"#a-1", "#a-2", "#a-3", "#a-4"}));
}

TEST_F(HistoryServiceTest, DestructorCommitsWhatIsQueuedAndItsAnswersStillArrive) {
  start();
  gated_.close_gate();
  service_->submit(1, append("#a", 1));
  gated_.wait_until_held();
  for (int n = 2; n <= 30; ++n) service_->submit(core::RequestId(n), append("#a", n));
  std::thread opener([&] {
    std::this_thread::sleep_for(50ms);
    gated_.open_gate();
  });
  service_.reset();  // waits for the held commit, then commits the 29 queued appends
  opener.join();
  EXPECT_EQ(stored(durable_, "#a").size(), 30u);
  await_answers(30);
  for (const auto& [id, a] : answers_) EXPECT_EQ(a.outcome, Outcome::kOk);
}

TEST_F(HistoryServiceTest, RetentionRunsInTheBackgroundOnBothStores) {
  HistoryServiceOptions options;
  options.expire_interval = 20ms;
  options.retention.all.max_count = 2;
  options.now_ms = [] { return kT0 + 1000; };
  start(std::move(options));
  for (int n = 1; n <= 5; ++n) service_->submit(core::RequestId(n), append("#a", n));
  for (int n = 6; n <= 9; ++n) service_->submit(core::RequestId(n), append("@alice bob", n, false));
  await_answers(9);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (service_->metrics().expired < 5 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(service_->metrics().expired, 5u);
  EXPECT_EQ(stored(durable_, "#a"), (std::vector<std::string>{"#a-4", "#a-5"}));
  EXPECT_EQ(stored(memory_, "@alice bob"), (std::vector<std::string>{"@alice bob-8", "@alice bob-9"}));
}

TEST_F(HistoryServiceTest, MetricsReportCommitLatency) {
  start();
  for (int n = 1; n <= 20; ++n) {
    service_->submit(core::RequestId(n), append("#a", n));
    await_answers(std::size_t(n));
  }
  const HistoryMetrics m = service_->metrics();
  EXPECT_EQ(m.commits, 20u);
  EXPECT_EQ(m.queue_depth, 0u);
  EXPECT_GE(m.commit_p99_us, m.commit_p50_us);
}

// The server's defaults: commits at least 5 ms apart, turns at 5 % of a core, at most 50 ms apart.
HistoryServiceOptions pace_options() {
  HistoryServiceOptions o;
  o.commit_interval = 5ms;
  o.commit_cpu_share = 0.05;
  o.max_commit_interval = 50ms;
  return o;
}

TEST(CommitPace, IsTheCommitIntervalWhileTheThreadIsCheap) {
  const HistoryServiceOptions o = pace_options();
  EXPECT_EQ(commit_pace(o, 0ns), 5ms);
  EXPECT_EQ(commit_pace(o, 100us), 5ms);  // 2 ms by the cost: the interval is the floor
  EXPECT_EQ(commit_pace(o, 250us), 5ms);
}

TEST(CommitPace, GrowsWithTheTurnsCostUpToTheCap) {
  const HistoryServiceOptions o = pace_options();
  EXPECT_EQ(commit_pace(o, 300us), 6ms);
  EXPECT_EQ(commit_pace(o, 1ms), 20ms);
  EXPECT_EQ(commit_pace(o, 2500us), 50ms);
  EXPECT_EQ(commit_pace(o, 10ms), 50ms);
  EXPECT_EQ(commit_pace(o, std::chrono::nanoseconds(std::numeric_limits<std::int64_t>::max())), 50ms);
}

TEST(CommitPace, StaysTheCommitIntervalWhenTurnedOff) {
  HistoryServiceOptions o = pace_options();
  o.max_commit_interval = 0ms;  // off
  EXPECT_EQ(commit_pace(o, 10ms), 5ms);
  o.max_commit_interval = 2ms;  // below the interval: the interval wins
  EXPECT_EQ(commit_pace(o, 10ms), 5ms);
  o.max_commit_interval = 50ms;
  o.commit_cpu_share = 0;  // no share: no wait by cost
  EXPECT_EQ(commit_pace(o, 10ms), 5ms);
  o.commit_interval = 0ms;
  EXPECT_EQ(commit_pace(o, 10ms), 0ms);
}

TEST_F(HistoryServiceTest, UnderLoadTheNextTurnWaitsForTheLastOnesCostDividedByTheShare) {
  HistoryServiceOptions options;
  options.commit_cpu_share = 0.1;
  options.max_commit_interval = 1000ms;
  // Every turn costs 50 ms of CPU by this clock, so the next starts 500 ms after it began.
  auto cpu = std::make_shared<std::atomic<std::int64_t>>(0);
  options.thread_cpu = [cpu] { return std::chrono::nanoseconds(cpu->fetch_add(50'000'000) + 50'000'000); };
  start(std::move(options));
  const auto began = std::chrono::steady_clock::now();
  service_->submit(1, append("#a", 1));
  await_answers(1);
  service_->submit(2, append("#a", 2));  // both wait for the pace, then share one commit
  service_->submit(3, append("#a", 3));
  await_answers(3);
  EXPECT_GE(std::chrono::steady_clock::now() - began, 500ms);
  EXPECT_EQ(gated_.batch_sizes(), (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(stored(durable_, "#a").size(), 3u);
}

}  // namespace
}  // namespace parley::server
