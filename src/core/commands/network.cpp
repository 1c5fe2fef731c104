// The network of servers, for users and operators: MAP, CONNECT, SQUIT (LINKS is in
// server_info.cpp). The links themselves are the link layer's (core/network.h).
#include <functional>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/snomask.h"

namespace parley::core::commands {

using namespace numeric;

// MAP: the servers as a tree, each with its users and share of the network.
void map(Engine& e, User& u, const proto::Message&) {
  const double total = static_cast<double>(std::max<std::size_t>(e.global_user_count(), 1));
  std::function<void(const ServerInfo&, const std::string&)> show = [&](const ServerInfo& s,
                                                                        const std::string& indent) {
    char share[16];
    std::snprintf(share, sizeof share, "%.1f%%", 100.0 * static_cast<double>(s.users) / total);
    e.reply(u, RPL_MAP,
            {indent + s.name + " (" + s.sid + ") " + std::to_string(s.users) + " users (" + share + ")"});
    for (const ServerInfo* child : s.children) show(*child, indent + "  ");
  };
  show(e.local_server(), "");
  e.reply(u, RPL_MAPEND, {"End of /MAP"});
}

// CONNECT <server>
void connect(Engine& e, User& u, const proto::Message& m) {
  e.notify_opers(snomask::kOperAction, u.nick + " used CONNECT " + std::string(m.param(0)));
  e.server_message(u, "NOTICE", {u.nick, "*** CONNECT: " + e.network().connect_server(m.param(0))});
}

// SQUIT <server> [<reason>]
void squit(Engine& e, User& u, const proto::Message& m) {
  std::string reason = m.size() > 1 ? std::string(m.param(1)) : "SQUIT by " + u.nick;
  e.notify_opers(snomask::kOperAction, u.nick + " used SQUIT " + std::string(m.param(0)) + " (" + reason + ")");
  e.server_message(u, "NOTICE", {u.nick, "*** SQUIT: " + e.network().squit_server(m.param(0), reason)});
}

}  // namespace parley::core::commands
