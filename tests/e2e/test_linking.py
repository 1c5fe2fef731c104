"""Linked Parley servers on loopback (docs/linking.md): three `parley server` processes in a
line, A - B - C, with clients on each. Messages, nick changes, modes, kicks, topics and away text
cross; the middle server killed (everyone behind it quits at once, with the right text) and
restarted (autoconnect relinks; NAMES and bans identical everywhere afterwards)."""

from __future__ import annotations

import base64
import socket
import time

import pytest

from ircclient import IRCClient, Line, ParleyServer

PASSWORDS = {"a.test": "pw-a", "b.test": "pw-b", "c.test": "pw-c"}
SIDS = {"a.test": "1AA", "b.test": "2BB", "c.test": "3CC"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_config(name: str, peers: list[tuple[str, int | None]], listen: int | None, oper_hash: str) -> dict:
    """A server named `name` linking with `peers`: (name, port to dial, or None when it dials us),
    with a link listener on port `listen` if given."""
    config = {
        "server": {"name": name, "id": SIDS[name]},
        "operator": [{"name": "root", "password_hash": oper_hash}],
        "link": [],
    }
    if listen is not None:
        config["listener"] = [{"bind": "127.0.0.1", "port": listen, "protocol": "link"}]
    for peer, port in peers:
        block = {"name": peer, "send_password": PASSWORDS[name], "receive_password": PASSWORDS[peer], "hub": True}
        if port is not None:
            block.update({"address": "127.0.0.1", "port": port, "autoconnect": True})
        config["link"].append(block)
    return config


def wait_until(check, timeout: float = 30.0, what: str = "") -> None:
    """Polls `check` (links set up over TLS, under ASan, on a busy machine can take seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def full_log(server: ParleyServer) -> str:
    """Everything the server logged so far (ParleyServer.logs() keeps only the tail)."""
    return server.stderr_path.read_text(errors="replace") + server.stdout_path.read_text(errors="replace")


def members(client: IRCClient, channel: str) -> set[str]:
    """The nicks in `channel` by NAMES, without their prefixes."""
    return {name.lstrip("@+") for name in client.names(channel)}


def links_seen(client: IRCClient) -> set[str]:
    client.send("LINKS")
    lines = client.collect_until(r" 365 ")
    return {line.params[1] for line in lines if line.command == "364"}


def network_of(client: IRCClient, servers: set[str]) -> None:
    wait_until(lambda: links_seen(client) == servers, what=f"LINKS to show {sorted(servers)}")


class Line3:
    """A - B - C: B dials A, C dials B; B's configuration kept for restarting it."""

    def __init__(self, start_server, password_hash):
        oper = password_hash("operpass")
        self.start_server = start_server
        a_port, b_port = free_port(), free_port()
        self.a = start_server(server_config("a.test", [("b.test", None)], a_port, oper))
        self.b_config = server_config("b.test", [("a.test", a_port), ("c.test", None)], b_port, oper)
        self.b = start_server(self.b_config)
        self.c = start_server(server_config("c.test", [("b.test", b_port)], None, oper))

    def restart_b(self) -> ParleyServer:
        self.b = self.start_server(self.b_config)
        return self.b


@pytest.fixture
def line_of_three(start_server, password_hash):
    net = Line3(start_server, password_hash)
    return net.a, net.b, net.c, net


def test_three_servers_share_channels_and_messages(line_of_three):
    a, b, c, _ = line_of_three
    alice = a.registered("alice", caps=["message-tags", "server-time"])
    network_of(alice, {"a.test", "b.test", "c.test"})
    carol = c.registered("carol", caps=["message-tags", "server-time"])
    bob = b.registered("bob")
    for client in (alice, bob, carol):
        client.join("#net")
    # (Who else is an operator depends on whether carol's join crossed alice's creation of the
    # channel in the same second: equal timestamps merge, and both creators keep their status.)
    wait_until(lambda: members(alice, "#net") == {"alice", "bob", "carol"}, what="NAMES on a")

    carol.send("PRIVMSG #net :hello from c")
    got = alice.expect(r"PRIVMSG #net :hello from c")
    assert got.tags.get("msgid")
    assert got.source.startswith("carol!")
    bob.expect(r"PRIVMSG #net :hello from c")

    alice.send("PRIVMSG carol :private")
    carol.expect(r":alice!\S+ PRIVMSG carol :private")

    bob.send("NICK bobby")
    alice.expect(r":bob!\S+ NICK :?bobby")
    carol.expect(r":bob!\S+ NICK :?bobby")

    alice.send("MODE #net +o carol")
    carol.expect(r"MODE #net \+o :?carol")
    carol.send("TOPIC #net :set on c")
    alice.expect(r"TOPIC #net :set on c")
    carol.send("MODE #net +b evil!*@*")
    alice.expect(r"MODE #net \+b :?evil!\*@\*")
    alice.send("AWAY :gone")
    alice.expect_numeric("306")

    def whois_shows_away() -> bool:
        carol.send("WHOIS alice")
        lines = carol.collect_until(r" 318 ")
        assert any(line.command == "312" and line.params[2] == "a.test" for line in lines)
        return any(line.command == "301" and line.last == "gone" for line in lines)

    wait_until(whois_shows_away, what="alice's away text on c")
    carol.send("KICK #net bobby :out")
    alice.expect(r":carol!\S+ KICK #net bobby :out")
    bob.expect(r"KICK #net bobby :out")


def test_killing_the_middle_server_splits_and_restarting_it_relinks(line_of_three):
    a, b, c, net = line_of_three
    alice = a.registered("alice")
    network_of(alice, {"a.test", "b.test", "c.test"})
    carol = c.registered("carol")
    bob = b.registered("bob")
    for client in (alice, bob, carol):
        client.join("#net")
    alice.send("MODE #net +b spam!*@*")
    wait_until(lambda: members(carol, "#net") == {"alice", "bob", "carol"}, what="NAMES on c")
    # A must know bob and carol too before B dies, or it has nobody to quit (seen under ASan).
    wait_until(lambda: members(alice, "#net") == {"alice", "bob", "carol"}, what="NAMES on a")
    carol.sync()
    alice.sync()

    b.kill()  # SIGKILL: no ERROR, no SQUIT; the links just drop
    try:
        quits = {alice.expect(r" QUIT :a\.test b\.test", timeout=15).nick for _ in range(2)}
    except AssertionError as e:
        raise AssertionError(f"{e}\n--- a.test ---\n{a.logs()}\n--- b.test ---\n{b.logs()}") from None
    assert quits == {"bob", "carol"}
    assert carol.expect(r" QUIT :c\.test b\.test").nick in {"alice", "bob"}
    assert carol.expect(r" QUIT :c\.test b\.test").nick in {"alice", "bob"}
    assert members(alice, "#net") == {"alice"}

    # B again, with the same configuration and ports: it dials A, C dials it (autoconnect).
    net.restart_b()
    wait_until(lambda: links_seen(alice) == {"a.test", "b.test", "c.test"}, timeout=30,
               what="the network to relink")
    wait_until(lambda: members(alice, "#net") == {"alice", "carol"}, what="carol back in #net on a")
    for client in (alice, carol):
        client.send("MODE #net +b")
        bans = [line.params[2] for line in client.collect_until(r" 368 ") if line.command == "367"]
        assert bans == ["spam!*@*"]
    assert sorted(carol.names("#net")) == sorted(alice.names("#net"))  # statuses too


def test_operators_split_and_reconnect(line_of_three):
    a, b, c, _ = line_of_three
    alice = a.registered("alice")
    network_of(alice, {"a.test", "b.test", "c.test"})
    alice.send("OPER root operpass")
    alice.expect_numeric("381")
    alice.send("SQUIT b.test :maintenance")
    alice.expect(r"NOTICE alice :\*\*\* SQUIT: link to b.test closed")
    network_of(alice, {"a.test"})
    alice.send("MAP")
    assert [line.last for line in alice.collect_until(r" 007 ") if line.command == "006"] == ["a.test (1AA) 1 users (100.0%)"]
    # b.test dials again on its own (autoconnect); CONNECT from here says there is nothing to dial.
    alice.send("CONNECT b.test")
    alice.expect(r"NOTICE alice :\*\*\* CONNECT: ")
    network_of(alice, {"a.test", "b.test", "c.test"})


def test_a_wrong_password_is_refused_and_logged(start_server, password_hash):
    oper = password_hash("operpass")
    a_port = free_port()
    a = start_server(server_config("a.test", [("b.test", None)], a_port, oper))
    bad = server_config("b.test", [("a.test", a_port)], None, oper)
    bad["link"][0]["send_password"] = "wrong"
    b = start_server(bad)
    alice = a.registered("alice")
    time.sleep(1.0)
    assert links_seen(alice) == {"a.test"}
    wait_until(lambda: "Mismatched server name or password" in full_log(b) or
               "Mismatched server name or password" in full_log(a), what="the refusal in a log")


def sasl_client(server: ParleyServer, nick: str) -> IRCClient:
    """A connection that has negotiated sasl and not finished registering."""
    client = server.client(nick)
    client.send("CAP REQ :sasl")
    client.send(f"NICK {nick}")
    client.send(f"USER {nick} 0 * :{nick}")
    client.expect(r"CAP \S+ ACK")
    return client


def sasl_plain(client: IRCClient, account: str, password: str) -> Line:
    """AUTHENTICATE PLAIN; returns the final numeric (903 or 904)."""
    client.send("AUTHENTICATE PLAIN")
    client.expect(r"AUTHENTICATE \+")
    client.send("AUTHENTICATE " + base64.b64encode(f"{account}\0{account}\0{password}".encode()).decode())
    return client.expect(r" 90[34] ")


def test_accounts_live_on_the_authority_and_fail_clearly_during_a_split(start_server, password_hash):
    oper = password_hash("operpass")
    a_port = free_port()
    a = start_server(server_config("a.test", [("b.test", None)], a_port, oper))
    b_config = server_config("b.test", [("a.test", a_port)], None, oper)
    b_config["accounts"] = {"authority": "a.test"}
    b = start_server(b_config)
    dave = b.registered("dave")
    network_of(dave, {"a.test", "b.test"})

    # Registered on b, stored on a: a's own clients log in with it.
    dave.send("NS REGISTER sesame-street")
    dave.expect(r"NOTICE dave :.*(registered|Registered)")
    assert sasl_plain(sasl_client(a, "dave2"), "dave", "sesame-street").command == "903"
    # A wrong password is a wrong password, on either server.
    on_b = sasl_client(b, "dave3")
    assert sasl_plain(on_b, "dave", "wrong").command == "904"
    assert sasl_plain(on_b, "dave", "sesame-street").command == "903"

    # The authority goes away: logins on b fail as unavailable, never as a wrong answer.
    a.kill()
    failed = sasl_plain(sasl_client(b, "dave4"), "dave", "sesame-street")
    assert failed.command == "904" and "unavailable" in failed.last


def make_certificate(directory, name: str) -> tuple[str, str, str]:
    """A self-signed certificate for `name`: (cert file, key file, SHA-256 fingerprint)."""
    import subprocess
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}"],
                   check=True, capture_output=True)
    out = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-fingerprint", "-sha256"],
                         check=True, capture_output=True, text=True).stdout
    return str(cert), str(key), out.strip().split("=", 1)[1]


