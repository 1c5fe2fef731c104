// SILENCE: a server-side ignore list per user (after ircu and UnrealIRCd). PRIVMSG, NOTICE,
// TAGMSG and INVITE from a sender matching one of the recipient's masks are dropped for that
// recipient, without telling the sender.
#include <algorithm>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core {

bool silence_matches(const User& recipient, const User& sender, proto::Casemapping cm) {
  return std::any_of(recipient.silence.begin(), recipient.silence.end(),
                     [&](const std::string& mask) { return ban_mask_matches(mask, sender, cm); });
}

namespace commands {

using namespace numeric;

namespace {

void list_silence(Engine& e, User& u) {
  for (const std::string& mask : u.silence) e.reply(u, RPL_SILELIST, {u.nick, mask});
  e.reply(u, RPL_ENDOFSILELIST, {"End of Silence List"});
}

// Adds or removes one mask; tells the user "SILENCE +mask"/"-mask" when the list changed.
void change_silence(Engine& e, User& u, std::string_view item) {
  bool remove = item.front() == '-';
  if (item.front() == '+' || item.front() == '-') item.remove_prefix(1);
  if (item.empty()) return;
  std::string mask = proto::normalize_mask(proto::safe_middle_param(item));
  auto same = [&](const std::string& m) { return proto::equal_folded(m, mask, e.casemapping()); };
  auto it = std::find_if(u.silence.begin(), u.silence.end(), same);
  if (remove) {
    if (it == u.silence.end()) return;
    mask = *it;
    u.silence.erase(it);
  } else {
    if (it != u.silence.end()) return;
    if (u.silence.size() >= e.limits().max_silence) {
      e.reply(u, ERR_SILELISTFULL, {mask, "Your silence list is full"});
      return;
    }
    u.silence.push_back(mask);
  }
  Engine::Broadcast(e, u.prefix(), "SILENCE", {(remove ? "-" : "+") + mask}).to(u);
}

}  // namespace

// SILENCE [{+|-}<mask>{,{+|-}<mask>}]    (a mask without a sign is added)
void silence(Engine& e, User& u, const proto::Message& m) {
  if (m.size() == 0 || m.param(0).empty()) {
    list_silence(e, u);
    return;
  }
  for (std::string_view item : split_list(m.param(0))) change_silence(e, u, item);
}

}  // namespace commands
}  // namespace parley::core
