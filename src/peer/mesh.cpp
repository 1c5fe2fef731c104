#include "peer/mesh.h"

#include <algorithm>
#include <utility>

namespace parley::peer {

namespace mesh = proto::mesh;

namespace {
// How long a peer that said BYE quit is neither dialled nor learnt from others' ADDRS.
constexpr std::chrono::seconds kDepartedFor{60};

// "(1 peer)", "(2 peers)".
std::string peers_in_brackets(std::size_t n) {
  return " (" + std::to_string(n) + (n == 1 ? " peer)" : " peers)");
}

// "250 ms", "5 s".
std::string duration_text(milliseconds d) {
  if (d < std::chrono::seconds(1)) return std::to_string(d.count()) + " ms";
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

// A seed that cannot be reached is reported on attempts 1, 2, 4, 8, ...: visible without
// filling the screen while it is retried.
bool worth_reporting(int failures) { return failures > 0 && (failures & (failures - 1)) == 0; }
}  // namespace

std::string PeerAddress::text() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Mesh::Mesh(MeshOptions options, MeshSink& sink)
    : options_(std::move(options)), sink_(sink), history_(options_.history), rng_(options_.random_seed) {
  if (options_.max_links == 0) options_.max_links = std::max<std::size_t>(2 * options_.degree + 2, 8);
  options_.max_links = std::max(options_.max_links, options_.degree);
}

void Mesh::add_seed(const PeerAddress& address) {
  Known& k = known_[address];
  k.seed = true;
  k.wanted = true;
}

LinkId Mesh::accepted(TimePoint now) {
  now_ = now;
  const LinkId id = next_link_++;
  Link& link = links_[id];
  link.outbound = false;
  link.since = now;
  return id;
}

void Mesh::link_up(LinkId id, std::string_view remote_ip, TimePoint now) {
  now_ = now;
  auto it = links_.find(id);
  if (it == links_.end() || it->second.state != State::kDialing) return;
  Link& link = it->second;
  link.state = State::kHandshake;
  link.remote_ip = std::string(remote_ip);
  link.since = link.last_rx = now;
  link.tokens = options_.flood_burst;
  link.tokens_at = now;
  send(id, link,
       proto::make_line(mesh::encode_hello({options_.peer_id, options_.listen_port, options_.name})));
  if (leaving_) drop(id, "quit", options_.name + " left", LogLevel::kDebug);
  sweep();
}

void Mesh::link_data(LinkId id, std::string_view bytes, TimePoint now) {
  now_ = now;
  auto it = links_.find(id);
  if (it == links_.end() || it->second.state == State::kClosed || it->second.state == State::kDialing) return;
  Link& link = it->second;
  link.last_rx = now;
  bool alive = true;
  const auto status = link.decoder.feed(bytes, [&](mesh::Type type, std::string_view payload) {
    alive = on_frame(id, link, type, payload, now);
    return alive;
  });
  if (alive && status == mesh::FrameDecoder::Status::kError) {
    const std::string why = link.decoder.error_text();
    drop(id, "protocol", why, LogLevel::kWarn);
  }
  sweep();
}

void Mesh::link_down(LinkId id, std::string_view reason, TimePoint now) {
  now_ = now;
  auto it = links_.find(id);
  if (it == links_.end() || it->second.state == State::kClosed) return;
  if (it->second.state == State::kDialing) {
    auto k = known_.find(it->second.dialed);
    if (k != known_.end()) {
      Known& known = k->second;
      ++known.failures;
      const auto backoff =
          std::min<long long>(options_.dial_backoff_max.count(), options_.dial_backoff_min.count()
                                                                     << std::min(known.failures - 1, 16));
      known.next_try = now + milliseconds(backoff);
      const std::string what = "cannot reach " + it->second.dialed.text() + ": " + std::string(reason);
      // The user named this peer to join through: say so, and that it is being retried.
      if (known.seed && !leaving_ && worth_reporting(known.failures)) {
        sink_.info(what + "; trying again in " + duration_text(milliseconds(backoff)) + " (attempt " +
                   std::to_string(known.failures) + ")");
      } else {
        sink_.log(LogLevel::kDebug, what);
      }
      if (known.wanted && !known.seed && known.failures >= options_.retry_lost_failures) known.wanted = false;
      if (!known.seed && !known.wanted && known.failures >= options_.forget_after_failures) known_.erase(k);
    }
    links_.erase(it);
    return;
  }
  forget_link(id, reason, now);
  sweep();
}

bool Mesh::on_frame(LinkId id, Link& link, mesh::Type type, std::string_view payload, TimePoint now) {
  // Flood limit: a token bucket of frames per link.
  const double elapsed = std::chrono::duration<double>(now - link.tokens_at).count();
  link.tokens = std::min(options_.flood_burst, link.tokens + elapsed * options_.flood_rate);
  link.tokens_at = now;
  if (link.tokens < 1) {
    drop(id, "flood",
         "more than " + std::to_string(static_cast<long>(options_.flood_rate)) + " frames per second",
         LogLevel::kWarn);
    return false;
  }
  link.tokens -= 1;

  if (link.state != State::kUp && type != mesh::Type::kHello && type != mesh::Type::kBye) {
    drop(id, "protocol", std::string(mesh::type_name(type)) + " before HELLO", LogLevel::kWarn);
    return false;
  }
  switch (type) {
    case mesh::Type::kHello: return on_hello(id, link, payload);
    case mesh::Type::kMsg: on_msg(id, payload, now); break;
    case mesh::Type::kAddrs: on_addrs(link, payload); break;
    case mesh::Type::kHave: on_have(id, link, payload); break;
    case mesh::Type::kPing: break;
    case mesh::Type::kBye: {
      auto bye = mesh::parse_bye(payload);
      const std::string code = bye ? bye->code : "?";
      if (code == "quit" && link.peer != 0) departed_[link.peer] = now + kDepartedFor;
      if (code == "quit" || code == "duplicate") {
        // Not worth retrying this address soon (a duplicate link already exists).
        for (auto& [address, known] : known_) {
          if (known.id == link.peer && link.peer != 0) known.next_try = now + options_.dial_backoff_max;
        }
      }
      if (code == "full" && link.outbound) {
        auto k = known_.find(link.dialed);
        if (k != known_.end()) k->second.next_try = now + options_.dial_backoff_max;
      }
      const std::string reason =
          code == "quit"
              ? std::string("left the chat")
              : "said goodbye (" + (bye ? bye->code + (bye->text.empty() ? "" : " " + bye->text) : "?") + ")";
      sink_.close(id);
      forget_link(id, reason, now);
      return false;
    }
  }
  // A handler may have dropped the link (a malformed payload).
  auto it = links_.find(id);
  return it != links_.end() && it->second.state != State::kClosed;
}

bool Mesh::on_hello(LinkId id, Link& link, std::string_view payload) {
  auto hello = mesh::parse_hello(payload);
  if (!hello) {
    drop(id, "protocol", "malformed HELLO", LogLevel::kWarn);
    return false;
  }
  if (link.state == State::kUp) {
    drop(id, "protocol", "second HELLO", LogLevel::kWarn);
    return false;
  }
  link.peer = hello->peer_id;
  link.name = hello->name;
  link.listen_port = hello->listen_port;
  if (hello->peer_id == options_.peer_id) {
    if (link.outbound) self_addresses_.insert(link.dialed);
    if (link.outbound) known_.erase(link.dialed);
    drop(id, "self", "connected to myself", LogLevel::kDebug);
    return false;
  }
  if (link.outbound) {
    auto k = known_.find(link.dialed);
    if (k != known_.end()) {
      k->second.failures = 0;
      k->second.wanted = false;
      k->second.id = hello->peer_id;
    }
  }
  // Two links to one peer: keep the one dialled by the smaller peer id (both ends agree).
  for (auto& [other_id, other] : links_) {
    if (other_id == id || other.state != State::kUp || other.peer != link.peer) continue;
    const PeerId mine = link.outbound ? options_.peer_id : link.peer;
    const PeerId theirs = other.outbound ? options_.peer_id : other.peer;
    if (mine < theirs) {
      drop(other_id, "duplicate", "already connected", LogLevel::kDebug);
      break;
    }
    drop(id, "duplicate", "already connected", LogLevel::kDebug);
    return false;
  }
  if (link.listen_port != 0) learn({link.remote_ip, link.listen_port}, link.peer);
  if (neighbour_count() >= options_.max_links) {
    send_addrs(id, link);
    drop(id, "full", "try the peers listed in ADDRS", LogLevel::kDebug);
    return false;
  }
  link.state = State::kUp;
  departed_.erase(link.peer);
  sink_.info("connected to " + label(link) + peers_in_brackets(neighbour_count()));
  send_addrs(id, link);
  send_have(id, link);
  return true;
}

void Mesh::on_msg(LinkId id, std::string_view payload, TimePoint now) {
  auto msg = mesh::parse_msg(payload);
  if (!msg) {
    drop(id, "protocol", "malformed MSG", LogLevel::kWarn);
    return;
  }
  accept_msg(*msg, id, now);
}

void Mesh::accept_msg(const mesh::Msg& msg, LinkId from, TimePoint now) {
  ready_.clear();
  const auto verdict = history_.accept(msg, now, ready_);
  if (verdict == History::Verdict::kDuplicate) return;
  if (msg.hops_left > 1 || from == 0) {
    mesh::Msg out = msg;
    out.flags = 0;
    if (from != 0) out.hops_left = static_cast<std::uint8_t>(msg.hops_left - 1);
    proto::SharedLine frame;
    for (auto& [id, link] : links_) {
      if (id == from || link.state != State::kUp) continue;
      if (!frame) frame = proto::make_line(mesh::encode_msg(out));
      send(id, link, frame);
    }
  }
  if (verdict == History::Verdict::kNewEarly && from != 0) {
    auto it = links_.find(from);
    if (it != links_.end() && now - it->second.last_gap_request >= options_.gap_request_every) {
      it->second.last_gap_request = now;
      send_have(from, it->second);
    }
  }
  show(ready_);
}

void Mesh::show(std::vector<mesh::Msg>& ready) {
  for (auto& m : ready) {
    sink_.deliver(ChatLine{std::move(m.name), std::move(m.text), m.origin, m.seq, m.unix_ms,
                           m.origin == options_.peer_id});
  }
  ready.clear();
}

void Mesh::on_addrs(Link& link, std::string_view payload) {
  auto entries = mesh::parse_addrs(payload);
  if (!entries) {
    sink_.log(LogLevel::kWarn, label(link) + ": malformed ADDRS ignored");
    return;
  }
  for (const auto& e : *entries) {
    if (e.peer_id == options_.peer_id) continue;
    learn({e.host, e.port}, e.peer_id);
  }
}

void Mesh::on_have(LinkId id, Link& link, std::string_view payload) {
  auto have = mesh::parse_have(payload);
  if (!have) {
    sink_.log(LogLevel::kWarn, label(link) + ": malformed HAVE ignored");
    return;
  }
  std::size_t sent = 0;
  history_.missing(*have, [&](const mesh::Msg& m) {
    mesh::Msg out = m;
    out.hops_left = options_.hop_limit;
    send(id, link, proto::make_line(mesh::encode_msg(out)));
    ++sent;
  });
  if (sent > 0)
    sink_.log(LogLevel::kDebug, "filled " + std::to_string(sent) + " messages for " + label(link));
}

bool Mesh::say(std::string_view text, std::uint64_t unix_ms, TimePoint now) {
  now_ = now;
  if (text.empty() || text.size() > mesh::kMaxTextBytes ||
      text.find_first_of("\r\n") != std::string_view::npos)
    return false;
  mesh::Msg msg;
  msg.origin = options_.peer_id;
  msg.seq = ++own_seq_;
  msg.unix_ms = unix_ms;
  msg.hops_left = options_.hop_limit;
  msg.name = options_.name;
  msg.text = std::string(text);
  accept_msg(msg, 0, now);
  return true;
}

void Mesh::tick(TimePoint now) {
  now_ = now;
  ready_.clear();
  history_.expire(now, ready_);
  show(ready_);
  for (auto it = departed_.begin(); it != departed_.end();)
    it = it->second <= now ? departed_.erase(it) : std::next(it);

  std::vector<std::pair<LinkId, std::string>> dead;
  for (auto& [id, link] : links_) {
    if (link.state == State::kDialing) continue;
    if (link.state == State::kHandshake && now - link.since >= options_.handshake_timeout) {
      dead.push_back({id, "no HELLO in time"});
    } else if (now - link.last_rx >= options_.dead_after) {
      dead.push_back({id, "silent for too long"});
    } else if (now - link.last_tx >= options_.keepalive) {
      send(id, link, proto::make_line(mesh::encode_ping()));
    }
  }
  for (const auto& [id, why] : dead) drop(id, "timeout", why, LogLevel::kInfo);

  if (leaving_) {
    sweep();
    return;
  }
  const bool gossip = now - last_gossip_ >= options_.gossip_every;
  const bool sync = now - last_sync_ >= options_.sync_every;
  if (gossip) last_gossip_ = now;
  if (sync) last_sync_ = now;
  for (auto& [id, link] : links_) {
    if (link.state != State::kUp) continue;
    if (gossip) send_addrs(id, link);
    if (sync) send_have(id, link);
  }
  dial_more(now);
  sweep();
}

void Mesh::leave() {
  if (leaving_) return;
  leaving_ = true;
  std::vector<LinkId> ids;
  for (const auto& [id, link] : links_) ids.push_back(id);
  for (LinkId id : ids) drop(id, "quit", options_.name + " left", LogLevel::kDebug);
  sweep();
}

std::size_t Mesh::neighbour_count() const {
  return static_cast<std::size_t>(std::count_if(links_.begin(), links_.end(),
                                                [](const auto& l) { return l.second.state == State::kUp; }));
}

std::vector<std::string> Mesh::neighbour_names() const {
  std::vector<std::string> names;
  for (const auto& [id, link] : links_) {
    if (link.state == State::kUp) names.push_back(link.name);
  }
  return names;
}

void Mesh::send(LinkId id, Link& link, proto::SharedLine frame) {
  link.last_tx = now_;
  sink_.send(id, std::move(frame));
}

void Mesh::send_addrs(LinkId id, Link& link) {
  std::vector<mesh::AddrEntry> entries;
  for (const auto& [other_id, other] : links_) {
    if (other_id == id || other.state != State::kUp || other.listen_port == 0) continue;
    if (entries.size() >= mesh::kMaxAddrEntries) break;
    entries.push_back({other.peer, other.listen_port, other.remote_ip});
  }
  send(id, link, proto::make_line(mesh::encode_addrs(entries)));
}

void Mesh::send_have(LinkId id, Link& link) {
  send(id, link, proto::make_line(mesh::encode_have(history_.summary())));
}

void Mesh::drop(LinkId id, std::string_view code, std::string_view text, LogLevel level) {
  auto it = links_.find(id);
  if (it == links_.end() || it->second.state == State::kClosed) return;
  Link& link = it->second;
  if (link.state != State::kDialing) send(id, link, proto::make_line(mesh::encode_bye(code, text)));
  sink_.log(level, label(link) + ": closing (" + std::string(code) + " " + std::string(text) + ")");
  sink_.close(id);
  forget_link(id, std::string(code) + " " + std::string(text), now_);
}

void Mesh::forget_link(LinkId id, std::string_view reason, TimePoint now) {
  auto it = links_.find(id);
  if (it == links_.end() || it->second.state == State::kClosed) return;
  Link& link = it->second;
  const bool was_up = link.state == State::kUp;
  link.state = State::kClosed;
  doomed_.push_back(id);
  if (was_up && !leaving_) {
    sink_.info("lost " + label(link) + ": " + std::string(reason) + peers_in_brackets(neighbour_count()));
    // Redial it (whatever the neighbour count) unless it left; replacements are dialled at the
    // next tick.
    const bool left = departed_.contains(link.peer);
    for (auto& [address, known] : known_) {
      if (known.id != link.peer) continue;
      known.wanted = !left;
      known.failures = 0;
      if (known.next_try < now) known.next_try = now + options_.dial_backoff_min;
    }
  } else if (!was_up) {
    sink_.log(LogLevel::kDebug, label(link) + ": link ended before the handshake: " + std::string(reason));
  }
}

void Mesh::sweep() {
  for (LinkId id : doomed_) links_.erase(id);
  doomed_.clear();
}

void Mesh::learn(const PeerAddress& address, PeerId id) {
  if (id == options_.peer_id || self_addresses_.contains(address)) return;
  if (id != 0 && departed_.contains(id)) return;
  auto it = known_.find(address);
  if (it == known_.end()) {
    if (known_.size() >= kMaxKnown) return;
    it = known_.emplace(address, Known{}).first;
  }
  it->second.id = id;
}

bool Mesh::is_connected_to(const PeerAddress& address, PeerId id) const {
  for (const auto& [link_id, link] : links_) {
    if (link.state == State::kClosed) continue;
    if (link.outbound && link.dialed == address) return true;
    if (id != 0 && link.peer == id) return true;
  }
  return false;
}

void Mesh::dial_more(TimePoint now) {
  std::size_t have = 0;
  for (const auto& [id, link] : links_) {
    if (link.state == State::kUp || (link.outbound && link.state != State::kClosed)) ++have;
  }
  std::vector<const PeerAddress*> wanted;
  std::vector<const PeerAddress*> others;
  for (const auto& [address, known] : known_) {
    if (known.next_try > now || is_connected_to(address, known.id)) continue;
    if (known.id != 0 && departed_.contains(known.id)) continue;
    (known.wanted ? wanted : others).push_back(&address);
  }
  std::shuffle(others.begin(), others.end(), rng_);
  std::set<PeerId> chosen;
  auto dial_one = [&](const PeerAddress& address) {
    const PeerId peer = known_[address].id;
    if (peer != 0 && !chosen.insert(peer).second) return;  // one dial per peer, whatever its addresses
    const LinkId id = next_link_++;
    Link& link = links_[id];
    link.outbound = true;
    link.dialed = address;
    link.since = now;
    ++have;
    sink_.log(LogLevel::kDebug, "dialling " + address.text());
    sink_.dial(id, address);
  };
  for (const PeerAddress* address : wanted) {
    if (have >= options_.max_links) return;
    dial_one(*address);
  }
  for (const PeerAddress* address : others) {
    if (have >= options_.degree) return;
    dial_one(*address);
  }
}

std::string Mesh::label(const Link& link) const {
  if (!link.outbound && link.name.empty()) return "connection from " + link.remote_ip;
  std::string where =
      link.outbound ? link.dialed.text() : PeerAddress{link.remote_ip, link.listen_port}.text();
  if (link.name.empty()) return where;
  return link.name + " (" + where + ")";
}

}  // namespace parley::peer
