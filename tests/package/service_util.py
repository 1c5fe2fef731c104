"""Helpers shared by the package tests: find the binary, start `parley server`, talk IRC."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("PARLEY_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BUILD_DIR = Path(os.environ.get("PARLEY_BUILD_DIR", SOURCE_DIR / "build"))
PARLEY_BIN = os.environ.get("PARLEY_BIN", str(BUILD_DIR / "parley"))

LISTENING = re.compile(r"listening for (IRC(?: over TLS)?|simple clients|server links) on (\S+):(\d+)$")


def start_server(*args: str, env: dict | None = None, command: list[str] | None = None
                 ) -> tuple[subprocess.Popen, dict]:
    """Starts `parley server ARGS` (or COMMAND) and reads stdout up to the TLS fingerprint line
    (every caller has a TLS listener); returns (process, {"IRC": port, "IRC over TLS": port})."""
    proc = subprocess.Popen(command or [PARLEY_BIN, "server", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)
    ports: dict[str, int] = {}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = LISTENING.search(line.strip())
        if m:
            ports[m.group(1)] = int(m.group(3))
        if "fingerprint" in line:
            break
    if "IRC" not in ports or "IRC over TLS" not in ports:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"server did not start: {err}")
    return proc, ports


def irc_register(port: int, nick: str, extra: list[str] | None = None, host: str = "127.0.0.1",
                 timeout: float = 10) -> tuple[socket.socket, str]:
    """Connects, sends EXTRA lines then NICK/USER, returns (socket, text up to RPL_WELCOME 001)."""
    sock = socket.create_connection((host, port), timeout=timeout)
    lines = list(extra or []) + [f"NICK {nick}", f"USER {nick} 0 * :{nick}"]
    sock.sendall("".join(f"{line}\r\n" for line in lines).encode())
    return sock, read_until(sock, f" 001 {nick} ")


def read_until(sock: socket.socket, marker: str, timeout: float = 10) -> str:
    data = b""
    deadline = time.monotonic() + timeout
    while marker.encode() not in data:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        chunk = sock.recv(4096)
        if not chunk:
            raise AssertionError(f"connection closed before {marker!r}: {data!r}")
        data += chunk
        if time.monotonic() > deadline:
            raise AssertionError(f"no {marker!r} in {data!r}")
    return data.decode(errors="replace")


def stop(proc: subprocess.Popen, timeout: float = 10) -> tuple[int, str]:
    """SIGTERM, wait; returns (exit status, stderr)."""
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"server did not exit within {timeout} s of SIGTERM: {err}")
    return proc.returncode, err
