#include "core/command_table.h"

#include <algorithm>
#include <array>

#include "proto/casemap.h"

namespace parley::core {

namespace {

using namespace commands;
constexpr bool kPre = true;   // allowed before registration
constexpr bool kOper = true;  // IRC operators only
constexpr Routing L = Routing::kLocal, B = Routing::kBroadcast, U = Routing::kUnicast;

// name, min params, before registration, oper only, routing, handler
constexpr std::array kTable = {
    CommandSpec{"ADMIN", 0, false, false, U, admin},
    CommandSpec{"AUTHENTICATE", 1, kPre, false, L, authenticate},
    CommandSpec{"AWAY", 0, false, false, B, away},
    CommandSpec{"BATCH", 1, false, false, U, batch},
    CommandSpec{"CAP", 1, kPre, false, L, cap},
    CommandSpec{"CHANSERV", 0, false, false, L, chanserv},
    CommandSpec{"CHATHISTORY", 0, false, false, L, chathistory},
    CommandSpec{"CHGHOST", 2, false, kOper, B, chghost},
    CommandSpec{"CONNECT", 1, false, kOper, L, connect},
    CommandSpec{"CS", 0, false, false, L, chanserv},
    CommandSpec{"DIE", 0, false, kOper, L, die},
    CommandSpec{"DLINE", 2, false, kOper, L, dline},
    CommandSpec{"GLOBOPS", 1, false, kOper, L, globops},
    CommandSpec{"HELP", 0, false, false, L, help},
    CommandSpec{"HELPOP", 0, false, false, L, help},
    CommandSpec{"INFO", 0, false, false, U, info},
    CommandSpec{"INVITE", 0, false, false, U, invite},
    CommandSpec{"ISON", 1, false, false, L, ison},
    CommandSpec{"JOIN", 1, false, false, B, join},
    CommandSpec{"KICK", 2, false, false, B, kick},
    CommandSpec{"KILL", 2, false, kOper, B, kill},
    CommandSpec{"KLINE", 2, false, kOper, L, kline},
    CommandSpec{"KNOCK", 1, false, false, L, knock},
    CommandSpec{"LINKS", 0, false, false, L, links},
    CommandSpec{"LIST", 0, false, false, L, list},
    CommandSpec{"LUSERS", 0, false, false, L, lusers},
    CommandSpec{"MAP", 0, false, false, L, map},
    CommandSpec{"MARKREAD", 0, false, false, L, markread},
    CommandSpec{"METADATA", 2, kPre, false, B, metadata},
    CommandSpec{"MODE", 1, false, false, B, mode},
    CommandSpec{"MONITOR", 1, false, false, L, monitor},
    CommandSpec{"MOTD", 0, false, false, U, motd},
    CommandSpec{"NAMES", 0, false, false, L, names},
    CommandSpec{"NICK", 0, kPre, false, B, nick},
    CommandSpec{"NICKSERV", 0, false, false, L, nickserv},
    CommandSpec{"NOTICE", 0, false, false, U, notice},
    CommandSpec{"NS", 0, false, false, L, nickserv},
    CommandSpec{"OPER", 2, false, false, B, oper},
    CommandSpec{"PART", 1, false, false, B, part},
    CommandSpec{"PASS", 1, kPre, false, L, pass},
    CommandSpec{"PING", 1, kPre, false, L, ping},
    CommandSpec{"PONG", 0, kPre, false, L, pong},
    CommandSpec{"PRIVMSG", 0, false, false, U, privmsg},
    CommandSpec{"QUIT", 0, kPre, false, B, quit},
    CommandSpec{"REDACT", 2, false, false, U, redact},
    CommandSpec{"REGISTER", 3, kPre, false, L, register_command},
    CommandSpec{"REHASH", 0, false, kOper, L, rehash},
    CommandSpec{"RENAME", 2, false, false, B, rename},
    CommandSpec{"RESTART", 0, false, kOper, L, restart},
    CommandSpec{"SAJOIN", 2, false, kOper, L, sajoin},
    CommandSpec{"SANICK", 2, false, kOper, L, sanick},
    CommandSpec{"SAPART", 2, false, kOper, L, sapart},
    CommandSpec{"SEARCH", 0, false, false, L, search},
    CommandSpec{"SETNAME", 1, false, false, B, setname},
    CommandSpec{"SILENCE", 0, false, false, L, silence},
    CommandSpec{"SQUIT", 1, false, kOper, L, squit},
    CommandSpec{"STATS", 1, false, false, U, stats},
    CommandSpec{"TAGMSG", 1, false, false, U, tagmsg},
    CommandSpec{"TIME", 0, false, false, U, time},
    CommandSpec{"TOPIC", 1, false, false, B, topic},
    CommandSpec{"UNDLINE", 1, false, kOper, L, undline},
    CommandSpec{"UNKLINE", 1, false, kOper, L, unkline},
    CommandSpec{"USER", 4, kPre, false, L, user},
    CommandSpec{"USERHOST", 1, false, false, L, userhost},
    CommandSpec{"VERIFY", 2, kPre, false, L, verify},
    CommandSpec{"VERSION", 0, false, false, U, version},
    CommandSpec{"WALLOPS", 1, false, kOper, B, wallops},
    CommandSpec{"WHO", 0, false, false, L, who},
    CommandSpec{"WHOIS", 1, false, false, U, whois},
    CommandSpec{"WHOWAS", 1, false, false, U, whowas},
};

constexpr bool sorted_by_name() {
  for (std::size_t i = 1; i < kTable.size(); ++i) {
    if (!(kTable[i - 1].name < kTable[i].name)) return false;
  }
  return true;
}
static_assert(sorted_by_name(), "keep kTable sorted by name: find_command() binary-searches it");

}  // namespace

std::span<const CommandSpec> all_commands() { return kTable; }

const CommandSpec* find_command(std::string_view name) {
  if (name.empty() || name.size() > 16) return nullptr;
  char upper[16];
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    upper[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
  }
  std::string_view key(upper, name.size());
  auto it = std::lower_bound(kTable.begin(), kTable.end(), key,
                             [](const CommandSpec& spec, std::string_view k) { return spec.name < k; });
  return it != kTable.end() && it->name == key ? &*it : nullptr;
}

}  // namespace parley::core
