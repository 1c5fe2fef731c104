// The engine's view of a network of linked servers (docs/linking.md).
//
// Every server has a SID (a digit and two characters from [0-9A-Z]) and every user, local or
// remote, a UID: its server's SID and six characters, fixed while it is connected. Users live in
// the engine whether they are local (a session of this server) or remote (introduced by a link);
// a remote user has no session and is never sent anything: what concerns it travels over the
// links instead. The server tree itself (which servers exist, behind which link) is kept by the
// engine so that WHOIS, LUSERS, LINKS and MAP can show it; the link layer (src/link/) edits it.
//
// NetworkObserver is how the link layer learns what changed: the engine calls it after every
// change to network-wide state, whatever its origin (a local command, or a line from a link that
// the link layer applied), once local users have been told. The link layer sends the change to
// every link that needs it except the one it came from. With no links, the engine's observer is
// one that does nothing.
//
// Thread: the engine's.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::core {

class Channel;
struct User;

struct ServerInfo {
  std::string sid;   // "0PA"
  std::string name;  // "irc.example.net"
  std::string description;
  ServerInfo* parent = nullptr;  // the server it is linked behind; null for this server
  std::vector<ServerInfo*> children;
  unsigned hops = 0;  // 0: this server; 1: linked directly
  // The link (src/link/) through which it is reached; 0 for this server.
  std::uint64_t route = 0;
  std::size_t users = 0;  // registered users on it
};

// A channel mode change as it crosses links: the mode string and its parameters, in which
// members (+o/+v) are named by UID.
struct ModeChange {
  std::string modes;
  std::vector<std::string> params;
};

class NetworkObserver {
 public:
  virtual ~NetworkObserver() = default;
  // A user finished registration (local) or was introduced (remote).
  virtual void user_introduced(const User&) {}
  virtual void nick_changed(const User&) {}
  // Not called for the users of a server that split: the split itself is what travels.
  virtual void user_quit(const User&, std::string_view /*reason*/) {}
  // An operator's KILL, just before the victim quits (user_quit follows for it).
  virtual void user_killed(const User& /*by*/, const User& /*victim*/, std::string_view /*reason*/) {}
  // `u` joined `c`; `created`: the join created it (u is its first member, an operator).
  virtual void joined(const User&, const Channel&, bool /*created*/) {}
  virtual void parted(const User&, const Channel&, std::string_view /*reason*/) {}
  virtual void kicked(const User& /*by*/, const Channel&, const User& /*victim*/,
                      std::string_view /*reason*/) {}
  virtual void topic_changed(const User* /*by; null: a server*/, const Channel&) {}
  virtual void channel_modes(const User* /*by; null: a server*/, const Channel&, const ModeChange&) {}
  // PRIVMSG, NOTICE or TAGMSG from `from` to channel `c` (status: "@" or "+" for STATUSMSG,
  // else empty) or to the remote user `to`, with its msgid and the sender's client-only tags
  // (escaped, without '@'; may be empty). Its time is Engine::now().
  virtual void channel_message(const User& /*from*/, const Channel&, std::string_view /*command*/,
                               std::string_view /*status*/, std::string_view /*text*/,
                               std::string_view /*msgid*/, std::string_view /*client_tags*/) {}
  virtual void private_message(const User& /*from*/, const User& /*to*/, std::string_view /*command*/,
                               std::string_view /*text*/, std::string_view /*msgid*/,
                               std::string_view /*client_tags*/) {}
  // `by` invited the remote user `to` into `c` (its server enforces +i when it joins).
  virtual void invited(const User& /*by*/, const User& /*to*/, const Channel&) {}
  virtual void wallops(const User& /*from*/, std::string_view /*text*/) {}
  virtual void away_changed(const User&) {}
  virtual void account_changed(const User&) {}
  virtual void oper_changed(const User&) {}
  // `u` changed its own user modes (B, i, w; "-o" goes through oper_changed): "+i-w".
  virtual void user_modes_changed(const User& /*u*/, std::string_view /*modes*/) {}
  // A user's displayed host or real name changed (CHGHOST, SETNAME, an account host).
  virtual void host_changed(const User&) {}
  virtual void realname_changed(const User&) {}

  // Operators' CONNECT and SQUIT: the outcome, as a sentence for the operator.
  virtual std::string connect_server(std::string_view /*name*/) {
    return "this server has no [[link]] blocks";
  }
  virtual std::string squit_server(std::string_view name, std::string_view /*reason*/) {
    return "not linked to " + std::string(name);
  }
};

// Whether `sid` is well-formed: a digit, then two of [0-9A-Z].
bool valid_sid(std::string_view sid);
// A UID as InspIRCd issues them: a valid SID and six characters of [A-Z0-9]. (Saved users take
// their UID as nick, and nicks fold case: two UIDs differing in case would share one.)
bool valid_uid(std::string_view uid);
// A SID derived from the server name, for servers configured without one (as InspIRCd does).
std::string sid_from_name(std::string_view name);
// The UID suffix for the n-th user of a server (n from 0): six characters, the first a letter,
// counting through [A-Z] then [0-9] per position, as InspIRCd issues them.
std::string uid_suffix(std::uint64_t n);

}  // namespace parley::core
