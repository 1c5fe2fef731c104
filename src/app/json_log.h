// Log lines as JSON for log shippers (`parley server --log-format json`): one object per line,
// {"time":"2026-12-07T01:44:32.123Z","level":"info","message":"..."}, on standard error.
// The default text format stays spdlog's pattern (server_command.cpp set_up_logging()).
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace parley::app {

// Appends `text` to `out` as the inside of a JSON string (RFC 8259, without the quotes): `"` and
// `\` escaped, control characters as \n, \r, \t, \b, \f or \u00XX, and every byte that is not
// part of valid UTF-8 replaced by U+FFFD, so that a line always parses even when a message
// quotes bytes a client sent.
void append_json_string(std::string& out, std::string_view text);

// The spdlog formatter for the JSON format: time in UTC with milliseconds, spdlog's level name
// ("trace", "debug", "info", "warning", "error", "critical"), the message. Thread-safe as every
// spdlog formatter is (each sink owns its own clone).
class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace parley::app
