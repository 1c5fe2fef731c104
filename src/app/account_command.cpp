// `parley account list|show|create|passwd|delete|verify`: the operator's tool for the account
// store in the data directory (docs/operations.md "Accounts"). It opens the same SQLite file as
// the server, so it works while the server runs (WAL: neither blocks the other for long), and
// changes reach the server's next login at once (the server keeps no copy of the store).
//
// Writes go through server::AccountService::execute, the function the server's workers run, so
// the rules are the server's: Argon2id hash and SCRAM-SHA-256 credentials, the per-email account
// limit, durability before success. Passwords come from standard input, never from argv.
//
// Exit status: 0 done; 1 the store said no (no such account, name taken, limit, store error);
// 2 bad input (invalid name, e-mail or password, a deletion not confirmed).
#include <sodium.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "app/account_store.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/data_dir.h"
#include "app/password_prompt.h"
#include "crypto/password.h"
#include "proto/casemap.h"
#include "proto/irc_message.h"
#include "server/account_service.h"

namespace parley::app {

namespace {

constexpr int kDone = 0;
constexpr int kRefused = 1;
constexpr int kBadInput = 2;

using Outcome = core::AccountAnswer::Outcome;

struct AccountFlags {
  std::string data_dir = kDefaultDataDir;
  CLI::Option* data_dir_option = nullptr;
  std::string config;
  std::string name;
  std::string email;
  bool unverified = false;
  bool yes = false;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* create = nullptr;
  CLI::App* passwd = nullptr;
  CLI::App* remove = nullptr;
  CLI::App* verify = nullptr;
};

// What every action needs: where the store is and the server's rules for names and passwords.
struct Context {
  std::filesystem::path data_dir;
  proto::Casemapping casemapping = proto::Casemapping::kRfc1459;
  std::size_t nick_length = 30;
  core::AccountPolicy policy;
};

int complain(int status, const std::string& message) {
  std::cerr << "parley account: " << message << std::endl;
  return status;
}

std::string utc_time(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
  return text;
}

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Empty when `name` may be an account name (a valid nick, as REGISTER requires), else why not.
std::string name_problem(const Context& ctx, const std::string& name) {
  if (proto::is_valid_nick(name, ctx.nick_length)) return {};
  return "\"" + name + "\" is not a valid account name: an account name is a nickname (letters, digits and " +
         "[ ] \\ ` _ ^ { | } -, not starting with a digit or -, at most " + std::to_string(ctx.nick_length) +
         " characters)";
}

std::string email_problem(const std::string& email) {
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string::npos)
    return "\"" + email + "\" is not an e-mail address (expected one @ with text on both sides)";
  for (const char c : email) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
      return "an e-mail address has no spaces or control characters";
  }
  return {};
}

// Reads the new password for `name` (twice on a terminal) and checks it against the policy.
// nullopt after printing why not.
std::optional<std::string> read_new_password(const Context& ctx, const std::string& name) {
  auto password = read_secret_line("New password for " + name + ": ");
  if (!password) {
    complain(kBadInput, "no password on standard input");
    return std::nullopt;
  }
  if (stdin_is_terminal()) {
    auto again = read_secret_line("Again: ");
    const bool same = again && *again == *password;
    if (again) ::sodium_memzero(again->data(), again->size());
    if (!same) {
      complain(kBadInput, "the two passwords differ; nothing changed");
      ::sodium_memzero(password->data(), password->size());
      return std::nullopt;
    }
  }
  std::string problem;
  if (password->size() < ctx.policy.min_password_length)
    problem = "the password is shorter than " + std::to_string(ctx.policy.min_password_length) + " bytes";
  else if (password->size() > ctx.policy.max_password_length)
    problem = "the password is longer than " + std::to_string(ctx.policy.max_password_length) + " bytes";
  else if (password->find('\0') != std::string::npos)
    problem = "the password contains a NUL byte";
  if (!problem.empty()) {
    ::sodium_memzero(password->data(), password->size());
    complain(kBadInput, problem);
    return std::nullopt;
  }
  return password;
}

