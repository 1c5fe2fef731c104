// The declarative command table (after ergo's irc/commands.go and InspIRCd's ctables.h).
// The dispatcher alone answers unknown commands (421), commands before registration (451),
// missing parameters (461) and operator-only commands (481); handlers can assume all four.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "core/server_bans.h"
#include "proto/irc_message.h"

namespace parley::core {

class Channel;
class Engine;
struct User;

using Handler = void (*)(Engine&, User&, const proto::Message&);

// How a command propagates once servers link (used by the link layer later): kLocal commands
// only concern this server; kBroadcast/kUnicast ones are relayed.
enum class Routing : unsigned char { kLocal, kBroadcast, kUnicast };

struct CommandSpec {
  std::string_view name;
  std::size_t min_params;
  bool before_registration;
  bool oper_only;
  Routing routing;
  Handler handler;
};

// Case-insensitive lookup; nullptr for unknown commands.
const CommandSpec* find_command(std::string_view name);
// Every command, sorted by name.
std::span<const CommandSpec> all_commands();

// Each command family file defines its handlers; the table in command_table.cpp lists them.
namespace commands {
// registration.cpp
void cap(Engine&, User&, const proto::Message&);
// The sts capability's value for `u` (a plaintext client learns the port, a TLS one the duration).
std::string sts_value(const Engine&, const User&);
void pass(Engine&, User&, const proto::Message&);
void nick(Engine&, User&, const proto::Message&);
void user(Engine&, User&, const proto::Message&);
void ping(Engine&, User&, const proto::Message&);
void pong(Engine&, User&, const proto::Message&);
void quit(Engine&, User&, const proto::Message&);
// channel.cpp
void join(Engine&, User&, const proto::Message&);
void part(Engine&, User&, const proto::Message&);
void topic(Engine&, User&, const proto::Message&);
void names(Engine&, User&, const proto::Message&);
void kick(Engine&, User&, const proto::Message&);
// invitation.cpp
void invite(Engine&, User&, const proto::Message&);
void knock(Engine&, User&, const proto::Message&);
// list.cpp
void list(Engine&, User&, const proto::Message&);
// rename.cpp
void rename(Engine&, User&, const proto::Message&);
// modes.cpp
void mode(Engine&, User&, const proto::Message&);
// messaging.cpp
void privmsg(Engine&, User&, const proto::Message&);
void notice(Engine&, User&, const proto::Message&);
void tagmsg(Engine&, User&, const proto::Message&);
void away(Engine&, User&, const proto::Message&);
// Client-only tags ("+key[=value]") the sender attached, relayed to message-tags recipients.
std::string client_tags(const proto::Message&);
// Why `u` may not send to `c` (the text of 404), or nullptr.
const char* channel_refusal(Engine&, const User&, const Channel&);
// A CTCP request or reply ("\x01VERSION\x01") other than an ACTION (/me): what +C refuses.
bool is_ctcp_but_action(std::string_view text);
// query.cpp
void who(Engine&, User&, const proto::Message&);
void whois(Engine&, User&, const proto::Message&);
void whowas(Engine&, User&, const proto::Message&);
void ison(Engine&, User&, const proto::Message&);
void userhost(Engine&, User&, const proto::Message&);
void motd(Engine&, User&, const proto::Message&);
void lusers(Engine&, User&, const proto::Message&);
void version(Engine&, User&, const proto::Message&);
void time(Engine&, User&, const proto::Message&);
void admin(Engine&, User&, const proto::Message&);
void info(Engine&, User&, const proto::Message&);
// oper.cpp
void oper(Engine&, User&, const proto::Message&);
void kill(Engine&, User&, const proto::Message&);
void sajoin(Engine&, User&, const proto::Message&);
void sapart(Engine&, User&, const proto::Message&);
void sanick(Engine&, User&, const proto::Message&);
void globops(Engine&, User&, const proto::Message&);
void die(Engine&, User&, const proto::Message&);
void restart(Engine&, User&, const proto::Message&);
// server_bans.cpp
void kline(Engine&, User&, const proto::Message&);
void dline(Engine&, User&, const proto::Message&);
void unkline(Engine&, User&, const proto::Message&);
void undline(Engine&, User&, const proto::Message&);
// STATS k (K-lines) and STATS d (D-lines).
void stats_server_bans(Engine&, User&, ServerBan::Kind kind);
// server_admin.cpp
void rehash(Engine&, User&, const proto::Message&);
// monitor.cpp
void monitor(Engine&, User&, const proto::Message&);
// users.cpp
void setname(Engine&, User&, const proto::Message&);
void chghost(Engine&, User&, const proto::Message&);
void wallops(Engine&, User&, const proto::Message&);
// help.cpp
void help(Engine&, User&, const proto::Message&);
// server_info.cpp
void links(Engine&, User&, const proto::Message&);
// network.cpp
void map(Engine&, User&, const proto::Message&);
void connect(Engine&, User&, const proto::Message&);
void squit(Engine&, User&, const proto::Message&);
void stats(Engine&, User&, const proto::Message&);
// metadata.cpp
void metadata(Engine&, User&, const proto::Message&);
// silence.cpp
void silence(Engine&, User&, const proto::Message&);
// multiline.cpp
void batch(Engine&, User&, const proto::Message&);
// True (and handled) when `m` belongs to an open draft/multiline batch of `u`.
bool multiline_line(Engine&, User&, const proto::Message&);
// sasl.cpp
void authenticate(Engine&, User&, const proto::Message&);
// account_registration.cpp
void register_command(Engine&, User&, const proto::Message&);
void verify(Engine&, User&, const proto::Message&);
// How a registration ends: code (SUCCESS, VERIFICATION_REQUIRED or a FAIL REGISTER code), the
// account name, a sentence. REGISTER writes it as the spec says; NickServ as a notice.
using RegistrationReport = void (*)(Engine&, User&, std::string_view code, std::string_view account,
                                    std::string_view text);
// Checks the policy and limits and submits kRegister; on success logs `u` in (verified accounts).
void register_account(Engine&, User&, std::string_view account, std::string_view email,
                      std::string_view password, RegistrationReport report);
// nickserv.cpp
void nickserv(Engine&, User&, const proto::Message&);
// NickServ <text> as a PRIVMSG to it.
void nickserv_command(Engine&, User&, std::string_view text);
// chanserv.cpp
void chanserv(Engine&, User&, const proto::Message&);
// ChanServ <text> as a PRIVMSG to it.
void chanserv_command(Engine&, User&, std::string_view text);
// chathistory.cpp
void chathistory(Engine&, User&, const proto::Message&);
// read_marker.cpp
void markread(Engine&, User&, const proto::Message&);
// playback.cpp: PRIVMSG *playback <text> (znc.in/playback).
bool is_playback_target(std::string_view target);
void playback_command(Engine&, User&, std::string_view text);
// search.cpp
void search(Engine&, User&, const proto::Message&);
// redact.cpp
void redact(Engine&, User&, const proto::Message&);
// Records a relayed PRIVMSG/NOTICE/TAGMSG so that REDACT can find it: to a channel (`c`) or
// privately to `to`.
void remember_message(Engine&, User& from, Channel* c, User* to, std::string_view msgid);
}  // namespace commands

}  // namespace parley::core
