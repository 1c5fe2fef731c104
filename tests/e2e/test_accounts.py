"""Accounts end to end against `parley server`: REGISTER (draft/account-registration), SASL
PLAIN and SCRAM-SHA-256 (the SCRAM client arithmetic is written here with hashlib/hmac, RFC
5802/7677), NickServ IDENTIFY, account-notify and account-tag, and an account surviving
`kill -9` of the server (which needs the durable SQLite store behind --data-dir).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import signal
import subprocess

import pytest

from conftest import BASE_CONFIG
from ircclient import IRCClient, ParleyServer, merge_config, numeric_re

PASSWORD = "correct-horse-battery"  # NickServ takes words: no spaces


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def register_account(srv: ParleyServer, nick: str, password: str = PASSWORD) -> None:
    c = srv.registered(nick, caps=["draft/account-registration"])
    c.send(f"REGISTER * * :{password}")
    line = c.expect(r" REGISTER SUCCESS | FAIL REGISTER ", what="REGISTER answer")
    assert line.command == "REGISTER" and line.params[:2] == ["SUCCESS", nick], line
    c.expect(numeric_re("900"))
    c.send("QUIT")
    c.expect_closed()


def start_sasl(c: IRCClient, mechanism: str) -> None:
    c.send("CAP LS 302")
    ls = c.expect(r" CAP \S+ LS ", what="CAP LS")
    listed = ls.last
    while ls.params[2] == "*":  # the list spans lines
        ls = c.expect(r" CAP \S+ LS ", what="CAP LS")
        listed += " " + ls.last
    assert "sasl=PLAIN,EXTERNAL,SCRAM-SHA-256" in listed.split()
    c.send("CAP REQ :sasl")
    c.expect(r" CAP \S+ ACK ")
    c.send(f"AUTHENTICATE {mechanism}")
    assert c.expect(r" AUTHENTICATE ").params == ["+"]


def finish_registration(c: IRCClient, nick: str) -> None:
    c.send(f"NICK {nick}")
    c.send(f"USER {nick} 0 * :Test")
    c.send("CAP END")
    c.collect_until(numeric_re("001"))


def sasl_plain(srv: ParleyServer, account: str, password: str) -> tuple[IRCClient, object]:
    c = srv.client(account)
    start_sasl(c, "PLAIN")
    c.send("AUTHENTICATE " + b64(b"\0" + account.encode() + b"\0" + password.encode()))
    return c, c.expect(numeric_re("903", "904"))


class ScramClient:
    def __init__(self, user: str, password: str):
        self.user, self.password = user, password
        self.nonce = b64(os.urandom(18))
        self.first_bare = f"n={user},r={self.nonce}"

    def first(self) -> bytes:
        return ("n,," + self.first_bare).encode()

    def final(self, server_first: str) -> bytes:
        attrs = dict(item.split("=", 1) for item in server_first.split(","))
        assert attrs["r"].startswith(self.nonce)
        salt, iterations = base64.b64decode(attrs["s"]), int(attrs["i"])
        salted = hashlib.pbkdf2_hmac("sha256", self.password.encode(), salt, iterations)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        self.server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        without_proof = f"c=biws,r={attrs['r']}"
        self.auth_message = f"{self.first_bare},{server_first},{without_proof}".encode()
        signature = hmac.new(stored_key, self.auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        return f"{without_proof},p={b64(proof)}".encode()

    def server_signature(self) -> str:
        return "v=" + b64(hmac.new(self.server_key, self.auth_message, hashlib.sha256).digest())


def sasl_scram(srv: ParleyServer, account: str, password: str):
    c = srv.client(account)
    start_sasl(c, "SCRAM-SHA-256")
    scram = ScramClient(account, password)
    c.send("AUTHENTICATE " + b64(scram.first()))
    server_first = base64.b64decode(c.expect(r" AUTHENTICATE ").params[0]).decode()
    c.send("AUTHENTICATE " + b64(scram.final(server_first)))
    answer = c.expect(r" AUTHENTICATE | 904 ")
    if answer.command == "904":
        return c, answer
    assert base64.b64decode(answer.params[0]).decode() == scram.server_signature()
    c.send("AUTHENTICATE +")
    return c, c.expect(numeric_re("903", "904"))


def test_register_then_sasl_plain(server):
    register_account(server, "alice")
    c, result = sasl_plain(server, "alice", PASSWORD)
    assert result.command == "903", result
    finish_registration(c, "alice")
    c.send("WHOIS alice")
    assert c.expect(numeric_re("330")).params[1:3] == ["alice", "alice"]


def test_sasl_plain_wrong_password_is_904(server):
    register_account(server, "alice")
    _, result = sasl_plain(server, "alice", "not the password")
    assert result.command == "904"


def test_sasl_scram_sha_256(server):
    register_account(server, "bob")
    c, result = sasl_scram(server, "bob", PASSWORD)
    assert result.command == "903", result
    _, result = sasl_scram(server, "bob", "wrong password")
    assert result.command == "904"


def test_nickserv_identify_account_notify_and_tag(server):
    register_account(server, "carol")
    watcher = server.registered("watcher", caps=["account-notify", "account-tag"])
    watcher.join("#room")
    c = server.registered("carol2")
    c.join("#room")
    watcher.expect(r" JOIN ")
    c.send(f"PRIVMSG NickServ :IDENTIFY carol {PASSWORD}")
    c.expect(r":NickServ!\S+ NOTICE carol2 :You are now logged in as carol")
    watcher.expect(r" ACCOUNT carol$")
    c.send("PRIVMSG #room :hello")
    line = watcher.expect(r" PRIVMSG #room ")
    assert line.tags.get("account") == "carol", line


def test_account_survives_kill_9(parley_bin, tmp_path):
    """REGISTER SUCCESS means durable: kill -9 right after it, restart on the same data
    directory, log in. Needs `parley server --data-dir` with the SQLite store."""
    help_text = subprocess.run([parley_bin, "server", "--help"], capture_output=True, text=True).stdout
    if "--data-dir" not in help_text:
        pytest.skip("parley server has no --data-dir yet (the SQLite account store)")
    data = tmp_path / "data"
    config = merge_config(BASE_CONFIG, {})
    first = ParleyServer(parley_bin, tmp_path / "first", config, ["--data-dir", str(data)])
    try:
        c = first.registered("durable", caps=["draft/account-registration"])
        c.send(f"REGISTER * * :{PASSWORD}")
        c.expect(r" REGISTER SUCCESS durable ")
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(5)
        first.stopped = True
    finally:
        first.close_clients()
    second = ParleyServer(parley_bin, tmp_path / "second", config, ["--data-dir", str(data)])
    try:
        _, result = sasl_plain(second, "durable", PASSWORD)
        assert result.command == "903", result
    finally:
        second.close_clients()
        second.stop()
