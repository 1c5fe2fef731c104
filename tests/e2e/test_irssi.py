"""Interoperability with a real client: irssi (Debian package) driven through tmux.

irssi runs with a private --home holding a minimal config, inside a tmux server on a private
socket, so neither the user's irssi settings nor their tmux sessions are touched.
"""

import os
import shutil
import subprocess
import time

import pytest

from ircclient import command_re, numeric_re

IRSSI = shutil.which("irssi")
TMUX = shutil.which("tmux")

pytestmark = pytest.mark.skipif(not (IRSSI and TMUX), reason="needs irssi and tmux (scripts/setup installs both)")

NICK = "irssinick"

IRSSI_CONFIG = """
settings = {
  core = {
    real_name = "Irssi Tester";
    user_name = "irssiuser";
    nick = "%s";
    settings_autosave = "no";
  };
  "irc/core" = {
    cmd_queue_speed = "0msec";
    cmds_max_at_once = "50";
  };
  "fe-common/core" = {
    autocreate_query_level = "NONE";
  };
};
""" % NICK


class Tmux:
    def __init__(self, socket_path, env):
        self.socket = str(socket_path)
        self.env = env

    def run(self, *args, check=True):
        return subprocess.run([TMUX, "-S", self.socket, *args], env=self.env, capture_output=True,
                              text=True, timeout=10, check=check)

    def type_line(self, text):
        self.run("send-keys", "-t", "irssi", "-l", text)
        self.run("send-keys", "-t", "irssi", "Enter")

    def screen(self):
        return self.run("capture-pane", "-p", "-t", "irssi", check=False).stdout

    def wait_for_screen(self, needle, timeout=10.0):
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if needle in text:
                return text
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} did not appear in irssi's window within {timeout}s; screen:\n{text}")


@pytest.fixture
def irssi(server, tmp_path):
    home = tmp_path / "irssi-home"
    home.mkdir()
    (home / "config").write_text(IRSSI_CONFIG)
    env = {
        "HOME": str(tmp_path),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }
    tmux = Tmux(tmp_path / "tmux.sock", env)
    command = f"{IRSSI} --home={home} -c {server.host} -p {server.port} -n {NICK}"
    tmux.run("new-session", "-d", "-x", "200", "-y", "50", "-s", "irssi", command)
    try:
        yield tmux
    finally:
        tmux.run("kill-server", check=False)


def wait_until_online(client, nick, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        client.send(f"ISON {nick}")
        reply = client.expect_numeric("303")
        if nick in reply.last.split():
            return
        time.sleep(0.2)
    raise AssertionError(f"{nick} did not register within {timeout}s")


def test_irssi_joins_chats_and_quits(server, irssi):
    raw = server.registered("rawuser")
    raw.join("#test")
    wait_until_online(raw, NICK)

    irssi.type_line("/join #test")
    join = raw.expect(command_re("JOIN", NICK), timeout=10, what="irssi's JOIN")
    assert join.params[0] == "#test"
    irssi.wait_for_screen("#test")

    irssi.type_line("hello from irssi")
    msg = raw.expect(command_re("PRIVMSG", NICK), timeout=10, what="irssi's PRIVMSG")
    assert msg.params == ["#test", "hello from irssi"], msg

    raw.send("PRIVMSG #test :hello irssi, from the raw client")
    irssi.wait_for_screen("hello irssi, from the raw client")

    raw.send(f"PRIVMSG {NICK} :a private word")
    time.sleep(0.5)
    irssi.type_line("/window 1")  # with autocreate_query_level NONE, queries land in window 1
    irssi.wait_for_screen("a private word")

    irssi.type_line("/quit see you")
    quit_line = raw.expect(command_re("QUIT", NICK), timeout=10, what="irssi's QUIT")
    assert "see you" in quit_line.last, quit_line
    raw.send("NAMES #test")
    names = raw.collect_until(numeric_re("366"))
    assert not any(NICK in l.last for l in names if l.command == "353"), names


IRSSI_TLS_SASL_CONFIG = """
servers = (
  {
    address = "%(host)s";
    port = "%(port)d";
    chatnet = "parley";
    use_tls = "yes";
    tls_verify = "no";
    autoconnect = "yes";
  }
);
chatnets = {
  parley = {
    type = "IRC";
    sasl_mechanism = "PLAIN";
    sasl_username = "%(nick)s";
    sasl_password = "%(password)s";
  };
};
"""


def test_irssi_logs_in_with_sasl_over_tls(server, tmp_path):
    password = "irssi secret words"
    done = subprocess.run([server.binary, "account", "create", NICK, "--data-dir", str(server.workdir / "data")],
                          input=(password + "\n").encode(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    home = tmp_path / "irssi-home"
    home.mkdir()
    (home / "config").write_text(IRSSI_CONFIG + IRSSI_TLS_SASL_CONFIG % {
        "host": server.host, "port": server.tls_port, "nick": NICK, "password": password})
    env = {"HOME": str(tmp_path), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm-256color",
           "LANG": "C.UTF-8"}
    tmux = Tmux(tmp_path / "tmux.sock", env)
    tmux.run("new-session", "-d", "-x", "200", "-y", "50", "-s", "irssi", f"{IRSSI} --home={home} -n {NICK}")
    try:
        raw = server.registered("rawuser")
        wait_until_online(raw, NICK)
        raw.send(f"WHOIS {NICK}")
        lines = raw.collect_until(numeric_re("318"))
        logged_in = [l for l in lines if l.command == "330"]
        assert logged_in and logged_in[0].params[2] == NICK, lines
        assert any(l.command == "671" for l in lines), "WHOIS should say the connection is secure"
    finally:
        tmux.run("kill-server", check=False)
