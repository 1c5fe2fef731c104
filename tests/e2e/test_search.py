"""SEARCH (soju.im/search) against the built binary with its SQLite store: stored messages are
found after a restart, by words, sender, time and target; private conversations only by their two
accounts; malformed searches get FAIL and the connection goes on."""

from __future__ import annotations

import re
import time
from pathlib import Path

from conftest import BASE_CONFIG
from ircclient import IRCClient, ParleyServer, merge_config, numeric_re

CAPS = ["batch", "echo-message", "message-tags", "server-time", "soju.im/search"]
PASSWORD = "correct-horse-battery"


def start_in(parley_bin: str, workdir: Path) -> ParleyServer:
    return ParleyServer(parley_bin, workdir, merge_config(BASE_CONFIG, {}))


def search(client: IRCClient, attributes: str) -> list:
    """Sends SEARCH and returns the PRIVMSGs of its soju.im/search batch."""
    client.send(f"SEARCH :{attributes}")
    start = client.expect(r"^(?:@\S+ )?:\S+ BATCH \+\S+ soju\.im/search", what=f"batch for {attributes}")
    ref = start.params[0][1:]
    lines = client.collect_until(re.compile(r"^(?:@\S+ )?:\S+ BATCH -%s$" % re.escape(ref)))
    return [l for l in lines if l.command == "PRIVMSG" and l.tags.get("batch") == ref]


def with_account(srv: ParleyServer, nick: str) -> IRCClient:
    """A client registered with CAPS that has just created the account `nick` (and is logged in)."""
    c = srv.client(nick)
    c.register(nick, caps=CAPS + ["draft/account-registration"])
    c.send(f"REGISTER * * :{PASSWORD}")
    c.expect(numeric_re("900"))
    return c


def logged_in(srv: ParleyServer, nick: str) -> IRCClient:
    c = srv.client(nick)
    c.register(nick, caps=CAPS)
    c.send(f"NS IDENTIFY {PASSWORD}")
    c.expect(numeric_re("900"))
    return c


def test_search_finds_stored_messages_after_a_restart(parley_bin, tmp_path):
    workdir = tmp_path / "server"
    srv = start_in(parley_bin, workdir)
    alice = with_account(srv, "alice")
    bob = with_account(srv, "bob")
    for c in (alice, bob):
        c.join("#keep")
    said = ["the quick brown fox", "a lazy dog sleeps", "Quick thinking, fox!", "nothing here"]
    echoes = []
    for text in said:
        alice.send(f"PRIVMSG #keep :{text}")
        echoes.append(alice.expect_command("PRIVMSG", "alice"))
        time.sleep(0.01)  # distinct server times, for after=
    bob.send("PRIVMSG #keep :bob says fox")
    bob.expect_command("PRIVMSG", "bob")
    alice.send("PRIVMSG bob :our private fox")
    alice.expect_command("PRIVMSG", "alice")
    srv.stop()

    srv2 = start_in(parley_bin, workdir)
    alice = logged_in(srv2, "alice")
    alice.join("#keep")
    got = search(alice, "in=#keep;text=FOX quick")
    assert [l.last for l in got] == ["the quick brown fox", "Quick thinking, fox!"]
    assert [l.tags["msgid"] for l in got] == [echoes[0].tags["msgid"], echoes[2].tags["msgid"]]
    assert [l.tags["time"] for l in got] == [echoes[0].tags["time"], echoes[2].tags["time"]]
    assert [l.last for l in search(alice, "in=#keep;from=bob")] == ["bob says fox"]
    after = echoes[2].tags["time"]
    assert [l.last for l in search(alice, f"in=#keep;after={after};from=alice")] == [
        "Quick thinking, fox!", "nothing here"]
    assert [l.last for l in search(alice, "text=fox;limit=2")] == ["bob says fox", "our private fox"]
    assert search(alice, "in=#keep;text=cat") == []

    # carol is in #keep but not part of alice and bob's conversation.
    carol = srv2.client("carol")
    carol.register("carol", caps=CAPS)
    carol.join("#keep")
    assert [l.last for l in search(carol, "text=fox")] == [
        "the quick brown fox", "Quick thinking, fox!", "bob says fox"]
    assert search(carol, "in=alice;text=fox") == []
    assert search(carol, "in=bob;text=private") == []

    # Malformed searches: FAIL, and the connection carries on.
    carol.send("SEARCH :text=fox;limit=0")
    carol.expect(r" FAIL SEARCH INVALID_PARAMS limit ")
    carol.send("SEARCH :in=#keep;bogus=1")
    carol.expect(r" FAIL SEARCH INVALID_PARAMS bogus ")
    carol.send("SEARCH :before=2026-02-30T00:00:00Z")
    carol.expect(r" FAIL SEARCH INVALID_PARAMS before ")
    carol.send("SEARCH :" + "\\" * 300)
    carol.expect(r" FAIL SEARCH INVALID_PARAMS ")
    carol.send("PART #keep")
    carol.expect_command("PART", "carol")
    carol.send("SEARCH :in=#keep;text=fox")
    carol.expect(r" FAIL SEARCH INVALID_PARAMS in ")
    srv2.stop()
