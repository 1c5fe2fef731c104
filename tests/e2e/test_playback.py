"""History for clients without CHATHISTORY, against the built binary: the +H channel mode
replays the latest lines to a joining client (docs/protocol.md "Channel history replay"),
znc.in/playback replays a time range, and draft/read-marker markers are shared by the sessions
of one account.
"""

from __future__ import annotations

import re
import time

from conftest import SERVER_NAME
from ircclient import IRCClient, ParleyServer, numeric_re

PASSWORD = "correct-horse-battery"


def say_lines(client: IRCClient, channel: str, count: int) -> None:
    for i in range(count):
        client.send(f"PRIVMSG {channel} :line {i}")
    client.sync()  # PING/PONG: every line above has been handled (and stored)


def privmsgs(lines) -> list[str]:
    return [l.last for l in lines if l.command == "PRIVMSG"]


def test_plus_h_replays_the_latest_lines_to_a_client_without_chathistory(server: ParleyServer):
    alice = server.registered("alice")
    alice.join("#h")
    alice.send("MODE #h +H 3:1d")
    alice.expect(r" MODE #h \+H 3:1d")
    say_lines(alice, "#h", 5)

    plain = server.registered("plain")
    plain.join("#h")
    notice = plain.expect(r" NOTICE #h :Replaying up to 3 lines", what="the replay notice")
    assert notice.source == SERVER_NAME
    got = plain.lines_for(1.0)
    assert privmsgs(got) == ["line 2", "line 3", "line 4"]
    assert all(not l.tags for l in got), "a client without caps gets bare lines"

    timed = server.registered("timed", caps=["server-time", "batch"])
    timed.join("#h")
    got = timed.collect_until(re.compile(r" BATCH -\S+$"))
    msgs = [l for l in got if l.command == "PRIVMSG"]
    assert [m.last for m in msgs] == ["line 2", "line 3", "line 4"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", m.tags["time"]) for m in msgs)
    assert any(l.command == "BATCH" and l.params[1:] == ["chathistory", "#h"] for l in got)

    modern = server.registered("modern", caps=["draft/chathistory", "batch", "server-time"])
    modern.join("#h")
    modern.assert_nothing(0.5, r"PRIVMSG #h")


def test_plus_h_refuses_a_bad_parameter_with_696(server: ParleyServer):
    alice = server.registered("alice")
    alice.join("#h")
    alice.send("MODE #h +H 500:1d")
    alice.expect(numeric_re("696"))
    alice.send("MODE #h")
    assert "H" not in alice.expect(numeric_re("324")).params[2]


def test_znc_playback_plays_a_range(server: ParleyServer):
    alice = server.registered("alice")
    alice.join("#z")
    bob = server.registered("bob", caps=["znc.in/playback", "server-time"])
    bob.join("#z")
    alice.send("PRIVMSG #z :early")
    alice.sync()
    bob.expect(r"PRIVMSG #z :early")
    time.sleep(0.05)
    middle = time.time()
    time.sleep(0.05)
    alice.send("PRIVMSG #z :late")
    alice.sync()
    bob.expect(r"PRIVMSG #z :late")
    bob.send(f"PRIVMSG *playback :PLAY #z {middle:.3f}")
    got = bob.lines_for(1.0)
    assert privmsgs(got) == ["late"]
    assert "time" in got[0].tags


def test_read_markers_are_shared_by_an_accounts_sessions(server: ParleyServer):
    reg = server.registered("reader", caps=["draft/account-registration"])
    reg.send(f"REGISTER * * :{PASSWORD}")
    # Password hashing (argon2id) is slow on purpose, more so on a loaded machine.
    reg.expect(r" REGISTER SUCCESS ", timeout=30)
    reg.expect(numeric_re("900"), timeout=30)
    phone = server.registered("reader_phone", caps=["draft/read-marker"])
    phone.send(f"NS IDENTIFY reader {PASSWORD}")
    phone.expect(numeric_re("900"), timeout=30)
    laptop = server.registered("reader_laptop", caps=["draft/read-marker"])
    laptop.send(f"NS IDENTIFY reader {PASSWORD}")
    laptop.expect(numeric_re("900"), timeout=30)

    laptop.send("MARKREAD #m timestamp=2026-01-02T03:04:05.678Z")
    laptop.expect(r" MARKREAD #m timestamp=2026-01-02T03:04:05\.678Z$")
    phone.expect(r" MARKREAD #m timestamp=2026-01-02T03:04:05\.678Z$")
    laptop.send("MARKREAD #m timestamp=2025-01-01T00:00:00.000Z")  # older: the stored one stays
    laptop.expect(r" MARKREAD #m timestamp=2026-01-02T03:04:05\.678Z$")
    phone.assert_nothing(0.3, r"MARKREAD")
    burst = phone.join("#m")
    marks = [l for l in burst if l.command == "MARKREAD"]
    assert [m.params for m in marks] == [["#m", "timestamp=2026-01-02T03:04:05.678Z"]]
