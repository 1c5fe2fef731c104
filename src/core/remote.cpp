#include "core/remote.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>

#include "core/channel.h"
#include "core/channel_replay.h"
#include "core/command_table.h"
#include "core/engine.h"
#include "core/history_recording.h"
#include "core/user.h"

namespace parley::core::remote {

CollisionLoser nick_collision(const CollisionSide& ours, const CollisionSide& theirs) {
  if (ours.nick_ts == theirs.nick_ts) return CollisionLoser::kBoth;
  const bool same = ours.username == theirs.username && ours.ip == theirs.ip;
  const bool ours_older = ours.nick_ts < theirs.nick_ts;
  if (same) return ours_older ? CollisionLoser::kOurs : CollisionLoser::kTheirs;
  return ours_older ? CollisionLoser::kTheirs : CollisionLoser::kOurs;
}

ChannelTs compare_channel_ts(std::int64_t ours, std::int64_t theirs) {
  if (theirs < ours) return ChannelTs::kTheirsWin;
  return theirs == ours ? ChannelTs::kMerge : ChannelTs::kOursWin;
}

std::int64_t channel_ts(const Channel& c) {
  return std::chrono::duration_cast<std::chrono::seconds>(c.created.time_since_epoch()).count();
}

void nick(Engine& e, User& u, std::string_view nick, std::int64_t ts) {
  e.change_nick(u, nick);
  u.nick_ts = ts;
}

namespace {

// Mode changes as local members see them: "+o-v", then nicks and values; sent in lines of at
// most kPerLine parameters.
class ModeLines {
 public:
  ModeLines(Engine& e, std::string_view source, const User* by, Channel& c)
      : e_(e), source_(source), by_(by), c_(c) {}
  ~ModeLines() { flush(); }
  void add(bool plus, char mode, std::string_view arg = {}) {
    if (!arg.empty() && args_.size() == kPerLine) flush();
    if (modes_.empty() || plus != plus_) modes_ += plus ? '+' : '-';
    plus_ = plus;
    modes_ += mode;
    if (!arg.empty()) args_.emplace_back(arg);
    changed_ = true;
  }
  bool changed() const { return changed_; }

