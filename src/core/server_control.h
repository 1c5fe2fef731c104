// What the engine asks of the process that hosts it: operator commands that act on the server
// itself (REHASH, and later DIE and RESTART). The server implements it; the engine's default does nothing.
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
};
}  // namespace parley::core
