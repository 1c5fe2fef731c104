// Account registration (IRCv3 draft/account-registration): REGISTER and VERIFY. NickServ's
// REGISTER (nickserv.cpp) runs the same rules through register_account().
#include "core/command_table.h"
#include "core/engine.h"
#include "core/login.h"
#include "core/numerics.h"

namespace parley::core::commands {

using namespace numeric;
using Outcome = AccountAnswer::Outcome;

namespace {

constexpr std::chrono::hours kHour{1};
constexpr std::size_t kMaxEmail = 254;

bool plausible_email(std::string_view email) {
  auto at = email.find('@');
  if (email.size() > kMaxEmail || at == 0 || at == std::string_view::npos || at + 1 >= email.size())
    return false;
  for (char c : email) {
    if (static_cast<unsigned char>(c) <= ' ' || c == ',' || c == ':') return false;
  }
  return email.find('@', at + 1) == std::string_view::npos;
}

}  // namespace

void register_account(Engine& e, User& u, std::string_view account, std::string_view email,
                      std::string_view password, RegistrationReport report) {
  const AccountPolicy& policy = e.config().accounts;
  // "*": the user's nick, or before registration the nick it asked for if that was taken.
  std::string name(account != "*" ? account : !u.nick.empty() ? std::string_view(u.nick) : u.requested_nick());
  if (policy.registration == AccountPolicy::Registration::kClosed)
    return report(e, u, "TEMPORARILY_UNAVAILABLE", name, "Registration is closed on this server");
  if (!u.account().empty()) return report(e, u, "ALREADY_AUTHENTICATED", name, "You are already logged in");
  if (name.empty()) return report(e, u, "NEED_NICK", "*", "Choose a nick first");
  if (!is_valid_account_name(e, name))
    return report(e, u, "BAD_ACCOUNT_NAME", name, "That account name is not allowed");
  // No land grabs: a name someone else is using as their nick is not free for an account.
  if (User* holder = e.find_nick(name); holder && holder != &u)
    return report(e, u, "ACCOUNT_EXISTS", name, "That name is in use by someone else");
  if (email == "*") email = {};
  if (!email.empty() && !plausible_email(email))
    return report(e, u, "INVALID_EMAIL", name, "That is not an e-mail address");
  if (password.size() < policy.min_password_length || password.size() > policy.max_password_length) {
    return report(e, u, "UNACCEPTABLE_PASSWORD", name,
                  "Passwords are " + std::to_string(policy.min_password_length) + " to " +
                      std::to_string(policy.max_password_length) + " bytes");
  }
  std::string ip(u.ip());
  auto& budget = e.account_limits().registrations;
  if (!u.exempt && !budget.allows(ip, policy.registrations_per_ip_per_hour, kHour, e.now()))
    return report(e, u, "TEMPORARILY_UNAVAILABLE", name,
                  "Too many registrations from your address; try later");
  AccountRequest r;
  r.kind = AccountRequest::Kind::kRegister;
  r.account = name;
  r.account_folded = e.fold(name);
  r.password = std::string(password);
  r.email = std::string(email);
  r.flag = policy.registration == AccountPolicy::Registration::kOpen;
  r.limit = policy.max_accounts_per_email;
  e.request(u, std::move(r), [name, ip, report](Engine& e, User& u, const AccountAnswer& a) {
    switch (a.outcome) {
      case Outcome::kOk:
        e.account_limits().registrations.record(ip, kHour, e.now());
        if (a.account && a.account->verified) {
          report(e, u, "SUCCESS", a.account->name, "Account created");
          if (u.account().empty()) log_in(e, u, *a.account);
        } else {
          report(e, u, "VERIFICATION_REQUIRED", name,
                 "Account created; an operator must verify it (SAVERIFY)");
        }
        return;
      case Outcome::kExists: return report(e, u, "ACCOUNT_EXISTS", name, "That account already exists");
      case Outcome::kLimit:
        return report(e, u, "UNACCEPTABLE_EMAIL", name, "Too many accounts with that e-mail");
      default:
        return report(e, u, "TEMPORARILY_UNAVAILABLE", name, "Accounts are unavailable; try again later");
    }
  });
}

// REGISTER <account|*> <email|*> <password>
void register_command(Engine& e, User& u, const proto::Message& m) {
  if (!u.registered && (!e.config().accounts.register_before_connect ||
                        (u.nick.empty() && u.requested_nick().empty()))) {
    e.fail(u, "REGISTER", "COMPLETE_CONNECTION_REQUIRED",
           {"*", u.nick.empty() ? "Choose a nick before REGISTER" : "Finish connecting before REGISTER"});
    return;
  }
  register_account(
      e, u, m.param(0), m.param(1), m.param(2),
      [](Engine& e, User& u, std::string_view code, std::string_view account, std::string_view text) {
        if (code == "SUCCESS" || code == "VERIFICATION_REQUIRED") {
          e.server_message(u, "REGISTER", {code, account, text});
        } else {
          e.fail(u, "REGISTER", code, {account, text});
        }
      });
}

// VERIFY <account> <code>: Parley sends no codes (no e-mail); operators verify with SAVERIFY.
void verify(Engine& e, User& u, const proto::Message& m) {
  e.fail(
      u, "VERIFY", "INVALID_CODE",
      {m.param(0).substr(0, 64), "This server sends no verification codes; an operator verifies accounts"});
}

}  // namespace parley::core::commands
