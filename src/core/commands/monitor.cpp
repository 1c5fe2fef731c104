// MONITOR (ircv3.net/specs/extensions/monitor): a user's list of nicks to be told about when
// they come online or go offline. The engine sends those notices (core/monitor.cpp); this file
// edits the lists and answers the queries.
#include <string>
#include <vector>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

// Sends `items` as comma-separated lists in as few `code` numerics as fit in a line.
void send_lists(Engine& e, User& u, std::string_view code, const std::vector<std::string>& items) {
  constexpr std::size_t kMaxList = 400;  // leaves room for ":server 730 <nick> :" in 512 bytes
  std::string list;
  for (const std::string& item : items) {
    if (!list.empty() && list.size() + 1 + item.size() > kMaxList) {
      e.reply(u, code, {list});
      list.clear();
    }
    if (!list.empty()) list += ',';
    list += item;
  }
  if (!list.empty()) e.reply(u, code, {list});
}

// MONITOR + <targets>: adds each valid nick, then reports which are online and offline.
void add_targets(Engine& e, User& u, std::string_view targets) {
  std::vector<std::string> online, offline;
  auto nicks = split_list(targets);
  for (std::size_t i = 0; i < nicks.size(); ++i) {
    std::string_view nick = nicks[i];
    if (!proto::is_valid_nick(nick, e.limits().nick_length)) {
      e.reply(u, ERR_ERRONEUSNICKNAME, {nick.substr(0, 64), "Erroneous nickname"});
      continue;
    }
    auto added = e.monitors().add(u, nick, e.fold(nick), e.limits().monitor_entries);
    if (added == MonitorRegistry::Added::kListFull) {
      std::string rest(nick);
      for (std::size_t j = i + 1; j < nicks.size(); ++j) rest += "," + std::string(nicks[j]);
      e.reply(u, ERR_MONLISTFULL,
              {std::to_string(e.limits().monitor_entries), limit_utf8(rest, 300), "Monitor list is full."});
      break;
    }
    User* t = e.find_nick(nick);
    if (t && t->registered) {
      online.push_back(t->prefix());
    } else {
      offline.emplace_back(nick);
    }
  }
  send_lists(e, u, RPL_MONONLINE, online);
  send_lists(e, u, RPL_MONOFFLINE, offline);
}

void remove_targets(Engine& e, User& u, std::string_view targets) {
  for (std::string_view nick : split_list(targets)) e.monitors().remove(u, e.fold(nick));
}

// MONITOR L (the list) or S (the status of every entry).
void report(Engine& e, User& u, bool status) {
  std::vector<std::string> listed, online, offline;
  if (const auto* entries = e.monitors().list(u)) {
    for (const auto& entry : *entries) {
      if (!status) {
        listed.push_back(entry.nick);
      } else if (User* t = e.find_nick(entry.nick); t && t->registered) {
        online.push_back(t->prefix());
      } else {
        offline.push_back(entry.nick);
      }
    }
  }
  if (!status) {
    send_lists(e, u, RPL_MONLIST, listed);
    e.reply(u, RPL_ENDOFMONLIST, {"End of MONITOR list"});
    return;
  }
  send_lists(e, u, RPL_MONONLINE, online);
  send_lists(e, u, RPL_MONOFFLINE, offline);
}

}  // namespace

// MONITOR + <target>{,<target>} | MONITOR - <target>{,<target>} | MONITOR C | MONITOR L | MONITOR S
void monitor(Engine& e, User& u, const proto::Message& m) {
  std::string_view sub = m.param(0);
  char op = sub.size() == 1 ? sub[0] : '\0';
  if ((op == '+' || op == '-') && (m.size() < 2 || m.param(1).empty())) {
    e.reply(u, ERR_NEEDMOREPARAMS, {"MONITOR", "Not enough parameters"});
  } else if (op == '+') {
    add_targets(e, u, m.param(1));
  } else if (op == '-') {
    remove_targets(e, u, m.param(1));
  } else if (op == 'C' || op == 'c') {
    e.monitors().clear(u);
  } else if (op == 'L' || op == 'l' || op == 'S' || op == 's') {
    report(e, u, op == 'S' || op == 's');
  } else {
    e.fail(u, "MONITOR", "INVALID_PARAMS",
           {sub.substr(0, 32), "Unknown MONITOR subcommand; use +, -, C, L or S"});
  }
}

}  // namespace parley::core::commands
