"""`parley peer` with its terminal UI, driven in tmux (issue 5): two peers in two tmux panes; a
message typed in one shows in the other, a network message does not disturb the line being
typed, and `:quit` exits. Every wait has a deadline; the private tmux server is killed at teardown.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid

import pytest

TIMEOUT = 20.0

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    def __init__(self):
        self.socket = f"parley-peer-{uuid.uuid4().hex[:8]}"

    def run(self, *args, check=True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              timeout=10, check=check)

    def start(self, session: str, command: list[str]):
        env = " ".join(f"{k}={v}" for k, v in {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}.items())
        shell = env + " exec " + " ".join(subprocess.list2cmdline([c]) for c in command)
        self.run("new-session", "-d", "-s", session, "-x", "80", "-y", "20", shell)

    def screen(self, session: str) -> str:
        r = self.run("capture-pane", "-p", "-t", session, check=False)
        return r.stdout

    def keys(self, session: str, *keys: str):
        self.run("send-keys", "-t", session, *keys)

    def type(self, session: str, text: str):
        self.run("send-keys", "-t", session, "-l", text)

    def alive(self, session: str) -> bool:
        return self.run("has-session", "-t", session, check=False).returncode == 0

    def kill(self):
        self.run("kill-server", check=False)


def wait_for(predicate, timeout=TIMEOUT, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    value = predicate()
    assert value, f"timed out after {timeout}s waiting for {what}"
    return value


@pytest.fixture
def tmux():
    t = Tmux()
    yield t
    t.kill()


def test_two_peers_chat_in_the_terminal_ui(parley_bin, tmux):
    tmux.start("alice", [parley_bin, "peer", "alice", "--bind", "127.0.0.1"])
    m = wait_for(lambda: re.search(r"port (\d+)", tmux.screen("alice")), what="alice's status line")
    port = m.group(1)
    tmux.start("bob", [parley_bin, "peer", "bob", "127.0.0.1", port, "--bind", "127.0.0.1"])
    for who in ("alice", "bob"):
        wait_for(lambda: "| 1 peer" in tmux.screen(who), what=f"{who} to show 1 peer:\n{tmux.screen(who)}")

    screen = tmux.screen("alice")
    assert "\u2500\u2500" in screen, "a separator line between conversation and input"

    tmux.type("alice", "half-typed")  # alice is typing while bob's message arrives
    tmux.type("bob", "hello from bob, h\u00e9h\u00e9")
    tmux.keys("bob", "Enter")
    wait_for(lambda: "bob: hello from bob, h\u00e9h\u00e9" in tmux.screen("alice"), what="bob's message at alice")
    assert "bob: hello from bob, h\u00e9h\u00e9" in tmux.screen("bob"), "own message shown too"
    assert tmux.screen("alice").rstrip().splitlines()[-1].endswith("> half-typed")

    tmux.keys("alice", "C-u")
    tmux.type("alice", "hi bob")
    tmux.keys("alice", "Enter")
    wait_for(lambda: "alice: hi bob" in tmux.screen("bob"), what="alice's message at bob")

    tmux.type("bob", ":quit")
    tmux.keys("bob", "Enter")
    wait_for(lambda: not tmux.alive("bob"), what="bob to exit on :quit")
    wait_for(lambda: "| 0 peers" in tmux.screen("alice"), what="alice to see bob leave")
    tmux.type("alice", ":q")
    tmux.keys("alice", "Enter")
    wait_for(lambda: not tmux.alive("alice"), what="alice to exit on :q")
