// NickServ, the built-in account service: a pseudo-user that answers PRIVMSG NickServ, the
// NICKSERV command and its alias NS with notices. docs/protocol.md "NickServ".
#include <sstream>
#include <vector>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/login.h"
#include "core/numerics.h"
#include "core/text.h"

namespace parley::core::commands {

using namespace numeric;
using Outcome = AccountAnswer::Outcome;
using Kind = AccountRequest::Kind;

namespace {

constexpr std::size_t kMaxWords = 8;

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text.substr(0, 400))};
  std::string w;
  while (out.size() < kMaxWords && in >> w) out.push_back(std::move(w));
  return out;
}

void say(Engine& e, User& u, std::string_view text) { nickserv_notice(e, u, text); }

bool is_certfp(std::string_view fp) {
  if (fp.size() != 64) return false;
  for (char c : fp) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool need_login(Engine& e, User& u) {
  if (!u.account().empty()) return true;
  say(e, u, "You are not logged in.");
  return false;
}

// A request about the account `u` is logged in to; `done` says what to tell on kOk.
void change(Engine& e, User& u, AccountRequest r, std::string done) {
  r.account_folded = e.fold(u.account());
  e.request(u, std::move(r), [done = std::move(done)](Engine& e, User& u, const AccountAnswer& a) {
    switch (a.outcome) {
      case Outcome::kOk: return say(e, u, done);
      case Outcome::kNotFound: return say(e, u, "No such account or certificate.");
      case Outcome::kExists: return say(e, u, "That certificate belongs to another account.");
      default: return say(e, u, "Accounts are unavailable; try again later.");
    }
  });
}

void identify(Engine& e, User& u, const std::vector<std::string>& w) {
  if (w.size() < 2) return say(e, u, "Usage: IDENTIFY [<account>] <password>");
  std::string account = w.size() >= 3 ? w[1] : u.nick;
  const std::string& password = w.size() >= 3 ? w[2] : w[1];
  std::string folded = e.fold(account);
  if (e.fold(u.account()) == folded) return say(e, u, "You are already logged in as " + u.account() + ".");
  if (!login_allowed(e, u, folded)) return say(e, u, "Too many failed logins; try again in a minute.");
  AccountRequest r;
  r.kind = Kind::kLoginPassword;
  r.account_folded = folded;
  r.password = password;
  e.request(u, std::move(r), [folded](Engine& e, User& u, const AccountAnswer& a) {
    switch (a.outcome) {
      case Outcome::kOk:
        if (!a.account) break;
        say(e, u, "You are now logged in as " + a.account->name + ".");
        log_in(e, u, *a.account);
        return;
      case Outcome::kUnverified:
        return say(e, u, "That account is not verified yet: an operator must SAVERIFY it.");
      case Outcome::kDenied:
      case Outcome::kNotFound:
        login_failed(e, u, folded);
        return say(e, u, "Invalid account or password.");
      default: break;
    }
    say(e, u, "Accounts are unavailable; try again later.");
  });
}

void info(Engine& e, User& u, const std::vector<std::string>& w) {
  std::string account = w.size() >= 2 ? w[1] : u.account();
  if (account.empty()) return say(e, u, "Usage: INFO <account>");
  AccountRequest r;
  r.kind = Kind::kFind;
  r.account_folded = e.fold(account);
  e.request(u, std::move(r), [](Engine& e, User& u, const AccountAnswer& a) {
    if (a.outcome == Outcome::kNotFound) return say(e, u, "No such account.");
    if (a.outcome != Outcome::kOk || !a.account)
      return say(e, u, "Accounts are unavailable; try again later.");
    const AccountInfo& info = *a.account;
    bool own = e.fold(u.account()) == e.fold(info.name) || u.is_oper();
    say(e, u,
        "Account " + info.name + ": registered " +
            format_server_time(TimePoint(std::chrono::seconds(info.registered_at))) +
            (info.verified ? "" : ", not verified yet") + ", nick protection " +
            (info.enforce ? "on" : "off") + ".");
    if (own) {
      say(e, u,
          "E-mail: " + (info.email.empty() ? std::string("(none)") : info.email) +
              "; certificates: " + std::to_string(info.certfps.size()) + ".");
    }
    std::string online;
    for (const auto& [id, other] : e.users()) {
      if (other->registered && e.fold(other->account()) == e.fold(info.name))
        online += (online.empty() ? "" : " ") + other->nick;
    }
    if (!online.empty()) say(e, u, "Logged in now as: " + online);
  });
}

void ghost(Engine& e, User& u, const std::vector<std::string>& w) {
  if (w.size() < 2) return say(e, u, "Usage: GHOST <nick>");
  if (!need_login(e, u)) return;
  User* t = e.find_nick(w[1]);
  if (!t || t == &u) return say(e, u, "No such user.");
  bool theirs = e.fold(t->account()) == e.fold(u.account()) ||
                (t->account().empty() && t->nick_folded == e.fold(u.account()));
  if (!theirs) return say(e, u, t->nick + " is neither logged in to your account nor using its nick.");
  say(e, u, t->nick + " has been disconnected.");
  e.quit(*t, "Ghosted by " + u.nick);
}

void cert(Engine& e, User& u, const std::vector<std::string>& w) {
  if (!need_login(e, u)) return;
  std::string sub = w.size() >= 2 ? ascii_upper(w[1]) : "LIST";
  if (sub == "LIST") {
    AccountRequest r;
    r.kind = Kind::kFind;
    r.account_folded = e.fold(u.account());
    e.request(u, std::move(r), [](Engine& e, User& u, const AccountAnswer& a) {
      if (a.outcome != Outcome::kOk || !a.account)
        return say(e, u, "Accounts are unavailable; try again later.");
      if (a.account->certfps.empty()) return say(e, u, "No certificates on your account.");
      for (const auto& fp : a.account->certfps) say(e, u, "Certificate: " + fp);
    });
    return;
  }
  if (sub != "ADD" && sub != "DEL")
    return say(e, u, "Usage: CERT LIST | CERT ADD [<fingerprint>] | CERT DEL <fingerprint>");
  std::string fp = w.size() >= 3 ? lower(w[2]) : (sub == "ADD" ? u.certfp() : std::string{});
  if (fp.empty()) return say(e, u, "Give a fingerprint, or connect with the TLS client certificate to add.");
  if (!is_certfp(fp)) return say(e, u, "A fingerprint is the SHA-256 of the certificate, 64 hex digits.");
  AccountRequest r;
  r.kind = sub == "ADD" ? Kind::kAddCert : Kind::kDelCert;
  r.certfp = fp;
  change(e, u, std::move(r),
         sub == "ADD" ? "Certificate " + fp + " added." : "Certificate " + fp + " removed.");
}

void set_password(Engine& e, User& u, const std::string& password) {
  if (!need_login(e, u)) return;
  const AccountPolicy& p = e.config().accounts;
  if (password.size() < p.min_password_length || password.size() > p.max_password_length) {
    return say(e, u,
               "Passwords are " + std::to_string(p.min_password_length) + " to " +
                   std::to_string(p.max_password_length) + " bytes.");
  }
  AccountRequest r;
  r.kind = Kind::kSetPassword;
  r.password = password;
  change(e, u, std::move(r), "Password changed.");
}

void set(Engine& e, User& u, const std::vector<std::string>& w) {
  std::string what = w.size() >= 2 ? ascii_upper(w[1]) : "";
  if (what == "PASSWORD" && w.size() >= 3) return set_password(e, u, w[2]);
  if (what != "ENFORCE" || w.size() < 3)
    return say(e, u, "Usage: SET ENFORCE ON|OFF | SET PASSWORD <password>");
  std::string value = ascii_upper(w[2]);
  if (value != "ON" && value != "OFF") return say(e, u, "Usage: SET ENFORCE ON|OFF");
  if (!need_login(e, u)) return;
  AccountRequest r;
  r.kind = Kind::kSetEnforce;
  r.flag = value == "ON";
  change(e, u, std::move(r), std::string("Nick protection is now ") + (r.flag ? "on." : "off."));
}

void drop(Engine& e, User& u) {
  if (!need_login(e, u)) return;
  AccountRequest r;
  r.kind = Kind::kDrop;
  r.account_folded = e.fold(u.account());
  e.request(u, std::move(r), [](Engine& e, User& u, const AccountAnswer& a) {
    if (a.outcome != Outcome::kOk) return say(e, u, "Accounts are unavailable; try again later.");
    std::string dropped = u.account();
    // Everyone logged in to it is logged out.
    std::vector<User*> logged_in;
    for (const auto& [id, other] : e.users()) {
      if (!other->quitting && other->account() == dropped) logged_in.push_back(other.get());
    }
    for (User* other : logged_in) log_out(e, *other);
    say(e, u, "Account " + dropped + " dropped.");
  });
}

void saverify(Engine& e, User& u, const std::vector<std::string>& w) {
  if (!u.is_oper()) return say(e, u, "SAVERIFY is for operators.");
  if (w.size() < 2) return say(e, u, "Usage: SAVERIFY <account>");
  AccountRequest r;
  r.kind = Kind::kVerify;
  r.account_folded = e.fold(w[1]);
  e.request(u, std::move(r), [](Engine& e, User& u, const AccountAnswer& a) {
    if (a.outcome == Outcome::kNotFound) return say(e, u, "No such account.");
    if (a.outcome != Outcome::kOk || !a.account)
      return say(e, u, "Accounts are unavailable; try again later.");
    say(e, u, "Account " + a.account->name + " verified.");
  });
}

void help(Engine& e, User& u) {
  for (std::string_view line : {
           "NickServ commands (/msg NickServ <command>, /NS <command>):",
           "REGISTER <password> [<email>]: register your current nick as an account",
           "IDENTIFY [<account>] <password>: log in",
           "INFO [<account>]: what is known about an account",
           "GHOST <nick>: disconnect a session using your account or its nick",
           "PASSWD <password> (or SET PASSWORD <password>): change your password",
           "CERT LIST | CERT ADD [<fingerprint>] | CERT DEL <fingerprint>: TLS certificates for SASL "
           "EXTERNAL",
           "SET ENFORCE ON|OFF: rename others who use your nick without logging in",
           "DROP: delete your account",
           "SAVERIFY <account>: (operators) verify an account",
       }) {
    say(e, u, line);
  }
}

void report_registration(Engine& e, User& u, std::string_view code, std::string_view account,
                         std::string_view text) {
  if (code == "SUCCESS") {
    say(e, u, "Account " + std::string(account) + " registered; you are logged in.");
  } else {
    say(e, u, std::string(text) + " (" + std::string(account) + ").");
  }
}

}  // namespace

