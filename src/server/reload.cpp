#include "server/reload.h"

#include "net/endpoint.h"

namespace parley::server {

namespace {

std::string normal_address(const std::string& bind) {
  auto address = net::parse_address(bind);
  return address ? net::address_to_string(*address) : bind;
}

std::vector<std::string> cidr_texts(const proto::CidrList& list) {
  std::vector<std::string> out;
  for (const proto::Cidr& c : list.blocks()) out.push_back(c.to_string());
  return out;
}

bool same_block(const link::LinkBlock& a, const link::LinkBlock& b) {
  return a.name == b.name && a.send_password == b.send_password && a.receive_password == b.receive_password &&
         a.receive_password_hash == b.receive_password_hash && a.hub == b.hub && a.tls == b.tls &&
         a.fingerprint == b.fingerprint;
}

bool same_dial(const LinkDial& a, const LinkDial& b) {
  return a.name == b.name && a.address == b.address && a.port == b.port && a.autoconnect == b.autoconnect &&
         a.tls == b.tls;
}

template <class T, class Same>
bool same_lists(const std::vector<T>& a, const std::vector<T>& b, Same same) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same(a[i], b[i])) return false;
  }
  return true;
}

}  // namespace

bool same_listener(const ListenerOptions& a, const ListenerOptions& b) {
  return a.port == b.port && a.tls == b.tls && a.protocol == b.protocol &&
         normal_address(a.bind) == normal_address(b.bind);
}

std::vector<std::string> fixed_setting_changes(const ServerOptions& running, const ServerOptions& next) {
  std::vector<std::string> out;
  auto fixed = [&](bool differs, const char* key) {
    if (differs)
      out.push_back(std::string(key) + " cannot change on reload; restart the server to change it");
  };
  const core::EngineConfig &a = running.engine, &b = next.engine;
  fixed(a.server_name != b.server_name, "server.name");
  fixed(a.server_id != b.server_id, "server.id");
  fixed(a.network_name != b.network_name, "server.network");
  fixed(a.server_description != b.server_description, "server.description");
  fixed(a.casemapping != b.casemapping, "server.casemapping");
  fixed(running.data_dir != next.data_dir, "server.data_dir");
  fixed(a.history.enabled != b.history.enabled, "history.enabled");
  fixed(a.history.max_backlog != b.history.max_backlog, "history.queue");
  fixed(running.history.retention.all.max_age_ms != next.history.retention.all.max_age_ms, "history.max_age");
  fixed(running.history.retention.all.max_count != next.history.retention.all.max_count, "history.max_count");
  fixed(running.history.retention.per_target != next.history.retention.per_target, "[[history.channel]]");
  fixed(running.history.expire_interval != next.history.expire_interval, "history.expire_interval");
  fixed(running.history.commit_interval != next.history.commit_interval, "history.commit_interval");
  fixed(running.history.max_commit_interval != next.history.max_commit_interval,
        "history.max_commit_interval");
  // The admin HTTP listeners (/metrics) are bound once; [metrics] token reloads.
  auto admin = [](const ServerOptions& o) {
    std::vector<ListenerOptions> v;
    for (const ListenerOptions& l : o.listeners)
      if (l.protocol == Protocol::kAdmin) v.push_back(l);
    return v;
  };
  fixed(!same_lists(admin(running), admin(next), same_listener), "an admin [[listener]]");
  fixed(running.metrics.max_connections != next.metrics.max_connections, "metrics.max_connections");
  fixed(running.metrics.request_timeout != next.metrics.request_timeout, "metrics.request_timeout_seconds");
  return out;
}

std::vector<std::string> transport_setting_changes(const ServerOptions& running, const ServerOptions& next) {
  std::vector<std::string> out;
  auto note = [&](bool differs, const char* key) {
    if (differs) out.emplace_back(key);
  };
  note(!same_lists(running.listeners, next.listeners, same_listener), "listener");
  note(running.tls.cert_file != next.tls.cert_file || running.tls.key_file != next.tls.key_file, "tls");
  note(running.sendq_bytes != next.sendq_bytes, "limits.sendq_bytes");
  note(running.link_sendq_bytes != next.link_sendq_bytes, "limits.link_sendq_bytes");
  note(running.recvq_bytes != next.recvq_bytes, "limits.recvq_bytes");
  note(cidr_texts(running.exempt) != cidr_texts(next.exempt), "flood.exempt");
  note(cidr_texts(running.simple_exempt) != cidr_texts(next.simple_exempt), "flood.simple_exempt");
  note(cidr_texts(running.per_ip_exempt) != cidr_texts(next.per_ip_exempt), "limits.per_ip_exempt");
  note(running.account_authority != next.account_authority, "accounts.authority");
  const WebOptions &wa = running.web, &wb = next.web;
  note(wa.root != wb.root || wa.origins != wb.origins ||
           cidr_texts(wa.trusted_proxies) != cidr_texts(wb.trusted_proxies) ||
           wa.http_connections_per_ip != wb.http_connections_per_ip ||
           wa.request_timeout != wb.request_timeout,
       "web");
  note(!same_lists(running.network.links, next.network.links, same_block) ||
           !same_lists(running.link_dials, next.link_dials, same_dial),
       "link");
  return out;
}

}  // namespace parley::server
