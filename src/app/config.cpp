#include "app/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "app/config_history.h"
#include "app/config_links.h"
#include "app/config_reader.h"
#include "app/config_web.h"
#include "app/data_dir.h"
#include "core/cloak.h"
#include "core/command_table.h"
#include "core/network.h"
#include "core/snomask.h"
#include "crypto/password.h"
#include "net/endpoint.h"
#include "net/tls.h"
#include "proto/casemap.h"

namespace parley::app {

namespace {

// A MOTD line must fit in ":<server> 372 <nick> :- <line>\r\n" within 512 bytes.
constexpr std::size_t kMaxMotdLine = 350;
constexpr std::size_t kMaxMotdLines = 1000;

// Splits text on LF (dropping CRs and the empty piece after a final newline).
std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::string line;
  for (char c : text) {
    if (c == '\n') {
      lines.push_back(std::move(line));
      line.clear();
    } else if (c != '\r') {
      line.push_back(c);
    }
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= ' ' || c == 0x7f || c == ',') return false;
  }
  return true;
}

class ServerConfigLoader {
 public:
  ServerConfigLoader(std::string path, server::ServerOptions& options, std::vector<ConfigProblem>& problems)
      : path_(std::move(path)), o_(options), r_(problems) {}

  void load(const toml::table& root) {
    r_.reject_unknown(root, "",
                      {"server", "limits", "flood", "timeouts", "operator", "listener", "tls", "sts",
                       "cloaks", "accounts", "history", "link", "operator_class", "metrics", "web"});
    if (const toml::node* listeners = root.get("listener")) this->listeners(*listeners);
    if (const auto* t = r_.table(root, "server")) server(*t);
    if (const auto* t = r_.table(root, "tls")) tls(*t);
    if (const auto* t = r_.table(root, "sts")) sts(*t);
    if (const auto* t = r_.table(root, "limits")) limits(*t);
    if (const auto* t = r_.table(root, "flood")) flood(*t);
    if (const auto* t = r_.table(root, "timeouts")) timeouts(*t);
    if (const auto* t = r_.table(root, "accounts")) accounts(*t);
    if (const toml::node* classes = root.get("operator_class")) operator_classes(*classes);
    if (const toml::node* ops = root.get("operator")) operators(*ops);  // after the classes it names
    if (const auto* t = r_.table(root, "cloaks")) cloaks(*t);
    if (const auto* t = r_.table(root, "metrics")) metrics(*t);
    if (const auto* t = r_.table(root, "web")) load_web_config(r_, *t, o_);
    if (const auto* t = r_.table(root, "history")) load_history_config(r_, *t, o_);    // after [server]
    if (const toml::node* links = root.get("link")) load_link_config(r_, *links, o_);  // after [server]
  }

 private:
  void server(const toml::table& t) {
    constexpr std::string_view s = "server";
    r_.reject_unknown(t, s,
                      {"name", "network", "description", "bind", "port", "password_hash", "casemapping",
                       "motd", "motd_file", "admin", "simple_port", "utf8_only", "data_dir", "id"});
    auto& e = o_.engine;
    if (auto v = r_.string(t, s, "name")) {
      if (auto why = check_server_name(*v); why.empty())
        e.server_name = *v;
      else
        r_.problem(*t.get("name"), "server.name " + why);
    }
    if (auto v = r_.string(t, s, "network")) {
      if (is_token(*v) && v->size() <= 64)
        e.network_name = *v;
      else
        r_.problem(*t.get("network"),
                   "server.network must be 1 to 64 printable characters without spaces or commas");
    }
    if (auto v = r_.string(t, s, "id")) {
      if (core::valid_sid(*v))
        e.server_id = *v;
      else
        r_.problem(*t.get("id"),
                   fmt::format("server.id must be a digit and two of 0-9 and A-Z, such as \"0PA\" "
                               "(got \"{}\")",
                               *v));
    }
    if (auto v = r_.string(t, s, "description"))
      text(*t.get("description"), "server.description", *v, 200, e.server_description);
    legacy_listener_keys(t);
    if (auto v = r_.string(t, s, "data_dir")) {
      if (v->empty() || v->find('\0') != std::string::npos)
        r_.problem(*t.get("data_dir"), "server.data_dir must be a directory path");
      else
        o_.data_dir = relative_to_config(*v);
    }
    if (auto v = r_.string(t, s, "password_hash")) {
      if (crypto::looks_like_password_hash(*v))
        e.password_hash = *v;
      else
        r_.problem(*t.get("password_hash"),
                   "server.password_hash is not a crypto_pwhash_str hash (make one with `parley mkpasswd`)");
    }
    if (auto v = r_.string(t, s, "casemapping")) {
      if (auto cm = proto::casemapping_from_string(*v))
        e.casemapping = *cm;
      else
        r_.problem(*t.get("casemapping"),
                   fmt::format("server.casemapping must be \"rfc1459\" or \"ascii\" (got \"{}\")", *v));
    }
    if (auto v = r_.boolean(t, s, "utf8_only")) e.utf8_only = *v;
    motd(t);
    if (const toml::array* a = r_.array(t, s, "admin")) {
      auto lines = r_.strings(t, s, "admin");
      if (a->size() > 3) {
        r_.problem(*a, fmt::format("server.admin has at most 3 lines (location, location, e-mail), got {}",
                                   a->size()));
      } else if (lines && lines->size() == a->size()) {
        std::vector<std::string> admin(3);
        for (std::size_t i = 0; i < lines->size(); ++i)
          text((*a)[i], "server.admin", (*lines)[i], 200, admin[i]);
        e.admin_info = std::move(admin);
      }
    }
  }

