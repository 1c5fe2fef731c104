// Operator commands that act on the server itself, through core::ServerControl (the hosting
// process's side): REHASH.
#include <string>

#include "core/command_table.h"
#include "core/engine.h"
#include "core/numerics.h"
#include "core/server_control.h"
#include "core/snomask.h"

namespace parley::core::commands {

using namespace numeric;

// REHASH
// Re-reads the configuration file the server was started with and applies it, all or nothing
// (docs/operations.md "Reloading"). Every operator is told who is rehashing; the one who asked
// gets 382, then the outcome line by line: a summary, or every "FILE:LINE: message" of a
// refused file.
void rehash(Engine& e, User& u, const proto::Message&) {
  const std::string& file = e.config().config_file;
  e.notify_opers(snomask::kOperAction, u.nick + " is rehashing the server configuration");
  e.reply(u, RPL_REHASHING, {file.empty() ? "(embedded default configuration)" : file, "Rehashing"});
  const ServerControl::RehashResult result = e.control().rehash();
  for (const std::string& line : result.lines)
    e.server_message(u, "NOTICE", {u.nick, std::string(result.ok ? "*** " : "*** REHASH failed: ") + line});
}

}  // namespace parley::core::commands
