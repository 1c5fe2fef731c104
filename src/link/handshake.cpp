// Setting a link up: CAPAB and SERVER (link/network.h, docs/linking.md "Handshake").
#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "core/text.h"
#include "crypto/crypto.h"
#include "link/link_state.h"
#include "link/network.h"

namespace parley::link {

namespace {

// Parley's channel modes in InspIRCd's CAPAB CHANMODES form (type:name=letter), sorted as
// InspIRCd sorts them. A peer must have exactly these: one network shows one set of modes.
constexpr std::string_view kChanModes =
    "list:ban=b list:banexception=e list:invex=I param-set:history=H param-set:limit=l param:key=k "
    "prefix:10000:voice=+v prefix:30000:op=@o simple:inviteonly=i simple:moderated=m simple:noctcp=C "
    "simple:noextmsg=n simple:private=p simple:secret=s simple:topiclock=t";

std::set<std::string_view> words(std::string_view s) {
  std::set<std::string_view> out;
  for (std::string_view w : core::split_words(s)) out.insert(w);
  return out;
}

// "a b" for the words of `from` missing in `in`.
std::string missing(const std::set<std::string_view>& from, const std::set<std::string_view>& in) {
  std::string out;
  for (std::string_view w : from) {
    if (in.count(w)) continue;
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out.empty() ? "(none)" : out;
}

std::string capability(std::string_view caps, std::string_view key) {
  for (std::string_view w : core::split_words(caps)) {
    if (w.size() > key.size() && w.substr(0, key.size()) == key && w[key.size()] == '=')
      return std::string(w.substr(key.size() + 1));
  }
  return {};
}

// The limits users see in ISUPPORT, by their CAPAB CAPABILITIES names. Every server of a network
// must have the same: a nick or topic one server accepts must not be cut or refused by another.
std::vector<std::pair<std::string_view, std::size_t>> face_limits(const core::Limits& l) {
  return {{"CHANMAX", l.channel_length}, {"IDENTMAX", l.user_length}, {"MAXAWAY", l.away_length},
          {"MAXKICK", l.kick_length},    {"MAXMODES", l.max_modes},   {"MAXREAL", l.realname_length},
          {"MAXTOPIC", l.topic_length},  {"NICKMAX", l.nick_length}};
}

}  // namespace

void Network::send_capab(Link& l) {
  std::string caps =
      "CASEMAPPING=" + std::string(proto::to_string(engine_.casemapping())) + " MAXHOST=64 MAXLINE=512";
  for (auto [key, value] : face_limits(engine_.limits()))
    caps += " " + std::string(key) + "=" + std::to_string(value);
  caps += " PARLEY=1";
  // No USERMODES line: user modes are this server's business (InspIRCd would refuse a list that
  // lacks its snomask +s); a peer's unknown user modes are ignored (docs/linking.md).
  send(l, "CAPAB START 1205\r\nCAPAB CHANMODES :" + std::string(kChanModes) +
              "\r\nCAPAB CAPABILITIES :" + caps + "\r\nCAPAB END\r\n");
}

void Network::on_capab(Link& l, const proto::Message& m) {
  std::string_view sub = m.param(0);
  if (sub == "START") {
    if (m.param(1) != "1205" && m.param(1) != "1206") {
      return drop(l, "CAPAB negotiation failed: protocol version " + std::string(m.param(1).substr(0, 10)) +
                         " is not supported (Parley speaks 1205)");
    }
    l.capab_started = true;
  } else if (!l.capab_started) {
    drop(l, "CAPAB negotiation failed: CAPAB " + std::string(sub.substr(0, 20)) + " before CAPAB START");
  } else if (sub == "CHANMODES") {
    l.chanmodes += " " + std::string(m.param(1));
  } else if (sub == "USERMODES") {
    l.usermodes += " " + std::string(m.param(1));
  } else if (sub == "CAPABILITIES") {
    l.capabilities += " " + std::string(m.param(1));
  } else if (sub == "END") {
    // Lists are compared when the peer sent them, as InspIRCd does.
    if (!l.chanmodes.empty()) {
      auto ours = words(kChanModes), theirs = words(l.chanmodes);
      if (ours != theirs) {
        return drop(
            l, "CAPAB negotiation failed: Channel modes not matched on these servers. Not loaded here: " +
                   missing(theirs, ours) + " Not loaded there: " + missing(ours, theirs));
      }
    }
    std::string casemapping = capability(l.capabilities, "CASEMAPPING");
    std::string ours(proto::to_string(engine_.casemapping()));
    if (!casemapping.empty() && casemapping != ours) {
      return drop(
          l,
          "CAPAB negotiation failed: The casemapping of the remote server differs to that of the local "
          "server. Local casemapping: " +
              ours + " Remote casemapping: " + casemapping);
    }
    // One face: the limits users see (ISUPPORT) must be the same on every server.
    std::string differ;
    for (auto [key, value] : face_limits(engine_.limits())) {
      std::string theirs = capability(l.capabilities, key);
      if (theirs.empty() || theirs == std::to_string(value)) continue;
      differ +=
          " " + std::string(key) + " here " + std::to_string(value) + ", there " + theirs.substr(0, 10) + ";";
    }
    if (!differ.empty()) {
      differ.pop_back();
      return drop(
          l, "CAPAB negotiation failed: limits differ, and one network shows one set of limits:" + differ);
    }
    l.capab_done = true;
    if (l.outbound && !l.sent_server) send_server_line(l);
  }
  // MODULES, MODSUPPORT, EXTBANS: informational here.
}

void Network::send_server_line(Link& l) {
  const LinkBlock* block =
      find_block(l.server ? std::string_view(l.server->name) : std::string_view(l.block));
  const core::ServerInfo& me = engine_.local_server();
  send(l, line_from({}, "SERVER", {me.name, block ? block->send_password : "", "0", me.sid, me.description}));
  l.sent_server = true;
}

// SERVER <name> <password> 0 <SID> :<description>, from the peer itself during the handshake.
void Network::on_server_handshake(Link& l, const proto::Message& m) {
  if (!l.capab_done) return drop(l, "Invalid command in negotiation phase: SERVER before CAPAB END");
  if (l.checking_password) return drop(l, "You may not re-authenticate while a password is being checked");
  if (m.size() < 5) return drop(l, "Protocol error - Not enough parameters for SERVER command");
  std::string_view name = m.param(0), password = m.param(1), sid = m.param(3), description = m.param(4);
  const LinkBlock* block = find_block(name);
  bool name_ok =
      block && (!l.outbound || proto::equal_folded(block->name, l.block, proto::Casemapping::kAscii));
  if (!name_ok) return drop(l, "Mismatched server name or password");
  if (block->receive_password_hash.empty()) {
    if (!crypto::equal_constant_time(password, block->receive_password))
      return drop(l, "Mismatched server name or password");
    return accept_server(l, *block, name, sid, description);
  }
  // A hashed password (Argon2id) costs tens of milliseconds: checked off the engine thread, and
  // the handshake goes on when the answer comes (nothing else is expected from the peer meanwhile).
  if (!password_checker_) return drop(l, "This server cannot check hashed link passwords");
  l.checking_password = true;
  password_checker_(block->receive_password_hash, std::string(password),
                    [this, id = l.id, name = std::string(name), sid = std::string(sid),
                     description = std::string(description)](bool ok, TimePoint now) {
                      engine_.apply(now, [&] {
                        Link* link = find_link(id);
                        const LinkBlock* b = find_block(name);
                        if (!link || !b) return;
                        link->checking_password = false;
                        if (!ok) return drop(*link, "Mismatched server name or password");
                        accept_server(*link, *b, name, sid, description);
                      });
                    });
}

void Network::accept_server(Link& l, const LinkBlock& block, std::string_view name, std::string_view sid,
                            std::string_view description) {
  if ((block.tls || !block.fingerprint.empty()) && !l.secure) {
    return drop(l, "This link must use TLS (link.tls or link.fingerprint is set for " + block.name + ")");
  }
  if (!block.fingerprint.empty() && !crypto::equal_constant_time(l.certfp, block.fingerprint)) {
    return drop(l, "Invalid TLS certificate fingerprint " + (l.certfp.empty() ? "(none)" : l.certfp) +
                       " - expected " + block.fingerprint);
  }
  if (!core::valid_sid(sid))
    return drop(l, "Invalid format server ID: " + std::string(sid.substr(0, 10)) + "!");
  if (core::ServerInfo* s = engine_.find_server(sid)) {
    return drop(l, "Server ID " + std::string(sid) + " already exists on server " + s->name + "!");
  }
  if (core::ServerInfo* s = engine_.find_server_by_name(name)) {
    return drop(l, "Server " + std::string(name) + " already exists on server " +
                       (s->parent ? s->parent->name : engine_.local_server().name) + "!");
  }
  l.peer_is_hub = block.hub;
  l.server = &engine_.add_server(engine_.local_server(), std::string(sid), std::string(name),
                                 std::string(description), l.id);
  event(l, std::string(l.outbound ? "linked to " : "accepted a link from ") + l.server->name + " (" +
               l.server->sid + ")");
  // The rest of the network learns of the new server (its users follow in its burst).
  broadcast(line_from(engine_.local_server().sid, "SERVER", {name, sid, description}), &l);
  if (l.outbound) {
    send_burst(l);  // the connecting side bursts first
    l.state = LinkState::kBursting;
    l.burst_started = engine_.now();
  } else {
    send_server_line(l);
    l.state = LinkState::kWaitBurst;
  }
}

}  // namespace parley::link