  // server.bind, server.port and server.simple_port: the listener list before [[listener]]
  // existed. They shape the default list as the flags do (set_listener_port()); mixed with
  // [[listener]] tables they would be ambiguous.
  void legacy_listener_keys(const toml::table& t) {
    for (std::string_view key : {"bind", "port", "simple_port"}) {
      if (const toml::node* node = t.get(key); node && explicit_listeners_)
        r_.problem(*node, fmt::format("server.{} cannot be combined with [[listener]] tables: give the "
                                      "address and port in a [[listener]]",
                                      key));
    }
    if (explicit_listeners_) return;
    constexpr std::string_view s = "server";
    if (auto v = r_.string(t, s, "bind")) {
      if (auto why = check_bind_address(*v); why.empty())
        set_listener_bind(o_.listeners, *v);
      else
        r_.problem(*t.get("bind"), "server.bind " + why);
    }
    if (auto v = r_.integer(t, s, "port", 0, 65535))
      set_listener_port(o_.listeners, server::Protocol::kIrc, false, static_cast<std::uint16_t>(*v));
    if (auto v = r_.integer(t, s, "simple_port", 0, 65535))
      set_listener_port(o_.listeners, server::Protocol::kSimple, false, static_cast<std::uint16_t>(*v));
  }

  void listeners(const toml::node& node) {
    const toml::array* blocks = node.as_array();
    if (!blocks || !blocks->is_array_of_tables() || blocks->empty()) {
      r_.problem(node, "listeners must be written as one or more [[listener]] tables");
      return;
    }
    explicit_listeners_ = true;
    std::vector<server::ListenerOptions> list;
    std::set<std::pair<std::string, std::uint16_t>> seen;
    for (const toml::node& element : *blocks) {
      const toml::table& t = *element.as_table();
      constexpr std::string_view s = "listener";
      r_.reject_unknown(t, s, {"bind", "port", "tls", "protocol"});
      server::ListenerOptions l;
      bool ok = true;
      if (auto v = r_.string(t, s, "bind")) {
        if (auto why = check_bind_address(*v); why.empty()) {
          l.bind = *v;
        } else {
          r_.problem(*t.get("bind"), "listener.bind " + why);
          ok = false;
        }
      }
      if (!t.get("port")) {
        r_.problem(t, "[[listener]] needs a port (0 picks a free one)");
        ok = false;
      } else if (auto v = r_.integer(t, s, "port", 0, 65535)) {
        l.port = static_cast<std::uint16_t>(*v);
      } else {
        ok = false;
      }
      if (auto v = r_.boolean(t, s, "tls")) l.tls = *v;
      if (auto v = r_.string(t, s, "protocol")) {
        if (*v == "irc") {
          l.protocol = server::Protocol::kIrc;
        } else if (*v == "simple") {
          l.protocol = server::Protocol::kSimple;
        } else if (*v == "link") {
          l.protocol = server::Protocol::kLink;
        } else if (*v == "web") {
          l.protocol = server::Protocol::kWeb;
        } else if (*v == "admin") {
          l.protocol = server::Protocol::kAdmin;
          if (!t.get("bind")) l.bind = "127.0.0.1";  // operators' endpoints stay on loopback unless asked
          if (l.tls) {
            r_.problem(
                *t.get("tls"),
                "listener.tls cannot be true for protocol = \"admin\": the admin listener speaks plain "
                "HTTP (keep it on loopback, or put a TLS proxy in front of it)");
            ok = false;
          }
        } else {
          r_.problem(*t.get("protocol"),
                     fmt::format(
                         "listener.protocol must be \"irc\", \"simple\", \"link\", \"web\" or \"admin\" (got "
                         "\"{}\")",
                         *v));
          ok = false;
        }
      }
      if (!ok) continue;
      if (l.port != 0 && !seen.insert({l.bind, l.port}).second) {
        r_.problem(t, fmt::format("two [[listener]] tables use {}",
                                  net::endpoint_to_string(
                                      boost::asio::ip::tcp::endpoint(*net::parse_address(l.bind), l.port))));
        continue;
      }
      list.push_back(std::move(l));
    }
    o_.listeners = std::move(list);
  }

