"""ChanServ against the built binary: a registered channel's topic (with setter and time), modes,
ban lists and access list survive a restart of the server, and the founder and listed accounts
get their status when they join again.
"""

from __future__ import annotations

from pathlib import Path

from conftest import BASE_CONFIG
from ircclient import IRCClient, ParleyServer, merge_config, numeric_re

PASSWORD = "correct-horse-battery"


def start_in(workdir: Path, parley_bin: str) -> ParleyServer:
    """A server whose data directory is workdir/data: a second one there sees what the first stored."""
    return ParleyServer(parley_bin, workdir, merge_config(BASE_CONFIG, {}))


def chanserv_says(c: IRCClient, text: str):
    return c.expect(r"^:ChanServ!\S+ NOTICE %s :%s" % (c.nick, text), what=f"ChanServ: {text}")


def logged_in(srv: ParleyServer, nick: str, *, create: bool) -> IRCClient:
    c = srv.registered(nick)
    c.send(f"PRIVMSG NickServ :{'REGISTER' if create else 'IDENTIFY'} {PASSWORD}")
    c.expect(numeric_re("900"))
    return c


def registered_channel(srv: ParleyServer) -> tuple[IRCClient, list[str]]:
    """alice founds #keep with a topic, modes and lists, registers it and gives bob +v access.
    Returns alice and the 332/333 she saw for the topic."""
    alice = logged_in(srv, "alice", create=True)
    bob = logged_in(srv, "bob", create=True)
    bob.send("QUIT")
    alice.join("#keep")
    alice.send("MODE #keep +klm door 10")
    alice.expect_command("MODE", "alice")
    alice.send("CS REGISTER #keep")
    chanserv_says(alice, r"#keep is registered to alice\.")
    # Changes after REGISTER are saved as they happen.
    alice.send("TOPIC #keep :Kept across restarts")
    alice.expect_command("TOPIC", "alice")
    alice.send("MODE #keep +bI bad!*@* friend!*@*")
    alice.expect_command("MODE", "alice")
    alice.send("CS AMODE #keep +v bob")  # answered once stored, after the saves before it
    chanserv_says(alice, r"bob now gets \+v in #keep\.")
    alice.send("TOPIC #keep")
    topic = alice.collect_until(numeric_re("333"))
    return alice, [l.params[-1] if l.command == "332" else " ".join(l.params[2:]) for l in topic if l.command in ("332", "333")]


def check_restored(srv: ParleyServer, topic: list[str]) -> None:
    carol = srv.registered("carol")  # not logged in: no status
    carol.send("MODE #keep")
    modes = carol.expect(numeric_re("324"))
    assert modes.params[2:] == ["+klmnt", "*", "10"], modes
    lines = carol.join("#keep", key="door")
    got = [l.params[-1] if l.command == "332" else " ".join(l.params[2:]) for l in lines if l.command in ("332", "333")]
    assert got == topic, lines
    assert "carol" in carol.names("#keep")

    alice = logged_in(srv, "alice", create=False)
    joined = alice.join("#keep", key="door")
    assert any(l.command == "MODE" and l.source.startswith("ChanServ!") and l.params[1:] == ["+o", "alice"]
               for l in joined), joined
    carol.expect(r"^:ChanServ!\S+ MODE #keep \+o alice$")
    bob = logged_in(srv, "bob", create=False)
    bob.join("#keep", key="door")
    carol.expect(r"^:ChanServ!\S+ MODE #keep \+v bob$")
    assert sorted(carol.names("#keep")) == ["+bob", "@alice", "carol"]

    alice.send("MODE #keep b")
    bans = alice.collect_until(numeric_re("368"))
    assert [l.params[2] for l in bans if l.command == "367"] == ["bad!*@*"], bans
    alice.send("MODE #keep I")
    invexes = alice.collect_until(numeric_re("347"))
    assert [l.params[2] for l in invexes if l.command == "346"] == ["friend!*@*"], invexes
    bad = srv.registered("bad")
    bad.send("JOIN #keep door")
    bad.expect(numeric_re("474"))

    alice.send("CS AMODE #keep")
    chanserv_says(alice, r"bob \+v, set by alice")


def test_registered_channel_survives_a_restart(parley_bin, tmp_path):
    workdir = tmp_path / "server"
    srv = start_in(workdir, parley_bin)
    _, topic = registered_channel(srv)
    assert topic[0] == "Kept across restarts" and topic[1].startswith("alice!"), topic
    srv.stop()

    srv2 = start_in(workdir, parley_bin)
    check_restored(srv2, topic)
    srv2.stop()


def test_registered_channel_survives_kill_9(parley_bin, tmp_path):
    workdir = tmp_path / "server"
    srv = start_in(workdir, parley_bin)
    _, topic = registered_channel(srv)
    srv.kill()

    srv2 = start_in(workdir, parley_bin)
    check_restored(srv2, topic)
    srv2.stop()


def test_dropped_channel_stays_dropped_after_a_restart(parley_bin, tmp_path):
    workdir = tmp_path / "server"
    srv = start_in(workdir, parley_bin)
    alice, _ = registered_channel(srv)
    alice.send("CS DROP #keep")
    chanserv_says(alice, r"#keep is no longer registered\.")
    srv.stop()

    srv2 = start_in(workdir, parley_bin)
    carol = srv2.registered("carol")
    carol.send("CS INFO #keep")
    chanserv_says(carol, r"#keep is not registered\.")
    lines = carol.join("#keep")  # a fresh channel: no key, and its creator is its operator
    assert "@carol" in [e for l in lines if l.command == "353" for e in l.last.split()], lines
    srv2.stop()
