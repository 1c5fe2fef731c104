// `parley server` and `parley simple-server PORT`: load the configuration, bind, print one stdout
// line per listener that tests and scripts parse ("parley server listening for IRC on ADDR:PORT",
// "... for IRC over TLS on ADDR:PORT", "... for simple clients on ADDR:PORT"), then, with a TLS
// listener, "parley server TLS certificate SHA-256 fingerprint: ab:cd:..." and serve until
// SIGINT/SIGTERM. SIGHUP (and REHASH) re-read the --config file with the same parser and flags
// (reread_config(); docs/operations.md "Reloading").
//
// simple-server is the seed's server shape (docs/protocol.md "Simple"): the simple protocol on
// PORT, IRC only with --port, and every simple client exempt from flood control and the per-IP
// limit (the course protocol runs on loopback or a lab LAN, many clients per address).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <exception>
#include <iostream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/account_store.h"
#include "app/cli_checks.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/data_dir.h"
#include "app/json_log.h"
#include "app/restart.h"
#include "app/systemd_notify.h"
#include "app/tls_certificate.h"
#include "app/version.h"
#include "crypto/password.h"
#include "net/endpoint.h"
#include "server/descriptor_limit.h"
#include "server/irc_server.h"
#include "store/memory_store.h"

namespace parley::app {

namespace {

struct ServerFlags {
  bool simple_server = false;  // `parley simple-server PORT`
  CLI::Option* bind_option = nullptr;
  CLI::Option* port_option = nullptr;
  CLI::Option* simple_port_option = nullptr;
  CLI::Option* tls_port_option = nullptr;
  CLI::Option* web_port_option = nullptr;
  CLI::Option* data_dir_option = nullptr;
  CLI::Option* name_option = nullptr;
  std::string bind;
  int port = 6667;
  int simple_port = 0;
  int tls_port = 6697;
  int web_port = 0;
  std::string data_dir;
  std::string name;
  std::string config;
  std::string check_config;
  std::string log_level = "info";
  std::string log_format = "text";
};

void set_up_logging(const std::string& level, const std::string& format) {
  if (format == "json") {  // one JSON object per line, no colours (json_log.h)
    spdlog::set_default_logger(spdlog::stderr_logger_mt("parley"));
    spdlog::set_formatter(std::make_unique<JsonLogFormatter>());
  } else {
    spdlog::set_default_logger(spdlog::stderr_color_mt("parley"));
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  }
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::warn);
}

// RPL_CREATED text, e.g. "Sat Nov 21 2026 at 20:30:00 UTC".
std::string start_date() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a %b %d %Y at %H:%M:%S UTC", &utc);
  return text;
}

// The cloak key (docs/operations.md "Cloaks"): read from the data directory, where it is
// generated once; without a data directory, random for this run (cloaks change on restart).
// Returns an empty string, or why the server cannot start.
std::string load_cloak_secret(server::ServerOptions& options) {
  if (!options.engine.cloaks.enabled) return {};
  if (options.data_dir.empty()) {
    std::random_device entropy;  // the kernel's getrandom()
    std::string secret;
    while (secret.size() < 32) secret += static_cast<char>(entropy() & 0xff);
    options.engine.cloaks.secret = std::move(secret);
    return {};
  }
  if (auto why = prepare_data_dir(options.data_dir); !why.empty()) return why;
  std::string error;
  auto secret = load_or_create_secret(options.data_dir, "cloak.key", 32, error);
  if (!secret) return "cannot load the cloak key: " + error;
  options.engine.cloaks.secret = std::move(*secret);
  return {};
}

const char* program(const ServerFlags& flags) { return flags.simple_server ? "simple-server" : "server"; }