  // [metrics]: the admin listener's endpoints (docs/operations.md "Metrics").
  void metrics(const toml::table& t) {
    constexpr std::string_view s = "metrics";
    r_.reject_unknown(t, s, {"token", "max_connections", "request_timeout_seconds"});
    auto& m = o_.metrics;
    if (auto v = r_.string(t, s, "token")) {
      const bool printable = std::all_of(v->begin(), v->end(), [](char c) { return c > ' ' && c < 0x7f; });
      if (v->size() < 16 || v->size() > 256 || !printable)
        r_.problem(*t.get("token"),
                   "metrics.token must be 16 to 256 printable ASCII characters without spaces "
                   "(e.g. from `openssl rand -hex 32`)");
      else
        m.token = *v;
    }
    r_.set_integer(t, s, "max_connections", 1, 1024, m.max_connections);
    if (auto v = r_.integer(t, s, "request_timeout_seconds", 1, 300))
      m.request_timeout = std::chrono::seconds(*v);
  }

  void tls(const toml::table& t) {
    constexpr std::string_view s = "tls";
    r_.reject_unknown(t, s, {"cert", "key", "handshake_timeout_seconds"});
    if (auto v = r_.integer(t, s, "handshake_timeout_seconds", 1, 300))
      o_.tls.handshake_timeout = std::chrono::seconds(*v);
    auto cert = r_.string(t, s, "cert");
    auto key = r_.string(t, s, "key");
    if (t.get("cert") && !t.get("key")) {
      r_.problem(*t.get("cert"), "tls.cert needs tls.key (the certificate's private key, PEM)");
      return;
    }
    if (t.get("key") && !t.get("cert")) {
      r_.problem(*t.get("key"), "tls.key needs tls.cert (the certificate, PEM, chain allowed)");
      return;
    }
    if (!cert || !key) return;
    const std::string cert_file = relative_to_config(*cert);
    const std::string key_file = relative_to_config(*key);
    std::string error;
    if (!net::TlsContext::from_files(cert_file, key_file, error)) {
      r_.problem(*t.get("cert"), "tls: " + error);
      return;
    }
    o_.tls.cert_file = cert_file;
    o_.tls.key_file = key_file;
  }

