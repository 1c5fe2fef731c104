"""A small WebSocket client for the web listener's end-to-end tests (RFC 6455, client side).

Written on raw sockets rather than a library so that the tests can also send what no library
would: unmasked or oversized frames, invalid UTF-8 in a text frame, an upgrade that never ends.
Every read is bounded by a timeout.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import ssl
import struct
import time
from typing import Optional, Sequence

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA


def http_request(host: str, port: int, request: bytes, timeout: float = 5.0, tls: bool = False) -> tuple[int, dict, bytes]:
    """Sends raw request bytes; returns (status, headers with lowercase names, body) of the first response."""
    sock = _connect(host, port, timeout, tls)
    try:
        sock.sendall(request)
        return read_response(sock, timeout)
    finally:
        sock.close()


def _connect(host: str, port: int, timeout: float, tls: bool) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=timeout)
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        sock = context.wrap_socket(sock)
    return sock


def read_response(sock: socket.socket, timeout: float, rest: Optional[bytearray] = None) -> tuple[int, dict, bytes]:
    """Reads one HTTP response from `sock`; what follows it stays in `rest` (when given)."""
    buf = rest if rest is not None else bytearray()
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in buf:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed before a response: {bytes(buf)!r}")
        buf += chunk
    head, _, _ = bytes(buf).partition(b"\r\n\r\n")
    del buf[: len(head) + 4]
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers: dict = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(buf) < length:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    body = bytes(buf[:length])
    del buf[:length]
    return status, headers, body


def frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bool = True, rsv: int = 0) -> bytes:
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([bit | 127]) + struct.pack(">Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class WebSocketClient:
    """One WebSocket connection speaking IRC: send_line() / lines(), plus raw frames for tests."""

    def __init__(self, host: str, port: int, *, subprotocols: Sequence[str] = ("text.ircv3.net",),
                 origin: Optional[str] = None, extra_headers: str = "", tls: bool = False,
                 timeout: float = 5.0, path: str = "/"):
        self.timeout = timeout
        self.sock = _connect(host, port, timeout, tls)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
        if subprotocols:
            request += f"Sec-WebSocket-Protocol: {', '.join(subprotocols)}\r\n"
        if origin:
            request += f"Origin: {origin}\r\n"
        request += extra_headers + "\r\n"
        self.sock.sendall(request.encode())
        self.buf = bytearray()
        self.status, self.headers, self.body = read_response(self.sock, timeout, self.buf)
        self.subprotocol = self.headers.get("sec-websocket-protocol")
        if self.status == 101:
            expected = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            assert self.headers.get("sec-websocket-accept") == expected, self.headers
        self.closed_with: Optional[tuple[int, str]] = None

    @property
    def binary(self) -> bool:
        return self.subprotocol == "binary.ircv3.net"

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_line(self, line: str | bytes, opcode: Optional[int] = None) -> None:
        data = line.encode() if isinstance(line, str) else line
        self.send_raw(frame(opcode if opcode is not None else (BINARY if self.binary else TEXT), data))

    def read_frame(self, timeout: Optional[float] = None) -> tuple[int, bytes]:
        """(opcode, payload) of the next frame; raises TimeoutError or ConnectionError."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)

        def need(n: int) -> None:
            while len(self.buf) < n:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("no WebSocket frame in time")
                self.sock.settimeout(remaining)
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("connection closed")
                self.buf += chunk

        need(2)
        b0, b1 = self.buf[0], self.buf[1]
        assert not b1 & 0x80, "a server frame must not be masked"
        n, at = b1 & 0x7F, 2
        if n == 126:
            need(4)
            n, at = struct.unpack(">H", self.buf[2:4])[0], 4
        elif n == 127:
            need(10)
            n, at = struct.unpack(">Q", self.buf[2:10])[0], 10
        need(at + n)
        payload = bytes(self.buf[at:at + n])
        del self.buf[:at + n]
        assert b0 & 0x80, "Parley sends every message in one frame"
        opcode = b0 & 0x0F
        if opcode == CLOSE:
            code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
            self.closed_with = (code, payload[2:].decode())
        return opcode, payload

    def read_line(self, timeout: Optional[float] = None) -> str:
        """The next IRC line (a text or binary message), decoded as UTF-8 with replacement."""
        while True:
            opcode, payload = self.read_frame(timeout)
            if opcode in (TEXT, BINARY):
                assert b"\r" not in payload and b"\n" not in payload, payload
                return payload.decode("utf-8", "replace")
            if opcode == CLOSE:
                raise ConnectionError(f"closed by the server: {self.closed_with}")

    def expect(self, predicate, timeout: Optional[float] = None, what: str = "") -> str:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        seen = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line matching {what or predicate} within the timeout; saw {seen}")
            try:
                line = self.read_line(remaining)
            except TimeoutError:
                continue
            seen.append(line)
            if predicate(line):
                return line

    def expect_command(self, command: str, timeout: Optional[float] = None) -> str:
        return self.expect(lambda l: _command_of(l) == command, timeout, command)

    def register(self, nick: str) -> None:
        self.send_line(f"NICK {nick}")
        self.send_line(f"USER {nick} 0 * :{nick}")
        self.expect_command("001")

    def close_frame(self, timeout: Optional[float] = None) -> tuple[int, str]:
        """Reads until the server's close frame; returns its (code, reason)."""
        while self.closed_with is None:
            self.read_frame(timeout)
        return self.closed_with

    def wait_closed(self, timeout: float = 5.0) -> bool:
        """True once the server closed the TCP connection (anything still arriving is discarded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                if not self.sock.recv(65536):
                    return True
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                return True
        return False

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def _command_of(line: str) -> str:
    parts = line.split(" ")
    i = 0
    if parts and parts[0].startswith("@"):
        i += 1
    if len(parts) > i and parts[i].startswith(":"):
        i += 1
    return parts[i] if len(parts) > i else ""
