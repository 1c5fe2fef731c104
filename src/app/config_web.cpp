#include "app/config_web.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

namespace parley::app {
namespace {

// "https://chat.example.org" or "http://localhost:8080": a scheme, a host, maybe a port, nothing
// after (browsers send exactly that in Origin).
bool valid_origin(std::string_view origin) {
  std::string_view rest;
  if (origin.starts_with("https://")) {
    rest = origin.substr(8);
  } else if (origin.starts_with("http://")) {
    rest = origin.substr(7);
  } else {
    return false;
  }
  if (rest.empty() || rest.back() == '/') return false;
  for (char c : rest) {
    if (c <= ' ' || c == '/' || c == '?' || c == '#' || c == '@' || c >= 0x7f) return false;
  }
  return true;
}

}  // namespace

void load_web_config(ConfigReader& r, const toml::table& t, server::ServerOptions& options) {
  constexpr std::string_view s = "web";
  r.reject_unknown(
      t, s, {"root", "origins", "trusted_proxies", "http_connections_per_ip", "request_timeout_seconds"});
  server::WebOptions& w = options.web;
  if (auto v = r.string(t, s, "root")) {
    std::error_code ec;
    if (std::filesystem::is_directory(*v, ec))
      w.root = *v;
    else
      r.problem(*t.get("root"), fmt::format("web.root \"{}\" is not a directory", *v));
  }
  if (auto v = r.strings(t, s, "origins")) {
    w.origins.clear();
    for (const std::string& origin : *v) {
      if (origin == "*" || valid_origin(origin)) {
        w.origins.push_back(origin);
      } else {
        r.problem(
            *t.get("origins"),
            fmt::format("web.origins: \"{}\" is not an origin: write a scheme and a host, and a port if "
                        "not the default, e.g. \"https://chat.example.org\" (or \"*\" for any)",
                        origin));
      }
    }
  }
  if (const toml::array* a = r.array(t, s, "trusted_proxies"))
    w.trusted_proxies = r.cidr_list(*a, "web.trusted_proxies");
  r.set_integer(t, s, "http_connections_per_ip", 1, 1024, w.http_connections_per_ip);
  if (auto v = r.integer(t, s, "request_timeout_seconds", 1, 300))
    w.request_timeout = std::chrono::seconds(*v);
}

}  // namespace parley::app
