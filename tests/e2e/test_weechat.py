"""Interoperability with a real client: WeeChat (Debian's weechat-headless) driven through its FIFO.

WeeChat runs headless with a private --dir, so the user's own WeeChat is untouched. Commands go
in through the fifo plugin (one "*/command" or "buffer *text" line per write); what WeeChat shows
comes back through the logger plugin, which writes every buffer to a file with no flush delay.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from ircclient import command_re
from polling import wait_for

WEECHAT = shutil.which("weechat-headless")

pytestmark = pytest.mark.skipif(not WEECHAT, reason="needs weechat-headless (scripts/setup installs it)")

NICK = "weenick"


class WeeChat:
    def __init__(self, home: Path, server_host: str, server_port: int, server_options: list[str]):
        self.home = home
        self.fifo = home / "fifo"
        self.logs = home / "logs"
        home.mkdir(parents=True, exist_ok=True)
        setup = [
            f"/set fifo.file.path {self.fifo}",
            "/set fifo.file.enabled on",
            f"/set logger.file.path {self.logs}",
            "/set logger.file.flush_delay 0",
            "/set logger.file.mask $plugin.$name.weechatlog",
            f"/set irc.server_default.nicks {NICK}",
            "/set irc.server_default.username weeuser",
            "/set irc.server_default.realname WeeChat-Tester",
            "/set irc.server_default.anti_flood_prio_high 0",
            "/set irc.server_default.anti_flood_prio_low 0",
            f"/server add test {server_host}/{server_port}",
            *server_options,
            "/connect test",
        ]
        self.stdout = open(home / "stdout.log", "wb")
        self.proc = subprocess.Popen(
            [WEECHAT, "--dir", str(home), "--run-command", ";".join(setup)],
            stdin=subprocess.DEVNULL, stdout=self.stdout, stderr=subprocess.STDOUT,
            env={"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"})
        try:
            wait_for(lambda: self.fifo.exists() and self.fifo.is_fifo(), 10, "WeeChat's fifo")
        except AssertionError:
            self.proc.kill()
            self.proc.wait(timeout=5)
            self.stdout.close()
            raise

    def command(self, text: str, buffer: str = "") -> None:
        """Runs `text` ("/join #x" or plain text) in `buffer` (default: the current one)."""
        line = f"{buffer} *{text}\n" if buffer else f"*{text}\n"
        # No O_CREAT: never create a regular file where the fifo should be.
        fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)  # ENXIO if WeeChat is gone
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)

    def log(self, buffer: str) -> str:
        path = self.logs / f"{buffer}.weechatlog"
        try:
            return path.read_text(errors="replace")
        except OSError:
            return ""

    def wait_log(self, buffer: str, needle: str, timeout: float = 10.0) -> str:
        try:
            return wait_for(lambda: needle in self.log(buffer) and self.log(buffer), timeout,
                            f"{needle!r} in WeeChat's {buffer} buffer")
        except AssertionError:
            raise AssertionError(f"{needle!r} not in WeeChat buffer {buffer}:\n{self.log(buffer)[-3000:]}\n"
                                 f"server buffer:\n{self.log('irc.server.test')[-3000:]}") from None

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.command("/quit")
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.stdout.close()


@pytest.fixture
def weechat_for(tmp_path):
    started: list[WeeChat] = []

    def start(srv, *server_options: str, port: int = 0) -> WeeChat:
        w = WeeChat(tmp_path / f"weechat{len(started)}", srv.host, port or srv.port, list(server_options))
        started.append(w)
        return w

    yield start
    for w in started:
        w.close()


def test_weechat_registers_joins_and_chats_with_a_raw_client(server, weechat_for):
    wee = weechat_for(server)
    wee.wait_log("irc.server.test", "Welcome to the ParleyTest IRC Network")

    alice = server.registered("alice")
    alice.join("#wee")
    wee.command("/join #wee", "irc.server.test")
    alice.expect(command_re("JOIN", NICK))
    wee.wait_log("irc.test.#wee", "Channel #wee: 2 nicks")

    alice.send("PRIVMSG #wee :hello weechat")
    wee.wait_log("irc.test.#wee", "hello weechat")
    wee.command("hello alice", "irc.test.#wee")
    line = alice.expect(command_re("PRIVMSG", NICK))
    assert line.params == ["#wee", "hello alice"], line

    alice.send("TOPIC #wee :the topic")
    wee.wait_log("irc.test.#wee", "the topic")
    alice.send(f"PRIVMSG {NICK} :a private word")
    wee.wait_log("irc.test.alice", "a private word")


def create_account(srv, name: str, password: str) -> None:
    """An account in the running server's data directory, made with `parley account create`."""
    done = subprocess.run([srv.binary, "account", "create", name, "--data-dir", str(srv.workdir / "data")],
                          input=(password + "\n").encode(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")


@pytest.mark.parametrize("mechanism", ["plain", "scram_sha_256"])
def test_weechat_logs_in_with_sasl_over_tls(server, weechat_for, mechanism):
    create_account(server, NICK, "correct horse battery")
    wee = weechat_for(server,
                      "/set irc.server.test.ssl on",  # WeeChat 3.8 says ssl (4.0 renamed it tls)
                      "/set irc.server.test.ssl_verify off",  # the generated certificate is self-signed
                      f"/set irc.server.test.sasl_mechanism {mechanism}",
                      f"/set irc.server.test.sasl_username {NICK}",
                      '/set irc.server.test.sasl_password "correct horse battery"',
                      "/set irc.server.test.sasl_fail disconnect",
                      port=server.tls_port)
    log = wee.wait_log("irc.server.test", "SASL authentication successful")
    assert "You are now logged in as" in log, log
    wee.wait_log("irc.server.test", "Welcome to the ParleyTest IRC Network")

    # Others see the account: WHOIS 330 over plain TCP.
    alice = server.registered("alice")
    alice.send(f"WHOIS {NICK}")
    line = alice.expect_numeric("330")
    assert line.params[1:3] == [NICK, NICK], line


def test_weechat_with_a_wrong_password_is_refused_and_told_why(server, weechat_for):
    create_account(server, NICK, "correct horse battery")
    wee = weechat_for(server,
                      "/set irc.server.test.ssl on",  # WeeChat 3.8 says ssl (4.0 renamed it tls)
                      "/set irc.server.test.ssl_verify off",
                      "/set irc.server.test.sasl_mechanism plain",
                      f"/set irc.server.test.sasl_username {NICK}",
                      "/set irc.server.test.sasl_password wrong",
                      "/set irc.server.test.sasl_fail disconnect",
                      "/set irc.server.test.autoreconnect off",
                      port=server.tls_port)
    log = wee.wait_log("irc.server.test", "SASL authentication failed")
    assert "Welcome to the" not in log
