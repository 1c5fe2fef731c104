// Queries other servers route to this one, and their answers (link/network.h): a remote WHOIS's
// IDLE, TIME/MOTD/ADMIN/INFO/STATS/VERSION naming this server, the numerics travelling back
// (NUM), and the operator commands RCONNECT and SVSNICK. WALLOPS is here too.
#include <cctype>
#include <chrono>

#include "core/channel.h"
#include "core/remote.h"
#include "core/user.h"
#include "link/link_state.h"
#include "link/network.h"

namespace parley::link {

bool Network::is_me(std::string_view name) const {
  const core::ServerInfo& me = engine_.local_server();
  return name == me.sid || proto::match_mask(name, me.name, proto::Casemapping::kAscii);
}

void Network::to_server(const core::ServerInfo& s, const std::string& line, const Link* from) {
  if (s.route == 0) return;  // this server
  Link* next = find_link(s.route);
  if (next && next != from) send(*next, line);
}

// :<requester> IDLE <target>                       a WHOIS asking for idle time
// :<target> IDLE <requester> <signon> <idle secs>  the answer, on its way back
void Network::on_idle(Link& l, const proto::Message& m) {
  if (!need(l, m, 1)) return;
  core::User* from = source_user(l, m);
  core::User* to = engine_.find_uid(m.param(0));
  if (!from || !to) return;
  if (to->remote) return to_user_link(*to, std::string(raw_) + "\r\n", &l);
  if (m.size() >= 3) return;  // an answer for a local user: Parley never asks
  auto secs = [](core::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  };
  const std::int64_t idle = std::max<std::int64_t>(0, secs(engine_.now()) - secs(to->last_message));
  send(l, line_from(to->uid, "IDLE",
                    {from->uid, std::to_string(secs(to->connected_at)), std::to_string(idle)}, false));
}

// :<uid> TIME|MOTD|ADMIN|INFO|VERSION [:<server>], :<uid> STATS <letter> :<server>: answered as
// NUM lines when <server> is this one, passed on towards it otherwise.
void Network::on_query(Link& l, const proto::Message& m) {
  core::User* from = source_user(l, m);
  if (!from) return;
  std::string_view target = m.size() ? m.param(m.size() - 1) : std::string_view{};
  const bool stats = upper(m.command) == "STATS";
  if (stats && m.size() < 2) target = {};
  if (!target.empty() && !is_me(target)) {
    core::ServerInfo* s = engine_.find_server(target);
    if (!s) s = engine_.find_server_by_name(target);
    if (s) to_server(*s, std::string(raw_) + "\r\n", &l);
    return;
  }
  const std::string& me = engine_.local_server().sid;
  const std::function<void(const core::SharedLine&)> out = [&](const core::SharedLine& shared) {
    for (std::string_view rest = *shared; !rest.empty();) {
      auto end = rest.find("\r\n");
      std::string_view line = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
      auto parsed = proto::parse_message(line);
      if (!parsed.message || parsed.message->size() == 0) continue;
      const proto::Message& reply = *parsed.message;
      std::string wire;
      proto::LineBuilder b(wire);
      if (reply.command.size() == 3 && std::isdigit(static_cast<unsigned char>(reply.command[0]))) {
        // :<us> NUM <us> <uid> <numeric> <params after the nick>
        b.source(me).command("NUM").param(me).param(from->uid).param(reply.command);
        for (std::size_t i = 1; i < reply.size(); ++i) {
          if (i + 1 == reply.size()) {
            b.trailing(reply.param(i));
          } else {
            b.param(reply.param(i));
          }
        }
      } else {
        b.source(me).command(reply.command).param(from->uid).trailing(reply.param(reply.size() - 1));
      }
      b.finish();
      send(l, std::move(wire));
    }
  };
  engine_.answer_remote_query(*from, m, out);
}

// :<sid> NUM <source sid> <target uid> <numeric> <params...>: a numeric for a user, from the
// server that answered its query.
void Network::on_num(Link& l, const proto::Message& m) {
  if (!need(l, m, 3)) return;
  core::ServerInfo* source = engine_.find_server(m.param(0));
  core::User* to = engine_.find_uid(m.param(1));
  if (!source || !to || !source_server(l, m)) return;
  if (to->remote) return to_user_link(*to, std::string(raw_) + "\r\n", &l);
  std::string line;
  proto::LineBuilder b(line);
  b.source(source->name).command(m.param(2)).param(to->nick);
  for (std::size_t i = 3; i < m.size(); ++i) {
    if (i + 1 == m.size()) {
      b.trailing(m.param(i));
    } else {
      b.param(m.param(i));
    }
  }
  b.finish();
  engine_.send(*to, std::move(line));
}

// :<uid> RCONNECT <server> :<server to connect to>: an operator elsewhere asks <server> to link.
void Network::on_rconnect(Link& l, const proto::Message& m) {
  if (!need(l, m, 2)) return;
  core::User* by = source_user(l, m);
  if (!by) return;
  if (!is_me(m.param(0))) {
    core::ServerInfo* s = engine_.find_server_by_name(m.param(0));
    if (s) to_server(*s, std::string(raw_) + "\r\n", &l);
    return;
  }
  if (!by->is_oper()) return;
  event(l, by->nick + " asked this server to link to " + std::string(m.param(1).substr(0, 64)) + ": " +
               connect_server(m.param(1)));
}

// :<sid> SVSNICK <uid> <new nick> <ts>: services rename a user; its own server does it.
void Network::on_svsnick(Link& l, const proto::Message& m) {
  if (!need(l, m, 3)) return;
  if (!source_server(l, m)) return;
  core::User* u = engine_.find_uid(m.param(0));
  if (!u) return;
  if (u->remote) return to_user_link(*u, std::string(raw_) + "\r\n", &l);
  std::string_view nick = m.param(1);
  core::User* other = engine_.find_nick(nick);
  if (!proto::is_valid_nick(nick, engine_.limits().nick_length) || (other && other != u)) return;
  applying_ = nullptr;  // this server's own change: every link hears the NICK
  engine_.change_nick(*u, nick);
  applying_ = &l;
}

// :<uid> WALLOPS :<text>: to local users with +w, and on to the other links.
void Network::on_wallops(Link& l, const proto::Message& m) {
  if (!need(l, m, 1)) return;
  core::User* from = source_user(l, m);
  core::ServerInfo* server = from ? nullptr : source_server(l, m);
  if (!from && !server) return;
  relay(l);
  core::Engine::Broadcast out(engine_,
                              from ? std::string_view(from->prefix()) : std::string_view(server->name),
                              "WALLOPS", {m.param(0)});
  for (const auto& [id, u] : engine_.users()) {
    if (u->registered && u->wallops) out.to(*u);
  }
}

}  // namespace parley::link
