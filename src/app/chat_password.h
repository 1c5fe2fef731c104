// Where `parley chat` gets passwords from without putting them on the command line, where other
// users could read them (ps, /proc/PID/cmdline).
#pragma once

#include <optional>
#include <string>

namespace parley::app {

// The password for --sasl-user: `password_file` when given, else $PARLEY_PASSWORD, else asked on
// the terminal (/dev/tty) without echo. nullopt with `error` set when none can be had.
std::optional<std::string> sasl_password(const std::string& password_file, const std::string& sasl_user,
                                         std::string& error);

}  // namespace parley::app
