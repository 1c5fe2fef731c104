"""A private tmux server for driving terminal UIs in tests (`parley chat`, `parley peer`).

Each Tmux instance uses its own socket (`tmux -L`), so the user's sessions are never touched;
kill() ends everything it started.
"""

from __future__ import annotations

import shlex
import subprocess
import uuid


class Tmux:
    def __init__(self, prefix: str = "parley"):
        self.socket = f"{prefix}-{uuid.uuid4().hex[:8]}"

    def run(self, *args, check=True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              timeout=10, check=check)

    def start(self, session: str, command: list[str], width: int = 80, height: int = 20,
              term: str | None = None):
        env = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        if term:
            env["TERM"] = term
        shell = " ".join(f"{k}={v}" for k, v in env.items()) + " exec " + " ".join(shlex.quote(c) for c in command)
        self.run("new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), shell)

    def screen(self, session: str) -> str:
        return self.run("capture-pane", "-p", "-t", session, check=False).stdout

    def keys(self, session: str, *keys: str):
        self.run("send-keys", "-t", session, *keys)

    def type(self, session: str, text: str):
        self.run("send-keys", "-t", session, "-l", text)

    def alive(self, session: str) -> bool:
        return self.run("has-session", "-t", session, check=False).returncode == 0

    def kill(self):
        self.run("kill-server", check=False)