// The listener flags over the configured list (config.h, set_listener_port()). simple-server
// serves its PORT first, IRC only with --port and TLS only with --tls-port.
void apply_listener_flags(const ServerFlags& flags, server::ServerOptions& options) {
  auto& list = options.listeners;
  using server::Protocol;
  const bool tls_flag = flags.tls_port_option && flags.tls_port_option->count();
  if (flags.simple_server) {
    std::erase_if(list, [&](const server::ListenerOptions& l) {
      return l.protocol == Protocol::kIrc && (l.tls ? !tls_flag : !flags.port_option->count());
    });
  }
  if (flags.bind_option->count()) set_listener_bind(list, flags.bind);
  if (flags.port_option->count())
    set_listener_port(list, Protocol::kIrc, false, static_cast<std::uint16_t>(flags.port));
  if (tls_flag) set_listener_port(list, Protocol::kIrc, true, static_cast<std::uint16_t>(flags.tls_port));
  if (flags.simple_port_option->count())
    set_listener_port(list, Protocol::kSimple, false, static_cast<std::uint16_t>(flags.simple_port));
  if (flags.web_port_option && flags.web_port_option->count())
    set_listener_port(list, Protocol::kWeb, false, static_cast<std::uint16_t>(flags.web_port));
  if (flags.simple_server) {
    std::stable_partition(list.begin(), list.end(),
                          [](const server::ListenerOptions& l) { return l.protocol == Protocol::kSimple; });
  }
}

int check_config(const std::string& path) {
  auto loaded = load_server_config(path, default_server_options());
  if (loaded.ok()) {
    std::cout << path << ": OK" << std::endl;
    return 0;
  }
  for (const auto& problem : loaded.problems) std::cout << format_problem(path, problem) << '\n';
  std::cout.flush();
  return 1;
}

// The command-line flags over a loaded configuration, at start and at every reload alike.
void apply_flags(const ServerFlags& flags, server::ServerOptions& options) {
  apply_listener_flags(flags, options);
  if (flags.data_dir_option && flags.data_dir_option->count()) options.data_dir = flags.data_dir;
  if (flags.simple_server) {
    options.simple_exempt = proto::CidrList({*proto::Cidr::parse("0.0.0.0/0"), *proto::Cidr::parse("::/0")});
  }
  if (flags.name_option->count()) options.engine.server_name = flags.name;
  options.engine.config_file = flags.config;
}

bool needs_certificate(const server::ServerOptions& options) {
  return std::any_of(options.listeners.begin(), options.listeners.end(),
                     [](const server::ListenerOptions& l) { return l.tls; }) ||
         std::any_of(options.link_dials.begin(), options.link_dials.end(),
                     [](const server::LinkDial& d) { return d.tls; });
}

// A reload's reading of the configuration (server/reload.h): the --config file through the same
// parser, messages and flags as at start, the cloak key and the certificate files read again.
// A certificate made in memory (no files, no data directory) is kept rather than made anew.
server::ConfigReload reread_config(const ServerFlags& flags, bool has_certificate) {
  server::ConfigReload out;
  auto loaded = load_server_config(flags.config, default_server_options());
  if (!loaded.ok()) {
    for (const auto& problem : loaded.problems) out.errors.push_back(format_problem(flags.config, problem));
    return out;
  }
  server::ServerOptions options = std::move(loaded.options);
  apply_flags(flags, options);
  if (auto why = check_simple_door(options); !why.empty()) {
    out.errors.push_back(flags.config + ": " + why);
    return out;
  }
  if (auto why = load_cloak_secret(options); !why.empty()) {
    out.errors.push_back(flags.config + ": " + why);
    return out;
  }
  const bool in_memory = options.tls.cert_file.empty() && options.data_dir.empty();
  if (needs_certificate(options) && !(in_memory && has_certificate)) {
    ServerCertificate certificate = load_server_certificate(options);
    if (!certificate.context) {
      out.errors.push_back(flags.config + ": TLS certificate: " + certificate.error +
                           "; keeping the current certificate");
      return out;
    }
    out.certificate = std::move(certificate.context);
  }
  out.options = std::move(options);
  return out;
}

