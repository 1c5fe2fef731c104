// Messages between users: PRIVMSG, NOTICE, TAGMSG, and AWAY.
#include <array>
#include <span>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/history_recording.h"
#include "core/login.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

enum class Kind { kPrivmsg, kNotice, kTagmsg };

}  // namespace

std::string client_tags(const proto::Message& m) {
  std::string out;
  for (std::size_t i = 0; i < m.tag_count; ++i) {
    const proto::Tag& t = m.tags[i];
    if (t.key.front() != '+') continue;
    if (!out.empty()) out += ';';
    out += t.key;
    if (!t.value.empty()) {
      out += '=';
      out += t.value;
    }
  }
  return out;  // within limits: the engine refuses tag sections over kMaxClientTagBytes
}

const char* channel_refusal(Engine& e, const User& u, const Channel& c) {
  bool member = c.has(u);
  if (c.no_external && !member) return "Cannot send to channel (+n)";
  if (!c.can_speak(u)) return "Cannot send to channel (+m)";
  if (c.bans.empty() || (c.flags(u) & (kOp | kVoice))) return nullptr;
  if (c.is_banned(u, e.casemapping())) return "Cannot send to channel (+b)";
  if (c.is_muted(u, e.casemapping())) return "Cannot send to channel (you are muted)";
  return nullptr;
}

bool is_ctcp_but_action(std::string_view text) {
  constexpr std::string_view kAction =
      "\x01"  // split: "\x01A..." would read as one hex escape
      "ACTION ";
  return !text.empty() && text.front() == '\x01' && !text.starts_with(kAction);
}

