// A simulated network for Mesh tests: peers are Mesh instances, links are in-memory byte pipes
// with a latency (FIFO per direction), a fake clock drives everything. Faults: kill a peer (its
// links end), partition the peers into two groups (crossing links are cut, crossing dials fail),
// cut one link, heal.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "peer/mesh.h"

namespace parley::peer::testing {

using namespace std::chrono_literals;

class SimNet;

class SimPeer : public MeshSink {
 public:
  SimPeer(SimNet& net, std::size_t index, MeshOptions options);
  void send(LinkId link, proto::SharedLine frame) override;
  void close(LinkId link) override;
  void dial(LinkId link, const PeerAddress& to) override;
  void deliver(const ChatLine& line) override { delivered.push_back(line); }
  void info(std::string_view text) override { infos.emplace_back(text); }
  void log(LogLevel level, std::string_view text) override {
    if (level == LogLevel::kWarn) warnings.emplace_back(text);
  }

  SimNet& net;
  std::size_t index;
  Mesh mesh;
  bool alive = true;
  std::vector<ChatLine> delivered;
  std::vector<std::string> infos;
  std::vector<std::string> warnings;
};

class SimNet {
 public:
  struct Options {
    std::chrono::milliseconds latency{5};
    std::chrono::milliseconds jitter{10};  // extra per-pipe latency, FIFO kept
    std::uint64_t seed = 7;
  };
  explicit SimNet(Options options);
  SimNet() : SimNet(Options{}) {}

  // Adds a peer named "p<index>" at 10.0.0.<index>:<1000+index>, joining through `seeds`.
  SimPeer& add_peer(std::vector<std::size_t> seeds = {}, MeshOptions options = {});
  SimPeer& peer(std::size_t i) { return *peers_.at(i); }
  std::size_t size() const { return peers_.size(); }
  PeerAddress address_of(std::size_t i) const;

  void run_for(std::chrono::milliseconds duration);
  TimePoint now() const { return now_; }

  void kill(std::size_t i);
  void partition(const std::set<std::size_t>& side_a);
  void heal() {
    side_a_.clear();
    partitioned_ = false;
  }
  // Bytes injected on a fresh inbound link to peer `to` (a misbehaving client).
  LinkId connect_raw(std::size_t to);
  void send_raw(std::size_t to, LinkId link, std::string bytes);
  bool raw_link_open(std::size_t to, LinkId link) const;
  std::size_t link_count() const;

  // For SimPeer.
  void on_send(std::size_t from, LinkId link, proto::SharedLine frame);
  void on_close(std::size_t from, LinkId link);
  void on_dial(std::size_t from, LinkId link, const PeerAddress& to);

 private:
  struct End {
    std::size_t peer;
    LinkId link;
    auto operator<=>(const End&) const = default;
  };
  struct Event {
    TimePoint at;
    std::uint64_t order;
    std::size_t peer;
    LinkId link;
    enum Kind { kData, kDown, kUp } kind;
    std::string bytes;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : order > o.order; }
  };
  bool crosses(std::size_t a, std::size_t b) const {
    return partitioned_ && (side_a_.contains(a) != side_a_.contains(b));
  }
  void schedule(TimePoint at, std::size_t peer, LinkId link, Event::Kind kind, std::string bytes = {});
  TimePoint pipe_time(const End& from);
  void cut(const End& a, std::string_view reason);

  Options options_;
  std::vector<std::unique_ptr<SimPeer>> peers_;
  std::map<End, End> pipes_;             // open pipes, both directions
  std::map<End, TimePoint> pipe_clock_;  // last delivery time per direction (FIFO)
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t order_ = 0;
  TimePoint now_{std::chrono::hours(1)};
  TimePoint next_tick_{};
  std::set<std::size_t> side_a_;
  bool partitioned_ = false;
  std::uint64_t rng_;
  static constexpr std::size_t kRaw = static_cast<std::size_t>(-1);
};

// How many times each (origin name, text) was delivered at peer i.
std::map<std::string, int> counts(const SimPeer& p);

// ---- implementation (header-only: the test binary is one target) ----------------------------

inline SimPeer::SimPeer(SimNet& n, std::size_t i, MeshOptions options)
    : net(n), index(i), mesh(std::move(options), *this) {}
inline void SimPeer::send(LinkId link, proto::SharedLine frame) {
  net.on_send(index, link, std::move(frame));
}
inline void SimPeer::close(LinkId link) { net.on_close(index, link); }
inline void SimPeer::dial(LinkId link, const PeerAddress& to) { net.on_dial(index, link, to); }

inline SimNet::SimNet(Options options) : options_(options), rng_(options.seed) {}

inline PeerAddress SimNet::address_of(std::size_t i) const {
  return {"10.0.0." + std::to_string(i), static_cast<std::uint16_t>(1000 + i)};
}

inline SimPeer& SimNet::add_peer(std::vector<std::size_t> seeds, MeshOptions options) {
  const std::size_t i = peers_.size();
  options.name = "p" + std::to_string(i);
  options.peer_id = 0x1000 + i * 7919;
  options.listen_port = static_cast<std::uint16_t>(1000 + i);
  options.random_seed = 99 + i;
  peers_.push_back(std::make_unique<SimPeer>(*this, i, options));
  for (std::size_t s : seeds) peers_.back()->mesh.add_seed(address_of(s));
  return *peers_.back();
}

inline void SimNet::schedule(TimePoint at, std::size_t peer, LinkId link, Event::Kind kind,
                             std::string bytes) {
  events_.push(Event{at, order_++, peer, link, kind, std::move(bytes)});
}