def test_tls_links_pin_the_peer_certificate(start_server, password_hash, tmp_path):
    oper = password_hash("operpass")
    a_cert, a_key, a_fp = make_certificate(tmp_path, "a.test")
    b_cert, b_key, b_fp = make_certificate(tmp_path, "b.test")
    a_port = free_port()
    a_config = server_config("a.test", [("b.test", None)], None, oper)
    a_config["listener"] = [{"bind": "127.0.0.1", "port": a_port, "protocol": "link", "tls": True}]
    a_config["tls"] = {"cert": a_cert, "key": a_key}
    a_config["link"][0]["fingerprint"] = b_fp
    a = start_server(a_config)

    # A dialler presenting a certificate a.test has not pinned is refused, and says why.
    c_cert, c_key, _ = make_certificate(tmp_path, "c.test")
    impostor = server_config("b.test", [("a.test", a_port)], None, oper)
    impostor["tls"] = {"cert": c_cert, "key": c_key}
    impostor["link"][0]["fingerprint"] = a_fp
    bad = start_server(impostor)
    wait_until(lambda: "Invalid TLS certificate fingerprint" in full_log(a), what="a.test refusing the impostor")
    bad.stop()

    b_config = server_config("b.test", [("a.test", a_port)], None, oper)
    b_config["tls"] = {"cert": b_cert, "key": b_key}
    b_config["link"][0]["fingerprint"] = a_fp.lower()  # either case, with or without colons
    b = start_server(b_config)
    alice = a.registered("alice")
    network_of(alice, {"a.test", "b.test"})
    bob = b.registered("bob")
    bob.join("#tls")
    alice.join("#tls")
    bob.expect(r":alice!\S+ JOIN #tls")  # b knows alice is there: the message will cross
    bob.send("PRIVMSG #tls :over tls")
    alice.expect(r":bob!\S+ PRIVMSG #tls :over tls")


