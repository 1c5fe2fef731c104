// parley-search-bench: SEARCH (soju.im/search) and CHATHISTORY latency over a large SQLite history.
//
// Fills a SqliteStore (store/sqlite_store.h, the server's own store, search index included) with
// --messages PRIVMSGs spread over --channels channels and --senders nicks, each text 8 words drawn
// from a skewed (Zipf-like) vocabulary, 10 ms apart, with msgids as the server makes them
// (core/msgid.h), appended in batches of 500 as the server's group commit does under load (it
// prints the fill's rate and the CPU time append_history() took per message: the storage
// thread's cost of a message, fsync and search index included). Then
// runs each SEARCH shape and each CHATHISTORY shape --searches times through the store (what the
// storage thread runs for one request) and prints p50, p99 and max latency in ms.
//
//   parley-search-bench [--messages N] [--channels C] [--searches S] [--db FILE]
//
// With --db naming an existing file of the right size, the fill is skipped (reruns are quick).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/msgid.h"
#include "store/sqlite_store.h"

namespace {

using parley::core::HistoryEntry;
using parley::core::HistoryQuery;
using parley::core::HistoryRef;
using parley::core::SearchQuery;
using Clock = std::chrono::steady_clock;

struct Options {
  std::size_t messages = 1'000'000;
  std::size_t channels = 100;
  std::size_t senders = 1000;
  std::size_t searches = 200;
  std::size_t vocabulary = 20000;
  std::string db;
};

std::string word(std::size_t i) { return "w" + std::to_string(i); }
std::string channel(std::size_t i) { return "#chan" + std::to_string(i); }
std::string nick(std::size_t i) { return "user" + std::to_string(i); }

// Index of a word: rank r has probability ~ 1/r (Zipf, s = 1), by inverting the continuous CDF.
std::size_t zipf(std::mt19937_64& rng, std::size_t n) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double x = std::exp(u(rng) * std::log(static_cast<double>(n)));
  return std::min(n - 1, static_cast<std::size_t>(x) - 1);
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Every 97th stored message (channel, msgid, time): the references CHATHISTORY shapes ask from.
struct Stored {
  std::string channel;
  std::string msgid;
  std::int64_t time_ms;
};

bool fill(parley::store::SqliteStore& store, const Options& o, std::vector<Stored>& sample) {
  std::mt19937_64 rng(42);
  parley::core::MsgIdGenerator ids({1, 2, 3, 4});
  std::uniform_int_distribution<std::size_t> pick_channel(0, o.channels - 1), pick_sender(0, o.senders - 1);
  const std::int64_t start_ms = 1767225600000;  // 2026-01-01T00:00:00Z
  constexpr std::size_t kBatch = 500;
  std::vector<HistoryEntry> batch;
  double append_cpu = 0;  // seconds of this thread's CPU (user and system) inside append_history
  const auto began = Clock::now();
  for (std::size_t i = 0; i < o.messages; ++i) {
    HistoryEntry e;
    e.target = channel(pick_channel(rng));
    e.time_ms = start_ms + static_cast<std::int64_t>(i) * 10;
    e.msgid = ids.next(e.time_ms);
    if (i % 97 == 0) sample.push_back({e.target, e.msgid, e.time_ms});
    const std::string n = nick(pick_sender(rng));
    e.source = n + "!~" + n + "@bench";
    e.sender_folded = n;
    e.account = n;
    e.command = "PRIVMSG";
    for (int w = 0; w < 8; ++w) e.text += (w ? " " : "") + word(zipf(rng, o.vocabulary));
    e.params = e.target + " :" + e.text;
    batch.push_back(std::move(e));
    if (batch.size() == kBatch || i + 1 == o.messages) {
      const double cpu_before = thread_cpu_seconds();
      const auto s = store.append_history(batch);
      append_cpu += thread_cpu_seconds() - cpu_before;
      if (!s.is_ok()) {
        std::fprintf(stderr, "append failed: %s\n", s.message().c_str());
        return false;
      }
      batch.clear();
    }
    if ((i + 1) % 100000 == 0) std::fprintf(stderr, "  %zu messages stored\n", i + 1);
  }
  const double secs = std::chrono::duration<double>(Clock::now() - began).count();
  std::printf("filled %zu messages in %.1f s (%.0f messages/s; append_history: %.2f us of CPU per message)\n",
              o.messages, secs, o.messages / secs, append_cpu * 1e6 / static_cast<double>(o.messages));
  return true;
}

// One shape: runs one request (made from the random generator) and returns its entries.
struct Shape {
  const char* name;
  std::function<parley::store::Result<std::vector<HistoryEntry>>(std::mt19937_64&)> run;
};

void run(const Options& o, const Shape& shape) {
  std::mt19937_64 rng(7);
  std::vector<double> ms;
  std::size_t found = 0;
  for (std::size_t i = 0; i < o.searches; ++i) {
    const auto t0 = Clock::now();
    auto r = shape.run(rng);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!r.is_ok()) {
      std::fprintf(stderr, "%s failed: %s\n", shape.name, r.status().message().c_str());
      return;
    }
    found += r.value().size();
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * ms.size()))]; };
  std::printf("%-44s p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  (avg %.1f results)\n", shape.name, at(0.50),
              at(0.99), ms.back(), static_cast<double>(found) / ms.size());
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--messages")
      o.messages = std::stoul(value);
    else if (flag == "--channels")
      o.channels = std::stoul(value);
    else if (flag == "--searches")
      o.searches = std::stoul(value);
    else if (flag == "--db")
      o.db = value;
    else {
      std::fprintf(stderr, "usage: %s [--messages N] [--channels C] [--searches S] [--db FILE]\n", argv[0]);
      return 2;
    }
  }
  const bool temporary = o.db.empty();
  if (temporary) o.db = (std::filesystem::temp_directory_path() / "parley-search-bench.db").string();
  if (temporary) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(o.db + suffix);
  }
  const bool existed = std::filesystem::exists(o.db);
  auto opened = parley::store::SqliteStore::open(o.db);
  if (!opened.is_ok()) {
    std::fprintf(stderr, "%s\n", opened.status().message().c_str());
    return 1;
  }
  auto& store = *opened.value();
  std::vector<Stored> sample;
  if (!existed && !fill(store, o, sample)) return 1;
  if (existed) {
    std::fprintf(stderr, "%s exists: only the SEARCH shapes run (CHATHISTORY needs the fill's msgids)\n",
                 o.db.c_str());
  }

  // The asker is in 10 of the channels (SEARCH without in=: every channel it may read).
  auto ten_channels = [&o](std::mt19937_64& rng) {
    std::vector<std::string> t;
    std::uniform_int_distribution<std::size_t> c(0, o.channels - 1);
    for (int i = 0; i < 10; ++i) t.push_back(channel(c(rng)));
    return t;
  };
  auto one_channel = [&o](std::mt19937_64& rng) {
    std::uniform_int_distribution<std::size_t> c(0, o.channels - 1);
    return std::vector<std::string>{channel(c(rng))};
  };
  auto query = [&store](std::vector<std::string> targets, std::string text, std::string from = {}) {
    SearchQuery q;
    q.targets = std::move(targets);
    q.text = std::move(text);
    q.from_folded = std::move(from);
    q.limit = 100;
    return store.search_history(q);
  };
  // CHATHISTORY <kind> <a sampled message's channel> <reference> 100.
  auto chathistory = [&](HistoryQuery::Kind kind, HistoryRef::Kind ref, std::mt19937_64& r) {
    std::uniform_int_distribution<std::size_t> pick(0, sample.size() - 1);
    const Stored& s = sample[pick(r)];
    HistoryQuery q;
    q.kind = kind;
    q.target = s.channel;
    q.from = {ref, ref == HistoryRef::Kind::kMsgid ? s.msgid : std::string(), s.time_ms};
    q.limit = 100;
    return store.query_history(q);
  };
  const std::size_t v = o.vocabulary;
  std::uniform_int_distribution<std::size_t> common(0, 9), mid(100, 999), rare(v / 2, v - 1),
      sender(0, o.senders - 1);
  const std::vector<Shape> shapes = {
      {"text=<common word>, 10 channels", [&](auto& r) { return query(ten_channels(r), word(common(r))); }},
      {"text=<mid word>, 10 channels", [&](auto& r) { return query(ten_channels(r), word(mid(r))); }},
      {"text=<rare word>, 10 channels", [&](auto& r) { return query(ten_channels(r), word(rare(r))); }},
      {"text=<two mid words>, 10 channels",
       [&](auto& r) { return query(ten_channels(r), word(mid(r)) + " " + word(mid(r))); }},
      {"text=<rare word>, in=<channel>", [&](auto& r) { return query(one_channel(r), word(rare(r))); }},
      {"text=<mid word>;from=<nick>, 10 channels",
       [&](auto& r) { return query(ten_channels(r), word(mid(r)), nick(sender(r))); }},
      {"from=<nick>, in=<channel> (no text)",
       [&](auto& r) { return query(one_channel(r), {}, nick(sender(r))); }},
      {"no text, 10 channels (newest 100)", [&](auto& r) { return query(ten_channels(r), {}); }},
  };
  std::printf("SEARCH over %zu messages, %zu channels, limit 100, %zu searches per shape (%s)\n", o.messages,
              o.channels, o.searches, o.db.c_str());
  for (const Shape& s : shapes) run(o, s);
  if (sample.empty()) return 0;
  using K = HistoryQuery::Kind;
  using R = HistoryRef::Kind;
  const std::vector<Shape> reads = {
      {"LATEST * 100", [&](auto& r) { return chathistory(K::kLatest, R::kLatest, r); }},
      {"BEFORE msgid=<random> 100", [&](auto& r) { return chathistory(K::kBefore, R::kMsgid, r); }},
      {"BEFORE timestamp=<random> 100", [&](auto& r) { return chathistory(K::kBefore, R::kTime, r); }},
      {"AFTER msgid=<random> 100", [&](auto& r) { return chathistory(K::kAfter, R::kMsgid, r); }},
      {"AROUND msgid=<random> 100", [&](auto& r) { return chathistory(K::kAround, R::kMsgid, r); }},
  };
  std::printf("CHATHISTORY over %zu messages, %zu channels (%zu per channel), %zu reads per shape\n", o.messages,
              o.channels, o.messages / std::max<std::size_t>(o.channels, 1), o.searches);
  for (const Shape& s : reads) run(o, s);
  return 0;
}
