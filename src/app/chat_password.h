// Where `parley chat` gets passwords from without putting them on the command line, where other
// users could read them (ps, /proc/PID/cmdline).
#pragma once

#include <optional>
#include <string>

namespace parley::app {

// A password file: one line (a final line end is allowed), not empty. `flag` names the option in
// the error.
std::optional<std::string> read_password_file(const std::string& path, const std::string& flag,
                                              std::string& error);

// The server password (PASS) comes from one of: --password (readable by others in ps),
// --server-password-file, --server-password-prompt (standard input must be a terminal; no
// echo), else $PARLEY_SERVER_PASSWORD. An empty string: none (no PASS is sent). nullopt with
// `error` set: more than one flag, an unreadable file, no terminal to ask on.
struct ServerPasswordSources {
  std::string command_line;  // --password
  std::string file;          // --server-password-file
  bool prompt = false;       // --server-password-prompt
  std::string server;        // named in the prompt
};
std::optional<std::string> server_password(const ServerPasswordSources& from, std::string& error);

// The password for --sasl-user: `password_file` when given, else $PARLEY_PASSWORD, else asked on
// the terminal (/dev/tty) without echo. nullopt with `error` set when none can be had.
std::optional<std::string> sasl_password(const std::string& password_file, const std::string& sasl_user,
                                         std::string& error);

}  // namespace parley::app