  // Strict Transport Security (ircv3.net sts). Clients that see it refuse plaintext for
  // `duration` and pin nothing, but they do refuse an unverifiable certificate from then on: so
  // it needs a configured certificate, never the generated self-signed one.
  void sts(const toml::table& t) {
    constexpr std::string_view s = "sts";
    r_.reject_unknown(t, s, {"enabled", "port", "duration", "preload"});
    auto& sts = o_.engine.sts;
    if (auto v = r_.integer(t, s, "port", 1, 65535)) sts.port = static_cast<std::uint16_t>(*v);
    if (auto v = r_.integer(t, s, "duration", 0, std::int64_t{1} << 31))
      sts.duration = std::chrono::seconds(*v);
    if (auto v = r_.boolean(t, s, "preload")) sts.preload = *v;
    auto enabled = r_.boolean(t, s, "enabled");
    if (!enabled || !*enabled) return;
    if (o_.tls.cert_file.empty()) {
      r_.problem(*t.get("enabled"),
                 "sts.enabled needs a certificate clients can verify ([tls] cert and key): "
                 "clients must never be told to insist on a self-signed one");
      return;
    }
    const bool served = std::any_of(o_.listeners.begin(), o_.listeners.end(),
                                    [&](const auto& l) { return l.tls && l.port == sts.port; });
    if (!served) {
      r_.problem(*t.get("enabled"), fmt::format("sts.port {} is not the port of a TLS listener", sts.port));
      return;
    }
    sts.enabled = true;
  }

  // A relative path in the file is relative to the file's directory.
  std::string relative_to_config(const std::string& name) const {
    std::filesystem::path path(name);
    if (path.is_relative()) path = std::filesystem::path(path_).parent_path() / path;
    return path.lexically_normal().string();
  }

