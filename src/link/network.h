// Server links: InspIRCd's spanning-tree protocol 1205, without I/O (docs/linking.md).
//
// A Network owns every link of one server. Its transport (the server's connections, or the
// in-memory harness of the tests) reports a link's connection, lines and end; the Network
// answers through LinkTransport. It drives the handshake (CAPAB, SERVER with the configured
// passwords), sends this server's state as a burst, applies what peers report to the engine
// (core/remote.h), and relays each line to the other links that need it: a line crosses each
// link at most once and never goes back where it came from. It is the engine's NetworkObserver,
// so changes made by local users become lines for the links.
//
// Trust: a peer is trusted as far as its link. A line that is malformed, names an unknown user,
// server or command, or breaks the tree (a duplicate SID or name) ends the link with ERROR and a
// netsplit of everything behind it, never a crash or a half-applied change.
//
// Thread: the engine's. Every entry point takes `now` and runs inside Engine::apply(), so the
// engine's clock and its freeing of departed users work as for its own entry points.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/engine.h"
#include "core/network.h"
#include "core/types.h"
#include "proto/irc_message.h"

namespace parley::link {

using LinkId = std::uint64_t;
using core::TimePoint;

// Where a Network's output goes. Calls happen on the engine's thread.
class LinkTransport {
 public:
  virtual ~LinkTransport() = default;
  // Queue `line` (one or more CR LF terminated lines) on link `to`.
  virtual void send(LinkId to, const core::SharedLine& line) = 0;
  // Flush what is queued, then close the link. The Network has forgotten it already.
  virtual void close(LinkId who, std::string_view reason) = 0;
  // What an operator should know about link `id` (up, burst received, refused, lost), for the log.
  // Local operators get it as a server notice too.
  virtual void link_event(LinkId /*id*/, std::string_view /*what*/) {}
};

// One [[link]] block: a server this one may link with (docs/operations.md "Links").
struct LinkBlock {
  std::string name;              // the peer's server name, as its SERVER line gives it
  std::string send_password;     // what we send in our SERVER line
  std::string receive_password;  // what the peer must send in its SERVER line
  // Or its Argon2id hash (`parley mkpasswd`), so the configuration does not hold the password;
  // checked through the Network's PasswordChecker. Set one of the two.
  std::string receive_password_hash;
  bool hub = false;  // the peer may introduce servers behind it
  bool tls = false;  // the link must be TLS (a plaintext one is refused)
  // SHA-256 of the peer's TLS certificate, lowercase hex without colons; empty: not pinned. When
  // set, the link must be TLS and the peer's certificate must have it.
  std::string fingerprint;
};

struct NetworkConfig {
  std::vector<LinkBlock> links;
  std::chrono::seconds ping_interval{60};  // idle time before we PING a peer
  std::chrono::seconds ping_timeout{120};  // unanswered PING before the link is dropped
  std::chrono::seconds handshake_timeout{30};
};

// What a link is doing. Outbound: we connected; inbound: the peer did.
enum class LinkState : std::uint8_t {
  kCapab,      // exchanging CAPAB; outbound links send SERVER after the peer's CAPAB END
  kWaitBurst,  // inbound: SERVER accepted and ours sent; the peer bursts first
  kBursting,   // the peer's burst is being received
  kLinked,     // ENDBURST received
};

struct LinkStatus {
  LinkId id = 0;
  std::string server;  // the peer's name once its SERVER line was accepted
  LinkState state = LinkState::kCapab;
  bool outbound = false;
  TimePoint since{};
  std::uint64_t lines_in = 0, lines_out = 0;
};

class Network final : public core::NetworkObserver {
 public:
  // Registers itself as `engine`'s observer; unregisters when destroyed.
  Network(core::Engine& engine, LinkTransport& transport, NetworkConfig config);
  ~Network() override;
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // A link connection is up. `outbound`: we connected to the [[link]] named `block`.
  void link_connected(LinkId id, bool outbound, std::string_view block, TimePoint now);
  // The link's TLS handshake completed; `certfp`: SHA-256 of the peer's certificate (lowercase
  // hex), empty when it sent none.
  void link_secured(LinkId id, std::string certfp);
  // One line from the link, without CR/LF.
  void link_line(LinkId id, std::string_view line, TimePoint now);
  // The transport lost the link (EOF, error, send queue overflow).
  void link_closed(LinkId id, std::string_view reason, TimePoint now);
  // PINGs, ping and handshake timeouts. Call about once a second.
  void tick(TimePoint now);

