// IrcServer's live reload (irc_server.h "Reload"; docs/operations.md "Reloading"): SIGHUP and
// REHASH re-read the configuration and apply it all or nothing, without disconnecting anyone but
// the clients of a listener the new file removes.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "core/snomask.h"
#include "net/endpoint.h"
#include "proto/shared_line.h"
#include "server/irc_server.h"

namespace parley::server {

namespace {

std::string plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

std::string describe(const ListenerOptions& l, const net::tcp::endpoint& bound) {
  return listener_kind(l.protocol, l.tls) + " on " + net::endpoint_to_string(bound);
}

}  // namespace

core::ServerControl::RehashResult IrcServer::rehash() {
  RehashResult result;
  auto refuse = [&](std::vector<std::string> errors) {
    for (const std::string& e : errors) spdlog::error("reload: {}", e);
    const std::string summary = "Configuration reload refused (" + plural(errors.size(), "problem") +
                                "); the running configuration stays";
    spdlog::error("{}", summary);
    engine_.notify_opers(core::snomask::kOperAction, summary);
    result.ok = false;
    result.lines = std::move(errors);
    return result;
  };
  if (!config_source_) {
    std::string message;
    const bool reread = reload_tls(message);
    const bool failed = !reread && !options_.tls.cert_file.empty();
    const std::string nothing =
        "no configuration file: nothing to reload (the server runs its built-in defaults)";
    spdlog::info("reload: {}", nothing);
    (failed ? spdlog::error("reload: {}", message) : spdlog::info("reload: {}", message));
    engine_.notify_opers(core::snomask::kOperAction,
                         "Configuration not reloaded: " + nothing + "; " + message);
    result.ok = !failed;
    result.lines = {nothing, message};
    return result;
  }
  spdlog::info("reloading the configuration from {}", options_.engine.config_file);
  ConfigReload fresh = config_source_(tls_ != nullptr);
  if (!fresh.options) return refuse(std::move(fresh.errors));
  ServerOptions next = std::move(*fresh.options);
  if (auto fixed = fixed_setting_changes(options_, next); !fixed.empty()) return refuse(std::move(fixed));
  const bool needs_tls = std::any_of(next.listeners.begin(), next.listeners.end(),
                                     [](const ListenerOptions& l) { return l.tls; });
  if (needs_tls && !tls_ && !fresh.certificate)
    return refuse({"a TLS listener needs a certificate, and none could be made: restart the server"});
  // New listeners are bound before anything changes: one that cannot be bound refuses the
  // reload (those bound meanwhile close when `bound` goes).
  std::vector<ListenerSlot> bound;
  for (const ListenerOptions& l : next.listeners) {
    if (l.protocol == Protocol::kAdmin) continue;  // not reloadable (fixed_setting_changes)
    const bool running = std::any_of(listeners_.begin(), listeners_.end(),
                                     [&](const ListenerSlot& s) { return same_listener(s.options, l); });
    if (running) continue;
    const net::tcp::endpoint at(*net::parse_address(l.bind), l.port);  // validated by the loader
    try {
      bound.push_back(bind_listener(at, l.protocol, l.tls));
    } catch (const boost::system::system_error& e) {
      return refuse({"cannot listen on " + net::endpoint_to_string(at) + ": " + e.code().message()});
    }
  }
  result.ok = true;
  result.lines = apply_reload(std::move(next), std::move(bound), std::move(fresh.certificate));
  return result;
}

std::vector<std::string> IrcServer::apply_reload(ServerOptions next, std::vector<ListenerSlot> bound,
                                                 std::shared_ptr<net::TlsContext> certificate) {
  std::vector<std::string> changed = transport_setting_changes(options_, next);
  std::vector<std::string> details;  // one line each for what happens to connections
  for (std::string& key : engine_.reconfigure(next.engine)) changed.push_back(std::move(key));
  next.engine = engine_.config();

  // Limits and exemptions apply to connections accepted from now on.
  connection_options_.sendq_bytes = next.sendq_bytes;
  connection_options_.handshake_timeout = next.tls.handshake_timeout;
  link_connection_options_ = connection_options_;
  link_connection_options_.sendq_bytes = next.link_sendq_bytes;

  if (certificate) {
    if (!tls_ || tls_->fingerprint() != certificate->fingerprint()) {
      if (std::find(changed.begin(), changed.end(), "tls") == changed.end()) changed.emplace_back("tls");
      details.push_back("new TLS connections get the certificate with SHA-256 fingerprint " +
                        certificate->fingerprint());
    }
    tls_ = std::move(certificate);
    link_client_tls_.reset();  // made again from the new certificate when a TLS link is dialled
  }

  // Listeners: the removed ones stop accepting now; their sessions are closed below.
  std::vector<std::pair<std::uint32_t, std::string>> removed;
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    const bool kept = std::any_of(next.listeners.begin(), next.listeners.end(),
                                  [&](const ListenerOptions& l) { return same_listener(it->options, l); });
    if (kept) {
      ++it;
      continue;
    }
    std::string where = describe(it->options, it->listener.local_endpoint());
    it->listener.close();
    std::size_t sessions = 0;
    for (std::uint32_t slot = 0; slot < slot_count_; ++slot) {
      const Session& s = session_at(slot);
      if (s.id != 0 && s.listener == it->id && s.in_engine) ++sessions;
    }
    details.push_back("stopped listening for " + where + "; closing its " + plural(sessions, "connection"));
    removed.emplace_back(it->id, where);
    it = listeners_.erase(it);
  }
  for (ListenerSlot& slot : bound) {
    const auto at = slot.listener.local_endpoint();
    if (running_) slot.listener.start();
    details.push_back("listening for " + describe(slot.options, at));
    spdlog::info("listening for {}", describe(slot.options, at));
    listeners_.push_back(std::move(slot));
  }

