// What the engine asks of the process that hosts it: operator commands that act on the server
// itself (REHASH, DIE, RESTART), and the server's log, which every server notice to operators
// also goes to (core/snomask.h). The server implements it; the engine's default does nothing.
#pragma once
#include <string>
#include <string_view>
#include <vector>
namespace parley::core {
class ServerControl {
 public:
  virtual ~ServerControl() = default;
  // Re-reads the configuration and applies it (all or nothing). Returns the lines to show the operator:
  // on success a summary, on failure every error.
  struct RehashResult { bool ok = false; std::vector<std::string> lines; };
  virtual RehashResult rehash() { return {false, {"this server cannot reload its configuration"}}; }
  // DIE: a graceful shutdown with `reason` (every client is told). False: this host cannot.
  virtual bool die(std::string_view /*reason*/) { return false; }
  // RESTART: the same shutdown, then the server starts again in place (same program, arguments
  // and configuration file). False: this host cannot.
  virtual bool restart(std::string_view /*reason*/) { return false; }
  // A server notice of `category` (core/snomask.h) was sent to operators: the log gets it too,
  // so every operator action is on record even when no operator is connected.
  virtual void log_notice(char /*category*/, std::string_view /*text*/) {}
};
}  // namespace parley::core