  // Whether a [[link]] block names `server`, and whether a link to it is up or being set up.
  bool configured(std::string_view server) const;
  bool linked_to(std::string_view server) const;
  std::vector<LinkStatus> links() const;
  // Peers' bursts received completely (ENDBURST) since start, and how long the last one took from
  // its first line to its ENDBURST; for monitoring.
  struct BurstStats {
    std::uint64_t completed = 0;
    std::chrono::nanoseconds last{};
  };
  const BurstStats& bursts() const { return bursts_; }
  const NetworkConfig& config() const { return config_; }
  // A configuration reload's [[link]] blocks and timeouts (docs/operations.md "Reloading"). A link
  // whose block is gone is closed with `reason` and its servers split off (SQUIT with `reason`);
  // the others stay up, a changed block applying from the next handshake. Call inside
  // Engine::apply (splits quit users). Returns the names of the links closed.
  std::vector<std::string> reconfigure(NetworkConfig config, std::string_view reason);
  // Server shutdown: ERROR to every peer, links closed, everything behind them forgotten.
  void shutdown(std::string_view reason);
  // How CONNECT dials a [[link]] (the server's; none in tests): returns what happened.
  using Dialer = std::function<std::string(std::string_view name)>;
  void set_dialer(Dialer dialer) { dialer_ = std::move(dialer); }
  // How a hashed receive password is checked (slow: off the engine thread): `done(ok, now)` later,
  // on the engine's thread, never from inside the call.
  using PasswordChecker = std::function<void(std::string hash, std::string password,
                                             std::function<void(bool ok, TimePoint now)> done)>;
  void set_password_checker(PasswordChecker checker) { password_checker_ = std::move(checker); }

  // ---- accounts held by another server (link/account_relay.h, docs/linking.md "Accounts") ----
  // Sends `request` to the server named `authority`. Its answer comes back through the
  // AnswerSink (never from inside this call): the authority's, or kFailed when the authority
  // leaves the network first. False, and nothing sent, when it is not in the network now or the
  // request is too long to relay.
  // Safe to call from inside an engine call (it is the engine's AccountBackend's doing).
  bool relay_account_request(std::string_view authority, core::RequestId id,
                             const core::AccountRequest& request);
  using AnswerSink = std::function<void(core::RequestId, core::AccountAnswer)>;
  void set_account_answers(AnswerSink sink) { account_answers_ = std::move(sink); }
  // On the authority: how a relayed request is served. `answer` may be called later, once; it
  // sends the answer back to the asking server if it is still in the network.
  using AccountServer =
      std::function<void(core::AccountRequest, std::function<void(core::AccountAnswer)> answer)>;
  void set_account_server(AccountServer server) { account_server_ = std::move(server); }

  // ---- core::NetworkObserver ----
  void user_introduced(const core::User&) override;
  void nick_changed(const core::User&) override;
  void user_quit(const core::User&, std::string_view reason) override;
  void user_killed(const core::User& by, const core::User& victim, std::string_view reason) override;
  void joined(const core::User&, const core::Channel&, bool created) override;
  void parted(const core::User&, const core::Channel&, std::string_view reason) override;
  void kicked(const core::User& by, const core::Channel&, const core::User& victim,
              std::string_view reason) override;
  void topic_changed(const core::User* by, const core::Channel&) override;
  void channel_modes(const core::User* by, const core::Channel&, const core::ModeChange&) override;
  void channel_message(const core::User& from, const core::Channel&, std::string_view command,
                       std::string_view status, std::string_view text, std::string_view msgid,
                       std::string_view client_tags) override;
  void private_message(const core::User& from, const core::User& to, std::string_view command,
                       std::string_view text, std::string_view msgid, std::string_view client_tags) override;
  void invited(const core::User& by, const core::User& to, const core::Channel&) override;
  void wallops(const core::User& from, std::string_view text) override;
  void away_changed(const core::User&) override;
  void account_changed(const core::User&) override;
  void oper_changed(const core::User&) override;
  void user_modes_changed(const core::User& u, std::string_view modes) override;
  void host_changed(const core::User&) override;
  void realname_changed(const core::User&) override;
  std::string connect_server(std::string_view name) override;
  std::string squit_server(std::string_view name, std::string_view reason) override;

 private:
  struct Link;
  struct Capab;
  using Handler = void (Network::*)(Link&, const proto::Message&);

  // ---- handshake (handshake.cpp) ----
  void send_capab(Link& l);
  void on_capab(Link& l, const proto::Message& m);
  void on_server_handshake(Link& l, const proto::Message& m);
  void send_server_line(Link& l);
  // The peer's SERVER line passed the password check: the rest of its checks, then the burst.
  void accept_server(Link& l, const LinkBlock& block, std::string_view name, std::string_view sid,
                     std::string_view description);
  const LinkBlock* find_block(std::string_view name) const;

  // ---- burst (burst.cpp) ----
  void send_burst(Link& l);
  std::string uid_line(const core::User& u) const;
  void send_channel_burst(Link& l, const core::Channel& c);

