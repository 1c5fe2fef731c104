// The [history] section of the configuration file (docs/operations.md "[history]"): whether
// history is kept and read (the engine's core::HistoryPolicy), retention, the storage queue and
// the expiry interval, with per-channel overrides in [[history.channel]].
// Part of config.cpp's loader, in its own file to keep that one readable.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "app/config_reader.h"
#include "server/options.h"

namespace parley::app {

// Reads [history] (`t`) into `options` (history and, for the keys the engine owns, engine
// settings), recording every problem in `r`. Channel names are folded with
// options.engine.casemapping, so [server] must have been read first.
void load_history_config(ConfigReader& r, const toml::table& t, server::ServerOptions& options);

// A duration: "90d", "12h", "30m", "45s", "250ms", "2w" (one number and one unit), or 0 / "0" for
// none.
// Milliseconds, or nullopt when `text` is not one.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);

}  // namespace parley::app