  void motd(const toml::table& t) {
    const toml::node* inline_motd = t.get("motd");
    const toml::node* file = t.get("motd_file");
    if (inline_motd && file) {
      r_.problem(*file, "server.motd and server.motd_file are exclusive: give one of them");
      return;
    }
    std::vector<std::string> lines;
    const toml::node* at = inline_motd;
    if (inline_motd && inline_motd->is_string()) {
      lines = split_lines(inline_motd->as_string()->get());
    } else if (inline_motd && inline_motd->is_array()) {
      if (auto v = r_.strings(t, "server", "motd")) lines = std::move(*v);
    } else if (inline_motd) {
      r_.problem(*inline_motd, fmt::format("server.motd must be a string or an array of strings, not {}",
                                           ConfigReader::type_name(*inline_motd)));
      return;
    } else if (auto path = r_.string(t, "server", "motd_file")) {
      at = file;
      if (!read_motd_file(*file, *path, lines)) return;
    } else {
      return;
    }
    if (lines.size() > kMaxMotdLines) {
      r_.problem(*at,
                 fmt::format("the MOTD has {} lines; at most {} are allowed", lines.size(), kMaxMotdLines));
      return;
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].size() > kMaxMotdLine) {
        r_.problem(*at, fmt::format("MOTD line {} is {} bytes long; at most {} fit in an IRC line", i + 1,
                                    lines[i].size(), kMaxMotdLine));
        return;
      }
    }
    o_.engine.motd = std::move(lines);
  }

  bool read_motd_file(const toml::node& at, const std::string& name, std::vector<std::string>& lines) {
    std::filesystem::path path(name);
    if (path.is_relative()) path = std::filesystem::path(path_).parent_path() / path;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      r_.problem(at,
                 fmt::format("server.motd_file: cannot read {}: {}", path.string(), std::strerror(errno)));
      return false;
    }
    std::ostringstream content;
    content << in.rdbuf();
    const std::string bytes = content.str();
    if (bytes.find('\0') != std::string::npos) {
      r_.problem(at, fmt::format("server.motd_file: {} contains NUL bytes", path.string()));
      return false;
    }
    lines = split_lines(bytes);
    return true;
  }

  void limits(const toml::table& t) {
    constexpr std::string_view s = "limits";
    r_.reject_unknown(t, s,
                      {"max_clients",
                       "max_clients_per_ip",
                       "max_channels_per_user",
                       "max_targets",
                       "nick_length",
                       "channel_length",
                       "topic_length",
                       "kick_length",
                       "away_length",
                       "max_bans",
                       "max_modes",
                       "whowas_entries",
                       "sendq_bytes",
                       "link_sendq_bytes",
                       "recvq_bytes",
                       "per_ip_exempt",
                       "realname_length",
                       "monitor_entries",
                       "knock_interval_seconds",
                       "list_max",
                       "metadata_max_keys",
                       "metadata_max_subs",
                       "metadata_max_value_bytes",
                       "metadata_sync_members",
                       "max_silence",
                       "multiline_max_bytes",
                       "multiline_max_lines",
                       "redact_window",
                       "redact_messages"});
    auto& l = o_.engine.limits;
    r_.set_integer(t, s, "max_clients", 1, 1'000'000, l.max_clients);
    r_.set_integer(t, s, "max_clients_per_ip", 1, 1'000'000, l.max_clients_per_ip);
    r_.set_integer(t, s, "max_channels_per_user", 1, 10'000, l.max_channels_per_user);
    r_.set_integer(t, s, "max_targets", 1, 100, l.max_targets);
    r_.set_integer(t, s, "nick_length", 1, 100, l.nick_length);
    r_.set_integer(t, s, "channel_length", 2, 200, l.channel_length);
    r_.set_integer(t, s, "topic_length", 1, 400, l.topic_length);
    r_.set_integer(t, s, "kick_length", 1, 400, l.kick_length);
    r_.set_integer(t, s, "away_length", 1, 400, l.away_length);
    r_.set_integer(t, s, "max_bans", 1, 100'000, l.max_bans);
    r_.set_integer(t, s, "max_modes", 1, 100, l.max_modes);
    r_.set_integer(t, s, "whowas_entries", 0, 1'000'000, l.whowas_entries);
    r_.set_integer(t, s, "realname_length", 1, 390, l.realname_length);
    r_.set_integer(t, s, "monitor_entries", 0, 10'000, l.monitor_entries);
    r_.set_integer(t, s, "knock_interval_seconds", 0, 86'400, l.knock_interval_seconds);
    r_.set_integer(t, s, "list_max", 1, 1'000'000, l.list_max);
    r_.set_integer(t, s, "metadata_max_keys", 1, 1000, l.metadata_max_keys);
    r_.set_integer(t, s, "metadata_max_subs", 1, 1000, l.metadata_max_subs);
    r_.set_integer(t, s, "metadata_max_value_bytes", 1, 400, l.metadata_max_value_bytes);
    r_.set_integer(t, s, "metadata_sync_members", 0, 1'000'000, l.metadata_sync_members);
    r_.set_integer(t, s, "max_silence", 1, 1000, l.max_silence);
    r_.set_integer(t, s, "multiline_max_bytes", 512, 1'000'000, l.multiline_max_bytes);
    r_.set_integer(t, s, "multiline_max_lines", 2, 10'000, l.multiline_max_lines);
    r_.set_integer(t, s, "redact_window", 1, 30 * 86400, l.redact_window);
    r_.set_integer(t, s, "redact_messages", 1, 100'000, l.redact_messages);
    r_.set_integer(t, s, "sendq_bytes", 4096, std::int64_t{1} << 30, o_.sendq_bytes);
    r_.set_integer(t, s, "link_sendq_bytes", 65536, std::int64_t{4} << 30, o_.link_sendq_bytes);
    r_.set_integer(t, s, "recvq_bytes", 512, 65536, o_.recvq_bytes);
    if (const toml::array* a = r_.array(t, s, "per_ip_exempt"))
      o_.per_ip_exempt = r_.cidr_list(*a, "limits.per_ip_exempt");
  }

  void flood(const toml::table& t) {
    constexpr std::string_view s = "flood";
    r_.reject_unknown(t, s, {"burst", "rate", "max_debt", "exempt", "simple_exempt"});
    auto& f = o_.engine.flood;
    if (auto v = r_.number(t, s, "burst", 1, 1e6)) f.burst = *v;
    if (auto v = r_.number(t, s, "rate", 0, 1e6, /*min_exclusive=*/true)) f.rate = *v;
    if (auto v = r_.number(t, s, "max_debt", 0, 1e6)) f.max_debt = *v;
    if (const toml::array* a = r_.array(t, s, "exempt")) o_.exempt = r_.cidr_list(*a, "flood.exempt");
    if (const toml::array* a = r_.array(t, s, "simple_exempt"))
      o_.simple_exempt = r_.cidr_list(*a, "flood.simple_exempt");
  }

  void timeouts(const toml::table& t) {
    constexpr std::string_view s = "timeouts";
    r_.reject_unknown(t, s, {"registration", "ping_interval", "ping_timeout", "multiline_batch"});
    auto& to = o_.engine.timeouts;
    if (auto v = r_.integer(t, s, "registration", 1, 3600)) to.registration = std::chrono::seconds(*v);
    if (auto v = r_.integer(t, s, "ping_interval", 1, 86400)) to.ping_interval = std::chrono::seconds(*v);
    if (auto v = r_.integer(t, s, "ping_timeout", 1, 86400)) to.ping_timeout = std::chrono::seconds(*v);
    if (auto v = r_.integer(t, s, "multiline_batch", 1, 3600)) to.multiline_batch = std::chrono::seconds(*v);
  }

  // [accounts]: docs/operations.md "Accounts".
  void accounts(const toml::table& t) {
    constexpr std::string_view s = "accounts";
    r_.reject_unknown(t, s,
                      {"registration", "register_before_connect", "enforce_grace", "min_password_length",
                       "max_password_length", "login_failures_per_minute", "registrations_per_ip_per_hour",
                       "max_accounts_per_email", "authority"});
    auto& a = o_.engine.accounts;
    if (auto v = r_.string(t, s, "authority")) {
      if (auto why = check_server_name(*v); why.empty())
        o_.account_authority = *v;
      else
        r_.problem(*t.get("authority"), "accounts.authority " + why);
    }
    if (auto v = r_.string(t, s, "registration")) {
      if (*v == "open") {
        a.registration = core::AccountPolicy::Registration::kOpen;
      } else if (*v == "closed") {
        a.registration = core::AccountPolicy::Registration::kClosed;
      } else if (*v == "operator-verify") {
        a.registration = core::AccountPolicy::Registration::kOperatorVerify;
      } else {
        r_.problem(*t.get("registration"),
                   "accounts.registration must be \"open\", \"closed\" or \"operator-verify\"");
      }
    }
    if (auto v = r_.boolean(t, s, "register_before_connect")) a.register_before_connect = *v;
    if (auto v = r_.integer(t, s, "enforce_grace", 1, 86400)) a.enforce_grace = std::chrono::seconds(*v);
    r_.set_integer(t, s, "min_password_length", 1, 1024, a.min_password_length);
    r_.set_integer(t, s, "max_password_length", 8, 1024, a.max_password_length);
    if (a.min_password_length > a.max_password_length)
      r_.problem(t, "accounts.min_password_length is larger than accounts.max_password_length");
    r_.set_integer(t, s, "login_failures_per_minute", 1, 1'000'000, a.login_failures_per_minute);
    r_.set_integer(t, s, "registrations_per_ip_per_hour", 0, 1'000'000, a.registrations_per_ip_per_hour);
    r_.set_integer(t, s, "max_accounts_per_email", 0, 1'000'000, a.max_accounts_per_email);
  }

  void operators(const toml::node& node) {
    const toml::array* blocks = node.as_array();
    if (!blocks || !blocks->is_array_of_tables()) {
      r_.problem(node, "operator blocks must be written as [[operator]] tables");
      return;
    }
    std::set<std::string> names;
    for (const toml::node& element : *blocks) {
      const toml::table& t = *element.as_table();
      constexpr std::string_view s = "operator";
      r_.reject_unknown(t, s, {"name", "password_hash", "host", "class"});
      core::OperatorBlock op;
      auto name = r_.string(t, s, "name");
      auto hash = r_.string(t, s, "password_hash");
      if (!t.get("name")) r_.problem(t, "[[operator]] needs a name");
      if (!t.get("password_hash"))
        r_.problem(t, "[[operator]] needs a password_hash (make one with `parley mkpasswd`)");
      if (name && !is_token(*name))
        r_.problem(*t.get("name"), "operator.name must be non-empty, without spaces or commas");
      else if (name && !names.insert(*name).second)
        r_.problem(*t.get("name"), fmt::format("operator \"{}\" is defined twice", *name));
      if (hash && !crypto::looks_like_password_hash(*hash)) {
        r_.problem(
            *t.get("password_hash"),
            "operator.password_hash is not a crypto_pwhash_str hash (make one with `parley mkpasswd`)");
        hash.reset();
      }
      if (auto host = r_.string(t, s, "host")) {
        if (is_token(*host) && host->find('@') != std::string::npos)
          op.host_mask = *host;
        else
          r_.problem(*t.get("host"), "operator.host must be a user@host mask such as \"*@127.0.0.1\"");
      }
      if (auto cls = r_.string(t, s, "class")) {
        const auto& classes = o_.engine.operator_classes;
        if (std::any_of(classes.begin(), classes.end(),
                        [&](const core::OperatorClass& c) { return c.name == *cls; }))
          op.class_name = *cls;
        else
          r_.problem(*t.get("class"),
                     fmt::format("operator.class \"{}\" is not an [[operator_class]]", *cls));
      }
      if (!name || !hash || !is_token(*name)) continue;
      op.name = *name;
      op.password_hash = *hash;
      o_.engine.operators.push_back(std::move(op));
    }
  }

  // [[operator_class]]: docs/operations.md "Operator classes".
  void operator_classes(const toml::node& node) {
    const toml::array* blocks = node.as_array();
    if (!blocks || !blocks->is_array_of_tables()) {
      r_.problem(node, "operator classes must be written as [[operator_class]] tables");
      return;
    }
    for (const toml::node& element : *blocks) {
      const toml::table& t = *element.as_table();
      constexpr std::string_view s = "operator_class";
      r_.reject_unknown(t, s, {"name", "commands", "snomask"});
      core::OperatorClass cls;
      auto name = r_.string(t, s, "name");
      if (!name || !is_token(*name)) {
        r_.problem(t, "[[operator_class]] needs a name, non-empty, without spaces or commas");
        continue;
      }
      for (const core::OperatorClass& other : o_.engine.operator_classes)
        if (other.name == *name)
          r_.problem(*t.get("name"), fmt::format("operator_class \"{}\" is defined twice", *name));
      cls.name = *name;
      const toml::array* commands = t.get("commands") ? t.get("commands")->as_array() : nullptr;
      if (!commands) {
        r_.problem(t, "[[operator_class]] needs commands, a list such as [\"KILL\", \"KLINE\"] or [\"*\"]");
        continue;
      }
      for (const toml::node& c : *commands) {
        const auto* text = c.as_string();
        std::string word = text ? text->get() : std::string();
        std::transform(word.begin(), word.end(), word.begin(),
                       [](unsigned char ch) { return std::toupper(ch); });
        const core::CommandSpec* spec = core::find_command(word);
        if (word == "*" || (spec && spec->oper_only)) {
          cls.commands.push_back(word == "*" ? word : std::string(spec->name));
        } else {
          r_.problem(c, fmt::format("operator_class.commands: \"{}\" is not an operator command ({})",
                                    text ? text->get() : "not a string", operator_command_names()));
        }
      }
      if (auto mask = r_.string(t, s, "snomask")) {
        if (std::all_of(mask->begin(), mask->end(), core::snomask::valid))
          cls.snomask = *mask;
        else
          r_.problem(*t.get("snomask"),
                     fmt::format("operator_class.snomask takes letters of \"{}\"", core::snomask::kAll));
      }
      o_.engine.operator_classes.push_back(std::move(cls));
    }
  }

  static std::string operator_command_names() {
    std::string names;
    for (const core::CommandSpec& spec : core::all_commands())
      if (spec.oper_only) names += (names.empty() ? "" : " ") + std::string(spec.name);
    return names;
  }

  // [cloaks]: docs/operations.md "Cloaks". The secret is not configured: it lives in the data
  // directory (cloak.key), generated once.
  void cloaks(const toml::table& t) {
    constexpr std::string_view s = "cloaks";
    r_.reject_unknown(t, s, {"enabled", "suffix", "account_hosts"});
    auto& c = o_.engine.cloaks;
    if (auto v = r_.boolean(t, s, "enabled")) c.enabled = *v;
    if (auto v = r_.boolean(t, s, "account_hosts")) c.account_hosts = *v;
    if (auto v = r_.string(t, s, "suffix")) {
      if (core::is_valid_cloak_suffix(*v))
        c.suffix = *v;
      else
        r_.problem(
            *t.get("suffix"),
            fmt::format("cloaks.suffix must be 1 to {} letters, digits, '-' and '.', starting and ending "
                        "with a letter or digit (e.g. \"ip\" or \"users.example.org\")",
                        core::kMaxCloakSuffix));
    }
  }

  void text(const toml::node& at, std::string_view what, const std::string& value, std::size_t max,
            std::string& out) {
    if (auto why = check_line_text(value); !why.empty()) {
      r_.problem(at, fmt::format("{} {}", what, why));
    } else if (value.size() > max) {
      r_.problem(at, fmt::format("{} is longer than {} bytes", what, max));
    } else {
      out = value;
    }
  }

  std::string path_;
  server::ServerOptions& o_;
  ConfigReader r_;
  bool explicit_listeners_ = false;
};

}  // namespace

server::ServerOptions default_server_options() {
  server::ServerOptions options;
  options.data_dir = kDefaultDataDir;
  options.engine.motd = {
      "Welcome to Parley.",
      "This server has no message of the day of its own: its operator can set one with",
      "server.motd or server.motd_file in the configuration (see docs/operations.md).",
  };
  return options;
}

LoadedConfig load_server_config(const std::string& path, server::ServerOptions base) {
  LoadedConfig result{std::move(base), {}};
  // A directory opens and reads as an empty file, which would pass as "all defaults".
  std::error_code status_error;
  const auto type = std::filesystem::status(path, status_error).type();
  if (!status_error && type != std::filesystem::file_type::regular) {
    result.problems.push_back({0, type == std::filesystem::file_type::directory
                                      ? "is a directory, not a configuration file"
                                      : "is not a regular file"});
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.problems.push_back({0, fmt::format("cannot read the file: {}", std::strerror(errno))});
    return result;
  }
  std::ostringstream content;
  content << in.rdbuf();
  const std::string text = content.str();
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    result.problems.push_back(
        {static_cast<std::size_t>(e.source().begin.line), std::string(e.description())});
    return result;
  }
  ServerConfigLoader(path, result.options, result.problems).load(root);
  if (auto why = check_simple_door(result.options); !why.empty()) result.problems.push_back({0, why});
  std::stable_sort(result.problems.begin(), result.problems.end(),
                   [](const ConfigProblem& a, const ConfigProblem& b) { return a.line < b.line; });
  return result;
}

std::string format_problem(const std::string& path, const ConfigProblem& problem) {
  if (problem.line == 0) return fmt::format("{}: {}", path, problem.message);
  return fmt::format("{}:{}: {}", path, problem.line, problem.message);
}

std::string check_server_name(const std::string& value) {
  if (value.empty() || value.size() > 63) return "must be 1 to 63 characters long";
  for (unsigned char c : value) {
    if (!std::isalnum(c) && c != '.' && c != '-' && c != '_') {
      return "may contain only letters, digits, '.', '-' and '_'";
    }
  }
  if (value.find('.') == std::string::npos)
    return "must contain a '.' (e.g. irc.example.org), so it cannot be mistaken for a nickname";
  if (value.front() == '.' || value.front() == '-') return "must start with a letter or digit";
  return {};
}

std::string check_simple_door(const server::ServerOptions& options) {
  const bool simple = std::any_of(options.listeners.begin(), options.listeners.end(),
                                  [](const auto& l) { return l.protocol == server::Protocol::kSimple; });
  if (simple && !options.engine.password_hash.empty())
    return "server.simple_port cannot be combined with server.password_hash (nor can a [[listener]] with "
           "protocol = \"simple\"): the simple protocol has no way to send a password";
  return {};
}

void set_listener_bind(std::vector<server::ListenerOptions>& listeners, const std::string& bind) {
  // Not the admin listener's: --bind 0.0.0.0 must not expose /metrics (its [[listener]] says where).
  for (auto& l : listeners) {
    if (l.protocol != server::Protocol::kAdmin) l.bind = bind;
  }
}

void set_listener_port(std::vector<server::ListenerOptions>& listeners, server::Protocol protocol, bool tls,
                       std::uint16_t port) {
  for (auto& l : listeners) {
    if (l.protocol == protocol && l.tls == tls) {
      l.port = port;
      return;
    }
  }
  server::ListenerOptions added;
  for (const auto& l : listeners) {
    if (l.protocol != server::Protocol::kAdmin) {
      added.bind = l.bind;
      break;
    }
  }
  added.port = port;
  added.tls = tls;
  added.protocol = protocol;
  listeners.push_back(std::move(added));
}

std::string check_bind_address(const std::string& value) {
  if (!net::parse_address(value))
    return fmt::format("\"{}\" is not a numeric IPv4 or IPv6 address (e.g. 0.0.0.0, ::, 127.0.0.1)", value);
  return {};
}

}  // namespace parley::app
