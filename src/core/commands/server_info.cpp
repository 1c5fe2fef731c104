// The server as a whole: LINKS (just this server until servers link) and STATS.
#include <chrono>
#include <cstdio>
#include <string>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

bool is_this_server(Engine& e, std::string_view name) {
  return proto::match_mask(name, e.config().server_name, proto::Casemapping::kAscii);
}

void stats_uptime(Engine& e, User& u) {
  long long secs = std::chrono::duration_cast<std::chrono::seconds>(e.now() - e.started()).count();
  if (secs < 0) secs = 0;
  char text[64];
  std::snprintf(text, sizeof text, "Server Up %lld days %lld:%02lld:%02lld", secs / 86400, secs / 3600 % 24,
                secs / 60 % 60, secs % 60);
  e.reply(u, RPL_STATSUPTIME, {text});
}

void stats_commands(Engine& e, User& u) {
  for (const CommandSpec& spec : all_commands()) {
    if (std::uint64_t uses = e.command_uses(spec))
      e.reply(u, RPL_STATSCOMMANDS, {spec.name, std::to_string(uses)});
  }
}

void stats_operators(Engine& e, User& u) {
  for (const OperatorBlock& block : e.config().operators) {
    e.reply(u, RPL_STATSOLINE, {"O", block.host_mask, "*", block.name});
  }
}

// One 211 per connection: name[user@ip] sendq sent-messages sent-KiB received-messages
// received-KiB seconds-open. The send queue lives in the transport, so sendq is always 0 here.
void stats_links(Engine& e, User& u) {
  for (const auto& [id, t] : e.users()) {
    std::string name =
        t->target_name() + "[" + (t->username.empty() ? "*" : t->username) + "@" + std::string(t->ip()) + "]";
    auto open = std::chrono::duration_cast<std::chrono::seconds>(e.now() - t->connected_at).count();
    e.reply(u, RPL_STATSLINKINFO,
            {name, "0", std::to_string(t->deliveries_out), std::to_string(t->bytes_out / 1024),
             std::to_string(t->lines_in), std::to_string(t->bytes_in / 1024), std::to_string(open)});
  }
}

// STATS H: what the storage thread has done (docs/operations.md "Watching history storage").
void stats_history(Engine& e, User& u) {
  auto line = [&](std::string text) { e.reply(u, RPL_STATSDEBUG, {"H", std::move(text)}); };
  if (!e.config().history.enabled) return line("history is disabled");
  const HistoryStats s = e.history_stats();
  auto n = [](auto v) { return std::to_string(v); };
  line(std::string(s.failing ? "history storage is FAILING (the last commit failed)"
                             : "history storage works") +
       "; " + n(s.queue_depth) + " requests waiting for the storage thread, " + n(e.history_backlog()) +
       " unanswered (senders are held from " + n(e.config().history.max_backlog) + ")");
  line(n(s.entries_written) + " entries stored in " + n(s.commits) + " group commits; commit time last " +
       n(s.last_commit_us) + " us, p50 " + n(s.commit_p50_us) + " us, p99 " + n(s.commit_p99_us) + " us");
  line(n(s.failed_commits) + " failed commits (" + n(s.failed_entries) + " entries not stored), " +
       n(s.rejected) + " requests refused by a full queue, " + n(s.expired) + " entries expired");
}

}  // namespace

// LINKS [[<server>] <mask>]
void links(Engine& e, User& u, const proto::Message& m) {
  if (m.size() >= 2 && !is_this_server(e, m.param(0))) {
    e.reply(u, ERR_NOSUCHSERVER, {m.param(0).substr(0, 64), "No such server"});
    return;
  }
  std::string_view mask = m.size() ? m.param(m.size() - 1) : std::string_view("*");
  if (mask.empty()) mask = "*";
  // Every server of the network: name, the server it is linked behind, hops and description.
  auto show = [&](const ServerInfo& s) {
    if (!proto::match_mask(mask, s.name, proto::Casemapping::kAscii)) return;
    const std::string& parent = s.parent ? s.parent->name : s.name;
    e.reply(u, RPL_LINKS, {s.name, parent, std::to_string(s.hops) + " " + s.description});
  };
  show(e.local_server());
  for (const auto& [sid, s] : e.remote_servers()) show(*s);
  e.reply(u, RPL_ENDOFLINKS, {mask.substr(0, 64), "End of /LINKS list"});
}

// STATS <letter> [<server>]
// As InspIRCd's default <security userstats>: anyone may ask for u, operators for the rest.
void stats(Engine& e, User& u, const proto::Message& m) {
  if (m.size() >= 2 && !is_this_server(e, m.param(1)) && !e.find_nick(m.param(1))) {
    e.reply(u, ERR_NOSUCHSERVER, {m.param(1).substr(0, 64), "No such server"});
    return;
  }
  std::string letter = m.param(0).empty() ? std::string("*") : std::string(1, m.param(0).front());
  char c = letter.front();
  bool known = c == 'u' || c == 'm' || c == 'o' || c == 'l' || c == 'H' || c == 'k' || c == 'd';
  if (known && c != 'u' && !u.is_oper()) {
    e.reply(u, ERR_NOPRIVILEGES, {"Permission Denied- STATS " + letter + " is for IRC operators"});
  } else if (c == 'u') {
    stats_uptime(e, u);
  } else if (c == 'm') {
    stats_commands(e, u);
  } else if (c == 'o') {
    stats_operators(e, u);
  } else if (c == 'l') {
    stats_links(e, u);
  } else if (c == 'H') {
    stats_history(e, u);
  } else if (c == 'k') {
    stats_server_bans(e, u, ServerBan::Kind::kUserHost);
  } else if (c == 'd') {
    stats_server_bans(e, u, ServerBan::Kind::kAddress);
  }
  e.reply(u, RPL_ENDOFSTATS, {letter, "End of /STATS report"});
}

}  // namespace parley::core::commands
