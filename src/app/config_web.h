// The [web] section of the configuration file (docs/web.md "Configuration"): where the web
// client comes from, which page origins may connect, which reverse proxies are believed, and the
// limits on connections that are not (yet) WebSocket clients.
// Part of config.cpp's loader, in its own file to keep that one readable.
#pragma once

#include <toml++/toml.h>

#include "app/config_reader.h"
#include "server/options.h"

namespace parley::app {

// Reads [web] (`t`) into options.web, recording every problem in `r`.
void load_web_config(ConfigReader& r, const toml::table& t, server::ServerOptions& options);

}  // namespace parley::app
