"""`parley chat` as a new user meets it (issue 17): a piped script is paced under the server's
flood limit and arrives whole; a bad SERVER argument or nick is a clear error; passwords need
not be on the command line; Ctrl-C quits the terminal UI.

Every wait has a deadline; every process is ended at teardown.
"""

from __future__ import annotations

import subprocess

import pytest

NOT_EXEMPT = {"flood": {"exempt": []}}  # the server's default flood limits apply to 127.0.0.1


def run_chat(parley_bin: str, *args: str, stdin: str = "", timeout: float = 60, env=None):
    return subprocess.run([parley_bin, "chat", *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_forty_piped_lines_all_arrive_in_order_without_excess_flood(parley_bin, start_server):
    srv = start_server(NOT_EXEMPT)
    watcher = srv.registered("watcher")
    watcher.join("#paste")
    script = "".join(f"line {i}\n" for i in range(1, 41))
    done = run_chat(parley_bin, f"127.0.0.1:{srv.port}", "--nick", "scripter", "--join", "#paste",
                    "--headless", stdin=script)
    assert "Excess Flood" not in done.stdout + done.stderr, done.stdout[-2000:]
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    got = [watcher.expect_command("PRIVMSG", "scripter", timeout=5).last for _ in range(40)]
    assert got == [f"line {i}" for i in range(1, 41)]
    assert "Quit" in watcher.expect_command("QUIT", "scripter", timeout=5).last
