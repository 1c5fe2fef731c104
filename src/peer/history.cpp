#include "peer/history.h"

#include <algorithm>

namespace parley::peer {

History::Origin& History::origin(std::uint64_t id, TimePoint now) {
  auto it = origins_.find(id);
  if (it == origins_.end()) {
    if (origins_.size() >= options_.max_origins) {
      // Forget the least recently active origin that holds nothing back.
      auto victim = origins_.end();
      for (auto o = origins_.begin(); o != origins_.end(); ++o) {
        if (o->second.held.empty() &&
            (victim == origins_.end() || o->second.last_active < victim->second.last_active))
          victim = o;
      }
      if (victim != origins_.end()) {
        for (const auto& [seq, msg] : victim->second.kept) kept_bytes_ -= msg.text.size();
        origins_.erase(victim);
      }
    }
    it = origins_.emplace(id, Origin{}).first;
  }
  it->second.last_active = now;
  return it->second;
}

History::Verdict History::accept(const Msg& msg, TimePoint now, std::vector<Msg>& ready) {
  Origin& o = origin(msg.origin, now);
  if (msg.seq <= o.high || o.held.contains(msg.seq)) return Verdict::kDuplicate;
  keep(msg, now);
  if ((msg.flags & proto::mesh::kFlagOldestHeld) != 0 && msg.seq > o.high + 1) {
    // The sender has nothing older: stop waiting for what came before. Held messages below this
    // one are shown first, in order.
    for (auto it = o.held.begin(); it != o.held.end() && it->first < msg.seq;) {
      ready.push_back(std::move(it->second));
      it = o.held.erase(it);
    }
    o.high = msg.seq - 1;
  }
  if (msg.seq == o.high + 1) {
    o.high = msg.seq;
    ready.push_back(msg);
    ready.back().flags = 0;
    drain(o, ready);
    return Verdict::kNew;
  }
  if (o.held.empty()) o.gap_since = now;
  Msg& held = o.held.emplace(msg.seq, msg).first->second;
  held.flags = 0;
  if (o.held.size() > options_.max_held_per_origin) release_all(o, ready);
  return Verdict::kNewEarly;
}

void History::drain(Origin& o, std::vector<Msg>& ready) {
  for (auto it = o.held.begin(); it != o.held.end() && it->first == o.high + 1;) {
    o.high = it->first;
    ready.push_back(std::move(it->second));
    it = o.held.erase(it);
  }
}

void History::release_all(Origin& o, std::vector<Msg>& ready) {
  for (auto& [seq, msg] : o.held) {
    o.high = seq;
    ready.push_back(std::move(msg));
  }
  o.held.clear();
}

void History::expire(TimePoint now, std::vector<Msg>& ready) {
  for (auto& [id, o] : origins_) {
    if (!o.held.empty() && now - o.gap_since >= options_.hold_for) release_all(o, ready);
  }
  while (!kept_order_.empty() && now - kept_order_.front().at >= options_.keep_for) {
    forget_kept(kept_order_.front());
    kept_order_.pop_front();
  }
}

void History::keep(const Msg& msg, TimePoint now) {
  Origin& o = origins_[msg.origin];
  Msg& kept = o.kept.emplace(msg.seq, msg).first->second;
  kept.flags = 0;
  kept_bytes_ += msg.text.size();
  kept_order_.push_back({msg.origin, msg.seq, now});
  if (o.kept.size() > options_.keep_per_origin) {
    kept_bytes_ -= o.kept.begin()->second.text.size();
    o.kept.erase(o.kept.begin());
  }
  while (kept_bytes_ > options_.keep_bytes && !kept_order_.empty()) {
    forget_kept(kept_order_.front());
    kept_order_.pop_front();
  }
}

void History::forget_kept(const KeptRef& ref) {
  auto o = origins_.find(ref.origin);
  if (o == origins_.end()) return;
  auto it = o->second.kept.find(ref.seq);
  if (it == o->second.kept.end()) return;
  kept_bytes_ -= it->second.text.size();
  o->second.kept.erase(it);
}

std::vector<HaveEntry> History::summary() const {
  std::vector<std::pair<TimePoint, HaveEntry>> all;
  all.reserve(origins_.size());
  for (const auto& [id, o] : origins_) all.push_back({o.last_active, HaveEntry{id, o.high}});
  if (all.size() > proto::mesh::kMaxHaveEntries) {
    std::nth_element(all.begin(), all.begin() + proto::mesh::kMaxHaveEntries, all.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    all.resize(proto::mesh::kMaxHaveEntries);
  }
  std::vector<HaveEntry> out;
  out.reserve(all.size());
  for (const auto& [at, entry] : all) out.push_back(entry);
  std::sort(out.begin(), out.end(),
            [](const HaveEntry& a, const HaveEntry& b) { return a.origin < b.origin; });
  return out;
}

void History::missing(const std::vector<HaveEntry>& have, const std::function<void(const Msg&)>& out) const {
  std::unordered_map<std::uint64_t, std::uint64_t> their_high;
  their_high.reserve(have.size());
  for (const auto& e : have) their_high[e.origin] = e.high;
  for (const auto& [id, o] : origins_) {
    auto found = their_high.find(id);
    const std::uint64_t high = found == their_high.end() ? 0 : found->second;
    bool first = true;
    for (auto it = o.kept.upper_bound(high); it != o.kept.end(); ++it) {
      if (first && it->first != high + 1) {
        Msg flagged = it->second;
        flagged.flags |= proto::mesh::kFlagOldestHeld;
        out(flagged);
      } else {
        out(it->second);
      }
      first = false;
    }
  }
}

std::uint64_t History::high(std::uint64_t origin) const {
  auto it = origins_.find(origin);
  return it == origins_.end() ? 0 : it->second.high;
}

std::size_t History::held_count() const {
  std::size_t n = 0;
  for (const auto& [id, o] : origins_) n += o.held.size();
  return n;
}

}  // namespace parley::peer
