// Reading a secret from standard input for the operator tools: one line, without echo when
// standard input is a terminal (prompting on standard error), never from the command line.
#pragma once

#include <optional>
#include <string>

namespace parley::app {

// Whether standard input is a terminal (a person typing) rather than a pipe or file.
bool stdin_is_terminal();

// One line from standard input, without its line ending. On a terminal: prints `prompt` to
// standard error and turns echo off while the line is typed. nullopt at end of input with
// nothing read.
std::optional<std::string> read_secret_line(const std::string& prompt);

}  // namespace parley::app
