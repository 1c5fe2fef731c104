"""History against the built binary: what a sender saw acknowledged survives kill -9, history
survives a restart, and `+H` replays to clients that never asked for CHATHISTORY.

The durability promise (docs/storage.md): a message whose echo-message copy reached its sender is
on disk. The kill -9 test holds the server to it under load: senders pipeline messages as fast as
the socket takes them, the server is killed mid-stream, and after a restart every message whose
echo had arrived must come back from CHATHISTORY with the same msgid, time and text.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from conftest import BASE_CONFIG
from ircclient import IRCClient, ParleyServer, merge_config

HISTORY_CAPS = ["batch", "draft/chathistory", "echo-message", "message-tags", "server-time"]


def start_in(parley_bin: str, workdir: Path, overrides: dict | None = None) -> ParleyServer:
    """A server whose data directory is workdir/data: a second one in the same workdir sees what
    the first stored."""
    return ParleyServer(parley_bin, workdir, merge_config(BASE_CONFIG, overrides or {}))


def chathistory_max(client: IRCClient, burst) -> int:
    for line in burst:
        if line.command == "005":
            for token in line.params[1:-1]:
                if token.startswith("CHATHISTORY="):
                    return int(token.split("=", 1)[1])
    raise AssertionError("no CHATHISTORY token in ISUPPORT")


def fetch_batch(client: IRCClient, command: str) -> list:
    """Sends a CHATHISTORY command and returns the PRIVMSGs of the batch it answers with."""
    client.send(command)
    start = client.expect(r"^(?:@\S+ )?:\S+ BATCH \+\S+ chathistory", what=f"batch for {command}")
    ref = start.params[0][1:]
    lines = client.collect_until(re.compile(r"^(?:@\S+ )?:\S+ BATCH -%s$" % re.escape(ref)))
    return [l for l in lines if l.command == "PRIVMSG" and l.tags.get("batch") == ref]


def all_history(client: IRCClient, target: str, page: int) -> list:
    """Every stored PRIVMSG of `target`, oldest first, paged backwards with BEFORE msgid=."""
    got = fetch_batch(client, f"CHATHISTORY LATEST {target} * {page}")
    out = list(got)
    while len(got) == page:
        got = fetch_batch(client, f"CHATHISTORY BEFORE {target} msgid={out[0].tags['msgid']} {page}")
        out = got + out
    return out


class Sender(threading.Thread):
    """Pipelines PRIVMSGs (no waiting for echoes) until stopped or the connection dies, and
    records every echo that came back: msgid -> (time, text)."""

    def __init__(self, client: IRCClient, target: str, tag: str):
        super().__init__(daemon=True)
        self.client, self.target, self.tag = client, target, tag
        self.acknowledged: dict[str, tuple[str, str]] = {}
        self.sent = 0
        self.stop = threading.Event()

    def run(self) -> None:
        sock = self.client.sock
        sock.setblocking(False)
        buf = b""
        out = b""
        while not self.stop.is_set():
            if len(out) < 4096:
                for _ in range(20):
                    self.sent += 1
                    out += f"PRIVMSG {self.target} :{self.tag} message {self.sent} padding-padding\r\n".encode()
            try:
                n = sock.send(out)
                out = out[n:]
            except BlockingIOError:
                pass
            except OSError:
                return
            try:
                data = sock.recv(65536)
                if not data:
                    return
                buf += data
            except BlockingIOError:
                time.sleep(0.0005)
                continue
            except OSError:
                return
            *lines, buf = buf.split(b"\r\n")
            for raw in lines:
                line = self._parse(raw)
                if line is not None:
                    msgid, when, text = line
                    self.acknowledged[msgid] = (when, text)

    def _parse(self, raw: bytes):
        from ircclient import Line
        line = Line(raw.decode(errors="replace"))
        if line.command != "PRIVMSG" or line.nick != self.client.nick:
            return None
        return line.tags["msgid"], line.tags["time"], line.last


def test_kill_9_loses_no_acknowledged_message(parley_bin, tmp_path):
    workdir = tmp_path / "server"
    srv = start_in(parley_bin, workdir)
    senders = []
    for i in range(3):
        c = srv.client(f"s{i}")
        c.register(f"sender{i}", caps=HISTORY_CAPS)
        c.join("#durable")
        senders.append(Sender(c, "#durable", f"s{i}"))
    listeners = [srv.registered(f"reader{i}") for i in range(5)]  # the fan-out the senders cause
    for r in listeners:
        r.join("#durable")
    for s in senders:
        s.start()
    time.sleep(1.5)
    srv.kill()  # SIGKILL, mid-stream
    for s in senders:
        s.stop.set()
        s.join(5)
    acknowledged = {m: v for s in senders for m, v in s.acknowledged.items()}
    sent = sum(s.sent for s in senders)
    assert len(acknowledged) >= 100, f"too little acknowledged to test anything: {len(acknowledged)} of {sent}"

    srv2 = start_in(parley_bin, workdir)
    reader = srv2.client("reader")
    burst = reader.register("checker", caps=HISTORY_CAPS)
    page = chathistory_max(reader, burst)
    reader.join("#durable")
    stored = {l.tags["msgid"]: (l.tags["time"], l.last) for l in all_history(reader, "#durable", page)}
    missing = [m for m in acknowledged if m not in stored]
    print(f"{len(acknowledged)} of {sent} sent messages were acknowledged before kill -9; "
          f"{len(stored)} stored; {len(missing)} acknowledged ones missing")
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {missing[:3]}"
    changed = [m for m, v in acknowledged.items() if stored[m] != v]
    assert not changed, f"stored with another time or text: {[(m, acknowledged[m], stored[m]) for m in changed[:3]]}"
    srv2.stop()


def test_history_survives_a_restart(parley_bin, tmp_path):
    workdir = tmp_path / "server"
    srv = start_in(parley_bin, workdir)
    alice = srv.client("alice")
    alice.register("alice", caps=HISTORY_CAPS)
    alice.join("#keep")
    echoes = []
    for i in range(5):
        alice.send(f"@+draft/reply=x PRIVMSG #keep :line {i} with ünïcödé")
        echoes.append(alice.expect_command("PRIVMSG", "alice"))
    srv.stop()

    srv2 = start_in(parley_bin, workdir)
    bob = srv2.client("bob")
    bob.register("bob", caps=HISTORY_CAPS)
    bob.join("#keep")
    got = fetch_batch(bob, "CHATHISTORY LATEST #keep * 10")
    assert [l.last for l in got] == [f"line {i} with ünïcödé" for i in range(5)]
    assert [l.tags["msgid"] for l in got] == [e.tags["msgid"] for e in echoes]
    assert [l.tags["time"] for l in got] == [e.tags["time"] for e in echoes]
    assert all(l.tags.get("+draft/reply") == "x" for l in got), got
    assert all(l.source.startswith("alice!") for l in got), got
    srv2.stop()


def test_plus_h_replays_the_last_lines_to_a_client_without_chathistory(start_server):
    srv = start_server()
    op = srv.registered("op")
    op.join("#replay")
    op.send("MODE #replay +H 3:1h")
    op.expect(r"MODE #replay \+H 3:1h")
    for i in range(5):
        op.send(f"PRIVMSG #replay :said {i}")
    op.sync()
    plain = srv.client("plain")
    plain.register("plain", caps=["server-time"])  # no draft/chathistory
    plain.send("JOIN #replay")
    lines = plain.collect_until(numeric_re_366("#replay"))
    lines += plain.lines_for(0.5)
    replayed = [l for l in lines if l.command == "PRIVMSG"]
    assert [l.last for l in replayed] == ["said 2", "said 3", "said 4"], lines
    assert all("time" in l.tags for l in replayed), replayed

    # A client with draft/chathistory fetches history itself: no replay.
    modern = srv.client("modern")
    modern.register("modern", caps=HISTORY_CAPS)
    modern.join("#replay")
    assert not [l for l in modern.lines_for(0.5) if l.command == "PRIVMSG"]


def numeric_re_366(channel: str):
    return re.compile(r"^(?:@\S+ +)?:\S+ +366 +\S+ +%s(?: |$)" % re.escape(channel), re.I)
