"""A raw IRC client for end-to-end tests, and a helper to run the `parley server` under test.

Every wait is bounded: reads use socket timeouts computed from a deadline, so a test that
expects something the server never sends fails with a clear message instead of hanging.
"""

from __future__ import annotations

import os
import re
import selectors
import signal
import socket
import ssl
import subprocess
import time
from collections import deque
from pathlib import Path
from typing import Callable, Iterable, Optional, Pattern, Sequence, Union

DEFAULT_TIMEOUT = 5.0
LISTENING_RE = re.compile(r" on (\S+):(\d+)$")
# The host every client gets by default: a cloak of its address (docs/operations.md "Cloaks").
CLOAK = r"[a-z2-7]{8}\.[a-z2-7]{8}\.[a-z2-7]{8}\.ip"
LISTENER_LINE_RE = re.compile(r"^parley server listening for (IRC|IRC over TLS|simple clients|simple clients over TLS|server links|server links over TLS|web clients|web clients over TLS|admin HTTP) on (\S+):(\d+)$", re.M)
FINGERPRINT_RE = re.compile(r"^parley server TLS certificate SHA-256 fingerprint: ([0-9a-f:]+)$", re.M)
_LINE_END = re.compile(rb"[\r\n]")

PatternLike = Union[str, Pattern[str]]


# ---- parsed lines ---------------------------------------------------------------------------