// Asks on the terminal; without one, only --yes confirms.
bool confirmed(const std::string& question, bool yes) {
  if (yes) return true;
  if (!stdin_is_terminal()) return false;
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

// Runs one request with the server's rules; the password in it is wiped afterwards.
core::AccountAnswer execute(store::Store& store, core::AccountRequest& request) {
  core::AccountAnswer answer = server::AccountService::execute(store, request, now_unix());
  ::sodium_memzero(request.password.data(), request.password.size());
  return answer;
}

// The common failures of an answer, as an exit status with a message.
int refused(const core::AccountAnswer& answer, const std::string& name) {
  switch (answer.outcome) {
    case Outcome::kNotFound: return complain(kRefused, "no account named " + name);
    case Outcome::kExists: return complain(kRefused, "an account named " + name + " already exists");
    case Outcome::kFailed: return complain(kRefused, "the account store failed: " + answer.detail);
    default: return complain(kRefused, "refused: " + answer.detail);
  }
}

int list_accounts(store::Store& store) {
  auto accounts = store.list_accounts();
  if (!accounts.is_ok()) return complain(kRefused, accounts.status().to_string());
  if (accounts.value().empty()) {
    std::cout << "no accounts\n";
    return kDone;
  }
  std::size_t width = 4;
  for (const auto& a : accounts.value()) width = std::max(width, a.name.size());
  auto pad = [](std::string text, std::size_t to) {
    return text.append(to > text.size() ? to - text.size() : 0, ' ');
  };
  std::cout << pad("NAME", width) << "  VERIFIED  CERTS  REGISTERED (UTC)     EMAIL\n";
  for (const auto& a : accounts.value()) {
    std::cout << pad(a.name, width) << "  " << pad(a.verified ? "yes" : "no", 8) << "  "
              << pad(std::to_string(a.certfps.size()), 5) << "  " << utc_time(a.registered_at) << "  "
              << (a.email.empty() ? "-" : a.email) << '\n';
  }
  const std::size_t n = accounts.value().size();
  std::cout << n << (n == 1 ? " account\n" : " accounts\n");
  return kDone;
}

int show_account(const Context& ctx, store::Store& store, const std::string& name) {
  auto found = store.find_account(proto::fold(name, ctx.casemapping));
  if (!found.is_ok()) {
    if (found.status().code() == store::Status::Code::kNotFound)
      return complain(kRefused, "no account named " + name);
    return complain(kRefused, found.status().to_string());
  }
  const store::AccountRecord& a = found.value();
  std::cout << "account:      " << a.name << '\n'
            << "registered:   " << utc_time(a.registered_at) << " UTC\n"
            << "email:        " << (a.email.empty() ? "(none)" : a.email) << '\n'
            << "verified:     "
            << (a.verified ? "yes" : "no (waiting for `parley account verify` or SAVERIFY)") << '\n'
            << "enforce:      " << (a.enforce ? "yes (the nick is protected)" : "no") << '\n'
            << "password:     " << (a.password_hash.empty() ? "none" : "set (Argon2id)") << '\n'
            << "scram-sha256: "
            << (a.scram.empty() ? std::string("no")
                                : "yes (" + std::to_string(a.scram.iterations) + " iterations)")
            << '\n'
            << "certificates: " << (a.certfps.empty() ? "none" : std::to_string(a.certfps.size())) << '\n';
  for (const auto& fp : a.certfps) std::cout << "  " << fp << '\n';
  return kDone;
}

int create_account(const Context& ctx, const AccountFlags& flags) {
  if (auto problem = name_problem(ctx, flags.name); !problem.empty()) return complain(kBadInput, problem);
  if (!flags.email.empty()) {
    if (auto problem = email_problem(flags.email); !problem.empty()) return complain(kBadInput, problem);
  }
  auto opened = open_account_store(ctx.data_dir, /*create=*/true);
  if (!opened.is_ok()) return complain(kRefused, opened.status().message());
  store::Store& store = *opened.value();
  const std::string folded = proto::fold(flags.name, ctx.casemapping);
  // Checked before asking for a password that would then be thrown away.
  if (store.find_account(folded).is_ok())
    return complain(kRefused, "an account named " + flags.name + " already exists");

  auto password = read_new_password(ctx, flags.name);
  if (!password) return kBadInput;
  core::AccountRequest request;
  request.kind = core::AccountRequest::Kind::kRegister;
  request.account = flags.name;
  request.account_folded = folded;
  request.password = std::move(*password);
  request.email = flags.email;
  request.flag = !flags.unverified;
  request.limit = ctx.policy.max_accounts_per_email;
  const core::AccountAnswer answer = execute(store, request);
  if (answer.outcome == Outcome::kLimit) {
    return complain(kRefused, flags.email + " already has " +
                                  std::to_string(ctx.policy.max_accounts_per_email) +
                                  " accounts, the most allowed (accounts.max_accounts_per_email)");
  }
  if (answer.outcome != Outcome::kOk) return refused(answer, flags.name);
  std::cout << "created account " << flags.name;
  if (flags.unverified)
    std::cout << " (unverified: it logs in after `parley account verify " << flags.name << "`)";
  std::cout << std::endl;
  return kDone;
}

int change_password(const Context& ctx, store::Store& store, const std::string& name) {
  const std::string folded = proto::fold(name, ctx.casemapping);
  if (auto found = store.find_account(folded); !found.is_ok()) {
    if (found.status().code() == store::Status::Code::kNotFound)
      return complain(kRefused, "no account named " + name);
    return complain(kRefused, found.status().to_string());
  }
  auto password = read_new_password(ctx, name);
  if (!password) return kBadInput;
  core::AccountRequest request;
  request.kind = core::AccountRequest::Kind::kSetPassword;
  request.account_folded = folded;
  request.password = std::move(*password);
  const core::AccountAnswer answer = execute(store, request);
  if (answer.outcome != Outcome::kOk) return refused(answer, name);
  std::cout << "changed the password of " << answer.account->name << std::endl;
  return kDone;
}

int delete_account(const Context& ctx, store::Store& store, const std::string& name, bool yes) {
  const std::string folded = proto::fold(name, ctx.casemapping);
  auto found = store.find_account(folded);
  if (!found.is_ok()) {
    if (found.status().code() == store::Status::Code::kNotFound)
      return complain(kRefused, "no account named " + name);
    return complain(kRefused, found.status().to_string());
  }
  const std::string display = found.value().name;
  if (!confirmed("Delete account " + display + " and its certificates?", yes)) {
    return complain(kBadInput, stdin_is_terminal() ? "not deleted"
                                                   : "not deleting " + display +
                                                         " without --yes (standard input is not a terminal)");
  }
  core::AccountRequest request;
  request.kind = core::AccountRequest::Kind::kDrop;
  request.account_folded = folded;
  const core::AccountAnswer answer = execute(store, request);
  if (answer.outcome != Outcome::kOk) return refused(answer, name);
  std::cout << "deleted account " << display << std::endl;
  return kDone;
}

int verify_account(const Context& ctx, store::Store& store, const std::string& name) {
  core::AccountRequest request;
  request.kind = core::AccountRequest::Kind::kVerify;
  request.account_folded = proto::fold(name, ctx.casemapping);
  const core::AccountAnswer answer = execute(store, request);
  if (answer.outcome != Outcome::kOk) return refused(answer, name);
  std::cout << "verified account " << answer.account->name << std::endl;
  return kDone;
}

int run_account(const AccountFlags& flags) {
  Context ctx;
  ctx.data_dir = flags.data_dir;
  if (!flags.config.empty()) {
    auto loaded = load_server_config(flags.config, default_server_options());
    if (!loaded.ok()) {
      for (const auto& problem : loaded.problems) std::cerr << format_problem(flags.config, problem) << '\n';
      return complain(kBadInput, "the configuration file has problems");
    }
    ctx.casemapping = loaded.options.engine.casemapping;
    ctx.nick_length = loaded.options.engine.limits.nick_length;
    ctx.policy = loaded.options.engine.accounts;
    if (flags.data_dir_option->count() == 0 && !loaded.options.data_dir.empty())
      ctx.data_dir = loaded.options.data_dir;
  }
  if (!crypto::init_sodium()) return complain(kRefused, "libsodium could not be initialised");
  if (flags.create->parsed()) return create_account(ctx, flags);

  auto opened = open_account_store(ctx.data_dir, /*create=*/false);
  if (!opened.is_ok()) return complain(kRefused, opened.status().message());
  store::Store& store = *opened.value();
  if (flags.list->parsed()) return list_accounts(store);
  if (flags.show->parsed()) return show_account(ctx, store, flags.name);
  if (flags.passwd->parsed()) return change_password(ctx, store, flags.name);
  if (flags.remove->parsed()) return delete_account(ctx, store, flags.name, flags.yes);
  if (flags.verify->parsed()) return verify_account(ctx, store, flags.name);
  return complain(kBadInput, "no action given");
}

}  // namespace

