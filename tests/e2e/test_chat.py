"""`parley chat`, the IRC client (issue 6), end to end.

- headless against `parley server`: join, receive from a raw IRC client, send, a private message
  in its own window (query) answered there, /quit seen as QUIT;
- the terminal UI in tmux, the same session, against `parley server` and against ngIRCd (the
  Debian package: installed here if missing, the test skips when that is impossible);
- reconnect: the server is killed and restarted on the same port; the client reconnects and
  rejoins its channel.

Every wait has a deadline; every process (clients, servers, the private tmux server) is ended at
teardown.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

import polling
from tmux_session import Tmux

from conftest import BASE_CONFIG
from ircclient import IRCClient, to_toml

TIMEOUT = 10.0

def wait_for(predicate, timeout=TIMEOUT, what="condition"):
    return polling.wait_for(predicate, timeout, what)

NGIRCD = "/usr/sbin/ngircd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = TIMEOUT) -> None:
    def up():
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode} before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False
    wait_for(up, timeout, f"a server listening on {port}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


class HeadlessChat:
    """`parley chat --headless`: lines typed on stdin, events read from stdout by a thread."""

    def __init__(self, binary: str, port: int, nick: str, *extra: str):
        self.proc = subprocess.Popen([binary, "chat", f"127.0.0.1:{port}", "--nick", nick, "--headless", *extra],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def type(self, text: str) -> None:
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def expect(self, pattern: str, timeout: float = TIMEOUT) -> str:
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"chat: expected {pattern!r} within {timeout}s; last lines:\n    "
                                     + "\n    ".join(self.seen[-15:]))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(line)
            if rx.search(line):
                return line

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass


@pytest.fixture
def chats():
    started: list[HeadlessChat] = []
    yield started
    for c in started:
        c.close()


def test_headless_session_against_parley_server(parley_bin, server, chats):
    bob = server.registered("bob")
    bob.join("#parley")
    chat = HeadlessChat(parley_bin, server.port, "alice", "--join", "#parley")
    chats.append(chat)
    chat.expect(r"^\[#parley\] -- You joined #parley")
    bob.expect_command("JOIN", "alice")

    bob.send("PRIVMSG #parley :hello alice")
    chat.expect(r"^\[#parley\] <bob> hello alice$")
    chat.type("hi bob, nice to meet you")
    assert bob.expect_command("PRIVMSG", "alice").last == "hi bob, nice to meet you"
    chat.expect(r"^\[#parley\] <alice> hi bob, nice to meet you$")  # echo-message

    bob.send("PRIVMSG alice :a secret")
    chat.expect(r"^\[bob\] -- window opened")
    chat.expect(r"^\[bob\] <bob> a secret$")
    chat.type("/window 3")
    chat.expect(r"^\[bob\] -- now the current window")
    chat.type("the answer")
    line = bob.expect_command("PRIVMSG", "alice")
    assert line.params == ["bob", "the answer"]

    chat.type("/me waves")
    assert bob.expect_command("PRIVMSG", "alice").last == "\x01ACTION waves\x01"
    chat.type("/frobnicate")
    chat.expect(r"Unknown command /frobnicate")

    chat.type("/quit see you")
    quit_line = bob.expect_command("QUIT", "alice")
    assert "see you" in quit_line.last
    assert chat.proc.wait(timeout=5) == 0


def test_reconnects_and_rejoins_after_a_server_restart(parley_bin, tmp_path, chats):
    port = free_port()
    config = tmp_path / "parley.toml"
    config.write_text(to_toml(BASE_CONFIG))
    logs: list = []

    def start_server() -> subprocess.Popen:
        log = open(tmp_path / f"server{len(logs)}.log", "w")
        logs.append(log)
        proc = subprocess.Popen([parley_bin, "server", "--bind", "127.0.0.1", "--port", str(port),
                                 "--tls-port", "0", "--data-dir", str(tmp_path / "data"),
                                 "--config", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        wait_port(port, proc)
        return proc

    servers = [start_server()]
    try:
        chat = HeadlessChat(parley_bin, port, "alice", "--join", "#parley")
        chats.append(chat)
        chat.expect(r"^\[#parley\] -- You joined #parley")
        servers[0].kill()
        servers[0].wait(timeout=5)
        chat.expect(rf"Disconnected from 127\.0\.0\.1:{port}: .*reconnecting in 1 s")
        chat.expect(rf"Cannot connect to 127\.0\.0\.1:{port}: Connection refused; reconnecting in \d+ s")
        servers.append(start_server())
        bob = IRCClient("127.0.0.1", port, name="bob")
        try:
            bob.register("bob")
            bob.join("#parley")
            chat.expect(r"^\[#parley\] -- You joined #parley", timeout=20)
            names = bob.names("#parley")
            assert any(n.lstrip("@+") == "alice" for n in names), names
            bob.send("PRIVMSG #parley :welcome back")
            chat.expect(r"^\[#parley\] <bob> welcome back$")
        finally:
            bob.close()
    finally:
        for proc in servers:
            stop(proc)
        for log in logs:
            log.close()


def test_keyboard_works_while_a_connection_attempt_hangs(parley_bin, chats):
    # A listener whose accept queue is full drops further SYNs, so connect() to it neither
    # succeeds nor fails for seconds: the client must still read the keyboard meanwhile.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    fillers = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(4):  # fill the accept queue (the kernel allows backlog + 1)
            f = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            f.setblocking(False)
            f.connect_ex(("127.0.0.1", port))
            fillers.append(f)
        time.sleep(0.3)
        chat = HeadlessChat(parley_bin, port, "alice")
        chats.append(chat)
        chat.expect(rf"Connecting to 127\.0\.0\.1:{port}")
        time.sleep(0.5)
        started = time.monotonic()
        chat.type("/quit")
        chat.proc.wait(timeout=5)
        assert time.monotonic() - started < 3, "the keyboard waited for connect()"
        assert chat.proc.returncode == 0
    finally:
        for f in fillers:
            f.close()
        listener.close()


# ---- the terminal UI in tmux ------------------------------------------------------------------


@pytest.fixture
def tmux():
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    t = Tmux("parley-chat")
    yield t
    t.kill()


def tui_session(parley_bin: str, tmux: Tmux, host: str, port: int, raw: IRCClient, prefix: str = "@"):
    """The issue's session: join, receive, send, a private message answered in its window, /quit."""
    raw.join("#parley")
    tmux.start("chat", [parley_bin, "chat", f"{host}:{port}", "--nick", "alice", "--join", "#parley"],
               width=110, height=24, term="tmux-256color")
    screen = lambda: tmux.screen("chat")  # noqa: E731
    raw.expect_command("JOIN", "alice")
    wait_for(lambda: "You joined #parley" in screen(), what=f"the join on screen:\n{screen()}")
    wait_for(lambda: "[alice] 2:#parley" in screen(), what=f"the status line:\n{screen()}")
    assert screen().splitlines()[0].startswith("#parley"), "the topic line"
    wait_for(lambda: re.search(r"^.*\s+\S?bob\s*$", screen(), re.M), what=f"the nick list:\n{screen()}")

    raw.send("PRIVMSG #parley :hello from bob")
    wait_for(lambda: "<bob> hello from bob" in screen(), what=f"bob's message:\n{screen()}")
    tmux.type("chat", "hi b")
    tmux.keys("chat", "Tab")
    wait_for(lambda: "hi bob" in screen().splitlines()[-1], what=f"nick completion:\n{screen()}")
    tmux.type("chat", " h\u00e9h\u00e9 \u4f60\u597d")
    tmux.keys("chat", "Enter")
    line = raw.expect_command("PRIVMSG", "alice")
    assert line.params == ["#parley", "hi bob h\u00e9h\u00e9 \u4f60\u597d"]
    wait_for(lambda: "<alice> hi bob h\u00e9h\u00e9 \u4f60\u597d" in screen(), what=f"own message:\n{screen()}")

    raw.send("PRIVMSG alice :psst, alice")
    wait_for(lambda: "3:bob" in screen() and "Act: 3!" in screen(), what=f"the query's activity:\n{screen()}")
    tmux.keys("chat", "M-3")
    wait_for(lambda: "<bob> psst, alice" in screen(), what=f"the query window:\n{screen()}")
    tmux.type("chat", "got it")
    tmux.keys("chat", "Enter")
    assert raw.expect_command("PRIVMSG", "alice").params == ["bob", "got it"]
    tmux.keys("chat", "C-p")
    wait_for(lambda: "[alice] 2:#parley" in screen(), what=f"Ctrl-P to the channel:\n{screen()}")

    tmux.type("chat", "/quit bye now")
    tmux.keys("chat", "Enter")
    assert "bye now" in raw.expect_command("QUIT", "alice").last
    wait_for(lambda: not tmux.alive("chat"), what="the client to exit")


