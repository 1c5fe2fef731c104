// What one run of the load generator does: a named preset, then any flags on top of it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace parley::bench {

enum class SendMode : std::uint8_t {
  kWindow,  // as fast as a bounded window of undelivered messages per sender allows
  kRate,    // a fixed number of messages per second per sender
};

struct BenchOptions {
  std::string preset = "fanout";
  std::string label;  // server name for the report ("parley", "inspircd", ...)

  // Where the server is. With `spawn`, host and port come from its first stdout line.
  std::string host = "127.0.0.1";
  std::uint16_t port = 6667;
  int server_pid = 0;  // for CPU % and RSS from /proc; 0 = not measured
  // A second, linked server (the `linked` preset): 0 = one server. Clients alternate between
  // the two so that every channel has members on both (server_index()).
  std::uint16_t port2 = 0;
  int server_pid2 = 0;             // its process id; CPU and RSS are reported summed over both servers
  std::vector<std::string> spawn;  // server command line to start (and stop) ourselves

  // Shape.
  std::uint32_t clients = 1000;
  std::uint32_t channels = 10;
  std::uint32_t senders = 10;
  SendMode mode = SendMode::kWindow;
  std::uint32_t window = 64;   // undelivered messages per sender (kWindow; a safety bound for kRate)
  double rate = 10;            // messages per second per sender (kRate)
  std::uint32_t messages = 0;  // per sender; 0 = until `duration` ends
  std::uint32_t padding = 0;   // extra payload bytes per message
  std::vector<std::string> sender_setup;  // raw lines each sender sends before JOIN ({nick} replaced)
  bool aligned = false;  // kRate: every sender sends at the same instants (bursts), not spread out

  // Time bounds, seconds.
  double duration = 10;  // traffic, after warmup
  double warmup = 1;     // traffic not measured
  double connect_timeout = 60;
  double join_timeout = 60;
  double drain_timeout = 10;
  double settle = 1;  // after registration, before measuring idle memory
  double hold = 0;    // keep idle clients connected this long after measuring

  // Registration.
  std::uint32_t connect_batch = 1000;  // registrations in flight at once
  std::uint32_t join_batch = 500;      // joins in flight at once
  std::uint32_t source_ips = 0;        // 127.0.0.1..N; 0 = enough for `clients`
  std::uint32_t max_failures = 100;    // stop opening connections after this many failures

  // Senders ask for echo-message and time their own message's echo: the acknowledgement delay
  // (with durable history, the echo waits for the message's group commit).
  bool echo = false;
  bool tls = false;  // every client speaks TLS (OpenSSL, no certificate verification)
  // Every client speaks the IRCv3 WebSocket transport (after TLS, with `tls`): HTTP Upgrade, then
  // one masked frame per line. `ws_subprotocol`: "text" (text.ircv3.net), "binary"
  // (binary.ircv3.net, binary frames) or "none" (no Sec-WebSocket-Protocol; text frames).
  bool websocket = false;
  std::string ws_subprotocol = "text";
  bool quickack = false;      // TCP_QUICKACK after every read (diagnostic)
  bool assert_clean = false;  // exit 1 unless every message arrived once, in order
  bool quiet = false;         // no progress lines on stderr
};

// Which server client `client` connects to: 0, or with a second server (port2)
// (client + client / channels) % 2. Client i joins channel i % channels, so plain i % 2 with an
// even channel count would put a whole channel on one server; this puts senders (clients
// 0..S-1) on alternate servers and each channel's members half on each.
std::uint32_t server_index(const BenchOptions& options, std::uint32_t client);

// Fills `options` with the named preset (fanout, latency, idle, register, scale, smoke,
// tls-fanout, tls-idle, history-fanout, linked, ws-fanout, ws-idle, wss-idle).
// False if the name is unknown.
bool apply_preset(const std::string& name, BenchOptions& options);

// The preset names with a one-line description each, for --help.
std::string preset_help();

// The Sec-WebSocket-Protocol value for `ws_subprotocol` ("" for none).
std::string ws_protocol_header(const BenchOptions& options);

// Which start-up line of a spawned server names the address to use: a substring of it, or ""
// for the first line. Parley prints one line per listener ("... listening for IRC on A:P",
// "... for IRC over TLS on A:P", "... for web clients on A:P", "... for web clients over TLS on").
std::string spawn_listen_line(const BenchOptions& options);

}  // namespace parley::bench
