"""`parley peer` with its terminal UI, driven in tmux (issue 5): two peers in two tmux panes; a
message typed in one shows in the other, a network message does not disturb the line being
typed, and `:quit` exits. Every wait has a deadline; the private tmux server is killed at teardown.
"""

from __future__ import annotations

import os
import re
import shutil
import socket

import pytest

import polling
from tmux_session import Tmux

TIMEOUT = 20.0

def wait_for(predicate, timeout=TIMEOUT, what="condition"):
    return polling.wait_for(predicate, timeout, what)


pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def tmux():
    t = Tmux("parley-peer")
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


def test_ctrl_c_quits_the_terminal_ui_and_the_status_line_says_so(parley_bin, tmux):
    tmux.start("alice", [parley_bin, "peer", "alice", "--bind", "127.0.0.1"])
    wait_for(lambda: re.search(r"port \d+", tmux.screen("alice")), what="alice's status line")
    assert "Ctrl-C quits" in tmux.screen("alice"), tmux.screen("alice")
    tmux.type("alice", "half-typed")
    tmux.keys("alice", "C-c")
    wait_for(lambda: not tmux.alive("alice"), what="alice to exit on Ctrl-C")


def test_unreachable_peer_is_shown_on_screen(parley_bin, tmux):
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmux.start("alice", [parley_bin, "peer", "alice", "127.0.0.1", str(port), "--bind", "127.0.0.1"])
    wait_for(lambda: f"cannot reach 127.0.0.1:{port}: Connection refused" in tmux.screen("alice"),
             what=f"the failed join on screen:\n{tmux.screen('alice')}")
    tmux.keys("alice", "C-c")
    wait_for(lambda: not tmux.alive("alice"), what="alice to exit on Ctrl-C")