inline TimePoint SimNet::pipe_time(const End& from) {
  rng_ = rng_ * 6364136223846793005ULL + 1442695040888963407ULL;
  const auto jitter = options_.jitter.count() > 0
                          ? std::chrono::milliseconds((rng_ >> 33) % options_.jitter.count())
                          : std::chrono::milliseconds(0);
  TimePoint at = now_ + options_.latency + jitter;
  TimePoint& last = pipe_clock_[from];
  if (at < last) at = last;
  last = at;
  return at;
}

inline void SimNet::on_send(std::size_t from, LinkId link, proto::SharedLine frame) {
  auto it = pipes_.find(End{from, link});
  if (it == pipes_.end()) return;
  const End to = it->second;
  if (to.peer == kRaw) return;
  schedule(pipe_time(End{from, link}), to.peer, to.link, Event::kData, *frame);
}

inline void SimNet::on_close(std::size_t from, LinkId link) {
  auto it = pipes_.find(End{from, link});
  if (it == pipes_.end()) return;
  const End to = it->second;
  const TimePoint at = pipe_time(End{from, link});
  pipes_.erase(it);
  pipes_.erase(to);
  if (to.peer != kRaw) schedule(at, to.peer, to.link, Event::kDown, "Connection closed");
}

inline void SimNet::cut(const End& a, std::string_view reason) {
  auto it = pipes_.find(a);
  if (it == pipes_.end()) return;
  const End b = it->second;
  pipes_.erase(it);
  pipes_.erase(b);
  for (const End& e : {a, b}) {
    if (e.peer != kRaw && peers_[e.peer]->alive)
      schedule(now_ + 1ms, e.peer, e.link, Event::kDown, std::string(reason));
  }
}

inline void SimNet::on_dial(std::size_t from, LinkId link, const PeerAddress& to) {
  std::size_t target = kRaw;
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    if (address_of(i) == to) target = i;
  }
  if (target == kRaw || !peers_[target]->alive || crosses(from, target)) {
    schedule(now_ + options_.latency, from, link, Event::kDown, "Connection refused");
    return;
  }
  const LinkId accepted = peers_[target]->mesh.accepted(now_);
  pipes_[End{from, link}] = End{target, accepted};
  pipes_[End{target, accepted}] = End{from, link};
  schedule(now_ + options_.latency, target, accepted, Event::kUp, address_of(from).host);
  schedule(now_ + options_.latency, from, link, Event::kUp, to.host);
}

inline LinkId SimNet::connect_raw(std::size_t to) {
  const LinkId accepted = peers_[to]->mesh.accepted(now_);
  static LinkId raw_ids = 1;
  const LinkId raw = raw_ids++;
  pipes_[End{to, accepted}] = End{kRaw, raw};
  pipes_[End{kRaw, raw}] = End{to, accepted};
  peers_[to]->mesh.link_up(accepted, "10.9.9.9", now_);
  return raw;
}

inline void SimNet::send_raw(std::size_t to, LinkId raw, std::string bytes) {
  auto it = pipes_.find(End{kRaw, raw});
  if (it == pipes_.end()) return;
  (void)to;
  schedule(pipe_time(End{kRaw, raw}), it->second.peer, it->second.link, Event::kData, std::move(bytes));
}

inline bool SimNet::raw_link_open(std::size_t, LinkId raw) const { return pipes_.contains(End{kRaw, raw}); }

inline std::size_t SimNet::link_count() const { return pipes_.size() / 2; }

inline void SimNet::kill(std::size_t i) {
  peers_[i]->alive = false;
  std::vector<End> ends;
  for (const auto& [from, to] : pipes_) {
    if (from.peer == i) ends.push_back(from);
  }
  for (const End& e : ends) cut(e, "Connection reset");
}

inline void SimNet::partition(const std::set<std::size_t>& side_a) {
  side_a_ = side_a;
  partitioned_ = true;
  std::vector<End> ends;
  for (const auto& [from, to] : pipes_) {
    if (from.peer != kRaw && to.peer != kRaw && crosses(from.peer, to.peer)) ends.push_back(from);
  }
  for (const End& e : ends) cut(e, "Connection timed out");
}

inline void SimNet::run_for(std::chrono::milliseconds duration) {
  const TimePoint end = now_ + duration;
  for (;;) {
    const TimePoint next_event = events_.empty() ? TimePoint::max() : events_.top().at;
    const TimePoint next = std::min(next_event, next_tick_);
    if (next > end) break;
    now_ = std::max(now_, next);
    if (next_tick_ <= next_event) {
      for (auto& p : peers_) {
        if (p->alive) p->mesh.tick(now_);
      }
      next_tick_ = now_ + 100ms;
      continue;
    }
    Event e = events_.top();
    events_.pop();
    SimPeer& p = *peers_[e.peer];
    if (!p.alive) continue;
    switch (e.kind) {
      case Event::kData: p.mesh.link_data(e.link, e.bytes, now_); break;
      case Event::kDown: p.mesh.link_down(e.link, e.bytes, now_); break;
      case Event::kUp: p.mesh.link_up(e.link, e.bytes, now_); break;
    }
  }
  now_ = end;
}

inline std::map<std::string, int> counts(const SimPeer& p) {
  std::map<std::string, int> c;
  for (const auto& line : p.delivered) ++c[line.name + ": " + line.text];
  return c;
}

}  // namespace parley::peer::testing
