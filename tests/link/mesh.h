// A sans-I/O network of servers for the link tests: several engines (tests/core/harness.h),
// each with a link::Network, joined by in-memory links, with one fake clock per server that
// the mesh advances together. Lines are queued per direction and delivered by pump(), in order,
// so a test sees exactly what crossed each link.
//
//   Mesh m;
//   Node& a = m.add("a.test", "1AA");
//   Node& b = m.add("b.test", "2BB");
//   SessionId alice = a.h.register_user("alice");
//   int ab = m.link(a, b);                  // handshake and both bursts, then quiet
//   m.send(a, alice, "JOIN #c");            // the line, then pump() until nothing moves
//   EXPECT_TRUE(b.engine().find_nick("alice"));
#pragma once

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/harness.h"
#include "crypto/password.h"
#include "link/network.h"

namespace parley::link::test {

using core::SessionId;
using core::test::EngineHarness;
using core::test::split_crlf;

class Mesh;

struct Node;

class MeshTransport final : public LinkTransport {
 public:
  MeshTransport(Mesh& mesh, Node& node) : mesh_(mesh), node_(node) {}
  void send(LinkId to, const core::SharedLine& line) override;
  void close(LinkId who, std::string_view reason) override;

 private:
  Mesh& mesh_;
  Node& node_;
};

struct Node {
  Node(Mesh& mesh, std::string name, std::string sid) : transport(mesh, *this), mesh_(mesh) {
    h.config.server_name = std::move(name);
    h.config.server_id = std::move(sid);
  }
  EngineHarness h;
  MeshTransport transport;
  NetworkConfig links;  // [[link]] blocks: filled by Mesh::add for every other node
  std::unique_ptr<Network> net;
  core::Engine& engine() { return h.engine(); }
  Network& network();
  const std::string& name() const { return h.config.server_name; }

 private:
  Mesh& mesh_;
};

class Mesh {
 public:
  struct Wire {
    Node* a;
    Node* b;
    LinkId id;
    bool open = true;
    std::vector<std::string> a_to_b, b_to_a;  // every line that crossed, for "no echo" checks
  };
  struct Pending {
    Node* from;
    LinkId id;
    std::string bytes;
    bool close = false;  // `from` closed the link after sending what came before
  };

  // A server; every server added knows every other by name with password "pw-<name>" (what a
  // server must receive from it) and is a hub.
  Node& add(const std::string& name, const std::string& sid) {
    nodes_.push_back(std::make_unique<Node>(*this, name, sid));
    for (auto& n : nodes_) {
      for (auto& other : nodes_) {
        if (n == other) continue;
        bool known = false;
        for (const LinkBlock& b : n->links.links) known |= b.name == other->name();
        if (known) continue;
        LinkBlock block;
        block.name = other->name();
        block.send_password = "pw-" + n->name();
        block.receive_password = "pw-" + other->name();
        block.hub = true;
        n->links.links.push_back(std::move(block));
      }
    }
    return *nodes_.back();
  }

  // Connects `from` to `to` (from dials) and pumps until quiet. Returns the wire's index.
  std::size_t link(Node& from, Node& to) {
    std::size_t i = connect(from, to);
    pump();
    return i;
  }
  // The same without pumping: several links can then come up at the same moment.
  std::size_t connect(Node& from, Node& to) {
    from.network();
    to.network();
    wires_.push_back(Wire{&from, &to, ++last_id_});
    Wire& w = wires_.back();
    from.network().link_connected(w.id, true, to.name(), from.h.now());
    to.network().link_connected(w.id, false, "", to.h.now());
    return wires_.size() - 1;
  }

  // The connection under wire `i` breaks: both ends hear of it (no ERROR crosses).
  void cut(std::size_t i, std::string_view reason = "Connection reset by peer") {
    Wire& w = wires_[i];
    if (!w.open) return;
    w.open = false;
    w.a->network().link_closed(w.id, reason, w.a->h.now());
    w.b->network().link_closed(w.id, reason, w.b->h.now());
    pump();
  }

