"""Parley linked with Debian's real InspIRCd 3.15 over spanning-tree protocol 1205, both ways.

Each test starts one `parley server` (parley.test, SID 0PA) and one InspIRCd (insp.test, SID 1IN,
tests/e2e/inspircd.py) on loopback and checks what clients on each side see: bursts, messages with
identical msgids, nick/join/part/kick/mode/topic/away changes, nick collisions (the newer nick is
renamed to its UUID on both sides, nobody is killed), and SQUIT plus relink. Skipped when InspIRCd
is not installed. On failure the test's output has InspIRCd's S2S raw log (both directions).

The last tests cover what the first runs found: queries InspIRCd routes to Parley (a remote
WHOIS's IDLE, TIME/MOTD/ADMIN/INFO/STATS naming parley.test) must not cost the link, an INVITE to
a remote user must cross, and an operator's server-mask notice ($*) must reach Parley's users.
"""

from __future__ import annotations

import re
import time

import pytest

from inspircd import InspIRCd, available
from ircclient import IRCClient, ParleyServer

pytestmark = pytest.mark.skipif(available() is not None, reason=str(available()))

PARLEY = "parley.test"
INSP = "insp.test"
PARLEY_SENDS = "parleypw"   # Parley's SERVER line; InspIRCd's recvpass
INSP_SENDS = "inspw"        # InspIRCd's SERVER line; Parley's receive_password
CAPS = ["message-tags", "server-time", "echo-message", "away-notify"]
UUID_RE = r"[0-9][0-9A-Z]{2}[0-9A-Z]{6}"


# ---- helpers ----------------------------------------------------------------------------------