def _unescape_tag(value: str) -> str:
    out = []
    i = 0
    while i < len(value):
        c = value[i]
        if c == "\\":
            i += 1
            if i == len(value):
                break
            out.append({":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}.get(value[i], value[i]))
        else:
            out.append(c)
        i += 1
    return "".join(out)


class Line(str):
    """One received line (without CR LF); a str, plus the parsed parts of the IRC message."""

    tags: dict
    source: str
    command: str
    params: list

    def __new__(cls, text: str) -> "Line":
        self = super().__new__(cls, text)
        self.tags, self.source, self.command, self.params = {}, "", "", []
        rest = text.lstrip(" ")
        if rest.startswith("@"):
            raw, _, rest = rest[1:].partition(" ")
            for item in raw.split(";"):
                if item:
                    key, _, value = item.partition("=")
                    self.tags[key] = _unescape_tag(value)
            rest = rest.lstrip(" ")
        if rest.startswith(":"):
            self.source, _, rest = rest[1:].partition(" ")
            rest = rest.lstrip(" ")
        self.command, _, rest = rest.partition(" ")
        self.command = self.command.upper()
        while rest:
            rest = rest.lstrip(" ")
            if not rest:
                break
            if rest.startswith(":"):
                self.params.append(rest[1:])
                break
            word, _, rest = rest.partition(" ")
            self.params.append(word)
        return self

    @property
    def nick(self) -> str:
        """The nick part of the source (or the whole source for a server)."""
        return self.source.split("!", 1)[0]

    @property
    def last(self) -> str:
        return self.params[-1] if self.params else ""


def _compile(pattern: PatternLike) -> Pattern[str]:
    return pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)


def numeric_re(code: str, *more: str) -> Pattern[str]:
    """Matches a numeric reply: optional tags, a source, then the three digits."""
    codes = "|".join((code,) + more)
    return re.compile(r"^(?:@\S+ +)?:\S+ +(?:%s)(?: |$)" % codes)


def command_re(command: str, source_nick: Optional[str] = None) -> Pattern[str]:
    """Matches a command, optionally from a given nick (case-insensitive on the nick)."""
    src = r"(?i::%s!\S+)" % re.escape(source_nick) if source_nick else r":\S+"
    return re.compile(r"^(?:@\S+ +)?%s +(?i:%s)(?: |$)" % (src, command))


class ConnectionClosed(AssertionError):
    pass


# ---- the client -----------------------------------------------------------------------------


class IRCClient:
    """A line-oriented IRC connection for tests.

    Received lines wait in `pending` until a test consumes them. `expect()` consumes lines up to
    and including the first match (the ones before it are skipped, kept in `skipped` for error
    messages); `history` has everything ever received. With `auto_pong` (the default) a server
    PING is answered at once and not queued.
    """

    def __init__(self, host: str, port: int, *, name: str = "client", auto_pong: bool = True,
                 rcvbuf: Optional[int] = None, timeout: float = DEFAULT_TIMEOUT,
                 tls: Optional[ssl.SSLContext] = None):
        self.name = name
        self.auto_pong = auto_pong
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        if tls is not None:
            self.sock = tls.wrap_socket(self.sock)  # the handshake, within `timeout`
        self.buf = b""
        self.pending: deque[Line] = deque()
        self.history: list[Line] = []
        self.skipped: list[Line] = []
        self.closed = False
        self.nick: Optional[str] = None

    # -- sending --

    def send(self, line: str) -> None:
        """Sends one line; CR LF is added."""
        self.send_raw(line.encode("utf-8", "surrogateescape") + b"\r\n")

    def send_raw(self, data: bytes) -> None:
        self.sock.settimeout(self.timeout)
        self.sock.sendall(data)

    # -- receiving --

    def _split(self) -> None:
        *complete, self.buf = _LINE_END.split(self.buf)
        for raw in complete:
            if not raw:  # CR LF gives an empty piece between CR and LF
                continue
            line = Line(raw.decode("utf-8", "surrogateescape"))
            self.history.append(line)
            if self.auto_pong and line.command == "PING":
                try:
                    self.send("PONG :" + line.last)
                except OSError:
                    pass
                continue
            self.pending.append(line)

    def _fill(self, deadline: float) -> bool:
        """Reads once; False on timeout. Raises ConnectionClosed on EOF."""
        if self.closed:
            raise ConnectionClosed(f"{self.name}: connection already closed")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError) as e:
            self.closed = True
            raise ConnectionClosed(f"{self.name}: connection reset ({e})")
        if not data:
            self.closed = True
            raise ConnectionClosed(f"{self.name}: connection closed by the server")
        self.buf += data
        self._split()
        return True

    def read_available(self) -> int:
        """Reads whatever is in the socket now without waiting; returns bytes read."""
        if self.closed:
            return 0
        self.sock.setblocking(False)
        total = 0
        try:
            while True:
                data = self.sock.recv(1 << 20)
                if not data:
                    self.closed = True
                    break
                total += len(data)
                self.buf += data
        except (BlockingIOError, InterruptedError, ssl.SSLWantReadError):
            pass
        except (ConnectionResetError, BrokenPipeError):
            self.closed = True
        finally:
            if not self.closed:
                self.sock.settimeout(self.timeout)
        self._split()
        return total

    def next_line(self, timeout: Optional[float] = None) -> Line:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not self.pending:
            if not self._fill(deadline):
                raise AssertionError(f"{self.name}: no line within {timeout or self.timeout}s")
        return self.pending.popleft()

    def _describe_recent(self, n: int = 15) -> str:
        recent = self.skipped[-n:] + list(self.pending)[:n]
        return "\n    ".join(repr(l) for l in recent) or "(nothing)"

    def expect(self, pattern: PatternLike, timeout: Optional[float] = None, *, what: str = "") -> Line:
        """Consumes lines until one matches `pattern` (re.search); returns it."""
        rx = _compile(pattern)
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        self.skipped = []
        while True:
            while self.pending:
                line = self.pending.popleft()
                if rx.search(line):
                    return line
                self.skipped.append(line)
            try:
                if not self._fill(deadline):
                    break
            except ConnectionClosed as e:
                raise AssertionError(
                    f"{self.name}: expected {what or rx.pattern!r} but {e}; received before that:\n    "
                    + self._describe_recent()) from None
        raise AssertionError(
            f"{self.name}: expected {what or rx.pattern!r} within {limit}s; received instead:\n    "
            + self._describe_recent())

    def expect_numeric(self, code: str, *more: str, timeout: Optional[float] = None) -> Line:
        return self.expect(numeric_re(code, *more), timeout, what=f"numeric {'/'.join((code,) + more)}")

    def expect_command(self, command: str, source_nick: Optional[str] = None,
                       timeout: Optional[float] = None) -> Line:
        return self.expect(command_re(command, source_nick), timeout,
                           what=f"{command} from {source_nick or 'anyone'}")

    def collect_until(self, pattern: PatternLike, timeout: Optional[float] = None) -> list[Line]:
        """All lines up to and including the first that matches."""
        last = self.expect(pattern, timeout)
        return self.skipped + [last]

    def expect_error_and_close(self, pattern: PatternLike = r"^ERROR", timeout: Optional[float] = None) -> Line:
        """Waits for an ERROR line and then for the server to close the connection."""
        line = self.expect(pattern, timeout, what="ERROR")
        self.expect_closed(timeout)
        return line

    def expect_closed(self, timeout: Optional[float] = None) -> list[Line]:
        """Waits for EOF; returns the lines that came before it."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        got: list[Line] = list(self.pending)
        self.pending.clear()
        while not self.closed:
            try:
                if not self._fill(deadline):
                    raise AssertionError(f"{self.name}: connection still open after {limit}s; got {got[-10:]!r}")
            except ConnectionClosed:
                break
            got.extend(self.pending)
            self.pending.clear()
        return got

    def lines_for(self, seconds: float) -> list[Line]:
        """Everything that arrives in the next `seconds` (EOF ends the wait early)."""
        deadline = time.monotonic() + seconds
        got: list[Line] = list(self.pending)
        self.pending.clear()
        try:
            while self._fill(deadline):
                got.extend(self.pending)
                self.pending.clear()
        except ConnectionClosed:
            pass
        got.extend(self.pending)
        self.pending.clear()
        return got

    def assert_nothing(self, seconds: float = 0.5, pattern: Optional[PatternLike] = None) -> None:
        """Asserts that nothing (or nothing matching `pattern`) arrives within `seconds`."""
        got = self.lines_for(seconds)
        if pattern is not None:
            rx = _compile(pattern)
            got = [l for l in got if rx.search(l)]
        assert not got, f"{self.name}: expected nothing{' matching ' + repr(pattern) if pattern else ''}, got {got!r}"

    def sync(self, timeout: Optional[float] = None) -> list[Line]:
        """Round trip with PING; returns what arrived before the PONG."""
        token = f"sync{time.monotonic_ns()}"
        self.send(f"PING :{token}")
        pong = self.expect(re.compile(r"PONG .*%s$" % token), timeout, what=f"PONG {token}")
        del pong
        return list(self.skipped)

    def cap_ls(self, timeout: Optional[float] = None) -> list[str]:
        """CAP LS 302, every line of the answer (a list past one line continues with "*")."""
        self.send("CAP LS 302")
        caps: list[str] = []
        while True:
            line = self.expect(re.compile(r" CAP \S+ LS "), timeout, what="CAP LS")
            caps += line.last.split()
            if len(line.params) < 4 or line.params[2] != "*":
                return caps

    # -- registration --

    def register(self, nick: str, user: Optional[str] = None, realname: Optional[str] = None,
                 caps: Sequence[str] = (), password: Optional[str] = None,
                 timeout: Optional[float] = None) -> list[Line]:
        """PASS/CAP/NICK/USER; waits for 001 and the end of the MOTD. Returns the burst."""
        if password is not None:
            self.send(f"PASS {password}")
        if caps:
            self.send("CAP LS 302")
        self.send(f"NICK {nick}")
        self.send(f"USER {user or nick} 0 * :{realname or 'Test user ' + nick}")
        if caps:
            self.expect(r"^(?:@\S+ )?:\S+ CAP \S+ LS ", timeout, what="CAP LS")
            self.send("CAP REQ :" + " ".join(caps))
            ack = self.expect(r"^(?:@\S+ )?:\S+ CAP \S+ (ACK|NAK) ", timeout, what="CAP ACK")
            assert ack.params[1] == "ACK", f"{self.name}: caps {caps} refused: {ack!r}"
            self.send("CAP END")
        burst = self.collect_until(numeric_re("001"), timeout)
        burst += self.collect_until(numeric_re("376", "422"), timeout)
        self.nick = nick
        return burst

    # -- channel helpers --

    def join(self, channel: str, key: Optional[str] = None, timeout: Optional[float] = None) -> list[Line]:
        """JOIN and wait for the end of NAMES; returns the lines from our JOIN to 366."""
        self.send(f"JOIN {channel}" + (f" {key}" if key else ""))
        return self.collect_until(re.compile(r"^(?:@\S+ +)?:\S+ +366 +\S+ +%s(?: |$)" % re.escape(channel), re.I),
                                  timeout)

    def names(self, channel: str, timeout: Optional[float] = None) -> list[str]:
        """NAMES `channel`; returns the entries (with their prefixes) of the 353 replies."""
        self.send(f"NAMES {channel}")
        lines = self.collect_until(numeric_re("366"), timeout)
        return [entry for l in lines if l.command == "353" for entry in l.last.split()]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass


def read_many(clients: Iterable[IRCClient], done: Callable[[], bool], timeout: float) -> None:
    """Reads from many clients at once until done() is true; fails after `timeout` seconds."""
    clients = [c for c in clients if not c.closed]
    sel = selectors.DefaultSelector()
    for c in clients:
        c.sock.setblocking(False)
        sel.register(c.sock, selectors.EVENT_READ, c)
    deadline = time.monotonic() + timeout
    try:
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"read_many: condition not reached within {timeout}s")
            for key, _ in sel.select(min(remaining, 0.5)):
                c: IRCClient = key.data
                try:
                    data = c.sock.recv(1 << 20)
                except (BlockingIOError, InterruptedError):
                    continue
                except (ConnectionResetError, BrokenPipeError):
                    data = b""
                if not data:
                    c.closed = True
                    sel.unregister(c.sock)
                    continue
                c.buf += data
                c.sock.setblocking(True)
                c.sock.settimeout(c.timeout)
                c._split()  # may send PONG
                c.sock.setblocking(False)
    finally:
        sel.close()
        for c in clients:
            if not c.closed:
                c.sock.setblocking(True)
                c.sock.settimeout(c.timeout)


# ---- the server under test -------------------------------------------------------------------


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def to_toml(config: dict) -> str:
    """Writes {section: {key: value}} and {"operator": [{...}, ...]} as TOML."""
    out = []
    for section, body in config.items():
        if isinstance(body, list):
            for table in body:
                out.append(f"[[{section}]]")
                out.extend(f"{k} = {toml_value(v)}" for k, v in table.items())
                out.append("")
        else:
            out.append(f"[{section}]")
            out.extend(f"{k} = {toml_value(v)}" for k, v in body.items())
            out.append("")
    return "\n".join(out)


def merge_config(base: dict, overrides: dict) -> dict:
    merged = {k: (dict(v) if isinstance(v, dict) else list(v)) for k, v in base.items()}
    for section, body in overrides.items():
        if isinstance(body, dict) and isinstance(merged.get(section), dict):
            merged[section].update(body)
        else:
            merged[section] = body
    return merged


class ParleyServer:
    """One `parley server` process on 127.0.0.1 with a port chosen by the kernel."""

    def __init__(self, binary: str, workdir: Path, config: dict, extra_args: Sequence[str] = ()):
        self.binary = binary
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path = self.workdir / "parley.toml"
        self.config_path.write_text(to_toml(config))
        self.stdout_path = self.workdir / "stdout.log"
        self.stderr_path = self.workdir / "stderr.log"
        self.host = "127.0.0.1"
        self.port = 0
        self.tls_port = 0
        self.link_port = 0  # the first `link` listener's, if the config has one
        self.web_port = 0  # the first `web` listener's, if any (--web-port or the config)
        self.web_tls_port = 0
        self.fingerprint = ""  # the server certificate's SHA-256, "ab:cd:..."
        self.stopped = False
        self.clients: list[IRCClient] = []
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                # --tls-port 0 and a data directory of its own: parallel tests share neither
                # port 6697 nor ./parley-data.
                [binary, "server", "--bind", "127.0.0.1", "--port", "0", "--tls-port", "0",
                 "--data-dir", str(self.workdir / "data"), "--config", str(self.config_path), *extra_args],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=self.workdir)
        self._wait_listening(10.0)

    def logs(self) -> str:
        def tail(p: Path) -> str:
            try:
                return p.read_text(errors="replace")[-4000:]
            except OSError:
                return ""
        return f"--- stdout ---\n{tail(self.stdout_path)}\n--- stderr ---\n{tail(self.stderr_path)}"

    def _wait_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.stdout_path.read_text(errors="replace")
            first = text.split("\n", 1)
            if len(first) == 2:  # a complete first line
                line = first[0].rstrip("\r")
                assert LISTENER_LINE_RE.search(line), f"unexpected first stdout line {line!r}\n{self.logs()}"
                # Every listener's line and then the certificate's follow in one burst (the
                # harness always asks for a TLS listener).
                while time.monotonic() < deadline:
                    text = self.stdout_path.read_text(errors="replace")
                    fp = FINGERPRINT_RE.search(text)
                    if fp:
                        self.fingerprint = fp.group(1)
                        for kind, host, port in LISTENER_LINE_RE.findall(text):
                            if kind == "IRC" and not self.port:
                                self.host, self.port = host, int(port)
                            if kind == "IRC over TLS" and not self.tls_port:
                                self.tls_port = int(port)
                            if kind == "server links" and not self.link_port:
                                self.link_port = int(port)
                            if kind == "web clients" and not self.web_port:
                                self.web_port = int(port)
                            if kind == "web clients over TLS" and not self.web_tls_port:
                                self.web_tls_port = int(port)
                        assert self.port > 0 and self.tls_port > 0, text
                        return
                    time.sleep(0.01)
                break
            if self.proc.poll() is not None:
                raise AssertionError(f"parley server exited with {self.proc.returncode} before listening\n"
                                     f"config:\n{self.config_path.read_text()}\n{self.logs()}")
            time.sleep(0.02)
        self.kill()
        raise AssertionError(f"parley server did not print its listening line within {timeout}s\n{self.logs()}")

    def client(self, name: str = "client", **kwargs) -> IRCClient:
        """A new raw connection; closed automatically when the test ends."""
        c = IRCClient(self.host, self.port, name=name, **kwargs)
        self.clients.append(c)
        return c

    def tls_client(self, name: str = "client", context: Optional[ssl.SSLContext] = None, **kwargs) -> IRCClient:
        """A new connection to the TLS listener (no certificate verification unless `context`)."""
        if context is None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        c = IRCClient(self.host, self.tls_port, name=name, tls=context, **kwargs)
        self.clients.append(c)
        return c

    def registered(self, nick: str, **kwargs) -> IRCClient:
        """A new connection registered as `nick` (register() keyword arguments: caps, ...)."""
        client_kwargs = {k: kwargs.pop(k) for k in ("auto_pong", "rcvbuf", "timeout") if k in kwargs}
        c = self.client(nick, **client_kwargs)
        c.register(nick, **kwargs)
        return c

    def close_clients(self) -> None:
        for c in self.clients:
            c.close()
        self.clients.clear()

    def is_running(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 5.0) -> float:
        """SIGTERM, then waits; asserts exit code 0 within `timeout`. Returns the seconds taken."""
        if self.stopped:
            return 0.0
        self.stopped = True
        if self.proc.poll() is not None:
            raise AssertionError(f"parley server had already exited with {self.proc.returncode}\n{self.logs()}")
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"parley server still running {timeout}s after SIGTERM\n{self.logs()}")
        took = time.monotonic() - start
        assert code == 0, f"parley server exited with {code} after SIGTERM\n{self.logs()}"
        return took

    def kill(self) -> None:
        self.stopped = True
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass


def find_parley_binary() -> Optional[str]:
    env = os.environ.get("PARLEY_BIN")
    if env:
        return env
    here = Path(__file__).resolve().parents[2]
    candidates = []
    if os.environ.get("PARLEY_BUILD_DIR"):
        candidates.append(Path(os.environ["PARLEY_BUILD_DIR"]) / "parley")
    candidates += [here / d / "parley" for d in ("build", "build-tests", "build-release", "build-debug")]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    return None


def mkpasswd(binary: str, secret: str) -> str:
    out = subprocess.run([binary, "mkpasswd"], input=secret.encode(), capture_output=True, timeout=30)
    assert out.returncode == 0, f"parley mkpasswd failed ({out.returncode}): {out.stderr.decode(errors='replace')}"
    hashed = out.stdout.decode().strip()
    assert hashed.startswith("$argon2"), f"unexpected mkpasswd output {hashed!r}"
    return hashed