  // ---- applying the peer's lines (inbound.cpp) ----
  void dispatch(Link& l, const proto::Message& m, std::string_view raw);
  void on_uid(Link& l, const proto::Message& m);
  void on_server(Link& l, const proto::Message& m);
  void on_squit(Link& l, const proto::Message& m);
  void on_fjoin(Link& l, const proto::Message& m);
  void on_ijoin(Link& l, const proto::Message& m);
  void on_part(Link& l, const proto::Message& m);
  void on_kick(Link& l, const proto::Message& m);
  void on_quit(Link& l, const proto::Message& m);
  void on_kill(Link& l, const proto::Message& m);
  void on_nick(Link& l, const proto::Message& m);
  void on_save(Link& l, const proto::Message& m);
  void on_fmode(Link& l, const proto::Message& m);
  void on_mode(Link& l, const proto::Message& m);
  void on_ftopic(Link& l, const proto::Message& m);
  void on_topic(Link& l, const proto::Message& m);
  void on_message(Link& l, const proto::Message& m);
  void on_away(Link& l, const proto::Message& m);
  void on_metadata(Link& l, const proto::Message& m);
  void on_opertype(Link& l, const proto::Message& m);
  void on_fhost(Link& l, const proto::Message& m);
  void on_fname(Link& l, const proto::Message& m);
  void on_fident(Link& l, const proto::Message& m);
  void on_ping(Link& l, const proto::Message& m);
  void on_pong(Link& l, const proto::Message& m);
  void on_burst(Link& l, const proto::Message& m);
  void on_endburst(Link& l, const proto::Message& m);
  void on_error(Link& l, const proto::Message& m);
  void on_invite(Link& l, const proto::Message& m);
  void on_wallops(Link& l, const proto::Message& m);
  // Remote queries (queries.cpp): WHOIS's IDLE, TIME/MOTD/ADMIN/INFO/STATS/VERSION for this
  // server, their numerics (NUM) on the way back, RCONNECT and SVSNICK.
  void on_idle(Link& l, const proto::Message& m);
  void on_query(Link& l, const proto::Message& m);
  void on_num(Link& l, const proto::Message& m);
  void on_rconnect(Link& l, const proto::Message& m);
  void on_svsnick(Link& l, const proto::Message& m);
  // Whether `name` (a server name, mask or SID) is this server.
  bool is_me(std::string_view name) const;
  // Sends `line` towards the server `s`, unless it lies behind `from`.
  void to_server(const core::ServerInfo& s, const std::string& line, const Link* from);
  void on_encap(Link& l, const proto::Message& m);
  void on_relayed(Link& l, const proto::Message& m);  // understood, not applied: relayed only
  void on_ignored(Link&, const proto::Message&) {}
  static Handler find_handler(std::string_view command);

  // Sends the line being applied on to every other linked peer.
  void relay(const Link& from);
  // Whether `m` has `params` parameters; drops the link if not.
  bool need(Link& l, const proto::Message& m, std::size_t params);
  // The nick timestamp of a user renamed to its UID after a collision (InspIRCd's).
  static constexpr std::int64_t kSavedTs = 100;
  // The user a line is from (its source is a UID behind `l`); null (and the link dropped) if not.
  core::User* source_user(Link& l, const proto::Message& m);
  // The server a line is from (its source is a SID behind `l`, or empty: the peer itself).
  core::ServerInfo* source_server(Link& l, const proto::Message& m);
  // A user's nick taken by `uid` from a link: settles a collision with whoever has it.
  // Returns false when the incoming user lost and was renamed to its UID (it is told so).
  bool settle_collision(Link& l, std::string_view nick, std::int64_t ts, std::string_view username,
                        std::string_view ip, std::string_view uid);
  void save_user(core::User& u);  // renames `u` to its UID and tells every link

  // ---- output (network.cpp) ----
  // Ends link `l`: ERROR to the peer, then a netsplit of the servers behind it.
  void drop(Link& l, std::string_view reason);
  void forget(Link& l, std::string_view reason);
  // Reports `what` about `l` to the transport's log and to local operators.
  void event(const Link& l, std::string_view what);
  void send(Link& l, std::string line);
  void send(Link& l, const core::SharedLine& line);
  // To every linked peer except `except` (the link the change came from).
  void broadcast(const std::string& line, const Link* except);
  // To the links that lead to a remote member of `c`, except `except`.
  void to_channel_links(const core::Channel& c, const std::string& line, const Link* except);
  // To the link that leads to `u`'s server.
  void to_user_link(const core::User& u, const std::string& line, const Link* except);
  Link* find_link(LinkId id);
  // A line with our SID (or a user's UID) as its source.
  std::string line_from(std::string_view source, std::string_view command,
                        std::initializer_list<std::string_view> params, bool trailing = true) const;

  core::Engine& engine_;
  LinkTransport& transport_;
  NetworkConfig config_;
  std::map<LinkId, std::unique_ptr<Link>> links_;
  BurstStats bursts_;
  Link* applying_ = nullptr;  // the link whose line is being applied: observer calls are its echo
  std::uint64_t membership_ids_ = 0;
  std::string_view raw_;  // the line being applied, without CR LF
  Dialer dialer_;
  PasswordChecker password_checker_;
  std::string killed_uid_;  // the KILL just sent stands for this user's QUIT
  AnswerSink account_answers_;
  AccountServer account_server_;
  std::unordered_map<core::RequestId, std::string> relayed_;  // requests sent: the authority's SID
  // Answers kFailed to the relayed requests whose authority is no longer in the network.
  void fail_orphaned_requests();
  void on_account_request(Link& l, const proto::Message& m, std::string_view origin);
  void on_account_answer(const proto::Message& m);
};

}  // namespace parley::link
