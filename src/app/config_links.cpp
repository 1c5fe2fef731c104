#include "app/config_links.h"

#include <fmt/format.h>

#include <optional>
#include <set>
#include <string>

#include "crypto/password.h"
#include "proto/casemap.h"

namespace parley::app {

namespace {

constexpr std::string_view kSection = "link";

// A password sent in a SERVER line: one word of printable characters.
bool is_link_password(std::string_view s) {
  if (s.empty() || s.size() > 200 || s.front() == ':') return false;
  for (unsigned char c : s) {
    if (c <= ' ' || c == 0x7f) return false;
  }
  return true;
}

// "AB:cd:..." or "abcd..." (SHA-256, 64 hex digits) as lowercase hex without colons.
std::optional<std::string> normalize_fingerprint(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ':') continue;
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    out += c;
  }
  if (out.size() != 64) return std::nullopt;
  return out;
}

}  // namespace

void load_link_config(ConfigReader& r, const toml::node& node, server::ServerOptions& options) {
  const toml::array* blocks = node.as_array();
  if (!blocks || !blocks->is_array_of_tables()) {
    r.problem(node, "links must be written as [[link]] tables");
    return;
  }
  std::set<std::string> names;
  for (const toml::node& element : *blocks) {
    const toml::table& t = *element.as_table();
    r.reject_unknown(t, kSection,
                     {"name", "address", "port", "send_password", "receive_password", "receive_password_hash",
                      "autoconnect", "hub", "tls", "fingerprint"});
    link::LinkBlock block;
    server::LinkDial dial;
    bool ok = true;
    auto need = [&](std::string_view key, std::string_view what) {
      if (t.get(key)) return true;
      r.problem(t, fmt::format("[[link]] needs {} ({})", key, what));
      ok = false;
      return false;
    };
    if (need("name", "the peer's server name, as its SERVER line gives it")) {
      if (auto v = r.string(t, kSection, "name")) {
        if (auto why = check_server_name(*v); !why.empty()) {
          r.problem(*t.get("name"), "link.name " + why);
          ok = false;
        } else if (!names.insert(proto::fold(*v, proto::Casemapping::kAscii)).second) {
          r.problem(*t.get("name"), fmt::format("two [[link]] tables name {}", *v));
          ok = false;
        } else if (proto::equal_folded(*v, options.engine.server_name, proto::Casemapping::kAscii)) {
          r.problem(*t.get("name"), fmt::format("link.name {} is this server's own name", *v));
          ok = false;
        } else {
          block.name = dial.name = *v;
        }
      } else {
        ok = false;
      }
    }
    if (auto v = r.string(t, kSection, "receive_password_hash")) {
      if (t.get("receive_password")) {
        r.problem(*t.get("receive_password_hash"),
                  "give link.receive_password or link.receive_password_hash, not both");
        ok = false;
      } else if (!crypto::looks_like_password_hash(*v)) {
        r.problem(
            *t.get("receive_password_hash"),
            "link.receive_password_hash is not a crypto_pwhash_str hash (make one with `parley mkpasswd`)");
        ok = false;
      } else {
        block.receive_password_hash = *v;
      }
    }
    for (auto [key, out] : {std::pair{"send_password", &block.send_password},
                            std::pair{"receive_password", &block.receive_password}}) {
      if (std::string_view(key) == "receive_password" && t.get("receive_password_hash")) continue;
      if (!need(key, "a password both servers' configurations agree on")) continue;
      auto v = r.string(t, kSection, key);
      if (v && is_link_password(*v)) {
        *out = *v;
      } else {
        if (v)
          r.problem(*t.get(key), fmt::format("link.{} must be 1 to 200 printable characters without spaces, "
                                             "not starting with ':'",
                                             key));
        ok = false;
      }
    }
    if (auto v = r.string(t, kSection, "address")) {
      if (v->empty() || v->find_first_of(" \t\r\n") != std::string::npos) {
        r.problem(*t.get("address"), "link.address must be a host name or an IP address");
        ok = false;
      } else {
        dial.address = *v;
      }
    }
    if (auto v = r.integer(t, kSection, "port", 1, 65535)) dial.port = static_cast<std::uint16_t>(*v);
    if (auto v = r.boolean(t, kSection, "autoconnect")) dial.autoconnect = *v;
    if (auto v = r.boolean(t, kSection, "hub")) block.hub = *v;
    if (auto v = r.boolean(t, kSection, "tls")) block.tls = dial.tls = *v;
    if (auto v = r.string(t, kSection, "fingerprint")) {
      if (auto fp = normalize_fingerprint(*v)) {
        block.fingerprint = *fp;
        dial.tls = true;  // a pinned certificate needs TLS to be seen
      } else {
        r.problem(*t.get("fingerprint"),
                  "link.fingerprint must be a SHA-256 fingerprint: 64 hex digits, with or "
                  "without ':' between pairs (as `parley server` prints its own)");
        ok = false;
      }
    }
    if (!dial.address.empty() && dial.port == 0) {
      r.problem(t, "[[link]] with an address needs the port to dial");
      ok = false;
    }
    if (dial.autoconnect && dial.address.empty()) {
      r.problem(*t.get("autoconnect"), "link.autoconnect needs an address and port to dial");
      ok = false;
    }
    if (!ok) continue;
    options.network.links.push_back(std::move(block));
    options.link_dials.push_back(std::move(dial));
  }
}

}  // namespace parley::app