int run_server(const ServerFlags& flags) {
  if (!flags.check_config.empty()) return check_config(flags.check_config);
  set_up_logging(flags.log_level, flags.log_format);

  server::ServerOptions options = default_server_options();
  if (!flags.config.empty()) {
    auto loaded = load_server_config(flags.config, std::move(options));
    if (!loaded.ok()) {
      for (const auto& problem : loaded.problems) std::cerr << format_problem(flags.config, problem) << '\n';
      std::cerr << "parley server: refusing to start with an invalid configuration" << std::endl;
      return 1;
    }
    options = std::move(loaded.options);
  }
  apply_flags(flags, options);
  if (auto why = check_simple_door(options); !why.empty()) {
    std::cerr << program(flags) << ": " << why << std::endl;
    return 1;
  }
  // One token (RPL_MYINFO and VERSION carry it as a parameter): "parley-0.1.0-ebdc833".
  options.engine.version = std::string("parley-") + kVersion;
  if (std::string_view(kGitDescribe) != "unknown") options.engine.version += std::string("-") + kGitDescribe;
  options.engine.created = start_date();
  std::random_device entropy;  // the kernel's getrandom(): message ids must differ between runs
  for (auto& word : options.engine.msgid_seed) word = (std::uint64_t{entropy()} << 32) | entropy();
  if (auto why = load_cloak_secret(options); !why.empty()) {
    std::cerr << program(flags) << ": " << why << std::endl;
    return 1;
  }

  std::signal(SIGPIPE, SIG_IGN);  // writes use MSG_NOSIGNAL; this covers anything else
  server::raise_descriptor_limit(options.engine.limits.max_clients);

  // A certificate for TLS listeners, and for the links this server dials with TLS (it presents
  // it, so the peer can pin it).
  const bool any_tls = needs_certificate(options);
  ServerCertificate certificate;
  if (any_tls) {
    certificate = load_server_certificate(options);
    if (!certificate.context) {
      std::cerr << program(flags) << ": TLS certificate: " << certificate.error << std::endl;
      return 1;
    }
    if (certificate.generated)
      spdlog::info("generated a self-signed TLS certificate{}",
                   options.tls.cert_file.empty() ? " for this run" : " in " + options.tls.cert_file);
  }

  bool restart = false;
  try {
    if (!crypto::init_sodium()) throw std::runtime_error("libsodium could not be initialised");
    std::unique_ptr<store::Store> store = std::make_unique<store::MemoryStore>();
    if (!options.data_dir.empty()) {
      auto opened = open_account_store(options.data_dir, /*create=*/true);
      if (!opened.is_ok()) {
        spdlog::critical("parley {}: cannot open the account store: {}", program(flags),
                         opened.status().message());
        return 1;
      }
      store = std::move(opened).value();
      spdlog::info("accounts and history in {}", account_database_path(options.data_dir).string());
    } else {
      spdlog::info("no data directory: accounts and history are kept in memory and lost at exit");
    }
    server::IrcServer server(options, *store);
    if (certificate.context) server.use_tls(certificate.context);
    if (!flags.config.empty()) {
      server.set_config_source(
          [&flags](bool has_certificate) { return reread_config(flags, has_certificate); });
    }
    for (const server::ListenerOptions& listener : options.listeners) {
      net::tcp::endpoint bound;
      // Validated by the config loader and the flags.
      const net::tcp::endpoint at(*net::parse_address(listener.bind), listener.port);
      try {
        bound = server.listen(at, listener.protocol, listener.tls);
      } catch (const boost::system::system_error& e) {
        spdlog::error("cannot listen on {}: {}", net::endpoint_to_string(at), e.code().message());
        return 1;
      }
      std::cout << "parley " << program(flags) << " listening for "
                << server::listener_kind(listener.protocol, listener.tls) << " on "
                << net::endpoint_to_string(bound) << std::endl;
      if (listener.protocol == server::Protocol::kWeb) {
        // Where a person points a browser (an unspecified address: this machine, by name).
        const std::string where = bound.address().is_unspecified()
                                      ? "localhost:" + std::to_string(bound.port())
                                      : net::endpoint_to_string(bound);
        spdlog::info("web client: open {}://{}/ in a browser", listener.tls ? "https" : "http", where);
      }
    }
    if (certificate.context) {
      std::cout << "parley " << program(flags)
                << " TLS certificate SHA-256 fingerprint: " << certificate.context->fingerprint()
                << std::endl;
    }
    spdlog::info("{} ({}) ready; stop with SIGINT or SIGTERM", options.engine.server_name,
                 options.engine.version);
    // Under systemd (Type=notify): READY=1 now that every listener is bound, STATUS= every 5 s,
    // STOPPING=1 when the shutdown starts. Declared after `server`, so it goes first.
    systemd::ServiceNotifier notifier(server, std::chrono::seconds(5));
    server.run();
    restart = server.restart_requested();
    if (restart) notifier.restarting();
  } catch (const std::exception& e) {
    spdlog::critical("parley {}: {}", program(flags), e.what());
    return 1;
  }
  // Here the server and its store are gone: ports closed, database closed.
  if (restart) {
    restart_in_place();
    return 1;
  }
  return 0;
}

}  // namespace

