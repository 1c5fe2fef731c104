// The two faces of `parley peer`: plain lines (--headless) and the terminal UI. Both run a
// PeerNode until the user types :quit or :q (or a signal arrives) and return the exit status.
#pragma once

#include "net/connection.h"
#include "peer/peer_node.h"

namespace parley::peer {

struct PeerRunOptions {
  PeerNodeOptions node;
  net::tcp::endpoint listen_at;
};

// --headless: each stdin line is a message (":quit"/":q" leave); every chat message shown prints
// as "name: text" on stdout (own ones too), information as "INFO: ...". The first line is
// "INFO: listening on ADDR:PORT as NAME". The end of stdin does not quit: the peer goes on
// relaying until :quit was read or a signal arrives.
int run_headless(PeerRunOptions options);

// The terminal UI (tui::UiModel + tui::Terminal): conversation, separator, status line with the
// port and the number of peers, input line.
int run_terminal_ui(PeerRunOptions options);

}  // namespace parley::peer
