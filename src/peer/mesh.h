// One peer of the `parley peer` mesh, without I/O: link events, bytes and `now` in; frames,
// dial requests, chat lines and log lines out, through a MeshSink. The Asio composition is
// PeerNode; tests drive this class directly over a simulated network with a fake clock.
//
// The rules (docs/protocol.md "Mesh"):
//  - Every link starts with HELLO both ways; then ADDRS (the sender's neighbours) and HAVE (its
//    per-origin sequence vector). Each side answers a HAVE with the stored messages the other
//    lacks (gap filling), so nothing sent while two parts of the mesh were apart is lost.
//  - A new MSG is shown (in per-origin sequence order; see History) and forwarded once to every
//    other neighbour while its hop limit lasts; a duplicate is dropped.
//  - The peer keeps `degree` neighbours by dialling addresses it has learnt, retrying with
//    backoff; it accepts up to `max_links`, beyond which a newcomer gets ADDRS and BYE full.
//  - Two links to the same peer: the one dialled by the smaller peer id stays.
//  - Keepalive PINGs; a silent link is dropped after dead_after. Garbage, oversized frames and
//    floods end the link with BYE and a log line.
//
// Re-entrancy: the sink must not call back into the Mesh. Thread: one thread, the caller's.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "peer/history.h"
#include "proto/mesh_frame.h"
#include "proto/shared_line.h"

namespace parley::peer {

using LinkId = std::uint64_t;
using PeerId = std::uint64_t;
using std::chrono::milliseconds;

struct PeerAddress {
  std::string host;
  std::uint16_t port = 0;
  // "host:port", "[v6]:port".
  std::string text() const;
  auto operator<=>(const PeerAddress&) const = default;
};

enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarn };

struct ChatLine {
  std::string name;
  std::string text;
  std::uint64_t origin = 0;
  std::uint64_t seq = 0;
  std::uint64_t unix_ms = 0;
  bool own = false;
};

class MeshSink {
 public:
  virtual ~MeshSink() = default;
  // Queue one encoded frame on the link.
  virtual void send(LinkId link, proto::SharedLine frame) = 0;
  // Close the link once what was sent has been flushed. The Mesh has already forgotten it; a
  // later link_down() for it is ignored.
  virtual void close(LinkId link) = 0;
  // Open a TCP connection to `to`; answer with link_up(link, ...) or link_down(link, reason).
  virtual void dial(LinkId link, const PeerAddress& to) = 0;
  // A chat message to show ("name: text"), own messages included, each exactly once.
  virtual void deliver(const ChatLine& line) = 0;
  // A line for the user ("connected to bob", "lost bob").
  virtual void info(std::string_view text) = 0;
  virtual void log(LogLevel level, std::string_view text) = 0;
};

struct MeshOptions {
  std::string name = "peer";
  PeerId peer_id = 1;  // non-zero, random in practice
  std::uint16_t listen_port = 0;
  std::size_t degree = 3;     // neighbours the peer dials to keep
  std::size_t max_links = 0;  // neighbours accepted at most; 0: max(2 * degree + 2, 8)
  std::uint8_t hop_limit = 32;
  milliseconds keepalive{2000};   // PING when nothing was sent for this long
  milliseconds dead_after{8000};  // drop a link silent for this long
  milliseconds handshake_timeout{5000};
  milliseconds gossip_every{3000};      // ADDRS to every neighbour
  milliseconds sync_every{4000};        // HAVE to every neighbour
  milliseconds gap_request_every{500};  // at most one HAVE per link per this, on a gap
  milliseconds dial_backoff_min{250};
  milliseconds dial_backoff_max{5000};
  int forget_after_failures = 6;  // learnt (not given) addresses
  int retry_lost_failures = 25;   // a lost neighbour is redialled this many times (seeds: always)
  // Flood limit per link: frames per second, and the burst allowed above it.
  double flood_rate = 2000;
  double flood_burst = 20000;
  std::uint64_t random_seed = 1;
  HistoryOptions history;
};

class Mesh {
 public:
  // Most addresses remembered.
  static constexpr std::size_t kMaxKnown = 1024;

  Mesh(MeshOptions options, MeshSink& sink);
  Mesh(const Mesh&) = delete;
  Mesh& operator=(const Mesh&) = delete;