  // Links: dialling follows the new blocks; a link whose block is gone is split (below).
  for (auto it = backoff_.begin(); it != backoff_.end();) {
    const bool kept = std::any_of(next.link_dials.begin(), next.link_dials.end(),
                                  [&](const LinkDial& d) { return d.name == it->first; });
    it = kept || it->second.dialling ? std::next(it) : backoff_.erase(it);
  }
  // The web front door: sessions read the policy and the files live.
  web_policy_.origins = next.web.origins;
  web_policy_.trusted_proxies = next.web.trusted_proxies;
  web_policy_.max_message = next.recvq_bytes;
  if (next.web.root != options_.web.root) {
    try {
      web_files_ = next.web.root.empty() ? web::StaticFiles::embedded()
                                         : web::StaticFiles::from_directory(next.web.root);
      details.push_back(next.web.root.empty() ? "serving the built-in web client"
                                              : "serving the web client from " + next.web.root);
    } catch (const std::exception& e) {
      details.push_back(std::string(e.what()) + "; still serving the previous web client");
      next.web.root = options_.web.root;
    }
  }
  link::NetworkConfig network = next.network;
  options_ = std::move(next);

  const std::string summary = "Configuration reloaded: " + plural(changed.size(), "change");
  std::string list;
  for (const std::string& key : changed) list += (list.empty() ? "" : ", ") + key;
  spdlog::info("{}{}{}", summary, list.empty() ? "" : ": ", list);
  for (const std::string& d : details) spdlog::info("reload: {}", d);
  engine_.notify_opers(core::snomask::kOperAction, summary + (list.empty() ? "" : " (" + list + ")"));
  for (const std::string& d : details) engine_.notify_opers(core::snomask::kOperAction, d);

  // What disconnects anyone runs on the next turn, outside the engine call REHASH came in.
  boost::asio::post(io_, [this, removed = std::move(removed), network = std::move(network)]() mutable {
    for (const auto& [id, where] : removed) close_listener_sessions(id, where);
    engine_.apply(core::Clock::now(), [&] {
      for (const std::string& name :
           network_.reconfigure(std::move(network), "Server configuration reloaded: [[link]] block removed"))
        spdlog::info("reload: closed the link to {}: its [[link]] block was removed", name);
    });
    if (!shutting_down_) autoconnect_links();
  });

  std::vector<std::string> lines = {summary + (list.empty() ? "" : ": " + list)};
  lines.insert(lines.end(), details.begin(), details.end());
  return lines;
}

void IrcServer::close_listener_sessions(std::uint32_t id, const std::string& where) {
  const std::string reason = "Listener removed";
  const std::string error = "the listener for " + where + " was removed from the server configuration";
  const auto now = core::Clock::now();
  for (std::uint32_t slot = 0; slot < slot_count_; ++slot) {
    Session& s = session_at(slot);
    if (s.id == 0 || s.listener != id) continue;
    if (s.web && !s.in_engine && !s.web->stopped()) {  // a page request or an upgrade under way
      s.web->stop(0, {});
      s.connection->close_after_flush();
      continue;
    }
    if (!s.in_engine) continue;
    const core::SessionId sid = s.id;
    if (s.link) {
      s.in_engine = false;
      network_.link_closed(sid, reason, now);
      s.connection->send(proto::make_line("ERROR :" + error + "\r\n"));
      s.connection->close_after_flush();
      continue;
    }
    engine_.apply(now, [&] {
      if (core::User* u = engine_.find_user(sid)) engine_.quit(*u, reason, error);
    });
  }
}

}  // namespace parley::server
