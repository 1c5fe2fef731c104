"""A stand-in for the `websockets` package's synchronous client (websockets >= 11), which
irctest's websocket tests import as `websockets.sync.client.connect`. Debian 12 ships websockets
10.4, which has no synchronous client, so scripts/conformance puts this folder first on the path
and this package serves the few calls irctest makes, on Debian's python3-websocket
(websocket-client). Only what irctest uses is here."""
