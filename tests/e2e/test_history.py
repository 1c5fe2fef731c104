"""History against the built binary: what a sender saw acknowledged survives kill -9, history
survives a restart, a full disk fails senders but not chat and recovers, and the [history]
settings are checked.

The durability promise (docs/storage.md): a message whose echo-message copy reached its sender is
on disk. The kill -9 test holds the server to it under load: senders pipeline messages as fast as
the socket takes them, the server is killed mid-stream, and after a restart every message whose
echo had arrived must come back from CHATHISTORY with the same msgid, time and text.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

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
    """Pipelines PRIVMSGs, up to WINDOW of them not yet echoed, until stopped or the connection
    dies, and records every echo that came back: msgid -> (time, text). (The server handles an
    echo-message sender's channel messages at once and echoes each when it is stored; 32 in
    flight keeps every commit busy.)"""

    WINDOW = 32

    def __init__(self, client: IRCClient, target: str, tag: str):
        super().__init__(daemon=True)
        self.client, self.target, self.tag = client, target, tag
        self.acknowledged: dict[str, tuple[str, str]] = {}
        self.failed = 0  # FAIL ... MESSAGE_ERROR: an echoed message that was not stored
        self.sent = 0
        self.echoed = 0
        self.stop = threading.Event()

    def run(self) -> None:
        sock = self.client.sock
        sock.setblocking(False)
        buf = b""
        out = b""
        while not self.stop.is_set():
            while self.sent - self.echoed < self.WINDOW:
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
                    self.echoed += 1
                    msgid, when, text = line
                    self.acknowledged[msgid] = (when, text)

    def _parse(self, raw: bytes):
        from ircclient import Line
        line = Line(raw.decode(errors="replace"))
        if line.command == "FAIL":
            self.failed += 1
            return None
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
    assert not sum(s.failed for s in senders), "history storage refused messages (FAIL) under this load"
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


def test_an_echo_message_burst_shares_commits_and_is_echoed_in_order(parley_bin, tmp_path):
    """An echo-message sender's channel messages pipeline: a burst sent in one write reaches the
    channel at once and is stored in a few group commits, not one each; the echoes come in the
    order sent, and a PING sent after them is answered after the last echo."""
    workdir = tmp_path / "server"
    srv = start_in(parley_bin, workdir)
    alice = srv.client("alice")
    alice.register("alice", caps=HISTORY_CAPS)
    alice.join("#burst")
    bob = srv.registered("bob")
    bob.join("#burst")
    count = 40
    alice.sock.sendall("".join(f"PRIVMSG #burst :burst {i}\r\n" for i in range(count)).encode()
                       + b"PING :after-the-burst\r\n")
    got = alice.collect_until(re.compile(r"^(?:@\S+ )?:\S+ PONG \S+ :?after-the-burst$"))
    echoes = [l for l in got if l.command == "PRIVMSG"]
    assert [l.last for l in echoes] == [f"burst {i}" for i in range(count)], got
    relayed = [bob.expect_command("PRIVMSG", "alice").last for _ in range(count)]
    assert relayed == [f"burst {i}" for i in range(count)]
    srv.stop()
    summary = re.search(r"history storage: (\d+) entries in (\d+) group commits", srv.logs())
    assert summary, srv.logs()
    entries, commits = int(summary.group(1)), int(summary.group(2))
    assert entries >= count, summary.group(0)
    # Line by line it took one commit per message (and one per JOIN before them).
    assert commits <= count // 4, summary.group(0)

    srv2 = start_in(parley_bin, workdir)
    reader = srv2.client("reader")
    reader.register("reader", caps=HISTORY_CAPS)
    reader.join("#burst")
    stored = fetch_batch(reader, f"CHATHISTORY LATEST #burst * {count}")
    assert [l.tags["msgid"] for l in stored] == [l.tags["msgid"] for l in echoes]
    srv2.stop()


def test_backed_up_storage_slows_the_sender_and_stores_everything(parley_bin, tmp_path):
    """With a storage backlog of one request every message waits for its commit: the sender (no
    echo-message, so otherwise never held) is held and its connection not read meanwhile, the
    channel still gets every message at once, and all of them are stored, none refused."""
    srv = start_in(parley_bin, tmp_path / "server", {"history": {"queue": 1}})
    alice = srv.client("alice")
    alice.register("alice", caps=["batch", "draft/chathistory", "message-tags", "server-time"])
    alice.join("#busy")
    bob = srv.client("bob")
    bob.register("bob")
    bob.join("#busy")
    # The two JOINs are recorded too (event-playback), and nobody is held for them: let the
    # storage thread take them before the burst, or on a busy machine they fill the queue of 1
    # themselves and the first message finds it past its hard limit (2 x queue) and is refused.
    fetch_batch(alice, "CHATHISTORY LATEST #busy * 10")
    count = 3000
    alice.send_raw("".join(f"PRIVMSG #busy :burst {i}\r\n" for i in range(count)).encode())
    got = [l.last for l in bob.collect_until(re.compile(rf"PRIVMSG #busy :burst {count - 1}$"), timeout=60)
           if l.command == "PRIVMSG"]
    assert got == [f"burst {i}" for i in range(count)]
    alice.send("PING done")
    before_pong = alice.collect_until(re.compile(r"PONG .*done"), timeout=30)
    assert not [l for l in before_pong if l.command == "FAIL"], before_pong
    stored = all_history(alice, "#busy", 1000)
    assert [l.last for l in stored] == [f"burst {i}" for i in range(count)]
    srv.stop()


# ---- a full disk -----------------------------------------------------------------------------

def fill(directory: Path) -> Path:
    """Writes zeros into directory/filler until the filesystem is full."""
    filler = directory / "filler"
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError:
            pass
        try:
            while True:
                f.write(b"\0" * 512)
        except OSError:
            pass
    return filler


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs: a data directory whose disk can be filled."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mountpoint)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs (needs root): {done.stderr.strip()}")
    yield mountpoint
    subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)


def test_full_disk_fails_senders_keeps_chat_going_and_recovers(parley_bin, tmp_path, small_disk):
    workdir = tmp_path / "server"
    extra = ["--data-dir", str(small_disk / "data")]
    srv = ParleyServer(parley_bin, workdir, merge_config(BASE_CONFIG, {}), extra)
    alice = srv.client("alice")
    alice.register("alice", caps=HISTORY_CAPS)
    alice.join("#full")
    bob = srv.registered("bob")
    bob.join("#full")
    alice.lines_for(0.2)
    for i in range(3):
        alice.send(f"PRIVMSG #full :before {i}")
        alice.expect_command("PRIVMSG", "alice")

    filler = fill(small_disk)
    for i in range(3):
        alice.send(f"PRIVMSG #full :while full {i}")
        # The echo comes, and a FAIL after it says the message was not stored.
        alice.expect(r"PRIVMSG #full :while full %d$" % i, what="echo")
        alice.expect(r"^(?:@\S+ )?:\S+ FAIL PRIVMSG MESSAGE_ERROR #full ", what="FAIL for a message the disk refused")
        # Chat goes on: the others still get the message.
        bob.expect(r"^(?:@\S+ )?:alice!\S+ PRIVMSG #full :while full %d$" % i, what="the message, for bob")
    alice.send("PING :still-here")
    alice.expect(r"PONG .*still-here")

    filler.unlink()  # space is freed
    last = None
    for attempt in range(20):  # the first commit after this one succeeds
        alice.send(f"PRIVMSG #full :after {attempt}")
        alice.expect(r"PRIVMSG #full :after %d$" % attempt, what=f"echo of 'after {attempt}'")
        if not [l for l in alice.lines_for(0.3) if l.command == "FAIL"]:
            last = f"after {attempt}"
            break
    assert last is not None, "no recovery after the disk was freed"
    errors = [l for l in srv.stderr_path.read_text().splitlines() if "history storage failed" in l]
    assert len(errors) == 1, f"one clear error, not one per message: {errors}"
    assert "history storage works again" in srv.stderr_path.read_text()
    srv.stop()

    # Nothing stored before is damaged, and nothing refused was stored.
    srv2 = ParleyServer(parley_bin, workdir, merge_config(BASE_CONFIG, {}), extra)
    reader = srv2.client("reader")
    reader.register("reader", caps=HISTORY_CAPS)
    reader.join("#full")
    texts = [l.last for l in fetch_batch(reader, "CHATHISTORY LATEST #full * 50")]
    assert texts[:3] == ["before 0", "before 1", "before 2"], texts
    assert last in texts and not [t for t in texts if t.startswith("while full")], texts
    srv2.stop()


# ---- configuration ---------------------------------------------------------------------------

def check_config(parley_bin: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([parley_bin, "server", "--check-config", str(path)],
                          capture_output=True, text=True, timeout=30)


def test_history_settings_are_checked_with_file_and_line(parley_bin, tmp_path):
    path = tmp_path / "parley.toml"
    path.write_text('[history]\n'            # 1
                    'max_age = "90 days"\n'  # 2
                    'max_count = -1\n'       # 3
                    'queue = 0\n'            # 4
                    'expire_interval = "0"\n'  # 5
                    'speed = 3\n'            # 6
                    '\n'                     # 7
                    '[[history.channel]]\n'  # 8
                    'name = "nochannel"\n'   # 9
                    '\n'                     # 10
                    '[[history.channel]]\n'  # 11
                    'max_age = "1d"\n')      # 12
    result = check_config(parley_bin, path)
    assert result.returncode == 1, result.stdout
    lines = result.stdout.splitlines()
    for line_no, words in [(2, "history.max_age must be a duration"), (3, "history.max_count must be between"),
                           (4, "history.queue must be between"), (5, "history.expire_interval must be between"),
                           (6, "unknown key 'speed'"), (9, "is not a channel name"),
                           (11, "[[history.channel]] needs a name")]:
        assert any(l.startswith(f"{path}:{line_no}: ") and words in l for l in lines), (line_no, words, lines)


@pytest.mark.parametrize("lines, words", [
    ('commit_interval = "2s"', "history.commit_interval must be between 0 s and 1 s"),
    ('commit_interval = "5 ms"', "history.commit_interval must be a duration"),
    ('commit_interval = "-1ms"', "history.commit_interval must be a duration"),
    ('max_commit_interval = "2s"', "history.max_commit_interval must be between 0 s and 1 s"),
    ('max_commit_interval = "2ms"', "history.max_commit_interval (2 ms) must be at least history.commit_interval (5 ms)"),
    ('commit_interval = "20ms"\nmax_commit_interval = "10ms"', "must be at least history.commit_interval (20 ms)")])
def test_a_bad_commit_interval_is_named(parley_bin, tmp_path, lines, words):
    path = tmp_path / "parley.toml"
    path.write_text(f'[history]\n{lines}\n')
    result = check_config(parley_bin, path)
    line_no = 1 + len(lines.splitlines())  # the last line names the bad setting
    assert result.returncode == 1 and f"{path}:{line_no}: " in result.stdout and words in result.stdout, result.stdout


@pytest.mark.parametrize("value", ["0", "1001", '"50"'])
def test_a_bad_replay_max_lines_is_named(parley_bin, tmp_path, value):
    path = tmp_path / "parley.toml"
    path.write_text(f'[history]\nreplay_max_lines = {value}\n')
    result = check_config(parley_bin, path)
    assert result.returncode == 1 and f"{path}:2: " in result.stdout, result.stdout
    assert "history.replay_max_lines" in result.stdout, result.stdout


def test_valid_history_settings_are_ok(parley_bin, tmp_path):
    path = tmp_path / "parley.toml"
    path.write_text('[history]\nenabled = true\nmax_query = 500\npublic_channels = false\nreplay_max_lines = 200\n'
                    'max_age = "30d"\nmax_count = 100000\nqueue = 5000\nexpire_interval = 30\ncommit_interval = "250ms"\n'
                    'max_commit_interval = "500ms"\n'
                    '[[history.channel]]\nname = "#Keep"\nmax_age = 0\n'
                    '[[history.channel]]\nname = "#busy"\nmax_count = 1000\n')
    result = check_config(parley_bin, path)
    assert result.returncode == 0 and result.stdout.strip() == f"{path}: OK", result.stdout
