"""connect(url, subprotocols=[...]) -> ClientConnection, on websocket-client (see ../__init__.py)."""

from __future__ import annotations

from typing import Optional, Sequence, Union

import websocket  # Debian's python3-websocket (websocket-client)


class ClientConnection:
    def __init__(self, ws: "websocket.WebSocket"):
        self._ws = ws

    @property
    def subprotocol(self) -> Optional[str]:
        return self._ws.getsubprotocol()

    def recv(self, timeout: Optional[float] = None) -> Union[str, bytes]:
        """The next message: str for a text message, bytes for a binary one. TimeoutError when
        none arrives within `timeout` seconds (None: wait)."""
        self._ws.settimeout(timeout)
        try:
            opcode, data = self._ws.recv_data()
        except websocket.WebSocketTimeoutException as e:
            raise TimeoutError(str(e)) from e
        if opcode == websocket.ABNF.OPCODE_TEXT:
            return data.decode("utf-8")
        return data

    def send(self, message: Union[str, bytes]) -> None:
        if isinstance(message, str):
            self._ws.send(message)
        else:
            self._ws.send_binary(message)

    def close(self) -> None:
        self._ws.close()


def connect(uri: str, *, subprotocols: Sequence[str] = (), open_timeout: float = 10) -> ClientConnection:
    ws = websocket.create_connection(uri, subprotocols=list(subprotocols) or None, timeout=open_timeout)
    return ClientConnection(ws)