Subcommand add_account_command(CLI::App& parent) {
  auto flags = std::make_shared<AccountFlags>();
  CLI::App* cli = parent.add_subcommand(
      "account", "Manage the accounts in the data directory's store (works while the server runs)");
  cli->require_subcommand(1);
  flags->data_dir_option =
      cli->add_option("--data-dir", flags->data_dir,
                      std::string("Data directory holding parley.db (default ") + kDefaultDataDir + ")")
          ->type_name("DIR");
  cli->add_option("--config", flags->config,
                  "The server's TOML configuration: its casemapping, nick length and account rules apply")
      ->type_name("FILE");

  auto action = [&](const char* name, const char* description, bool takes_name) {
    CLI::App* sub = cli->add_subcommand(name, description);
    sub->fallthrough();  // --data-dir and --config may also come after the action
    if (takes_name) sub->add_option("NAME", flags->name, "Account name")->required();
    return sub;
  };
  flags->list = action("list", "List every account", false);
  flags->show = action("show", "Show one account", true);
  flags->create = action("create", "Create an account; the password is read from standard input", true);
  flags->create->add_option("--email", flags->email, "E-mail address (optional)")->type_name("ADDRESS");
  flags->create->add_flag("--unverified", flags->unverified,
                          "Create it waiting for verification (parley account verify, or SAVERIFY)");
  flags->passwd = action("passwd", "Set an account's password, read from standard input", true);
  flags->remove = action("delete", "Delete an account and its certificates", true);
  flags->remove->add_flag("--yes", flags->yes, "Do not ask for confirmation (needed without a terminal)");
  flags->verify = action("verify", "Mark an account verified, as SAVERIFY does", true);
  return Subcommand{cli, [flags] { return run_account(*flags); }};
}

}  // namespace parley::app
