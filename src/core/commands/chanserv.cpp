// ChanServ, the built-in channel service: a pseudo-user that answers PRIVMSG ChanServ, the
// CHANSERV command and its alias CS with notices. Registrations, the state they keep and the
// JOIN/TOPIC/MODE hooks are in core/registered_channels.h. docs/protocol.md "ChanServ".
#include <algorithm>
#include <chrono>
#include <functional>
#include <sstream>
#include <vector>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/registered_channels.h"
#include "core/text.h"

namespace parley::core::commands {

namespace {

using Outcome = HistoryAnswer::Outcome;
using Words = std::vector<std::string>;

constexpr std::size_t kMaxWords = 6;

Words words_of(std::string_view text) {
  Words out;
  std::istringstream in{std::string(text.substr(0, 400))};
  std::string w;
  while (out.size() < kMaxWords && in >> w) out.push_back(std::move(w));
  return out;
}

void say(Engine& e, User& u, std::string_view text) { chanserv_notice(e, u, text); }

std::int64_t seconds_now(const Engine& e) {
  return std::chrono::duration_cast<std::chrono::seconds>(e.now().time_since_epoch()).count();
}
std::string when(std::int64_t seconds) {
  return format_server_time(TimePoint(std::chrono::seconds(seconds)));
}
std::string shown(std::string_view s) { return std::string(s.substr(0, 64)); }

// What the asker may do in a registered channel, lowest first.
enum class Rank { kNone, kVoice, kOp, kFounder };

Rank rank_of(Engine& e, const User& u, const RegisteredChannel& r) {
  if (u.account().empty()) return Rank::kNone;
  std::string folded = e.fold(u.account());
  if (r.founder == folded) return Rank::kFounder;
  char level = access_level(r, folded);
  return level == 'o' ? Rank::kOp : level == 'v' ? Rank::kVoice : Rank::kNone;
}

// Tells `u` why it may not do something in `r`: not logged in, or not enough access.
void refuse(Engine& e, User& u, const RegisteredChannel& r, std::string_view needed) {
  if (u.account().empty()) return say(e, u, "You are not logged in (/msg NickServ IDENTIFY).");
  say(e, u, "You need " + std::string(needed) + " in " + r.name + " for that.");
}

// The registration of the channel `name`, or null after telling `u` why there is none.
RegisteredChannel* registration(Engine& e, User& u, std::string_view name) {
  if (!proto::is_channel_name(name)) {
    say(e, u, shown(name) + " is not a channel name.");
    return nullptr;
  }
  RegisteredChannel* r = e.registered_channels().find(e.fold(name));
  if (!r) say(e, u, shown(name) + " is not registered.");
  return r;
}

// Submits storage work and runs `then` with its answer and the asker (null if it left). The
// registry is updated whether or not the asker is still there, so the request carries no user.
using StoreThen = std::function<void(Engine&, User*, const HistoryAnswer&)>;
void store_then(Engine& e, User& u, HistoryRequest request, StoreThen then) {
  SessionId asker = u.id;
  e.history_request(nullptr, std::move(request),
                    [asker, then = std::move(then)](Engine& e, User*, const HistoryAnswer& a) {
                      User* u = e.find_user(asker);
                      then(e, u && !u->quitting ? u : nullptr, a);
                    });
}

// Saves `r` (the registry's state already); tells `u` `done` once it is stored.
void save(Engine& e, User& u, const RegisteredChannel& r, std::string done) {
  HistoryRequest request;
  request.kind = HistoryRequest::Kind::kSaveChannel;
  request.channel = r;
  store_then(e, u, std::move(request), [done = std::move(done)](Engine& e, User* u, const HistoryAnswer& a) {
    if (!u) return;
    if (a.outcome == Outcome::kOk) return say(e, *u, done);
    say(e, *u,
        "The change is in effect but could not be stored, so a restart would lose it; try again later.");
  });
}

// REGISTER <#channel>
void register_channel(Engine& e, User& u, const Words& w) {
  if (w.size() < 2) return say(e, u, "Usage: REGISTER <#channel>");
  if (u.account().empty())
    return say(e, u, "You must be logged in to register a channel (/msg NickServ IDENTIFY).");
  Channel* c = e.find_channel(w[1]);
  if (!c || !c->has(u)) return say(e, u, "You must be on " + shown(w[1]) + " to register it.");
  if (e.registered_channels().find(c->folded)) return say(e, u, c->name + " is already registered.");
  if (!c->is_op(u)) return say(e, u, "You must be a channel operator of " + c->name + " to register it.");
  RegisteredChannel base;
  base.founder = e.fold(u.account());
  base.registered_at = seconds_now(e);
  RegisteredChannel& r = e.registered_channels().put(capture_channel(*c, base));
  HistoryRequest request;
  request.kind = HistoryRequest::Kind::kSaveChannel;
  request.channel = r;
  std::string text = r.name + " is registered to " + u.account() + ".";
  store_then(e, u, std::move(request),
             [folded = c->folded, text = std::move(text)](Engine& e, User* u, const HistoryAnswer& a) {
               if (a.outcome == Outcome::kOk) {
                 if (u) say(e, *u, text);
                 return;
               }
               // Not stored: as if REGISTER had not happened.
               e.registered_channels().erase(folded);
               if (Channel* c = e.find_channel(folded)) e.discard_if_empty(*c);
               if (u) say(e, *u, "Channel registration is unavailable; try again later.");
             });
}

// INFO <#channel>
void info(Engine& e, User& u, const Words& w) {
  if (w.size() < 2) return say(e, u, "Usage: INFO <#channel>");
  const RegisteredChannel* r = registration(e, u, w[1]);
  if (!r) return;
  say(e, u, r->name + ": founder " + r->founder + ", registered " + when(r->registered_at) + ".");
  Channel* c = e.find_channel(r->name_folded);
  if (c && (!c->secret || c->has(u) || u.is_oper())) {
    say(e, u,
        c->topic.empty() ? std::string("Topic: (none)")
                         : "Topic: " + c->topic + " (set by " + c->topic_set_by + ", " +
                               format_server_time(c->topic_set_at) + ")");
    say(e, u,
        "Modes: " + c->mode_string(c->has(u)) + "; bans " + std::to_string(c->bans.size()) + ", exceptions " +
            std::to_string(c->excepts.size()) + ", invite exceptions " + std::to_string(c->invexes.size()) +
            "; " + std::to_string(c->members.size()) + " users.");
  }
  say(e, u, "Access list: " + std::to_string(r->access.size()) + " entries.");
}

// OP|DEOP|VOICE|DEVOICE <#channel> [<nick>]: anyone with +o access, for anyone in the channel;
// with +v access, VOICE for oneself; everyone may drop their own status.
void status(Engine& e, User& u, const Words& w, char mode, bool plus) {
  if (w.size() < 2) return say(e, u, "Usage: " + ascii_upper(w[0]) + " <#channel> [<nick>]");
  const RegisteredChannel* r = registration(e, u, w[1]);
  if (!r) return;
  User* target = w.size() >= 3 ? e.find_nick(w[2]) : &u;
  if (!target || !target->registered) return say(e, u, "No such nick " + shown(w[2]) + ".");
  Rank rank = rank_of(e, u, *r);
  bool self = target == &u;
  bool allowed = rank >= Rank::kOp || (self && !plus) || (self && mode == 'v' && rank >= Rank::kVoice);
  if (!allowed) return refuse(e, u, *r, "+o access");
  Channel* c = e.find_channel(r->name_folded);
  if (!c || !c->has(*target)) return say(e, u, target->nick + " is not on " + r->name + ".");
  if (!chanserv_set_status(e, *c, *target, mode, plus)) {
    say(e, u, target->nick + (plus ? " already has +" : " does not have +") + mode + " in " + r->name + ".");
  }
}

void list_access(Engine& e, User& u, const RegisteredChannel& r) {
  if (rank_of(e, u, r) == Rank::kNone && !u.is_oper()) return refuse(e, u, r, "access");
  say(e, u, "Access list of " + r.name + ": founder " + r.founder + " (+o)");
  for (const ChannelAccess& a : r.access) {
    say(e, u,
        a.account_folded + " +" + std::string(1, a.level) + ", set by " + a.setter + " on " + when(a.set_at));
  }
  say(e, u, "End of the access list of " + r.name + " (" + std::to_string(r.access.size()) + " entries).");
}

// Whether someone of `rank` may set or remove `level` for an account that now has `current`
// (0: none): the founder anything, +o holders +v entries only.
bool may_change(Rank rank, char level, char current) {
  if (rank == Rank::kFounder) return true;
  return rank == Rank::kOp && level == 'v' && current != 'o';
}

char current_level(const RegisteredChannel& r, std::string_view account_folded) {
  return r.founder == account_folded ? 'F' : access_level(r, account_folded);
}

void add_access(Engine& e, User& u, std::string_view channel_folded, std::string account, char level) {
  RegisteredChannel* r = e.registered_channels().find(channel_folded);
  if (!r) return say(e, u, "That channel is no longer registered.");
  std::string folded = e.fold(account);
  char current = current_level(*r, folded);
  if (current == 'F') return say(e, u, account + " is the founder of " + r->name + ", who always has +o.");
  if (!may_change(rank_of(e, u, *r), level, current))
    return refuse(e, u, *r, level == 'o' ? "to be founder" : "+o access");
  std::erase_if(r->access, [&](const ChannelAccess& a) { return a.account_folded == folded; });
  r->access.push_back(ChannelAccess{folded, level, u.account(), seconds_now(e)});
  std::sort(r->access.begin(), r->access.end(), [](const ChannelAccess& a, const ChannelAccess& b) {
    return a.account_folded < b.account_folded;
  });
  save(e, u, *r, account + " now gets +" + std::string(1, level) + " in " + r->name + ".");
  if (Channel* c = e.find_channel(r->name_folded)) {  // members logged in to it get it now
    std::vector<User*> members;
    for (auto& [m, flags] : c->members) {
      if (e.fold(m->account()) == folded) members.push_back(m);
    }
    for (User* m : members) chanserv_set_status(e, *c, *m, level, true);
  }
}

void remove_access(Engine& e, User& u, RegisteredChannel& r, const std::string& account, char level) {
  std::string folded = e.fold(account);
  char current = current_level(r, folded);
  if (current == 'F') return say(e, u, account + " is the founder of " + r.name + "; use TRANSFER.");
  if (current != level)
    return say(e, u, shown(account) + " does not have +" + std::string(1, level) + " access.");
  if (!may_change(rank_of(e, u, r), level, current))
    return refuse(e, u, r, level == 'o' ? "to be founder" : "+o access");
  std::erase_if(r.access, [&](const ChannelAccess& a) { return a.account_folded == folded; });
  save(e, u, r, shown(account) + " no longer gets +" + std::string(1, level) + " in " + r.name + ".");
}

// AMODE <#channel> [+o|+v|-o|-v <account>]
void amode(Engine& e, User& u, const Words& w) {
  const char* usage = "Usage: AMODE <#channel> [+o|+v|-o|-v <account>]";
  if (w.size() < 2) return say(e, u, usage);
  RegisteredChannel* r = registration(e, u, w[1]);
  if (!r) return;
  if (w.size() == 2) return list_access(e, u, *r);
  const std::string& change = w[2];
  if (w.size() < 4 || change.size() != 2 || (change[0] != '+' && change[0] != '-') ||
      (change[1] != 'o' && change[1] != 'v'))
    return say(e, u, usage);
  char level = change[1];
  if (change[0] == '-') return remove_access(e, u, *r, w[3], level);
  if (!may_change(rank_of(e, u, *r), level, 0))
    return refuse(e, u, *r, level == 'o' ? "to be founder" : "+o access");
  AccountRequest find;  // access is for accounts that exist, by their own spelling
  find.kind = AccountRequest::Kind::kFind;
  find.account_folded = e.fold(w[3]);
  e.request(
      u, std::move(find),
      [channel = r->name_folded, level, asked = shown(w[3])](Engine& e, User& u, const AccountAnswer& a) {
        if (a.outcome == AccountAnswer::Outcome::kNotFound)
          return say(e, u, "No such account " + asked + ".");
        if (a.outcome != AccountAnswer::Outcome::kOk || !a.account)
          return say(e, u, "Accounts are unavailable; try again later.");
        add_access(e, u, channel, a.account->name, level);
      });
}

// TRANSFER <#channel> <account>: the founder hands the channel to another account.
void transfer(Engine& e, User& u, const Words& w) {
  if (w.size() < 3) return say(e, u, "Usage: TRANSFER <#channel> <account>");
  RegisteredChannel* r = registration(e, u, w[1]);
  if (!r) return;
  if (rank_of(e, u, *r) != Rank::kFounder) return refuse(e, u, *r, "to be founder");
  AccountRequest find;
  find.kind = AccountRequest::Kind::kFind;
  find.account_folded = e.fold(w[2]);
  e.request(u, std::move(find),
            [channel = r->name_folded, asked = shown(w[2])](Engine& e, User& u, const AccountAnswer& a) {
              if (a.outcome == AccountAnswer::Outcome::kNotFound)
                return say(e, u, "No such account " + asked + ".");
              if (a.outcome != AccountAnswer::Outcome::kOk || !a.account)
                return say(e, u, "Accounts are unavailable; try again later.");
              RegisteredChannel* r = e.registered_channels().find(channel);
              if (!r) return say(e, u, "That channel is no longer registered.");
              if (rank_of(e, u, *r) != Rank::kFounder) return refuse(e, u, *r, "to be founder");
              std::string folded = e.fold(a.account->name);
              if (folded == r->founder)
                return say(e, u, a.account->name + " is already the founder of " + r->name + ".");
              r->founder = folded;
              std::erase_if(r->access, [&](const ChannelAccess& x) { return x.account_folded == folded; });
              save(e, u, *r, r->name + " now belongs to " + a.account->name + ".");
            });
}

// DROP <#channel>: the founder or an IRC operator unregisters it.
void drop(Engine& e, User& u, const Words& w) {
  if (w.size() < 2) return say(e, u, "Usage: DROP <#channel>");
  RegisteredChannel* r = registration(e, u, w[1]);
  if (!r) return;
  if (rank_of(e, u, *r) != Rank::kFounder && !u.is_oper()) return refuse(e, u, *r, "to be founder");
  RegisteredChannel dropped = std::move(*r);
  e.registered_channels().erase(dropped.name_folded);  // no more saves from here on
  if (Channel* c = e.find_channel(dropped.name_folded)) e.discard_if_empty(*c);
  HistoryRequest request;
  request.kind = HistoryRequest::Kind::kDropChannel;
  request.channel.name_folded = dropped.name_folded;
  store_then(e, u, std::move(request), [dropped](Engine& e, User* u, const HistoryAnswer& a) {
    if (a.outcome == Outcome::kFailed) {  // still stored: keep it registered here too
      e.restore_registered_channels({dropped});
      if (u) say(e, *u, "Channel registration is unavailable; try again later.");
      return;
    }
    if (u) say(e, *u, dropped.name + " is no longer registered.");
  });
}

void help(Engine& e, User& u) {
  for (std::string_view line : {
           "ChanServ commands (/msg ChanServ <command>, /CS <command>):",
           "REGISTER <#channel>: register a channel you are an operator of; you become its founder",
           "INFO <#channel>: founder, registration time, topic and modes of a registered channel",
           "OP|DEOP|VOICE|DEVOICE <#channel> [<nick>]: give or take status (needs +o access; +v access "
           "may VOICE itself)",
           "AMODE <#channel>: the access list; AMODE <#channel> +o|+v|-o|-v <account>: accounts that get "
           "+o or +v on join (+o entries: the founder only)",
           "TRANSFER <#channel> <account>: (founder) make another account the founder",
           "DROP <#channel>: (founder or IRC operator) unregister a channel",
       }) {
    say(e, u, line);
  }
}

}  // namespace

void chanserv_command(Engine& e, User& u, std::string_view text) {
  Words w = words_of(text);
  if (w.empty()) return help(e, u);
  std::string cmd = ascii_upper(w[0]);
  if (cmd == "REGISTER") return register_channel(e, u, w);
  if (cmd == "INFO") return info(e, u, w);
  if (cmd == "OP") return status(e, u, w, 'o', true);
  if (cmd == "DEOP") return status(e, u, w, 'o', false);
  if (cmd == "VOICE") return status(e, u, w, 'v', true);
  if (cmd == "DEVOICE") return status(e, u, w, 'v', false);
  if (cmd == "AMODE" || cmd == "ACCESS") return amode(e, u, w);
  if (cmd == "TRANSFER") return transfer(e, u, w);
  if (cmd == "DROP") return drop(e, u, w);
  if (cmd == "HELP") return help(e, u);
  say(e, u, "Unknown command " + cmd.substr(0, 32) + ". Try HELP.");
}

// CHANSERV <command> [<args>...] | CS <command> [<args>...]
void chanserv(Engine& e, User& u, const proto::Message& m) {
  std::string text;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (i) text += ' ';
    text += m.param(i);
  }
  chanserv_command(e, u, text);
}

}  // namespace parley::core::commands