def wait_until(check, timeout: float = 10.0, what: str = "", interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def links_seen(client: IRCClient) -> set[str]:
    client.send("LINKS")
    lines = client.collect_until(r" 365 ")
    return {line.params[1] for line in lines if line.command == "364"}


def wait_linked(*clients: IRCClient, timeout: float = 10.0) -> None:
    for c in clients:
        wait_until(lambda: links_seen(c) == {PARLEY, INSP}, timeout, f"{c.name}: LINKS to show both servers")


def wait_split(*clients: IRCClient, timeout: float = 10.0) -> None:
    for c in clients:
        wait_until(lambda: len(links_seen(c)) == 1, timeout, f"{c.name}: LINKS to show one server")


def names(client: IRCClient, channel: str) -> set[str]:
    return set(client.names(channel))


def wait_names(client: IRCClient, channel: str, expected: set[str], timeout: float = 10.0) -> None:
    seen: list[set[str]] = []

    def check() -> bool:
        seen.append(names(client, channel))
        return seen[-1] == expected
    try:
        wait_until(check, timeout, f"{client.name}: NAMES {channel} == {sorted(expected)}", interval=0.2)
    except AssertionError as e:
        raise AssertionError(f"{e}; last NAMES: {sorted(seen[-1]) if seen else None}") from None


def topic_of(client: IRCClient, channel: str) -> str:
    client.send(f"TOPIC {channel}")
    line = client.expect(r" (331|332) ")
    return line.last if line.command == "332" else ""


def bans_of(client: IRCClient, channel: str) -> list[str]:
    client.send(f"MODE {channel} +b")
    return [line.params[2] for line in client.collect_until(r" 368 ") if line.command == "367"]


def list_of(client: IRCClient, channel: str, mode: str) -> list[str]:
    """The entries of a list mode (b: 367/368, e: 348/349, I: 346/347)."""
    item, end = {"b": ("367", "368"), "e": ("348", "349"), "I": ("346", "347")}[mode]
    client.send(f"MODE {channel} +{mode}")
    return sorted(line.params[2] for line in client.collect_until(rf" {end} ") if line.command == item)


def channel_modes(client: IRCClient, channel: str) -> str:
    """The 324 reply's modes and parameters, as one string."""
    client.send(f"MODE {channel}")
    return " ".join(client.expect(r" 324 ").params[2:])


def whois_server(client: IRCClient, nick: str) -> str:
    """The server WHOIS names for `nick` (312), or "" for 401."""
    client.send(f"WHOIS {nick}")
    line = client.expect(r" (312|401) ")
    if line.command == "401":
        client.expect(r" 318 ")
        return ""
    client.expect(r" 318 ")
    return line.params[2]


def whois_host(client: IRCClient, nick: str) -> str:
    client.send(f"WHOIS {nick}")
    line = client.expect(r" (311|401) ")
    client.expect(r" 318 ")
    return line.params[3] if line.command == "311" else ""


def parley_config(*, listen: bool = False, dial_port: int = 0, autoconnect: bool = False,
                  oper_hash: str = "") -> dict:
    block = {"name": INSP, "send_password": PARLEY_SENDS, "receive_password": INSP_SENDS}
    if dial_port:
        block.update({"address": "127.0.0.1", "port": dial_port, "autoconnect": autoconnect})
    config: dict = {"server": {"name": PARLEY, "id": "0PA"}, "link": [block]}
    if listen:
        config["listener"] = [{"bind": "127.0.0.1", "port": 0, "protocol": "link"}]
    if oper_hash:
        config["operator"] = [{"name": "root", "password_hash": oper_hash}]
    return config


@pytest.fixture
def insp_factory(tmp_path):
    """insp_factory(**InspIRCd kwargs) -> a started InspIRCd; its raw S2S log is printed at
    teardown (shown by pytest for a failing test) and it is stopped."""
    started: list[InspIRCd] = []

    def make(**kwargs) -> InspIRCd:
        kwargs.setdefault("sendpass", INSP_SENDS)
        kwargs.setdefault("recvpass", PARLEY_SENDS)
        i = InspIRCd(tmp_path / f"insp{len(started)}", **kwargs)
        started.append(i)
        return i.start()

    yield make
    for i in started:
        i.stop()
        print(i.logs(30000))


def dump(p: ParleyServer) -> None:
    print(p.logs())


# ---- 1. InspIRCd dials Parley: bursts both ways ------------------------------------------------


def test_inspircd_connects_to_parley_and_bursts_cross(start_server, insp_factory, password_hash):
    p = start_server(parley_config(listen=True, oper_hash=password_hash("operpass")))
    assert p.link_port
    alice = p.registered("alice")
    alice.join("#chat")
    alice.send("TOPIC #chat :parley topic")
    alice.send("MODE #chat +beI evil!*@* friend!*@* guest!*@*")
    alice.send("AWAY :parley away")
    alice.sync()

    # InspIRCd dials Parley: first by an operator's CONNECT, later by <autoconnect> (4 s).
    i = insp_factory(peer_port=p.link_port, autoconnect_period=4)
    bob = i.registered("bob")
    bob.join("#chat")
    bob.join("#insp")
    bob.send("TOPIC #insp :insp topic")
    bob.send("MODE #insp +be bad!*@* good!*@*")
    bob.send("AWAY :insp away")
    bob.sync()
    ioper = i.registered("ioper")
    i.oper(ioper)
    ioper.send(f"CONNECT {PARLEY}")
    try:
        wait_linked(alice, bob)
        # #chat existed on both sides: Parley's is older or equal, so alice keeps @; bob keeps @
        # only when both were created in the same second (merge). Both sides must agree.
        wait_until(lambda: "bob" in {n.lstrip("@") for n in names(alice, "#chat")}, what="bob in #chat on Parley")
        on_parley = names(alice, "#chat")
        assert on_parley in ({"@alice", "bob"}, {"@alice", "@bob"}), on_parley
        wait_names(bob, "#chat", on_parley)
        # Parley's topic and ban reached InspIRCd (Parley's channel is not newer).
        assert topic_of(bob, "#chat") == "parley topic"
        assert list_of(bob, "#chat", "b") == ["evil!*@*"]
        assert list_of(bob, "#chat", "e") == ["friend!*@*"]
        assert list_of(bob, "#chat", "I") == ["guest!*@*"]
        # InspIRCd's channel, topic and lists reached Parley.
        assert topic_of(alice, "#insp") == "insp topic"
        assert list_of(alice, "#insp", "b") == ["bad!*@*"]
        assert list_of(alice, "#insp", "e") == ["good!*@*"]
        alice.join("#insp")
        assert names(alice, "#insp") == {"@bob", "alice"}
        wait_names(bob, "#insp", {"@bob", "alice"})
        assert whois_server(bob, "alice") == PARLEY
        assert whois_server(alice, "bob") == INSP
        # Away messages travelled in the bursts.
        bob.send("WHOIS alice")
        bob.expect(r" 301 bob alice :?parley away")
        alice.send("WHOIS bob")
        alice.expect(r" 301 alice bob :?insp away")

        # A Parley operator squits InspIRCd; InspIRCd's <autoconnect> links again.
        alice.send("OPER root operpass")
        alice.expect_numeric("381")
        alice.send(f"SQUIT {INSP} :parley says bye")
        alice.expect(rf":bob!\S+ QUIT :{re.escape(PARLEY)} {re.escape(INSP)}")
        alice.expect(r"NOTICE alice :\*\*\* SQUIT: ")
        bob.expect(rf":alice!\S+ QUIT :{re.escape(INSP)} {re.escape(PARLEY)}")
        wait_linked(alice, bob, timeout=12)
        wait_names(alice, "#insp", {"@bob", "alice"})
        wait_names(bob, "#chat", on_parley)
    finally:
        dump(p)


# ---- 2. Parley dials InspIRCd ------------------------------------------------------------------


def test_parley_connects_to_inspircd(start_server, insp_factory):
    i = insp_factory()
    bob = i.registered("bob")
    bob.join("#insp")
    bob.send("TOPIC #insp :insp topic")
    bob.send("MODE #insp +b bad!*@*")
    bob.send("AWAY :gone fishing")
    bob.sync()
    p = start_server(parley_config(dial_port=i.server_port, autoconnect=True))
    try:
        alice = p.registered("alice")
        wait_linked(alice, bob)
        alice.join("#insp")
        assert names(alice, "#insp") == {"@bob", "alice"}
        bob.expect(r":alice!\S+ JOIN :?#insp")
        assert topic_of(alice, "#insp") == "insp topic"
        assert bans_of(alice, "#insp") == ["bad!*@*"]
        alice.send("MAP")
        map_lines = [l.last for l in alice.collect_until(r" 007 ") if l.command == "006"]
        assert any(INSP in l for l in map_lines), map_lines
        alice.send("WHOIS bob")
        alice.expect(r" 312 alice bob insp\.test ")
        alice.expect(r" 301 alice bob :?gone fishing")
        # Targets are matched case-insensitively (rfc1459).
        alice.send("PRIVMSG BOB :hi bob")
        bob.expect(r":alice!\S+ PRIVMSG bob :hi bob")
        bob.send("PRIVMSG ALICE :hi alice")
        alice.expect(r":bob!\S+ PRIVMSG alice :hi alice")
    finally:
        dump(p)


# ---- a linked pair for the next tests ------------------------------------------------------------


@pytest.fixture
def pair(start_server, insp_factory, password_hash):
    """InspIRCd first, then Parley dialling it (autoconnect); returns (parley, inspircd)."""
    i = insp_factory()
    p = start_server(parley_config(dial_port=i.server_port, autoconnect=True,
                                   oper_hash=password_hash("operpass")))
    yield p, i
    dump(p)


# ---- 3. messages both ways, with identical msgids ---------------------------------------------


def test_messages_cross_with_the_same_msgid(pair):
    p, i = pair
    alice = p.registered("alice", caps=CAPS)
    alice2 = p.registered("alice2", caps=["message-tags"])
    bob = i.registered("bob", caps=CAPS)
    bob2 = i.registered("bob2", caps=["message-tags"])
    wait_linked(alice, bob)
    for c in (alice, alice2, bob, bob2):
        c.join("#chat")
    everyone = {"alice", "alice2", "bob", "bob2"}
    wait_until(lambda: {n.lstrip("@") for n in names(alice, "#chat")} == everyone, what="all four in #chat on Parley")
    wait_until(lambda: {n.lstrip("@") for n in names(bob, "#chat")} == everyone, what="all four in #chat on InspIRCd")

    # Channel PRIVMSG, InspIRCd -> Parley.
    bob.send("PRIVMSG #chat :hello from insp")
    echo = bob.expect(r":bob!\S+ PRIVMSG #chat :hello from insp")
    msgid = echo.tags.get("msgid")
    assert msgid, echo
    assert bob2.expect(r"PRIVMSG #chat :hello from insp").tags.get("msgid") == msgid
    for c in (alice, alice2):
        got = c.expect(r":bob!\S+ PRIVMSG #chat :hello from insp")
        assert got.tags.get("msgid") == msgid, (got, msgid)

    # Channel PRIVMSG, Parley -> InspIRCd.
    alice.send("PRIVMSG #chat :hello from parley")
    echo = alice.expect(r":alice!\S+ PRIVMSG #chat :hello from parley")
    msgid = echo.tags.get("msgid")
    assert msgid, echo
    assert alice2.expect(r"PRIVMSG #chat :hello from parley").tags.get("msgid") == msgid
    for c in (bob, bob2):
        got = c.expect(r":alice!\S+ PRIVMSG #chat :hello from parley")
        assert got.tags.get("msgid") == msgid, (got, msgid)

    # Private PRIVMSG both ways.
    bob.send("PRIVMSG alice :psst alice")
    msgid = bob.expect(r"PRIVMSG alice :psst alice").tags.get("msgid")
    got = alice.expect(r":bob!\S+ PRIVMSG alice :psst alice")
    assert msgid and got.tags.get("msgid") == msgid, (got, msgid)
    alice.send("PRIVMSG bob :psst bob")
    msgid = alice.expect(r"PRIVMSG bob :psst bob").tags.get("msgid")
    got = bob.expect(r":alice!\S+ PRIVMSG bob :psst bob")
    assert msgid and got.tags.get("msgid") == msgid, (got, msgid)

    # TAGMSG with a client-only tag, both ways.
    bob.send("@+typing=active TAGMSG alice")
    got = alice.expect(r":bob!\S+ TAGMSG :?alice")
    assert got.tags.get("+typing") == "active" and got.tags.get("msgid"), got
    alice.send("@+typing=paused TAGMSG #chat")
    got = bob.expect(r":alice!\S+ TAGMSG :?#chat")
    assert got.tags.get("+typing") == "paused" and got.tags.get("msgid"), got

    # NOTICE both ways, channel and private.
    bob.send("NOTICE #chat :notice from insp")
    alice2.expect(r":bob!\S+ NOTICE #chat :notice from insp")
    alice.send("NOTICE #chat :notice from parley")
    bob2.expect(r":alice!\S+ NOTICE #chat :notice from parley")
    bob.send("NOTICE alice2 :private notice from insp")
    alice2.expect(r":bob!\S+ NOTICE alice2 :private notice from insp")
    alice.send("NOTICE bob2 :private notice from parley")
    bob2.expect(r":alice!\S+ NOTICE bob2 :private notice from parley")


# ---- 4. nick, join, part, kick, modes, topic, away ------------------------------------------------


def test_state_changes_cross_both_ways(pair):
    p, i = pair
    alice = p.registered("alice", caps=CAPS)
    carol = p.registered("carol")
    bob = i.registered("bob", caps=CAPS)
    dave = i.registered("dave")
    wait_linked(alice, bob)
    alice.join("#chat")  # created on Parley: alice is its op
    alice.sync()
    bob.join("#chat")
    alice.expect(r":bob!\S+ JOIN :?#chat")
    wait_names(bob, "#chat", {"@alice", "bob"})

    # JOIN/PART both ways.
    carol.join("#chat")
    bob.expect(r":carol!\S+ JOIN :?#chat")
    dave.join("#chat")
    alice.expect(r":dave!\S+ JOIN :?#chat")
    carol.send("PART #chat :bye from parley")
    bob.expect(r":carol!\S+ PART #chat :bye from parley")
    dave.send("PART #chat :bye from insp")
    alice.expect(r":dave!\S+ PART #chat :bye from insp")

    # Nick changes both ways.
    bob.send("NICK bobby")
    alice.expect(r":bob!\S+ NICK :?bobby")
    alice.send("NICK alicia")
    bob.expect(r":alice!\S+ NICK :?alicia")
    wait_names(alice, "#chat", {"@alicia", "bobby"})
    wait_names(bob, "#chat", {"@alicia", "bobby"})

    # MODE +o / +v / +b both ways.
    alice.send("MODE #chat +o bobby")
    bob.expect(r":alicia!\S+ MODE #chat \+o :?bobby")
    bob.send("MODE #chat +v alicia")
    alice.expect(r":bobby!\S+ MODE #chat \+v :?alicia")
    bob.send("MODE #chat +b fromi!*@*")
    alice.expect(r":bobby!\S+ MODE #chat \+b :?fromi!\*@\*")
    alice.send("MODE #chat +b fromp!*@*")
    bob.expect(r":alicia!\S+ MODE #chat \+b :?fromp!\*@\*")
    assert sorted(bans_of(alice, "#chat")) == sorted(bans_of(bob, "#chat")) == ["fromi!*@*", "fromp!*@*"]
    wait_names(alice, "#chat", {"@alicia", "@bobby"})
    wait_names(bob, "#chat", {"@alicia", "@bobby"})

    # Parameter and flag modes both ways; both sides then show the same modes.
    alice.send("MODE #chat +kl sekrit 10")
    bob.expect(r":alicia!\S+ MODE #chat \+kl sekrit :?10")
    bob.send("MODE #chat +mH 5:10m")
    alice.expect(r":bobby!\S+ MODE #chat \+mH :?5:10m")
    bob.send("MODE #chat -l")
    alice.expect(r":bobby!\S+ MODE #chat :?-l")
    alice.send("MODE #chat -km sekrit")
    bob.expect(r":alicia!\S+ MODE #chat -km :?\S+")  # the key or "*"
    alice.send("MODE #chat +eI ex!*@* inv!*@*")
    bob.expect(r":alicia!\S+ MODE #chat \+eI ex!\*@\* :?inv!\*@\*")
    assert list_of(bob, "#chat", "e") == ["ex!*@*"] and list_of(bob, "#chat", "I") == ["inv!*@*"]
    assert channel_modes(alice, "#chat") == channel_modes(bob, "#chat")

    # TOPIC both ways (InspIRCd refuses a second local TOPIC in the same second; and a same-second
    # FTOPIC wins there only with the larger text, so Parley's text sorts after InspIRCd's).
    bob.send("TOPIC #chat :insp topic")
    alice.expect(r":bobby!\S+ TOPIC #chat :insp topic")
    alice.send("TOPIC #chat :parley topic")
    bob.expect(r":alicia!\S+ TOPIC #chat :parley topic")
    assert topic_of(bob, "#chat") == topic_of(alice, "#chat") == "parley topic"

    # KICK both ways (the victim on the other side).
    carol.join("#chat")
    dave.join("#chat")
    bob.expect(r":carol!\S+ JOIN :?#chat")
    alice.expect(r":dave!\S+ JOIN :?#chat")
    alice.send("KICK #chat dave :out from parley")
    dave.expect(r":alicia!\S+ KICK #chat dave :out from parley")
    bob.expect(r":alicia!\S+ KICK #chat dave :out from parley")
    bob.send("KICK #chat carol :out from insp")
    carol.expect(r":bobby!\S+ KICK #chat carol :out from insp")
    alice.expect(r":bobby!\S+ KICK #chat carol :out from insp")
    wait_names(alice, "#chat", {"@alicia", "@bobby"})
    wait_names(bob, "#chat", {"@alicia", "@bobby"})

    # AWAY both ways (away-notify and WHOIS 301).
    bob.send("AWAY :fishing")
    alice.expect(r":bobby!\S+ AWAY :?fishing")
    alice.send("AWAY :lunch")
    bob.expect(r":alicia!\S+ AWAY :?lunch")
    alice.send("WHOIS bobby")
    alice.expect(r" 301 alicia bobby :?fishing")
    bob.send("WHOIS alicia")
    bob.expect(r" 301 bobby alicia :?lunch")
    bob.send("AWAY")
    alice.expect(r":bobby!\S+ AWAY$")
    alice.send("AWAY")
    bob.expect(r":alicia!\S+ AWAY$")

    # QUIT both ways, with the reason.
    carol.join("#chat")
    dave.join("#chat")
    bob.expect(r":carol!\S+ JOIN :?#chat")
    alice.expect(r":dave!\S+ JOIN :?#chat")
    carol.send("QUIT :carol leaves")
    bob.expect(r":carol!\S+ QUIT :(Quit: )?carol leaves")
    dave.send("QUIT :dave leaves")
    alice.expect(r":dave!\S+ QUIT :(Quit: )?dave leaves")
    wait_names(alice, "#chat", {"@alicia", "@bobby"})
    wait_names(bob, "#chat", {"@alicia", "@bobby"})


# ---- found along the way: INVITE, remote queries, server masks ----


def test_invite_crosses_both_ways(pair):
    p, i = pair
    alice = p.registered("alice")
    bob = i.registered("bob")
    wait_linked(alice, bob)
    # InspIRCd -> Parley.
    bob.join("#ionly")
    bob.send("MODE #ionly +i")
    bob.send("INVITE alice #ionly")
    alice.expect(r":bob!\S+ INVITE alice :?#ionly")
    assert any(l.command == "JOIN" for l in alice.join("#ionly")), "alice could not join #ionly"
    bob.expect(r":alice!\S+ JOIN :?#ionly")
    # Parley -> InspIRCd.
    alice.join("#ponly")
    alice.send("MODE #ponly +i")
    alice.send("INVITE bob #ponly")
    alice.expect(r" 341 alice bob :?#ponly")
    bob.expect(r":alice!\S+ INVITE bob :?#ponly", timeout=1.5)
    assert any(l.command == "JOIN" for l in bob.join("#ponly")), "bob could not join #ponly"
    alice.expect(r":bob!\S+ JOIN :?#ponly")


# Commands an InspIRCd user (or operator) aims at parley.test. InspIRCd routes them to Parley as
# `:<uuid> <COMMAND> …` (IDLE for a remote WHOIS) and expects the replies back as NUM (or IDLE).
REMOTE_QUERIES = [
    ("user", "WHOIS alice alice", r" 317 bob alice \d+ \d+ "),
    ("user", "TIME parley.test", r" 391 bob parley\.test "),
    ("user", "MOTD parley.test", r" (376|422) bob "),
    ("user", "ADMIN parley.test", r" (259|423) bob "),
    ("user", "INFO parley.test", r" 374 bob "),
    ("user", "STATS u parley.test", r" 219 bob "),
    ("oper", "REHASH parley.test", None),
    ("oper", "RCONNECT parley.test insp.test", None),
]


def test_remote_queries_from_inspircd_keep_the_link(start_server, insp_factory):
    # InspIRCd dials (its operator's CONNECT), so a dropped link comes back quickly for the next.
    p = start_server(parley_config(listen=True))
    i = insp_factory(peer_port=p.link_port)
    try:
        alice = p.registered("alice")
        bob = i.registered("bob")
        ioper = i.registered("ioper")
        i.oper(ioper)
        ioper.send(f"CONNECT {PARLEY}")
        wait_linked(alice, bob)
        problems = []
        for kind, command, reply in REMOTE_QUERIES:
            who = bob if kind == "user" else ioper
            who.send(command)
            who.send(f"PRIVMSG alice :after {command}")
            try:
                alice.expect(rf":{who.nick}!\S+ PRIVMSG alice :after {re.escape(command)}", timeout=0.8)
            except AssertionError:
                problems.append(f"{command!r}: the link dropped")
                wait_split(ioper)
                ioper.send(f"CONNECT {PARLEY}")
                wait_linked(alice, bob)
                continue
            if reply:
                got = who.lines_for(0.5)
                if not any(re.search(reply, l) for l in got):
                    problems.append(f"{command!r}: no reply matching {reply!r}; got {got}")
        assert not problems, "\n".join(problems)
    finally:
        dump(p)


def test_server_mask_notice_from_an_inspircd_operator_reaches_parley_users(pair):
    p, i = pair
    alice = p.registered("alice")
    ioper = i.registered("ioper")
    i.oper(ioper)
    wait_linked(alice, ioper)
    ioper.send("NOTICE $* :network notice")
    alice.expect(r":ioper!\S+ NOTICE \S+ :network notice", timeout=1.5)


# ---- 5. nick collisions at link time --------------------------------------------------------------


def test_nick_collisions_rename_the_newer_user_and_older_channels_win(start_server, insp_factory, password_hash):
    i = insp_factory()
    p = start_server(parley_config(dial_port=i.server_port, autoconnect=False,
                                   oper_hash=password_hash("operpass")))
    try:
        # Users and channels made one second apart, then linked by a Parley operator's CONNECT.
        # Nicks: "older" is older on InspIRCd, "newer" is older on Parley, and "case[a]" (InspIRCd,
        # older) equals "CASE{A}" (Parley) under rfc1459 casemapping. Idents differ, so InspIRCd's
        # rule is "the newer one changes" (same ident@ip would rename the older one).
        # Channels: #tsold is older on InspIRCd, #tsnew is older on Parley; the newer side's modes,
        # ops, bans and topic go.
        insp_older = i.registered("older", user="iold")
        insp_case = i.registered("case[a]", user="icase")
        insp_older.join("#tsold")
        insp_older.send("TOPIC #tsold :insp wins")
        insp_older.send("MODE #tsold +b iwin!*@*")
        insp_older.sync()
        time.sleep(1.1)
        parley_older = p.registered("older", user="pold")
        parley_newer = p.registered("newer", user="pnew")
        parley_case = p.registered("CASE{A}", user="pcase")
        parley_newer.join("#tsold")
        parley_newer.send("TOPIC #tsold :parley loses")
        parley_newer.send("MODE #tsold +mb plose!*@*")
        parley_newer.join("#tsnew")
        parley_newer.send("TOPIC #tsnew :parley wins")
        parley_newer.send("MODE #tsnew +b pwin!*@*")
        parley_newer.sync()
        time.sleep(1.1)
        insp_newer = i.registered("newer", user="inew")
        insp_newer.join("#tsnew")
        insp_newer.send("TOPIC #tsnew :insp loses")
        insp_newer.send("MODE #tsnew +mb ilose!*@*")
        insp_newer.sync()

        root = p.registered("root")
        root.send("OPER root operpass")
        root.expect_numeric("381")
        root.send(f"CONNECT {INSP}")
        wait_linked(root, insp_older)

        # The newer user of each pair is renamed to its UUID, on its own connection...
        p_uuid = parley_older.expect(rf":older!\S+ NICK :?({UUID_RE})").last
        i_uuid = insp_newer.expect(rf":newer!\S+ NICK :?({UUID_RE})").last
        case_uuid = parley_case.expect(rf":CASE{{A}}!\S+ NICK :?({UUID_RE})").last
        assert p_uuid.startswith("0PA") and case_uuid.startswith("0PA"), (p_uuid, case_uuid)
        assert i_uuid.startswith("1IN"), i_uuid
        # ...and both servers agree on who is who.
        for c in (root, insp_older):
            where = {n: whois_server(c, n) for n in ("older", "newer", "case[a]", p_uuid, i_uuid, case_uuid)}
            assert where == {"older": INSP, "newer": PARLEY, "case[a]": INSP, p_uuid: PARLEY, i_uuid: INSP,
                             case_uuid: PARLEY}, (c.name, where)

        # #tsold: InspIRCd's (older) state on both sides; #tsnew: Parley's.
        for c in (parley_newer, insp_older):
            wait_names(c, "#tsold", {"@older", "newer"})
            assert topic_of(c, "#tsold") == "insp wins", c.name
            assert list_of(c, "#tsold", "b") == ["iwin!*@*"], c.name
        for c in (parley_newer, insp_older):
            wait_names(c, "#tsnew", {"@newer", i_uuid})
            assert topic_of(c, "#tsnew") == "parley wins", c.name
            assert list_of(c, "#tsnew", "b") == ["pwin!*@*"], c.name
        for chan in ("#tsold", "#tsnew"):
            on_parley, on_insp = channel_modes(parley_newer, chan), channel_modes(insp_older, chan)
            assert on_parley == on_insp and "m" not in on_parley, (chan, on_parley, on_insp)

        # Nobody was killed.
        for c in (insp_older, insp_case, parley_older, parley_newer, parley_case, insp_newer):
            c.sync()
            assert not any(l.command in ("KILL", "ERROR") for l in c.history), c.history[-10:]
    finally:
        dump(p)


# ---- 6. SQUIT and relink ------------------------------------------------------------------------


def test_squit_from_either_side_and_relink(pair):
    p, i = pair
    alice = p.registered("alice")
    bob = i.registered("bob")
    wait_linked(alice, bob)
    alice.join("#chat")
    alice.send("MODE #chat +b keep!*@*")
    alice.sync()
    bob.join("#chat")
    wait_names(alice, "#chat", {"@alice", "bob"})
    wait_names(bob, "#chat", {"@alice", "bob"})

    # An InspIRCd operator squits Parley: each side quits the other's users.
    ioper = i.registered("ioper")
    i.oper(ioper)
    # OPER on InspIRCd changes the host (FHOST, from <type vhost>); Parley follows.
    wait_until(lambda: whois_host(alice, "ioper") == "netadmin.test", what="ioper's new host on Parley")
    alice.send("WHOIS ioper")
    alice.expect(r" 313 alice ioper ")  # OPERTYPE: an operator
    ioper.send(f"SQUIT {PARLEY} :insp maintenance")
    bob.expect(rf":alice!\S+ QUIT :{re.escape(INSP)} {re.escape(PARLEY)}")
    alice.expect(rf":bob!\S+ QUIT :{re.escape(PARLEY)} {re.escape(INSP)}")
    assert names(alice, "#chat") == {"@alice"}

    # Parley dials again by itself (autoconnect after 5 s) and the network converges.
    wait_linked(alice, bob, timeout=15)
    wait_names(alice, "#chat", {"@alice", "bob"})
    wait_names(bob, "#chat", {"@alice", "bob"})
    assert bans_of(bob, "#chat") == ["keep!*@*"]

    # A Parley operator squits InspIRCd, then CONNECTs again.
    alice.send("OPER root operpass")
    alice.expect_numeric("381")
    alice.send(f"SQUIT {INSP} :parley maintenance")
    alice.expect(rf":bob!\S+ QUIT :{re.escape(PARLEY)} {re.escape(INSP)}")
    bob.expect(rf":alice!\S+ QUIT :{re.escape(INSP)} {re.escape(PARLEY)}")
    wait_split(alice, bob)
    alice.send(f"CONNECT {INSP}")
    alice.expect(r"NOTICE alice :\*\*\* CONNECT: ")
    wait_linked(alice, bob, timeout=15)
    wait_names(alice, "#chat", {"@alice", "bob"})
    wait_names(bob, "#chat", {"@alice", "bob"})
    bob.send("PRIVMSG #chat :back again")
    alice.expect(r":bob!\S+ PRIVMSG #chat :back again")