def test_history_on_every_server_keeps_the_origin_msgid(line_of_three):
    a, b, c, _ = line_of_three
    caps = ["message-tags", "server-time", "echo-message", "batch", "draft/chathistory"]
    alice = a.registered("alice", caps=caps)
    network_of(alice, {"a.test", "b.test", "c.test"})
    carol = c.registered("carol", caps=caps)
    alice.join("#hist")
    carol.join("#hist")
    wait_until(lambda: members(alice, "#hist") == {"alice", "carol"}, what="carol in #hist on a")
    alice.send("PRIVMSG #hist :kept everywhere")
    echo = alice.expect(r"PRIVMSG #hist :kept everywhere")
    live = carol.expect(r"PRIVMSG #hist :kept everywhere")
    assert live.tags["msgid"] == echo.tags["msgid"]
    assert live.tags["time"] == echo.tags["time"]

    def stored_on_c() -> bool:
        carol.send("CHATHISTORY LATEST #hist * 10")
        lines = carol.collect_until(r"BATCH -")
        return any(line.command == "PRIVMSG" and line.tags.get("msgid") == echo.tags["msgid"]
                   and line.tags.get("time") == echo.tags["time"] for line in lines)

    wait_until(stored_on_c, what="c's history to hold a's message under its msgid")


def test_a_hashed_receive_password_links(start_server, password_hash):
    oper = password_hash("operpass")
    a_port = free_port()
    a_config = server_config("a.test", [("b.test", None)], a_port, oper)
    del a_config["link"][0]["receive_password"]
    a_config["link"][0]["receive_password_hash"] = password_hash(PASSWORDS["b.test"])
    a = start_server(a_config)
    start_server(server_config("b.test", [("a.test", a_port)], None, oper))
    network_of(a.registered("alice"), {"a.test", "b.test"})