void nickserv_command(Engine& e, User& u, std::string_view text) {
  std::vector<std::string> w = words_of(text);
  if (w.empty()) return help(e, u);
  std::string cmd = ascii_upper(w[0]);
  if (cmd == "REGISTER") {
    if (w.size() < 2) return say(e, u, "Usage: REGISTER <password> [<email>]");
    return register_account(e, u, "*", w.size() >= 3 ? w[2] : "*", w[1], report_registration);
  }
  if (cmd == "IDENTIFY" || cmd == "LOGIN") return identify(e, u, w);
  if (cmd == "INFO") return info(e, u, w);
  if (cmd == "GHOST") return ghost(e, u, w);
  if (cmd == "DROP") return drop(e, u);
  if (cmd == "PASSWD")
    return w.size() >= 2 ? set_password(e, u, w[1]) : say(e, u, "Usage: PASSWD <password>");
  if (cmd == "CERT") return cert(e, u, w);
  if (cmd == "SET") return set(e, u, w);
  if (cmd == "SAVERIFY") return saverify(e, u, w);
  if (cmd == "LOGOUT") {
    if (!need_login(e, u)) return;
    return log_out(e, u);
  }
  if (cmd == "HELP") return help(e, u);
  say(e, u, "Unknown command " + cmd.substr(0, 32) + ". Try HELP.");
}

// NICKSERV <command> [<args>...] | NS <command> [<args>...]
void nickserv(Engine& e, User& u, const proto::Message& m) {
  std::string text;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (i) text += ' ';
    text += m.param(i);
  }
  nickserv_command(e, u, text);
}

}  // namespace parley::core::commands
