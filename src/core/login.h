// Accounts in the engine: logging in and out (with everything that follows from it: 900/901,
// account-notify, the user/<account> host), the failed-login and registration budgets, and nick
// protection (a registered nick used without logging in is renamed after a grace period).
// docs/operations.md "Accounts"; the commands live in core/commands/sasl.cpp,
// account_registration.cpp and nickserv.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/accounts.h"
#include "core/types.h"

namespace parley::core {

class Engine;
struct User;

// Counts events per key in fixed windows (a key's window starts with its first event). Bounded:
// expired keys are forgotten as new ones arrive.
class RateBudget {
 public:
  // Whether `key` has used fewer than `limit` events in its current window (0: no limit).
  bool allows(std::string_view key, std::size_t limit, std::chrono::seconds window, TimePoint now) const;
  void record(std::string_view key, std::chrono::seconds window, TimePoint now);
  std::size_t size() const { return counts_.size(); }

 private:
  struct Window {
    TimePoint start;
    std::size_t count = 0;
  };
  void prune(std::chrono::seconds window, TimePoint now);
  std::unordered_map<std::string, Window> counts_;
};

// Per-engine account state that is not about one user.
struct AccountLimits {
  RateBudget failed_logins;  // keys "a:<account folded>" and "i:<ip>", per minute
  RateBudget registrations;  // key: ip, per hour
  std::uint64_t sasl_serial = 0;
  std::uint64_t guest_counter = 0;
};

// Whether `u` may try to log in (to `account_folded`, when known) now.
bool login_allowed(Engine& e, const User& u, std::string_view account_folded);
void login_failed(Engine& e, const User& u, std::string_view account_folded);

// Logs `u` in to `account`: 900, account-notify to common channels, user/<account> host when
// configured, nick protection lifted. No-op if already logged in to it.
// Returns whether the displayed host changed (to user/<account>).
bool log_in(Engine& e, User& u, const AccountInfo& account);
// Logs `u` out (901, ACCOUNT *). No-op if not logged in.
void log_out(Engine& e, User& u);

// The NickServ pseudo-user: its nick (reserved) and the prefix its notices come from.
inline constexpr std::string_view kNickServ = "NickServ";
std::string nickserv_prefix(const Engine& e);
bool is_nickserv(const Engine& e, std::string_view nick);
// A NOTICE from NickServ to `u`.
void nickserv_notice(Engine& e, User& u, std::string_view text);

// Nick protection: after `u` takes a nick, asks whether it is a registered account with
// enforcement on and, unless `u` is logged in to it, warns and schedules a rename.
void check_nick_protection(Engine& e, User& u);
// From Engine::tick: renames `u` to Guest<N> when its grace ran out on a still-protected nick.
void enforce_nick_protection(Engine& e, User& u);

// Account names follow nick syntax (they are what REGISTER * takes from the nick).
bool is_valid_account_name(const Engine& e, std::string_view name);

}  // namespace parley::core