def test_terminal_ui_session_against_parley_server(parley_bin, server, tmux):
    tui_session(parley_bin, tmux, server.host, server.port, server.registered("bob"))


@pytest.fixture
def ngircd(tmp_path):
    if not os.path.exists(NGIRCD):
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            pytest.skip("ngircd is not installed and cannot be installed here (needs root and apt-get)")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        try:
            done = subprocess.run(["apt-get", "install", "-y", "-q", "ngircd"], env=env, timeout=120,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        except subprocess.TimeoutExpired:
            pytest.skip("installing ngircd with apt-get timed out")
        if done.returncode != 0 or not os.path.exists(NGIRCD):
            pytest.skip(f"ngircd could not be installed: {done.stderr.strip()[-300:]}")
        # The package starts a system service on 6667; the test runs its own instance.
        for command in (["systemctl", "disable", "--now", "ngircd"], ["service", "ngircd", "stop"]):
            if shutil.which(command[0]):
                subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    port = free_port()
    rundir = tmp_path / "ngircd"
    rundir.mkdir()
    os.chmod(rundir, 0o777)  # ngIRCd drops root privileges and writes its pid file here
    template = (Path(__file__).resolve().parents[2] / "bench" / "configs" / "ngircd.conf.in").read_text()
    config = rundir / "ngircd.conf"
    config.write_text(template.replace("@PORT@", str(port)).replace("@RUNDIR@", str(rundir)))
    log = open(rundir / "ngircd.log", "w")
    proc = subprocess.Popen([NGIRCD, "-n", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    try:
        wait_port(port, proc)
        yield port
    finally:
        stop(proc)
        log.close()


def test_terminal_ui_session_against_ngircd(parley_bin, ngircd, tmux):
    bob = IRCClient("127.0.0.1", ngircd, name="bob")
    try:
        bob.register("bob")
        tui_session(parley_bin, tmux, "127.0.0.1", ngircd, bob)
    finally:
        bob.close()
