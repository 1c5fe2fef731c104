// Live reload (docs/operations.md "Reloading"): the pure part of re-reading the configuration
// while the server runs -- which settings a reload may not change, which listeners and [[link]]
// blocks came and went, and what changed, for the summary operators see. IrcServer::rehash() does
// the applying.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/tls.h"
#include "server/options.h"

namespace parley::server {

// A fresh reading of the configuration file, made by the app layer with the same parser and
// command-line flags as at start (app/config.h).
struct ConfigReload {
  std::optional<ServerOptions> options;  // set when the file is valid
  std::vector<std::string> errors;       // otherwise every problem, "FILE:LINE: message"
  // The certificate the new options' TLS listeners and links present, when they have one in
  // files or the data directory (re-read at every reload); null: keep the running one.
  std::shared_ptr<net::TlsContext> certificate;
};

// The settings `next` changes that cannot change while the server runs, one message each:
// "server.name cannot change on reload; restart the server to change it". Empty: none.
std::vector<std::string> fixed_setting_changes(const ServerOptions& running, const ServerOptions& next);

// Listeners are the same when their address, port, protocol and TLS-ness are (the address
// compared as an address: "::0" is "::").
bool same_listener(const ListenerOptions& a, const ListenerOptions& b);

// What changed in the transport's settings (not the engine's: core::Engine::reconfigure says
// those), by configuration key: "limits.sendq_bytes", "flood.exempt", "link", ...
std::vector<std::string> transport_setting_changes(const ServerOptions& running, const ServerOptions& next);

}  // namespace parley::server
