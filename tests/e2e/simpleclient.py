"""Helpers for the simple-protocol end-to-end tests (docs/protocol.md "Simple").

- `SimpleConn`: a raw TCP connection speaking 200-byte frames, with bounded waits.
- `ClientProcess`: a running `parley simple-client NAME HOST PORT`, its stdin a pipe and its
  stdout collected byte for byte by a reader thread.
- `simple_port_of(server)`: the simple listener's port from a `parley server --simple-port 0`
  started by the `start_server` fixture (its second stdout line).
- `SimpleServerProcess`: a `parley simple-server PORT` (the seed's server shape).
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Optional, Sequence

FRAME = 200
DEFAULT_TIMEOUT = 5.0
SIMPLE_LINE_RE = re.compile(r"listening for simple clients on (\S+):(\d+)$", re.M)
IRC_LINE_RE = re.compile(r"listening for IRC on (\S+):(\d+)$", re.M)


def frame(text: str) -> bytes:
    data = text.encode("utf-8")
    assert len(data) <= FRAME, f"{len(data)} bytes do not fit in one frame"
    return data + b" " * (FRAME - len(data))


class SimpleConn:
    """One simple-protocol connection. `texts()` returns the frames received so far, stripped."""

    def __init__(self, host: str, port: int, name: Optional[str] = None, *, timeout: float = DEFAULT_TIMEOUT):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.timeout = timeout
        self.buf = b""
        self.received: list[str] = []
        self.closed = False
        if name is not None:
            self.send(name)

    def send(self, text: str) -> None:
        self.sock.sendall(frame(text))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _read(self, deadline: float) -> bool:
        if self.closed:
            return False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        if not data:
            self.closed = True
            return False
        self.buf += data
        while len(self.buf) >= FRAME:
            raw, self.buf = self.buf[:FRAME], self.buf[FRAME:]
            self.received.append(raw.decode("utf-8", "replace").rstrip(" "))
        return True

    def create(self, channel: str) -> None:
        """/create, then wait until the server has done it (its /list names the channel), so that
        commands from other connections cannot overtake it: sockets are not ordered among themselves."""
        self.send("/create " + channel)
        self.send("/list")
        frames = self.expect(1)
        assert channel in frames[0].split("\n"), f"/create {channel} failed: {frames!r}"

    def expect(self, count: int = 1, timeout: Optional[float] = None) -> list[str]:
        """Waits for `count` frames and returns (consumes) them."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while len(self.received) < count:
            if not self._read(deadline):
                raise AssertionError(f"expected {count} frames, got {self.received!r} (closed={self.closed}, "
                                     f"partial={len(self.buf)} bytes)")
        got, self.received = self.received[:count], self.received[count:]
        return got

    def expect_text(self, text: str, timeout: Optional[float] = None) -> None:
        got = self.expect(1, timeout)[0]
        assert got == text, f"expected {text!r}, got {got!r}"

    def nothing(self, seconds: float = 0.3) -> None:
        deadline = time.monotonic() + seconds
        while self._read(deadline):
            pass
        assert not self.received and not self.buf, f"expected nothing, got {self.received!r} + {self.buf!r}"

    def expect_closed(self, timeout: Optional[float] = None) -> None:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not self.closed:
            if not self._read(deadline) and not self.closed:
                raise AssertionError("connection still open")

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True


def wait_for_line(path: Path, rx: re.Pattern, proc: subprocess.Popen, timeout: float = 10.0) -> tuple[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = rx.search(path.read_text(errors="replace"))
        if m:
            return m.group(1), int(m.group(2))
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode}: {path.read_text(errors='replace')}")
        time.sleep(0.02)
    raise AssertionError(f"no line matching {rx.pattern} in {path}")


def simple_port_of(server) -> int:
    return wait_for_line(server.stdout_path, SIMPLE_LINE_RE, server.proc)[1]


class SimpleServerProcess:
    """`parley simple-server 0 [args]` on 127.0.0.1; stop() asserts a clean exit."""

    def __init__(self, binary: str, workdir: Path, args: Sequence[str] = ()):
        workdir.mkdir(parents=True, exist_ok=True)
        self.stdout_path = workdir / "stdout.log"
        self.stderr_path = workdir / "stderr.log"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen([binary, "simple-server", "0", "--bind", "127.0.0.1", *args],
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        self.host, self.port = wait_for_line(self.stdout_path, SIMPLE_LINE_RE, self.proc)

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stop(self, timeout: float = 5.0) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise AssertionError("simple-server did not stop after SIGTERM")
            assert code == 0, f"simple-server exited with {code}"


class ClientProcess:
    """A `parley simple-client`; `out` is everything it wrote to stdout so far."""

    def __init__(self, binary: str, name: str, host: str, port, *, stdin=subprocess.PIPE):
        self.proc = subprocess.Popen([binary, "simple-client", name, host, str(port)], stdin=stdin,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._out = b""
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            data = self.proc.stdout.read1(65536)
            if not data:
                return
            with self._lock:
                self._out += data

    @property
    def out(self) -> str:
        with self._lock:
            return self._out.decode("utf-8", "replace")

    def type(self, line: str) -> None:
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def wait_out(self, predicate, timeout: float = DEFAULT_TIMEOUT, what: str = "") -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.out
            if predicate(out):
                return out
            time.sleep(0.01)
        raise AssertionError(f"stdout never became {what or predicate}: {self.out!r}")

    def wait_exit(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(timeout)
        return code

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
