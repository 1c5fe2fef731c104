"""What a service manager and a log shipper see of `parley server`: --version names the commit,
--log-format json writes one parseable object per line and never a password or SASL payload,
and under a Type=notify unit the server sends READY=1, STATUS= and STOPPING=1 (sd_notify)."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import tempfile
import time

import pytest

from service_util import PARLEY_BIN, SOURCE_DIR, irc_register, read_until, start_server, stop


def git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", "-C", str(SOURCE_DIR), *args], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def test_version_names_the_version_and_commit():
    out = subprocess.run([PARLEY_BIN, "--version"], capture_output=True, text=True, check=True).stdout
    first, second = out.strip().split("\n")
    assert first.startswith("parley 0.") and first.endswith(")"), first
    head = git("rev-parse", "HEAD")
    if head is None:
        assert second == "commit unknown"
        return
    assert second.startswith("commit ") and len(second) == len("commit ") + 40, second
    commit = second.removeprefix("commit ")
    # Built from this checkout: HEAD, or a commit before it when commits were made since the
    # build (CI builds a fresh clone, where it is HEAD itself).
    assert git("merge-base", "--is-ancestor", commit, head) is not None, f"{commit} is not in HEAD's history"
    describe = first[first.index("(") + 1:-1]
    assert describe.removesuffix("-dirty") == git("describe", "--always", commit)


def test_version_reply_carries_the_commit():
    proc, ports = start_server("--port", "0", "--tls-port", "0", "--data-dir", "", "--bind", "127.0.0.1")
    try:
        sock, _ = irc_register(ports["IRC"], "v")
        sock.sendall(b"VERSION\r\n")
        reply = read_until(sock, " 351 ")
        first = subprocess.run([PARLEY_BIN, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        version, describe = first.split(" ")[1], first[first.index("(") + 1:-1]
        expected = f"parley-{version}" if describe == "unknown" else f"parley-{version}-{describe}"
        assert f" 351 v {expected} " in reply, reply
        sock.close()
    finally:
        stop(proc)


def test_json_log_lines_parse_and_hide_secrets():
    secret = "hunter2-do-not-log"
    payload = base64.b64encode(f"\0someone\0{secret}".encode()).decode()
    proc, ports = start_server("--port", "0", "--tls-port", "0", "--data-dir", "", "--bind", "127.0.0.1",
                               "--log-level", "trace", "--log-format", "json")
    try:
        sock = socket.create_connection(("127.0.0.1", ports["IRC"]), timeout=10)
        sock.sendall(f"PASS {secret}\r\nCAP LS 302\r\nCAP REQ :sasl\r\nAUTHENTICATE PLAIN\r\n".encode())
        read_until(sock, "AUTHENTICATE +")
        sock.sendall(f"AUTHENTICATE {payload}\r\nNICK j\r\nUSER j 0 * :j\r\nCAP END\r\n".encode())
        read_until(sock, " 904 ")  # no such account: SASL failed, the payload went through the server
        sock.sendall(b"QUIT :bye \"quoted\" \\ \xff\r\n")
        time.sleep(0.3)
        sock.close()
    finally:
        status, err = stop(proc)
    assert status == 0
    lines = err.splitlines()
    assert len(lines) >= 3, err
    for line in lines:
        record = json.loads(line)  # every line, start-up to shutdown, is one JSON object
        assert set(record) == {"time", "level", "message"}, line
        assert record["level"] in {"trace", "debug", "info", "warning", "error", "critical"}
        assert record["time"].endswith("Z") and "T" in record["time"]
    messages = [json.loads(line)["message"] for line in lines]
    assert any("shutdown complete" in m for m in messages)
    assert secret not in err and payload not in err


def test_text_log_format_stays_the_default():
    proc, _ = start_server("--port", "0", "--tls-port", "0", "--data-dir", "", "--bind", "127.0.0.1")
    status, err = stop(proc)
    assert status == 0
    assert not err.lstrip().startswith("{") and " info " in err


def test_bad_log_format_is_refused():
    result = subprocess.run([PARLEY_BIN, "server", "--log-format", "xml"], capture_output=True, text=True)
    assert result.returncode != 0 and "--log-format" in result.stderr


class NotifySocket:
    """The service manager's end of sd_notify: an AF_UNIX datagram socket."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="parley-notify-", dir="/tmp")
        self.path = os.path.join(self.dir, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.received: list[str] = []

    def wait_for(self, predicate, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                message = self.sock.recv(4096).decode()
            except socket.timeout:
                break
            self.received.append(message)
            if predicate(message):
                return message
        raise AssertionError(f"nothing matching within {timeout} s; received {self.received}")

    def close(self):
        self.sock.close()
        os.unlink(self.path)
        os.rmdir(self.dir)


def test_sd_notify_ready_status_stopping():
    notify = NotifySocket()
    env = dict(os.environ, NOTIFY_SOCKET=notify.path)
    proc, ports = start_server("--port", "0", "--tls-port", "0", "--data-dir", "", "--bind", "127.0.0.1",
                               env=env)
    try:
        ready = notify.wait_for(lambda m: "READY=1" in m, 10)
        assert "STATUS=serving 0 connections" in ready.split("\n")
        sock, _ = irc_register(ports["IRC"], "n")
        # The STATUS line is refreshed every 5 seconds from the server's own count.
        notify.wait_for(lambda m: m == "STATUS=serving 1 connection", 8)
        # STOPPING=1 comes when the shutdown starts, not at exit: the client has not closed its
        # end yet, so the server is still waiting for it (up to 3 s) when the message arrives.
        proc.terminate()
        notify.wait_for(lambda m: m.startswith("STOPPING=1"), 2)
        assert proc.poll() is None, "STOPPING=1 only arrived once the server had exited"
        read_until(sock, "ERROR :Closing Link")
        sock.close()
        # The shutdown the first SIGTERM started ends on its own once the client is gone (a second
        # SIGTERM now could land after the server's handlers are gone and kill it mid-exit).
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            raise AssertionError("the server did not exit after its last client left")
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
        notify.close()
    # Nothing after READY=1 said READY again, and STOPPING came once (the destructor does not repeat it).
    assert sum(m.startswith("STOPPING=1") for m in notify.received) == 1

