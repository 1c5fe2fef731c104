#include "core/registered_channels.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "core/channel_replay.h"
#include "core/engine.h"
#include "core/text.h"

namespace parley::core {

namespace {

std::int64_t seconds_of(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
TimePoint time_of(std::int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

void capture_list(std::vector<ChannelBan>& out, char list, const std::vector<Ban>& entries) {
  for (const Ban& b : entries) out.push_back(ChannelBan{list, b.mask, b.set_by, seconds_of(b.set_at)});
}

// Sets the simple modes of `c` from "+Cikl key limit ..." as Channel::mode_string writes it:
// every flag not named is off; k and l take their values in the order they appear.
void restore_modes(Channel& c, std::string_view modes) {
  auto words = split_words(modes);
  std::size_t next_value = 1;
  c.no_ctcp = c.invite_only = c.moderated = c.no_external = c.secret = c.private_ = c.topic_protected = false;
  c.key.clear();
  c.user_limit = 0;
  c.history_lines = 0;
  c.history_period_s = 0;
  c.history_param.clear();
  if (words.empty()) return;
  for (char m : words[0]) {
    switch (m) {
      case 'C': c.no_ctcp = true; break;
      case 'i': c.invite_only = true; break;
      case 'm': c.moderated = true; break;
      case 'n': c.no_external = true; break;
      case 's': c.secret = true; break;
      case 'p': c.private_ = true; break;
      case 't': c.topic_protected = true; break;
      case 'k':
        if (next_value < words.size()) c.key = std::string(words[next_value++]);
        break;
      case 'l':
        if (next_value < words.size()) {
          std::string_view v = words[next_value++];
          std::size_t limit = 0;
          auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), limit);
          if (ec == std::errc{} && p == v.data() + v.size()) c.user_limit = limit;
        }
        break;
      case 'H':  // +H <lines>:<period> (core/channel_replay.h)
        if (next_value < words.size()) {
          if (auto p = parse_history_mode(words[next_value++])) {
            c.history_lines = p->lines;
            c.history_period_s = p->period_s;
            c.history_param = std::move(p->canonical);
          }
        }
        break;
      default: break;  // '+', or a letter this version does not know
    }
  }
}

}  // namespace

RegisteredChannel* ChannelRegistry::find(std::string_view folded) {
  auto it = by_name_.find(std::string(folded));
  return it == by_name_.end() ? nullptr : &it->second;
}

const RegisteredChannel* ChannelRegistry::find(std::string_view folded) const {
  auto it = by_name_.find(std::string(folded));
  return it == by_name_.end() ? nullptr : &it->second;
}

RegisteredChannel& ChannelRegistry::put(RegisteredChannel r) {
  std::string key = r.name_folded;
  return by_name_.insert_or_assign(std::move(key), std::move(r)).first->second;
}

RegisteredChannel capture_channel(const Channel& c, const RegisteredChannel& base) {
  RegisteredChannel r;
  r.name = c.name;
  r.name_folded = c.folded;
  r.founder = base.founder;
  r.registered_at = base.registered_at;
  r.access = base.access;
  r.created_at = seconds_of(c.created);
  r.topic = c.topic;
  if (!c.topic.empty()) {
    r.topic_setter = c.topic_set_by;
    r.topic_time = seconds_of(c.topic_set_at);
  }
  r.modes = c.mode_string(true);
  capture_list(r.bans, 'b', c.bans);
  capture_list(r.bans, 'e', c.excepts);
  capture_list(r.bans, 'I', c.invexes);
  return r;
}

void restore_channel_state(Channel& c, const RegisteredChannel& r) {
  if (r.created_at > 0) c.created = time_of(r.created_at);
  c.topic = r.topic;
  c.topic_set_by = r.topic.empty() ? std::string() : r.topic_setter;
  c.topic_set_at = r.topic.empty() ? TimePoint{} : time_of(r.topic_time);
  restore_modes(c, r.modes);
  c.bans.clear();
  c.excepts.clear();
  c.invexes.clear();
  for (const ChannelBan& b : r.bans) {
    auto& list = b.list == 'b' ? c.bans : b.list == 'e' ? c.excepts : c.invexes;
    if (b.list == 'b' || b.list == 'e' || b.list == 'I')
      list.push_back(Ban{b.mask, b.setter, time_of(b.set_at)});
  }
}

char access_level(const RegisteredChannel& r, std::string_view account_folded) {
  if (account_folded.empty()) return 0;
  if (r.founder == account_folded) return 'o';
  for (const ChannelAccess& a : r.access) {
    if (a.account_folded == account_folded) return a.level;
  }
  return 0;
}

void registered_channel_join(Engine& e, User& u, Channel& c) {
  const RegisteredChannel* r = e.registered_channels().find(c.folded);
  if (!r || u.account().empty()) return;
  if (char level = access_level(*r, e.fold(u.account()))) chanserv_set_status(e, c, u, level, true);
}

void registered_channel_changed(Engine& e, Channel& c) {
  RegisteredChannel* r = e.registered_channels().find(c.folded);
  if (!r) return;
  RegisteredChannel now = capture_channel(c, *r);
  if (now == *r) return;  // member status changed, or nothing the store keeps
  *r = now;
  HistoryRequest save;
  save.kind = HistoryRequest::Kind::kSaveChannel;
  save.channel = std::move(now);
  e.history_request(nullptr, std::move(save), {});
}

bool chanserv_set_status(Engine& e, Channel& c, User& target, char mode, bool plus) {
  auto it = c.members.find(&target);
  if (it == c.members.end()) return false;
  std::uint8_t bit = mode == 'o' ? kOp : kVoice;
  if (static_cast<bool>(it->second & bit) == plus) return false;
  it->second = plus ? (it->second | bit) : (it->second & ~bit);
  std::string change = std::string(plus ? "+" : "-") + mode;
  Engine::Broadcast(e, chanserv_prefix(e), "MODE", {c.name, change, target.nick}).to_channel(c);
  return true;
}

std::string chanserv_prefix(const Engine& e) {
  return std::string(kChanServ) + "!ChanServ@services." + e.config().server_name;
}

bool is_chanserv(const Engine& e, std::string_view nick) { return e.fold(nick) == e.fold(kChanServ); }

void chanserv_notice(Engine& e, User& u, std::string_view text) {
  Engine::Broadcast(e, chanserv_prefix(e), "NOTICE", {u.target_name(), text}).to(u);
}

// Startup (and a failed DROP): each registration is known again and its channel exists, empty
// if nobody is in it, with the stored state.
void Engine::restore_registered_channels(std::vector<RegisteredChannel> channels) {
  for (RegisteredChannel& r : channels) {
    if (r.name_folded.empty() || r.name.empty()) continue;
    RegisteredChannel& kept = registered_channels_.put(std::move(r));
    if (channels_.count(kept.name_folded)) continue;  // a live channel keeps its current state
    auto c = std::make_unique<Channel>(kept.name, kept.name_folded, time_of(kept.created_at));
    restore_channel_state(*c, kept);
    channels_.emplace(kept.name_folded, std::move(c));
  }
}

}  // namespace parley::core
