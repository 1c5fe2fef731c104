#include "core/login.h"

#include <algorithm>

#include "core/engine.h"
#include "core/numerics.h"

namespace parley::core {

using namespace numeric;

namespace {

constexpr std::size_t kPruneAbove = 4096;  // keys kept before expired windows are swept

bool valid_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == ':' || c == '/';
}

// Changes the shown host the way CHGHOST does: chghost clients sharing a channel hear it. True
// if it changed (the caller sends 396 after 900, the order clients expect).
bool set_visible_host(Engine& e, User& u, const std::string& host) {
  if (host == u.host) return false;
  if (u.registered) {
    Engine::Broadcast(e, u.prefix(), "CHGHOST", {u.username, host})
        .to_common_channels(u, u.caps.has(Cap::kChghost), Cap::kChghost)
        .to_monitors(u, Cap::kChghost);
  }
  u.host = host;
  u.update_prefix();
  if (u.registered) e.network().host_changed(u);
  return true;
}

std::string login_mask(const User& u) {
  return u.target_name() + "!" + (u.username.empty() ? "*" : u.username) + "@" + u.host;
}

}  // namespace

bool RateBudget::allows(std::string_view key, std::size_t limit, std::chrono::seconds window,
                        TimePoint now) const {
  if (limit == 0) return true;
  auto it = counts_.find(std::string(key));
  if (it == counts_.end() || now - it->second.start >= window) return true;
  return it->second.count < limit;
}

void RateBudget::record(std::string_view key, std::chrono::seconds window, TimePoint now) {
  if (counts_.size() >= kPruneAbove) prune(window, now);
  Window& w = counts_[std::string(key)];
  if (w.count == 0 || now - w.start >= window) w = Window{now, 0};
  ++w.count;
}

void RateBudget::prune(std::chrono::seconds window, TimePoint now) {
  std::erase_if(counts_, [&](const auto& p) { return now - p.second.start >= window; });
}

namespace {
constexpr std::chrono::seconds kMinute{60};
}

bool login_allowed(Engine& e, const User& u, std::string_view account_folded) {
  const std::size_t limit = e.config().accounts.login_failures_per_minute;
  auto& budget = e.account_limits().failed_logins;
  if (!u.exempt && !budget.allows("i:" + std::string(u.ip()), limit, kMinute, e.now())) return false;
  return account_folded.empty() || budget.allows("a:" + std::string(account_folded), limit, kMinute, e.now());
}

void login_failed(Engine& e, const User& u, std::string_view account_folded) {
  auto& budget = e.account_limits().failed_logins;
  budget.record("i:" + std::string(u.ip()), kMinute, e.now());
  if (!account_folded.empty()) budget.record("a:" + std::string(account_folded), kMinute, e.now());
}

bool log_in(Engine& e, User& u, const AccountInfo& account) {
  if (u.account() == account.name) return false;
  if (!u.account().empty()) log_out(e, u);
  u.set_account(account.name);
  if (e.fold(account.name) == u.enforce_nick) {
    u.enforce_at = {};
    u.enforce_nick.clear();
  }
  const CloakConfig& cloaks = e.config().cloaks;
  bool host_changed = false;
  if (cloaks.account_hosts) {  // independent of IP cloaks: either may be on without the other
    std::string host = "user/" + account.name;
    if (host.size() <= 64 && std::all_of(host.begin(), host.end(), valid_host_char))
      host_changed = set_visible_host(e, u, host);
  }
  // No 396 here: 900's mask already shows the new host, and clients expect 900 right after the
  // exchange that logged them in (and 903 right after 900). Others see CHGHOST.
  e.reply(u, RPL_LOGGEDIN, {login_mask(u), account.name, "You are now logged in as " + account.name});
  if (u.registered) {
    Engine::Broadcast(e, u.prefix(), "ACCOUNT", {account.name})
        .to_common_channels(u, u.caps.has(Cap::kAccountNotify), Cap::kAccountNotify)
        .to_monitors(u, Cap::kAccountNotify);
    e.network().account_changed(u);
    // ChanServ: the account's status in the registered channels the user is already in.
    for (Channel* c : u.channels) registered_channel_join(e, u, *c);
  }
  return host_changed;
}

void log_out(Engine& e, User& u) {
  if (u.account().empty()) return;
  u.set_account({});
  e.reply(u, RPL_LOGGEDOUT, {login_mask(u), "You are now logged out"});
  if (u.registered) {
    Engine::Broadcast(e, u.prefix(), "ACCOUNT", {"*"})
        .to_common_channels(u, u.caps.has(Cap::kAccountNotify), Cap::kAccountNotify)
        .to_monitors(u, Cap::kAccountNotify);
    e.network().account_changed(u);
  }
}

std::string nickserv_prefix(const Engine& e) {
  return std::string(kNickServ) + "!NickServ@services." + e.config().server_name;
}

bool is_nickserv(const Engine& e, std::string_view nick) { return e.fold(nick) == e.fold(kNickServ); }

void nickserv_notice(Engine& e, User& u, std::string_view text) {
  Engine::Broadcast(e, nickserv_prefix(e), "NOTICE", {u.target_name(), text}).to(u);
}

bool is_valid_account_name(const Engine& e, std::string_view name) {
  return proto::is_valid_nick(name, e.limits().nick_length) && !is_nickserv(e, name);
}

void check_nick_protection(Engine& e, User& u) {
  u.enforce_at = {};
  u.enforce_nick.clear();
  if (u.nick.empty() || e.fold(u.account()) == u.nick_folded) return;
  AccountRequest find;
  find.kind = AccountRequest::Kind::kFind;
  find.account_folded = u.nick_folded;
  e.request(
      u, std::move(find),
      [nick = u.nick_folded](Engine& e, User& u, const AccountAnswer& answer) {
        if (answer.outcome != AccountAnswer::Outcome::kOk || !answer.account || !answer.account->enforce)
          return;
        if (u.nick_folded != nick || e.fold(u.account()) == nick) return;  // moved on, or logged in meanwhile
        auto grace = e.config().accounts.enforce_grace;
        u.enforce_nick = nick;
        u.enforce_at = e.now() + grace;
        nickserv_notice(e, u,
                        "The nick " + u.nick +
                            " is registered. Log in to it (/msg NickServ IDENTIFY <password>) "
                            "or choose another nick within " +
                            std::to_string(grace.count()) + " seconds, or you will be renamed.");
      },
      /*is_reply=*/false);
}

void enforce_nick_protection(Engine& e, User& u) {
  std::string nick = std::move(u.enforce_nick);
  u.enforce_nick.clear();
  u.enforce_at = {};
  if (nick.empty() || u.nick_folded != nick || e.fold(u.account()) == nick) return;
  std::string guest;
  do {
    guest = "Guest" + std::to_string(++e.account_limits().guest_counter);
  } while (e.find_nick(guest));
  nickserv_notice(e, u, "You did not log in to " + u.nick + "; your nick is now " + guest + ".");
  e.change_nick(u, guest);
}

}  // namespace parley::core
