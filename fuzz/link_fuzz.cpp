// libFuzzer target for the server-protocol input path (link::Network, docs/linking.md): the lines
// a linked peer sends. Each input is a set of lines after a completed handshake; a first byte
// chooses whether the peer is a hub. Beyond "does not crash", it checks after every line:
//   - the engine's view stays consistent: every remote user is indexed by its UID and nick and
//     is on a known server behind the link; channels list only users that exist, and every
//     member's channel list names the channel back; the count of remote members and the set of
//     local ones (Channel::local_members) agree with the members;
//   - once the link has ended (ERROR), nothing from the peer is left: no remote user or server.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/channel.h"
#include "core/engine.h"
#include "core/user.h"
#include "fuzz_support.h"
#include "link/network.h"

namespace {

using namespace parley;

struct NullSink final : core::ReplySink {
  void send(core::SessionId, const core::SharedLine&) override {}
  void close(core::SessionId, std::string_view) override {}
};
struct NullAccounts final : core::AccountBackend {
  void submit(core::RequestId, core::AccountRequest) override {}
};
struct NullHistory final : core::HistoryBackend {
  void submit(core::RequestId, core::HistoryRequest) override {}
  core::HistoryStats stats() const override { return {}; }
};
struct Transport final : link::LinkTransport {
  bool closed = false;
  void send(link::LinkId, const core::SharedLine&) override {}
  void close(link::LinkId, std::string_view) override { closed = true; }
};

void check_consistent(core::Engine& e) {
  for (const auto& [uid, u] : e.remote_users()) {
    FUZZ_CHECK(u->remote && u->uid == uid);
    FUZZ_CHECK(e.find_uid(uid) == u.get());
    FUZZ_CHECK(e.find_nick(u->nick) == u.get());
    FUZZ_CHECK(u->server && e.find_server(u->server->sid) == u->server);
    for (const core::Channel* c : u->channels) FUZZ_CHECK(c->has(*u));
  }
  for (const auto& [name, c] : e.channels()) {
    std::size_t remote = 0;
    for (const auto& [member, flags] : c->members) {
      FUZZ_CHECK(e.find_uid(member->uid) == member);
      remote += member->remote ? 1 : 0;
      // Local members are kept apart exactly while the channel has remote ones.
      if (!member->remote) FUZZ_CHECK(c->local_members.count(member) == (c->remote_members ? 1u : 0u));
    }
    FUZZ_CHECK(remote == c->remote_members);
    FUZZ_CHECK(c->membership_ids.size() ==
               remote);  // every remote member has one (link routing relies on it)
    FUZZ_CHECK(c->local_members.size() == (remote ? c->members.size() - remote : 0));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  NullSink sink;
  NullAccounts accounts;
  NullHistory history;
  Transport transport;
  core::EngineConfig config;
  config.server_name = "a.test";
  config.server_id = "1AA";
  config.history.enabled = (bytes[0] & 2) != 0;
  core::Engine engine(config, sink, accounts, history);
  link::NetworkConfig links;
  link::LinkBlock peer;
  peer.name = "b.test";
  peer.send_password = "out";
  peer.receive_password = "in";
  peer.hub = (bytes[0] & 1) != 0;
  links.links.push_back(std::move(peer));
  link::Network net(engine, transport, links);
  const auto now = core::TimePoint(std::chrono::seconds(1800000000));

  // A local user in a channel, so that remote changes have someone to tell.
  core::ConnectionInfo info;
  info.ip = "127.0.0.1";
  engine.connect(1, info, now);
  engine.receive(1, "NICK alice", now);
  engine.receive(1, "USER alice 0 * :Alice", now);
  engine.receive(1, "JOIN #c", now);

  net.link_connected(7, false, "", now);
  for (std::string_view line :
       {"CAPAB START 1205", "CAPAB END", "SERVER b.test in 0 2BB :peer", "BURST 1800000000"})
    net.link_line(7, line, now);
  FUZZ_CHECK(!transport.closed);

  std::string_view text(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  while (!text.empty() && !transport.closed) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    net.link_line(7, line, now);
    check_consistent(engine);
  }
  if (transport.closed) {
    FUZZ_CHECK(engine.remote_users().empty());
    FUZZ_CHECK(engine.remote_servers().empty());
  }
  engine.receive(1, "PRIVMSG #c :still here", now);
  return 0;
}
