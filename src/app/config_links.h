// The [[link]] tables of the configuration file (docs/linking.md "Configuration"): the servers
// this one links with. Part of config.cpp's loader, in its own file to keep that one readable.
#pragma once

#include <toml++/toml.h>

#include "app/config_reader.h"
#include "server/options.h"

namespace parley::app {

// Reads the [[link]] array (`node`) into options.network (names, passwords, hub) and
// options.link_dials (where to dial, autoconnect), recording every problem in `r`.
void load_link_config(ConfigReader& r, const toml::node& node, server::ServerOptions& options);

}  // namespace parley::app