  // An address to join through (the command line's HOST PORT / --connect). It is dialled at the
  // next tick() and never forgotten.
  void add_seed(const PeerAddress& address);

  // A TCP connection was accepted: returns the id to use for it; call link_up() next.
  LinkId accepted(TimePoint now);
  // The connection of an accepted link, or of a dial(), is open; `remote_ip` is the peer's
  // numeric address. Sends HELLO.
  void link_up(LinkId link, std::string_view remote_ip, TimePoint now);
  void link_data(LinkId link, std::string_view bytes, TimePoint now);
  // The connection ended (or the dial failed).
  void link_down(LinkId link, std::string_view reason, TimePoint now);

  // The local user's message: shown at once and sent to every neighbour. Empty text and text
  // longer than kMaxTextBytes are refused (returns false). `unix_ms`: the wall clock.
  bool say(std::string_view text, std::uint64_t unix_ms, TimePoint now);
  // Timers: keepalive, dead links, gossip, sync, held messages, dialling. Call every ~100 ms.
  void tick(TimePoint now);
  // :quit — BYE quit to every neighbour, close every link, dial no more.
  void leave();

  std::size_t neighbour_count() const;
  std::vector<std::string> neighbour_names() const;
  const MeshOptions& options() const { return options_; }
  const History& history() const { return history_; }
  std::size_t known_count() const { return known_.size(); }

 private:
  enum class State : std::uint8_t { kDialing, kHandshake, kUp, kClosed };
  struct Link {
    State state = State::kDialing;
    bool outbound = false;
    PeerAddress dialed;     // outbound only
    std::string remote_ip;  // numeric
    PeerId peer = 0;        // from HELLO
    std::string name;
    std::uint16_t listen_port = 0;
    proto::mesh::FrameDecoder decoder;
    TimePoint since{};
    TimePoint last_rx{};
    TimePoint last_tx{};
    TimePoint last_gap_request{};
    double tokens = 0;
    TimePoint tokens_at{};
  };
  struct Known {
    PeerId id = 0;  // 0 until learnt
    bool seed = false;
    // Redialled whatever the neighbour count (a seed not yet reached, or a neighbour whose link
    // broke without BYE quit): two halves of a split that are each well connected rejoin this way.
    bool wanted = false;
    int failures = 0;
    TimePoint next_try{};
  };

  // Returns false once the link has been dropped.
  bool on_frame(LinkId id, Link& link, proto::mesh::Type type, std::string_view payload, TimePoint now);
  bool on_hello(LinkId id, Link& link, std::string_view payload);
  void on_msg(LinkId id, std::string_view payload, TimePoint now);
  void on_addrs(Link& link, std::string_view payload);
  void on_have(LinkId id, Link& link, std::string_view payload);

  void accept_msg(const proto::mesh::Msg& msg, LinkId from, TimePoint now);
  void show(std::vector<proto::mesh::Msg>& ready);
  void send(LinkId id, Link& link, proto::SharedLine frame);
  void send_addrs(LinkId id, Link& link);
  void send_have(LinkId id, Link& link);
  // Sends BYE (unless the link is still being dialled), closes it and forgets it.
  void drop(LinkId id, std::string_view code, std::string_view text, LogLevel level);
  // Marks the link closed (erased by sweep()); tells the user when a neighbour is lost.
  void forget_link(LinkId id, std::string_view reason, TimePoint now);
  void sweep();
  void learn(const PeerAddress& address, PeerId id);
  void dial_more(TimePoint now);
  bool is_connected_to(const PeerAddress& address, PeerId id) const;
  std::string label(const Link& link) const;

  MeshOptions options_;
  MeshSink& sink_;
  History history_;
  std::map<LinkId, Link> links_;
  std::map<PeerAddress, Known> known_;
  std::map<PeerId, TimePoint> departed_;  // said BYE quit: not dialled, not learnt, until then
  std::set<PeerAddress> self_addresses_;
  std::mt19937_64 rng_;
  std::vector<proto::mesh::Msg> ready_;  // scratch
  std::vector<LinkId> doomed_;           // closed links, erased at the end of the current call
  TimePoint now_{};
  LinkId next_link_ = 1;
  std::uint64_t own_seq_ = 0;
  TimePoint last_gossip_{};
  TimePoint last_sync_{};
  bool leaving_ = false;
};

}  // namespace parley::peer
