// What one peer has seen of the mesh's messages, per origin: the seen-set that drops duplicates,
// the hold-back queue that shows each origin's messages in sequence order, and the store of
// recent messages that fills other peers' gaps (docs/protocol.md "Mesh", "Gap filling").
//
// Per origin it keeps `high`: every sequence number <= high has been seen (or given up), and the
// messages above high that arrived early ("held": seen, not yet shown). So the seen-set of an
// origin is `high` plus its held messages, bounded by max_held_per_origin; origins are bounded by
// max_origins (the least recently active one is forgotten first).
//
// No I/O, no clock of its own: every call takes `now`. Thread: the caller's.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "proto/mesh_frame.h"

namespace parley::peer {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using proto::mesh::HaveEntry;
using proto::mesh::Msg;

struct HistoryOptions {
  // Messages kept for gap filling: per origin, in total text bytes, and how long.
  std::size_t keep_per_origin = 512;
  std::size_t keep_bytes = 4 << 20;
  std::chrono::milliseconds keep_for{std::chrono::minutes(10)};
  // How long an early message waits for the gap before it is shown anyway (the gap is then
  // given up: a missing message arriving later is dropped as already seen).
  std::chrono::milliseconds hold_for{3000};
  std::size_t max_held_per_origin = 4096;
  std::size_t max_origins = 4096;
};

class History {
 public:
  enum class Verdict : std::uint8_t {
    kDuplicate,  // seen before: drop it, do not forward
    kNew,        // first sight; shown now
    kNewEarly,   // first sight, but messages before it are missing: held back
  };

  explicit History(HistoryOptions options = {}) : options_(options) {}

  // Records `msg` and appends to `ready`, in order, the messages that can now be shown (this one
  // and held ones it unblocks). A message flagged kFlagOldestHeld gives up any gap below it.
  Verdict accept(const Msg& msg, TimePoint now, std::vector<Msg>& ready);
  // Releases held messages whose gap is older than hold_for (appending them to `ready` in order)
  // and forgets stored messages older than keep_for.
  void expire(TimePoint now, std::vector<Msg>& ready);

  // The per-origin sequence vector sent in HAVE (at most kMaxHaveEntries, most recent origins).
  std::vector<HaveEntry> summary() const;
  // Calls out(msg) for every stored message that a peer whose vector is `have` lacks, in
  // sequence order per origin; the first one of an origin carries kFlagOldestHeld when it does
  // not directly follow the peer's high (so the peer stops waiting for what nobody here has).
  void missing(const std::vector<HaveEntry>& have, const std::function<void(const Msg&)>& out) const;

  // Highest contiguous sequence number of `origin` (0 if unknown).
  std::uint64_t high(std::uint64_t origin) const;
  std::size_t held_count() const;
  std::size_t stored_count() const { return kept_order_.size(); }
  std::size_t origin_count() const { return origins_.size(); }

 private:
  struct Origin {
    std::uint64_t high = 0;
    std::map<std::uint64_t, Msg> held;  // seen, above high + 1, not shown yet
    TimePoint gap_since{};
    std::map<std::uint64_t, Msg> kept;  // recent messages for gap filling
    TimePoint last_active{};
  };
  struct KeptRef {
    std::uint64_t origin;
    std::uint64_t seq;
    TimePoint at;
  };

  Origin& origin(std::uint64_t id, TimePoint now);
  void keep(const Msg& msg, TimePoint now);
  void forget_kept(const KeptRef& ref);
  // Moves held messages that now follow high into `ready`.
  static void drain(Origin& o, std::vector<Msg>& ready);
  static void release_all(Origin& o, std::vector<Msg>& ready);

  HistoryOptions options_;
  std::unordered_map<std::uint64_t, Origin> origins_;
  std::deque<KeptRef> kept_order_;  // arrival order, for the age and byte limits
  std::size_t kept_bytes_ = 0;
};

}  // namespace parley::peer
