// MODE for channels (b e I i k l m n o s t v, H) and users (B i o w).
#include <algorithm>
#include <charconv>

#include "core/channel_replay.h"
#include "core/command_table.h"
#include "core/engine.h"
#include "core/history_recording.h"
#include "core/numerics.h"
#include "core/snomask.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;

namespace {

// The applied changes, rendered as "+o-v nick1 nick2" for the MODE broadcast.
class ModeChanges {
 public:
  // `uid`: for +o/+v, the member's UID, which the change carries across links.
  void add(bool plus, char mode, std::string_view arg = {}, std::string_view uid = {}) {
    if (modes_.empty() || sign_ != plus) {
      modes_ += plus ? '+' : '-';
      sign_ = plus;
    }
    modes_ += mode;
    if (!arg.empty()) {
      args_.emplace_back(arg);
      network_args_.emplace_back(uid.empty() ? arg : uid);
    }
  }
  ModeChange network_form() const { return ModeChange{modes_, network_args_}; }
  bool empty() const { return modes_.empty(); }
  std::vector<std::string> params() const {
    std::vector<std::string> out{modes_};
    out.insert(out.end(), args_.begin(), args_.end());
    return out;
  }

 private:
  std::string modes_;
  std::vector<std::string> args_, network_args_;
  bool sign_ = true;
};

// The list modes: +b bans, +e ban exceptions, +I invite exceptions.
struct ListMode {
  char mode;
  std::vector<Ban> Channel::*entries;
  std::string_view item_numeric, end_numeric, end_text, full_text;
};
constexpr ListMode kListModes[] = {
    {'b', &Channel::bans, RPL_BANLIST, RPL_ENDOFBANLIST, "End of channel ban list",
     "Channel ban list is full"},
    {'e', &Channel::excepts, RPL_EXCEPTLIST, RPL_ENDOFEXCEPTLIST, "End of channel exception list",
     "Channel exception list is full"},
    {'I', &Channel::invexes, RPL_INVEXLIST, RPL_ENDOFINVEXLIST, "End of channel invite exception list",
     "Channel invite exception list is full"},
};

const ListMode* find_list_mode(char mode) {
  for (const ListMode& l : kListModes) {
    if (l.mode == mode) return &l;
  }
  return nullptr;
}

void send_list(Engine& e, User& u, Channel& c, const ListMode& l) {
  for (const Ban& b : c.*l.entries) {
    e.reply(u, l.item_numeric, {c.name, b.mask, b.set_by, unix_seconds(b.set_at)});
  }
  e.reply(u, l.end_numeric, {c.name, l.end_text});
}

// Extended bans take their canonical form (Channel's Ban); host masks get "!*@*" filled in.
std::string normalize_list_mask(std::string_view raw) {
  // A mask must survive being sent back as a middle parameter: ":x y" is stored as "x".
  return normalize_ban_mask(limit_utf8(proto::safe_middle_param(raw), 128));
}

void change_list(Engine& e, Channel& c, User& u, bool plus, const ListMode& l, std::string_view raw,
                 ModeChanges& out) {
  std::string mask = normalize_list_mask(raw);
  std::vector<Ban>& entries = c.*l.entries;
  auto it = std::find_if(entries.begin(), entries.end(),
                         [&](const Ban& b) { return proto::equal_folded(b.mask, mask, e.casemapping()); });
  if (plus && it == entries.end()) {
    if (c.list_entries() >= e.limits().max_bans) {
      e.reply(u, ERR_BANLISTFULL, {c.name, mask, l.full_text});
      return;
    }
    entries.push_back(Ban{mask, u.nick, e.now()});
    out.add(true, l.mode, mask);
  } else if (!plus && it != entries.end()) {
    out.add(false, l.mode, it->mask);
    entries.erase(it);
  }
}

void change_member(Engine& e, Channel& c, User& u, bool plus, char mode, std::string_view nick,
                   ModeChanges& out) {
  User* target = e.find_nick(nick);
  if (!target) {
    e.reply(u, ERR_NOSUCHNICK, {nick.substr(0, 64), "No such nick/channel"});
    return;
  }
  auto it = c.members.find(target);
  if (it == c.members.end()) {
    e.reply(u, ERR_USERNOTINCHANNEL, {target->nick, c.name, "They aren't on that channel"});
    return;
  }
  std::uint8_t bit = mode == 'o' ? kOp : kVoice;
  if (static_cast<bool>(it->second & bit) == plus) return;
  it->second = plus ? (it->second | bit) : (it->second & ~bit);
  out.add(plus, mode, target->nick, target->uid);
}

// +H <lines>:<period> / -H (core/channel_replay.h).
template <class NeedOp, class WithinBudget>
void change_history_mode(Engine& e, User& u, Channel& c, bool plus, std::string_view arg, NeedOp& need_op,
                         WithinBudget& within_budget, ModeChanges& changes) {
  if (!plus) {
    if (need_op() && c.history_lines) {
      c.history_lines = 0;
      c.history_period_s = 0;
      c.history_param.clear();
      changes.add(false, 'H');
    }
    return;
  }
  const std::size_t max_lines = e.config().history.replay_max_lines;
  std::optional<HistoryModeParam> p = parse_history_mode(arg, max_lines);
  if (!p) {
    e.reply(u, ERR_INVALIDMODEPARAM,
            {c.name, "H", arg.empty() ? "*" : limit_utf8(proto::safe_middle_param(arg), 32),
             "Invalid history parameter: <lines>:<period>, lines 1-" + std::to_string(max_lines) +
                 ", period like 1d or 30m"});
  } else if (need_op() && within_budget() && c.history_param != p->canonical) {
    c.history_lines = p->lines;
    c.history_period_s = p->period_s;
    c.history_param = std::move(p->canonical);
    changes.add(true, 'H', c.history_param);
  }
}

void channel_mode(Engine& e, User& u, Channel& c, const proto::Message& m) {
  if (m.size() < 2) {
    std::string modes = c.mode_string(c.has(u));
    auto space = modes.find(' ');
    if (space == std::string::npos) {
      e.reply(u, RPL_CHANNELMODEIS, {c.name, modes});
    } else {
      // Key and limit values are separate parameters.
      std::string line;
      proto::LineBuilder b(line);
      b.source(e.config().server_name).command(RPL_CHANNELMODEIS).param(u.target_name()).param(c.name);
      for (auto part : split_words(modes)) b.param(part);
      b.finish();
      e.send(u, std::move(line));
    }
    e.reply(u, RPL_CREATIONTIME, {c.name, unix_seconds(c.created)});
    return;
  }
  std::string_view modestring = m.param(1);
  std::size_t next_arg = 2, param_modes = 0;
  bool plus = true, op_checked = false, allowed = false;
  ModeChanges changes;
  // MODES counts every change that takes a parameter (b, e, I, k, l, o, v); the rest are ignored.
  auto within_budget = [&]() { return ++param_modes <= e.limits().max_modes; };
  auto need_op = [&]() {
    if (!op_checked) {
      op_checked = true;
      allowed = c.is_op(u);
      if (!allowed) e.reply(u, ERR_CHANOPRIVSNEEDED, {c.name, "You're not channel operator"});
    }
    return allowed;
  };
  for (char mode : modestring) {
    if (mode == '+' || mode == '-') {
      plus = mode == '+';
      continue;
    }
    const ListMode* list = find_list_mode(mode);
    bool takes_arg =
        list || mode == 'o' || mode == 'v' || mode == 'k' || ((mode == 'l' || mode == 'H') && plus);
    std::string_view arg;
    if (takes_arg && next_arg < m.size()) arg = m.param(next_arg++);
    switch (mode) {
      case 'b':
      case 'e':
      case 'I':
        if (arg.empty()) {
          send_list(e, u, c, *list);
        } else if (need_op() && within_budget()) {
          change_list(e, c, u, plus, *list, arg, changes);
        }
        break;
      case 'o':
      case 'v':
        if (arg.empty()) {
          e.reply(u, ERR_NEEDMOREPARAMS, {"MODE", "Not enough parameters"});
        } else if (need_op() && within_budget()) {
          change_member(e, c, u, plus, mode, arg, changes);
        }
        break;
      case 'k':
        if (plus &&
            (arg.empty() || !proto::is_middle_param(arg) || arg.find(',') != std::string_view::npos)) {
          e.reply(u, ERR_INVALIDKEY, {c.name, "Key is not well-formed"});
        } else if (need_op() && within_budget()) {
          if (plus && c.key != arg) {
            c.key = limit_utf8(arg, 32);
            changes.add(true, 'k', c.key);
          } else if (!plus && !c.key.empty()) {
            c.key.clear();
            changes.add(false, 'k', "*");
          }
        }
        break;
      case 'l':
        if (!plus) {
          if (need_op() && c.user_limit) {
            c.user_limit = 0;
            changes.add(false, 'l');
          }
        } else {
          std::size_t limit = 0;
          auto [ptr, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), limit);
          if (arg.empty() || ec != std::errc{} || ptr != arg.data() + arg.size() || limit == 0) {
            e.reply(u, ERR_INVALIDMODEPARAM, {c.name, "l", arg.empty() ? "*" : arg, "Invalid limit"});
          } else if (need_op() && within_budget() && c.user_limit != limit) {
            c.user_limit = limit;
            changes.add(true, 'l', std::to_string(limit));
          }
        }
        break;
      case 'H': change_history_mode(e, u, c, plus, arg, need_op, within_budget, changes); break;
      case 'C':
      case 'i':
      case 'm':
      case 'n':
      case 'p':
      case 's':
      case 't': {
        bool& flag = mode == 'C'   ? c.no_ctcp
                     : mode == 'i' ? c.invite_only
                     : mode == 'm' ? c.moderated
                     : mode == 'n' ? c.no_external
                     : mode == 'p' ? c.private_
                     : mode == 's' ? c.secret
                                   : c.topic_protected;
        if (need_op() && flag != plus) {
          flag = plus;
          changes.add(plus, mode);
        }
        break;
      }
      default: e.reply(u, ERR_UNKNOWNMODE, {std::string(1, mode), "is unknown mode char to me"});
    }
  }
  if (changes.empty()) return;
  auto params = changes.params();
  std::vector<std::string_view> views{c.name};
  views.insert(views.end(), params.begin(), params.end());
  Engine::Broadcast out(e, u.prefix(), "MODE", views);
  record_event(e, u, c, "MODE", views, &out);
  out.to_channel(c);
  e.network().channel_modes(&u, c, changes.network_form());
  registered_channel_changed(e, c);  // ChanServ: saved when modes or lists changed
}

