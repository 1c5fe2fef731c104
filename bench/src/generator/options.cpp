#include "generator/options.h"

#include <algorithm>

namespace parley::bench {

namespace {

void traffic(BenchOptions& o, std::uint32_t clients, std::uint32_t channels, std::uint32_t senders) {
  o.clients = clients;
  o.channels = channels;
  o.senders = senders;
}

void idle(BenchOptions& o, std::uint32_t clients) {
  traffic(o, clients, 0, 0);
  o.duration = 0;
  o.warmup = 0;
}

}  // namespace

std::uint32_t server_index(const BenchOptions& o, std::uint32_t client) {
  if (o.port2 == 0) return 0;
  return (client + client / std::max<std::uint32_t>(o.channels, 1)) % 2;
}

bool apply_preset(const std::string& name, BenchOptions& o) {
  o.preset = name;
  if (name == "fanout") {
    traffic(o, 1000, 10, 10);
    o.mode = SendMode::kWindow;
    o.window = 64;
    o.duration = 10;
    o.warmup = 2;
  } else if (name == "tls-fanout") {
    apply_preset("fanout", o);
    o.preset = name;
    o.tls = true;
  } else if (name == "linked") {  // fanout's load over two linked servers (needs --port2)
    apply_preset("fanout", o);
    o.preset = name;
  } else if (name == "history-fanout") {  // the same load; the server is what differs
    apply_preset("fanout", o);
    o.preset = name;
  } else if (name == "tls-idle") {
    apply_preset("idle", o);
    o.preset = name;
    o.tls = true;
  } else if (name == "ws-fanout") {
    apply_preset("fanout", o);
    o.preset = name;
    o.websocket = true;
  } else if (name == "ws-idle") {
    apply_preset("idle", o);
    o.preset = name;
    o.websocket = true;
  } else if (name == "wss-idle") {
    apply_preset("idle", o);
    o.preset = name;
    o.websocket = true;
    o.tls = true;
  } else if (name == "latency") {
    traffic(o, 200, 20, 20);
    o.mode = SendMode::kRate;
    o.rate = 10;
    o.window = 1 << 16;
    o.duration = 10;
    o.warmup = 1;
  } else if (name == "idle") {
    idle(o, 5000);
    o.settle = 2;
  } else if (name == "register") {
    idle(o, 5000);
    o.connect_timeout = 20;
    o.settle = 0.2;
  } else if (name == "scale") {
    idle(o, 100000);
    o.connect_batch = 2000;
    o.connect_timeout = 300;
    o.max_failures = 1000;
    o.settle = 3;
    o.hold = 2;
  } else if (name == "smoke") {
    traffic(o, 50, 5, 5);
    o.mode = SendMode::kWindow;
    o.window = 16;
    o.messages = 200;
    o.duration = 30;  // an upper bound: the run ends when the 200 messages are delivered
    o.warmup = 0;
    o.connect_timeout = 15;
    o.join_timeout = 15;
    o.drain_timeout = 5;
    o.settle = 0;
    o.assert_clean = true;
  } else {
    return false;
  }
  return true;
}

std::string preset_help() {
  return "fanout   1000 clients, 10 channels of 100, 10 senders, window 64, 10 s (deliveries/s)\n"
         "latency  200 clients, 20 channels, 20 senders at 10 msg/s, 10 s (latency p50/p99)\n"
         "idle     5000 registered idle clients (KiB per connection)\n"
         "register 5000 registrations, 1000 in flight (registrations/s, connect-to-001 latency)\n"
         "scale    up to 100,000 registered idle clients (how many the machine holds)\n"
         "tls-fanout  fanout over TLS (point --port at the server's TLS port)\n"
         "tls-idle    idle over TLS (KiB per idle TLS connection)\n"
         "ws-fanout   fanout over WebSocket (IRCv3 transport; --port: the web port, or spawn the server "
         "with --web-port 0)\n"
         "ws-idle     idle over WebSocket (KiB per idle WebSocket connection)\n"
         "wss-idle    idle over WebSocket over TLS (a web listener with tls = true)\n"
         "history-fanout  fanout, to run against a server that stores history (add --echo for the ack "
         "delay)\n"
         "linked   fanout over two linked servers (--port2): each channel half on each server\n"
         "smoke    50 clients, 5 channels, 5 senders x 200 messages; exit 1 unless all arrive in order\n";
}

std::string ws_protocol_header(const BenchOptions& o) {
  if (o.ws_subprotocol == "none") return "";
  return o.ws_subprotocol + ".ircv3.net";
}

std::string spawn_listen_line(const BenchOptions& o) {
  if (o.websocket) return o.tls ? "listening for web clients over TLS on " : "listening for web clients on ";
  if (o.tls) return "listening for IRC over TLS on ";
  return "";
}

}  // namespace parley::bench