  void send(Node& n, SessionId id, std::string_view line) {
    n.h.send(id, line);
    pump();
  }

  // Delivers queued lines until nothing moves.
  void pump() {
    for (int rounds = 0; (!pending_.empty() || !checks_.empty()) && rounds < 100000; ++rounds) {
      if (pending_.empty()) {
        auto check = std::move(checks_.front());
        checks_.pop_front();
        check();
        continue;
      }
      Pending p = std::move(pending_.front());
      pending_.pop_front();
      Wire* w = find(p.id);
      if (!w || !w->open) continue;
      Node* to = p.from == w->a ? w->b : w->a;
      if (p.close) {
        w->open = false;
        to->network().link_closed(w->id, "Connection closed by " + p.from->name(), to->h.now());
        continue;
      }
      for (std::string& line : split_crlf(p.bytes)) {
        if (trace_)
          std::fprintf(stderr, "%s -> %s: %s\n", p.from->name().c_str(), to->name().c_str(), line.c_str());
        (p.from == w->a ? w->a_to_b : w->b_to_a).push_back(line);
        if (!w->open) break;
        to->network().link_line(w->id, line, to->h.now());
        to->h.answer_automatic();
      }
    }
  }

  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> d) {
    for (auto& n : nodes_) n->h.clock.advance(d);
  }
  void tick() {
    for (auto& n : nodes_) {
      if (n->net) n->net->tick(n->h.now());
    }
    pump();
  }

  Wire& wire(std::size_t i) { return wires_[i]; }
  // Lines that crossed wire `i` from `from`, whose command (after tags and source) is `command`.
  std::size_t crossed(std::size_t i, const Node& from, std::string_view command) {
    Wire& w = wires_[i];
    std::size_t n = 0;
    for (const std::string& l : &from == w.a ? w.a_to_b : w.b_to_a) {
      if (core::test::parse_line(l).command == command) ++n;
    }
    return n;
  }
  void forget_crossed() {
    for (Wire& w : wires_) {
      w.a_to_b.clear();
      w.b_to_a.clear();
    }
  }
  std::vector<std::string> closed_reasons;  // "<server>: <reason>" for every close a Network asked

 private:
  friend class MeshTransport;
  friend struct Node;
  std::deque<std::function<void()>> checks_;  // hashed link passwords to check
  Wire* find(LinkId id) {
    for (Wire& w : wires_) {
      if (w.id == id) return &w;
    }
    return nullptr;
  }
  std::vector<std::unique_ptr<Node>> nodes_;
  std::deque<Wire> wires_;
  std::deque<Pending> pending_;
  LinkId last_id_ = 0;
  bool trace_ = std::getenv("PARLEY_MESH_TRACE") != nullptr;  // every line that crosses, on stderr
};

// Hashed link passwords are checked as the server does, later (the next pump()), never inside
// the Network's call.
inline Network& Node::network() {
  if (!net) {
    net = std::make_unique<Network>(h.engine(), transport, links);
    net->set_password_checker([this](std::string hash, std::string password, auto done) {
      mesh_.checks_.push_back(
          [this, hash, password, done] { done(crypto::verify_password(hash, password), h.now()); });
    });
  }
  return *net;
}

inline void MeshTransport::send(LinkId to, const core::SharedLine& line) {
  mesh_.pending_.push_back(Mesh::Pending{&node_, to, *line});
}

// The Network closed the link: what it queued before still goes (its ERROR), then the other
// side hears the connection end (when pump() reaches the close, never inside this call).
inline void MeshTransport::close(LinkId who, std::string_view reason) {
  mesh_.closed_reasons.push_back(node_.name() + ": " + std::string(reason));
  mesh_.pending_.push_back(Mesh::Pending{&node_, who, {}, true});
}

}  // namespace parley::link::test