void user_mode(Engine& e, User& u, const proto::Message& m) {
  User* target = e.find_nick(m.param(0));
  if (!target) {
    e.reply(u, ERR_NOSUCHNICK, {m.param(0).substr(0, 64), "No such nick/channel"});
    return;
  }
  if (target != &u) {
    e.reply(u, ERR_USERSDONTMATCH, {"Cant change mode for other users"});
    return;
  }
  if (m.size() < 2) {
    e.reply(u, RPL_UMODEIS,
            {std::string("+") + (u.bot ? "B" : "") + (u.invisible ? "i" : "") + (u.is_oper() ? "o" : "") +
             (u.snomask().empty() ? "" : "s") + (u.wallops ? "w" : "")});
    if (!u.snomask().empty()) e.reply(u, RPL_SNOMASK, {"+" + u.snomask(), "Server notice mask"});
    return;
  }
  bool plus = true, unknown = false;
  ModeChanges changes;
  for (char mode : m.param(1)) {
    if (mode == '+' || mode == '-') {
      plus = mode == '+';
    } else if (mode == 'i' || mode == 'B' || mode == 'w') {
      bool& flag = mode == 'i' ? u.invisible : mode == 'B' ? u.bot : u.wallops;
      if (flag != plus) {
        flag = plus;
        changes.add(plus, mode);
      }
    } else if (mode == 'o') {
      if (!plus && u.is_oper()) {  // +o only through OPER
        u.set_oper_name({});
        if (!u.snomask().empty()) {
          u.set_snomask({});
          changes.add(false, 's');
        }
        changes.add(false, 'o');
        e.network().oper_changed(u);
      }
    } else if (mode == 's') {
      // +s [<changes>]: server notices (core/snomask.h), for operators. "+s +ck-q" edits the
      // mask; "+s" alone takes every category; "-s" drops them all.
      if (!u.is_oper()) {
        e.reply(u, ERR_NOPRIVILEGES, {"Permission Denied- Only operators may set user mode s"});
        continue;
      }
      const bool had = !u.snomask().empty();
      std::string mask = u.snomask();
      if (!plus) {
        mask.clear();
      } else if (m.size() > 2) {
        bool add = true;
        for (char c : m.param(2)) {
          if (c == '+' || c == '-') {
            add = c == '+';
          } else if (c == '*') {
            mask = add ? std::string(snomask::kAll) : std::string();
          } else if (!snomask::valid(c)) {
            unknown = true;
          } else if (add && mask.find(c) == std::string::npos) {
            mask += c;
          } else if (!add) {
            std::erase(mask, c);
          }
        }
      } else {
        mask = std::string(snomask::kAll);
      }
      std::sort(mask.begin(), mask.end());
      u.set_snomask(mask);
      if (had != !mask.empty()) changes.add(!mask.empty(), 's');
      if (!mask.empty()) e.reply(u, RPL_SNOMASK, {"+" + mask, "Server notice mask"});
    } else {
      unknown = true;
    }
  }
  if (unknown) e.reply(u, ERR_UMODEUNKNOWNFLAG, {"Unknown MODE flag"});
  if (!changes.empty()) {
    const std::string modes = changes.params()[0];
    Engine::Broadcast(e, u.prefix(), "MODE", {u.nick, modes}).to(u);
    e.network().user_modes_changed(u, modes);
  }
}

}  // namespace

// MODE <target> [<modestring> [<mode arguments>...]]
void mode(Engine& e, User& u, const proto::Message& m) {
  if (proto::is_channel_name(m.param(0))) {
    Channel* c = e.find_channel(m.param(0));
    if (!c) {
      e.reply(u, ERR_NOSUCHCHANNEL, {m.param(0).substr(0, 64), "No such channel"});
    } else {
      channel_mode(e, u, *c, m);
    }
  } else {
    user_mode(e, u, m);
  }
}

}  // namespace parley::core::commands