Subcommand add_server_command(CLI::App& parent) {
  auto flags = std::make_shared<ServerFlags>();
  CLI::App* cli =
      parent.add_subcommand("server", "Run the IRC server (embedded default configuration unless --config)");
  auto bind_check = [](const std::string& v) { return check_bind_address(v); };
  auto name_check = [](const std::string& v) { return check_server_name(v); };
  flags->bind_option =
      cli->add_option("--bind", flags->bind, "Address to listen on (default 0.0.0.0; :: for IPv6)")
          ->check(CLI::Validator(bind_check, "ADDR"));
  flags->port_option = cli->add_option("--port", flags->port, "TCP port (default 6667; 0 picks a free port)")
                           ->transform(number_in(0, 65535));
  flags->simple_port_option =
      cli->add_option("--simple-port", flags->simple_port,
                      "Also serve the simple fixed-frame protocol on this TCP port (0 picks a free port)")
          ->transform(number_in(0, 65535));
  flags->web_port_option =
      cli->add_option(
             "--web-port", flags->web_port,
             "Also serve the web client and IRC over WebSocket on this TCP port (0 picks a free port)")
          ->transform(number_in(0, 65535));
  flags->tls_port_option = cli->add_option("--tls-port", flags->tls_port,
                                           "TCP port for IRC over TLS (default 6697; 0 picks a free port)")
                               ->transform(number_in(0, 65535))
                               ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  flags->data_dir_option =
      cli->add_option("--data-dir", flags->data_dir,
                      "Data directory (default ./parley-data; \"\" keeps nothing on disk)")
          ->type_name("DIR")
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cli->add_option("--config", flags->config, "TOML configuration file (see docs/operations.md)")
      ->type_name("FILE");
  flags->name_option =
      cli->add_option("--name", flags->name, "Server name shown to clients (e.g. irc.example.org)")
          ->check(CLI::Validator(name_check, "SERVERNAME"));
  cli->add_option("--check-config", flags->check_config,
                  "Validate FILE, print FILE: OK or its problems, and exit")
      ->type_name("FILE");
  cli->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error or off (default info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cli->add_option("--log-format", flags->log_format,
                  "text (default) or json: one JSON object per line, for log shippers")
      ->check(CLI::IsMember({"text", "json"}));
  return Subcommand{cli, [flags] { return run_server(*flags); }};
}

Subcommand add_simple_server_command(CLI::App& parent) {
  auto flags = std::make_shared<ServerFlags>();
  flags->simple_server = true;
  CLI::App* cli = parent.add_subcommand(
      "simple-server", "Serve the simple fixed-frame channel protocol on PORT (and IRC too with --port)");
  flags->simple_port_option =
      cli->add_option("PORT", flags->simple_port, "TCP port for simple clients (0 picks a free port)")
          ->required()
          ->transform(number_in(0, 65535));
  auto bind_check = [](const std::string& v) { return check_bind_address(v); };
  auto name_check = [](const std::string& v) { return check_server_name(v); };
  flags->bind_option =
      cli->add_option("--bind", flags->bind,
                      "Address to listen on (default 0.0.0.0, all IPv4 addresses; :: for IPv6)")
          ->check(CLI::Validator(bind_check, "ADDR"));
  flags->port_option =
      cli->add_option("--port", flags->port, "Also serve IRC on this TCP port, sharing the channels")
          ->transform(number_in(0, 65535));
  cli->add_option("--config", flags->config, "TOML configuration file (see docs/operations.md)")
      ->type_name("FILE");
  flags->name_option = cli->add_option("--name", flags->name, "Server name shown to IRC clients")
                           ->check(CLI::Validator(name_check, "SERVERNAME"));
  cli->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error or off (default info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cli->add_option("--log-format", flags->log_format,
                  "text (default) or json: one JSON object per line, for log shippers")
      ->check(CLI::IsMember({"text", "json"}));
  return Subcommand{cli, [flags] { return run_server(*flags); }};
}

}  // namespace parley::app