 private:
  static constexpr std::size_t kPerLine = 12;
  void flush() {
    if (modes_.empty()) return;
    std::vector<std::string_view> params{c_.name, modes_};
    params.insert(params.end(), args_.begin(), args_.end());
    Engine::Broadcast out(e_, source_, "MODE", params);
    if (by_) record_event(e_, *by_, c_, "MODE", params, &out);
    out.to_channel(c_);
    modes_.clear();
    args_.clear();
  }
  Engine& e_;
  std::string_view source_;
  const User* by_;
  Channel& c_;
  std::string modes_;
  std::vector<std::string> args_;
  bool plus_ = true, changed_ = false;
};

std::vector<Ban>* list_of(Channel& c, char mode) {
  return mode == 'b' ? &c.bans : mode == 'e' ? &c.excepts : mode == 'I' ? &c.invexes : nullptr;
}

bool* flag_of(Channel& c, char mode) {
  switch (mode) {
    case 'C': return &c.no_ctcp;
    case 'i': return &c.invite_only;
    case 'm': return &c.moderated;
    case 'n': return &c.no_external;
    case 's': return &c.secret;
    case 'p': return &c.private_;
    case 't': return &c.topic_protected;
    default: return nullptr;
  }
}

}  // namespace

Channel& join(Engine& e, User& u, std::string_view name, std::int64_t ts, std::uint8_t flags,
              std::uint64_t membership_id) {
  Channel* c = e.find_channel(name);
  if (!c) c = &e.add_channel(name, TimePoint(std::chrono::seconds(ts)));
  if (c->has(u)) return *c;
  c->members.emplace(&u, flags);
  if (u.remote) {
    if (c->remote_members++ == 0) {  // the first remote member: local ones are kept apart from now on
      for (auto& [member, f] : c->members) {
        if (!member->remote) c->local_members.insert(member);
      }
    }
    c->membership_ids[&u] = membership_id;
  } else if (c->remote_members) {
    c->local_members.insert(&u);
  }
  c->invited.erase(u.id);
  u.channels.push_back(c);
  e.announce_join(u, *c);
  if (flags) {
    ModeLines lines(e, u.server ? std::string_view(u.server->name) : e.config().server_name, nullptr, *c);
    if (flags & kOp) lines.add(true, 'o', u.nick);
    if (flags & kVoice) lines.add(true, 'v', u.nick);
  }
  return *c;
}

void part(Engine& e, User& u, Channel& c, std::string_view reason) {
  std::array<std::string_view, 2> params{c.name, reason};
  std::span<const std::string_view> used(params.data(), reason.empty() ? 1 : 2);
  Engine::Broadcast out(e, u.prefix(), "PART", used);
  record_event(e, u, c, "PART", used, &out);
  out.to_channel(c);
  e.leave_channel(u, c);
}

void kick(Engine& e, std::string_view source, const User* by, Channel& c, User& victim,
          std::string_view reason) {
  Engine::Broadcast out(e, source, "KICK", {c.name, victim.nick, reason});
  if (by) record_event(e, *by, c, "KICK", {c.name, victim.nick, reason}, &out);
  out.to_channel(c);
  e.leave_channel(victim, c);
}

bool channel_modes(Engine& e, std::string_view source, const User* by, Channel& c, std::string_view modes,
                   std::span<const std::string_view> params) {
  ModeLines out(e, source, by, c);
  std::size_t next = 0;
  bool plus = true;
  auto arg = [&]() -> std::string_view { return next < params.size() ? params[next++] : std::string_view{}; };
  for (char mode : modes) {
    if (mode == '+' || mode == '-') {
      plus = mode == '+';
    } else if (std::vector<Ban>* list = list_of(c, mode)) {
      std::string mask = normalize_ban_mask(arg());
      if (mask.empty()) continue;
      auto it = std::find_if(list->begin(), list->end(), [&](const Ban& b) {
        return proto::equal_folded(b.mask, mask, e.casemapping());
      });
      if (plus && it == list->end()) {
        list->push_back(Ban{mask, std::string(by ? std::string_view(by->nick) : source), e.now()});
        out.add(true, mode, mask);
      } else if (!plus && it != list->end()) {
        out.add(false, mode, it->mask);
        list->erase(it);
      }
    } else if (mode == 'o' || mode == 'v') {
      User* target = e.find_uid(arg());
      auto it = target ? c.members.find(target) : c.members.end();
      if (it == c.members.end()) continue;
      std::uint8_t bit = mode == 'o' ? kOp : kVoice;
      if (static_cast<bool>(it->second & bit) == plus) continue;
      it->second = plus ? (it->second | bit) : (it->second & ~bit);
      out.add(plus, mode, target->nick);
    } else if (mode == 'k') {
      std::string_view key = arg();  // -k carries the old key too
      if (plus && !key.empty() && key != c.key) {
        c.key = std::string(key.substr(0, 32));
        out.add(true, 'k', c.key);
      } else if (!plus && !c.key.empty()) {
        c.key.clear();
        out.add(false, 'k', "*");
      }
    } else if (mode == 'l') {
      if (!plus) {
        if (c.user_limit) out.add(false, 'l');
        c.user_limit = 0;
        continue;
      }
      std::string_view value = arg();
      std::size_t limit = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (ec == std::errc{} && limit > 0 && limit != c.user_limit) {
        c.user_limit = limit;
        out.add(true, 'l', std::to_string(limit));
      }
    } else if (mode == 'H') {
      if (!plus) {
        if (c.history_lines) out.add(false, 'H');
        c.history_lines = 0;
        c.history_period_s = 0;
        c.history_param.clear();
        continue;
      }
      if (auto p = parse_history_mode(arg()); p && p->canonical != c.history_param) {
        c.history_lines = p->lines;
        c.history_period_s = p->period_s;
        c.history_param = std::move(p->canonical);
        out.add(true, 'H', c.history_param);
      }
    } else if (bool* flag = flag_of(c, mode)) {
      if (*flag == plus) continue;
      *flag = plus;
      out.add(plus, mode);
    }
    // Any other mode was refused when the link was set up (the CAPAB CHANMODES comparison).
  }
  return out.changed();
}

void drop_channel_modes(Engine& e, std::string_view server_name, Channel& c) {
  ModeLines out(e, server_name, nullptr, c);
  for (char mode : std::string_view("Cimnpst")) {  // the winner's modes, +nt included, follow
    bool* flag = flag_of(c, mode);
    if (*flag) out.add(false, mode);
    *flag = false;
  }
  if (!c.key.empty()) out.add(false, 'k', "*");
  c.key.clear();
  if (c.user_limit) out.add(false, 'l');
  c.user_limit = 0;
  if (c.history_lines) out.add(false, 'H');
  c.history_lines = 0;
  c.history_period_s = 0;
  c.history_param.clear();
  for (char mode : std::string_view("beI")) {
    for (const Ban& b : *list_of(c, mode)) out.add(false, mode, b.mask);
    list_of(c, mode)->clear();
  }
  for (auto& [member, flags] : c.members) {
    if (flags & kOp) out.add(false, 'o', member->nick);
    if (flags & kVoice) out.add(false, 'v', member->nick);
    flags = 0;
  }
}

void topic(Engine& e, std::string_view source, const User* by, Channel& c, std::string_view text,
           std::string_view setter, TimePoint set_at) {
  if (text == c.topic && setter == c.topic_set_by) return;
  c.topic = std::string(text);
  c.topic_set_by = std::string(setter);
  c.topic_set_at = set_at;
  Engine::Broadcast out(e, source, "TOPIC", {c.name, c.topic});
  if (by) record_event(e, *by, c, "TOPIC", {c.name, c.topic}, &out);
  out.to_channel(c);
}

void channel_message(Engine& e, User& from, Channel& c, std::string_view status, const RemoteMessage& m) {
  const bool tagmsg = m.command == "TAGMSG";
  std::string target = std::string(status) + c.name;
  const std::array<std::string_view, 2> params{target, m.text};
  Engine::Broadcast out(e, from.prefix(), m.command, std::span(params.data(), tagmsg ? 1 : 2), m.client_tags);
  out.with_origin(m.msgid, m.time);
  if (from.bot) out.with_tag("bot");
  out.with_account(from);
  std::uint8_t need = status == "@" ? kOp : status == "+" ? (kOp | kVoice) : 0;
  c.for_each_local([&](User& member, std::uint8_t flags) {
    if (need && !(flags & need)) return;
    if (tagmsg && !member.caps.has(Cap::kMessageTags)) return;
    if (silenced(member, from, e.casemapping())) return;
    out.to(member);
  });
  commands::remember_message(e, from, &c, nullptr, m.msgid);
  if (status.empty()) {
    MessageLog log(e, from);
    log.channel(c, RelayedMessage{m.command, m.msgid, m.client_tags, c.name, m.text, m.time});
  }
}

void private_message(Engine& e, User& from, User& to, const RemoteMessage& m) {
  const bool tagmsg = m.command == "TAGMSG";
  if (silenced(to, from, e.casemapping()) || (tagmsg && !to.caps.has(Cap::kMessageTags))) return;
  const std::array<std::string_view, 2> params{to.nick, m.text};
  Engine::Broadcast out(e, from.prefix(), m.command, std::span(params.data(), tagmsg ? 1 : 2), m.client_tags);
  out.with_origin(m.msgid, m.time);
  if (from.bot) out.with_tag("bot");
  out.with_account(from);
  out.to(to);
  commands::remember_message(e, from, nullptr, &to, m.msgid);
  MessageLog log(e, from);
  log.private_to(to, RelayedMessage{m.command, m.msgid, m.client_tags, to.nick, m.text, m.time});
}

void away(Engine& e, User& u, std::string_view text) {
  if (u.away == text) return;
  u.away = std::string(text);
  std::array<std::string_view, 1> params{text};
  Engine::Broadcast(e, u.prefix(), "AWAY", std::span(params.data(), text.empty() ? 0 : 1))
      .to_common_channels(u, false, Cap::kAwayNotify)
      .to_monitors(u, Cap::kAwayNotify);
}

void account(Engine& e, User& u, std::string_view account) {
  if (u.account() == account) return;
  u.set_account(std::string(account));
  Engine::Broadcast(e, u.prefix(), "ACCOUNT", {account.empty() ? std::string_view("*") : account})
      .to_common_channels(u, false, Cap::kAccountNotify)
      .to_monitors(u, Cap::kAccountNotify);
}

void host(Engine& e, User& u, std::string_view host) {
  if (u.host == host) return;
  Engine::Broadcast(e, u.prefix(), "CHGHOST", {u.username, host})
      .to_common_channels(u, false, Cap::kChghost)
      .to_monitors(u, Cap::kChghost);
  u.host = std::string(host);
  u.update_prefix();
}

void realname(Engine& e, User& u, std::string_view realname) {
  if (u.realname == realname) return;
  u.realname = std::string(realname);
  Engine::Broadcast(e, u.prefix(), "SETNAME", {realname})
      .to_common_channels(u, false, Cap::kSetname)
      .to_monitors(u, Cap::kSetname);
}

}  // namespace parley::core::remote