namespace {

void deliver(Engine& e, User& u, const proto::Message& m, Kind kind) {
  std::string_view command = kind == Kind::kPrivmsg ? "PRIVMSG" : kind == Kind::kNotice ? "NOTICE" : "TAGMSG";
  bool quiet = kind == Kind::kNotice;  // NOTICE never triggers automatic replies, errors included
  if (kind != Kind::kTagmsg && multiline_line(e, u, m)) return;  // a line of a client batch
  if (m.size() == 0 || m.param(0).empty()) {
    if (!quiet) e.reply(u, ERR_NORECIPIENT, {"No recipient given (" + std::string(command) + ")"});
    return;
  }
  if (kind != Kind::kTagmsg && (m.size() < 2 || m.param(1).empty())) {
    if (!quiet) e.reply(u, ERR_NOTEXTTOSEND, {"No text to send"});
    return;
  }
  std::string tags = client_tags(m);
  if (kind == Kind::kTagmsg && tags.empty()) return;  // nothing to relay
  const std::string& source = u.prefix();
  MessageLog log(e, u);  // history, and the sender's echo held until it is stored
  auto targets = split_list(m.param(0));
  for (std::size_t i = 0; i < targets.size(); ++i) {
    std::string_view target = targets[i];
    if (i >= e.limits().max_targets) {
      if (!quiet) e.reply(u, ERR_TOOMANYTARGETS, {target.substr(0, 64), "Too many targets"});
      continue;
    }
    // STATUSMSG: "@#chan" reaches the channel's operators, "+#chan" operators and voiced users.
    std::uint8_t status = 0;
    if (target.size() > 1 && (target.front() == '@' || target.front() == '+') &&
        proto::is_channel_name(target.substr(1))) {
      status = target.front() == '@' ? kOp : (kOp | kVoice);
      target.remove_prefix(1);
    }
    // Keep the relayed line within 512 bytes: ":source CMD target :text\r\n" is 7 bytes more
    // than its source, command, target and text.
    std::size_t overhead = source.size() + command.size() + target.size() + (status ? 1 : 0) + 7;
    std::string text =
        kind == Kind::kTagmsg ? std::string{} : limit_utf8(m.param(1), proto::kMaxLineBytes - overhead);
    const std::array<std::string_view, 2> params{status ? targets[i] : target, text};
    Engine::Broadcast out(e, source, command, std::span(params.data(), kind == Kind::kTagmsg ? 1 : 2), tags);
    out.with_msgid();
    if (u.bot) out.with_tag("bot");  // IRCv3 bot-mode
    out.with_account(u);             // IRCv3 account-tag
    bool echo = u.caps.has(Cap::kEchoMessage);
    bool tagmsg = kind == Kind::kTagmsg;
    const RelayedMessage relayed{command, out.msgid(), tags, params[0], text};

    if (proto::is_channel_name(target)) {
      Channel* c = e.find_channel(target);
      if (!c) {
        if (!quiet) e.reply(u, ERR_NOSUCHNICK, {target.substr(0, 64), "No such nick/channel"});
        continue;
      }
      if (const char* why = channel_refusal(e, u, *c)) {
        if (!quiet) e.reply(u, ERR_CANNOTSENDTOCHAN, {c->name, why});
        continue;
      }
      if (c->no_ctcp && is_ctcp_but_action(text)) {
        if (!quiet) e.reply(u, ERR_CANNOTSENDTOCHAN, {c->name, "Cannot send CTCP to channel (+C)"});
        continue;
      }
      c->for_each_local([&](User& member, std::uint8_t flags) {
        if (&member == &u || (status && !(flags & status))) return;
        if (tagmsg && !member.caps.has(Cap::kMessageTags)) return;
        if (silenced(member, u, e.casemapping())) return;
        out.to(member);
      });
      remember_message(e, u, c, nullptr, out.msgid());
      e.network().channel_message(u, *c, command, targets[i].substr(0, status ? 1 : 0), text, out.msgid(),
                                  tags);
      if (!status) log.channel(*c, relayed);  // STATUSMSG: not recorded (core/history_recording.h)
    } else if (is_nickserv(e, target)) {
      if (kind == Kind::kPrivmsg) nickserv_command(e, u, text);
    } else if (is_playback_target(target)) {
      if (kind == Kind::kPrivmsg) playback_command(e, u, text);
    } else if (is_chanserv(e, target)) {
      if (kind == Kind::kPrivmsg) chanserv_command(e, u, text);
    } else {
      User* to = e.find_nick(target);
      if (!to) {
        if (!quiet) e.reply(u, ERR_NOSUCHNICK, {target.substr(0, 64), "No such nick/channel"});
        continue;
      }
      const bool delivered = !silenced(*to, u, e.casemapping());
      if (delivered) log.private_to(*to, relayed);
      if ((!tagmsg || to->remote || to->caps.has(Cap::kMessageTags)) && delivered) {
        if (to->remote) {
          e.network().private_message(u, *to, command, text, out.msgid(), tags);
        } else if (to != &u) {
          out.to(*to);
        } else {
          // The delivery to oneself is a side effect, never labeled; with echo-message the echo
          // below comes too and is the reply (IRCv3 labeled-response).
          e.send_side_effect(u, out.line_for(u));
        }
      }
      if (kind == Kind::kPrivmsg && !to->away.empty()) e.reply(u, RPL_AWAY, {to->nick, to->away});
      remember_message(e, u, nullptr, to, out.msgid());
    }
    if (echo && (!tagmsg || u.caps.has(Cap::kMessageTags))) log.echo(out.line_for(u));
  }
  log.finish();
  if (kind != Kind::kTagmsg) u.last_message = e.now();
}

}  // namespace

// PRIVMSG <target>{,<target>} <text to be sent>
void privmsg(Engine& e, User& u, const proto::Message& m) { deliver(e, u, m, Kind::kPrivmsg); }

// NOTICE <target>{,<target>} <text to be sent>
void notice(Engine& e, User& u, const proto::Message& m) { deliver(e, u, m, Kind::kNotice); }

// @+tag=value TAGMSG <target>{,<target>}
void tagmsg(Engine& e, User& u, const proto::Message& m) { deliver(e, u, m, Kind::kTagmsg); }

// AWAY [<text>]
void away(Engine& e, User& u, const proto::Message& m) {
  std::string text = limit_utf8(m.param(0), e.limits().away_length);
  u.away = text;
  if (text.empty()) {
    e.reply(u, RPL_UNAWAY, {"You are no longer marked as being away"});
    Engine::Broadcast(e, u.prefix(), "AWAY", std::span<const std::string_view>())
        .to_common_channels(u, false, Cap::kAwayNotify)
        .to_monitors(u, Cap::kAwayNotify);
  } else {
    e.reply(u, RPL_NOWAWAY, {"You have been marked as being away"});
    Engine::Broadcast(e, u.prefix(), "AWAY", {text})
        .to_common_channels(u, false, Cap::kAwayNotify)
        .to_monitors(u, Cap::kAwayNotify);
  }
  e.network().away_changed(u);
}

}  // namespace parley::core::commands
