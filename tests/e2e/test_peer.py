"""`parley peer --headless` (issue 5, seed 002): the serverless mesh with real processes on loopback.

Every peer is a process with a pipe on stdin and files on stdout/stderr; raw sockets speak the
mesh protocol (docs/protocol.md, "Mesh") where a test needs bytes a well-behaved peer would never
send. Every wait has a deadline; every process is killed at teardown.
"""

from __future__ import annotations

import re
import signal
import socket
import struct
import subprocess
import time
from collections import Counter
from pathlib import Path

import polling
import pytest

TIMEOUT = 20.0


def wait_until(predicate, timeout=TIMEOUT, what="condition"):
    return polling.wait_for(predicate, timeout, what)


class Peer:
    def __init__(self, binary: str, tmp: Path, name: str, seeds=(), extra=()):
        self.name = name
        self.out_path = tmp / f"{name}.out"
        self.err_path = tmp / f"{name}.err"
        args = [binary, "peer", name, "--headless", "--bind", "127.0.0.1"]
        if "--port" not in extra:
            args += ["--port", "0"]
        for port in seeds:
            args += ["--connect", f"127.0.0.1:{port}"]
        args += list(extra)
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=out, stderr=err)
        m = None

        def listening():
            nonlocal m
            m = re.search(r"INFO: listening on 127\.0\.0\.1:(\d+) as ", self.stdout())
            return m is not None or self.p.poll() is not None

        wait_until(listening, what=f"{name} to listen")
        assert m, f"{name} did not start:\n{self.stderr()}"
        self.port = int(m.group(1))

    def stdout(self) -> str:
        return self.out_path.read_bytes().decode(errors="replace")

    def stderr(self) -> str:
        return self.err_path.read_bytes().decode(errors="replace")

    def chat(self) -> list[str]:
        return [l for l in self.stdout().splitlines() if l and not l.startswith("INFO: ")]

    def peers(self) -> int:
        found = re.findall(r"\((\d+) peers?\)\n", self.stdout())
        return int(found[-1]) if found else 0

    def write(self, text: str):
        self.p.stdin.write(text.encode())
        self.p.stdin.flush()

    def say(self, *lines: str):
        self.write("".join(line + "\n" for line in lines))

    def alive(self) -> bool:
        return self.p.poll() is None

    def kill(self):
        if self.p.poll() is None:
            try:
                self.p.send_signal(signal.SIGCONT)
            except ProcessLookupError:
                pass
            self.p.kill()
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.p.stdin and not self.p.stdin.closed:
            try:
                self.p.stdin.close()
            except BrokenPipeError:
                pass


@pytest.fixture
def mesh(parley_bin, tmp_path):
    peers: list[Peer] = []

    def start(name, seeds=(), extra=()):
        peer = Peer(parley_bin, tmp_path, name, [s.port for s in seeds], extra)
        peers.append(peer)
        return peer

    yield start
    for peer in peers:
        peer.kill()


def wait_connected(peers, at_least=1, timeout=TIMEOUT):
    wait_until(lambda: all(p.peers() >= at_least for p in peers), timeout,
               what="every peer to have a neighbour: " + ", ".join(f"{p.name}={p.peers()}" for p in peers))


def expect_exactly_once(peers, expected, timeout=TIMEOUT):
    """Every peer shows every expected line; then (after a settling pause) each exactly once."""
    expected = list(expected)

    def complete(p):
        have = Counter(p.chat())
        return all(have[line] >= 1 for line in expected)

    deadline = time.monotonic() + timeout
    for p in peers:
        wait_until(lambda: complete(p), max(0.1, deadline - time.monotonic()),
                   what=f"{p.name} to show all {len(expected)} messages; missing "
                        f"{[l for l in expected if l not in set(p.chat())][:5]}")
    time.sleep(0.5)
    for p in peers:
        have = Counter(p.chat())
        dup = {line: n for line, n in have.items() if n != 1}
        assert not dup, f"{p.name} showed lines more than once: {list(dup.items())[:5]}"
        assert set(have) == set(expected), f"{p.name} showed unexpected lines: {set(have) - set(expected)}"


def say_round(peers, tag):
    lines = []
    for p in peers:
        text = f"{tag} from {p.name}"
        p.say(text)
        lines.append(f"{p.name}: {text}")
    return lines


def per_origin_in_order(peer, tag_prefix):
    """Each origin's numbered messages appear in the order they were sent."""
    seen: dict[str, int] = {}
    for line in peer.chat():
        m = re.match(r"(\w+): " + re.escape(tag_prefix) + r"(\d+) ", line)
        if not m:
            continue
        n = int(m.group(2))
        assert n > seen.get(m.group(1), -1), f"{peer.name}: {line!r} out of order"
        seen[m.group(1)] = n


# ---- topologies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["line", "star", "tree", "ring", "dense"])
def test_topology_delivers_every_message_exactly_once(mesh, shape):
    n = 6
    extra = ["--degree", "1"] if shape in ("line", "ring") else []
    peers = [mesh("p0", extra=extra)]
    for i in range(1, n):
        if shape == "line" or shape == "ring":
            seeds = [peers[i - 1]] + ([peers[0]] if shape == "ring" and i == n - 1 else [])
        elif shape == "star":
            seeds = [peers[0]]
        elif shape == "tree":
            seeds = [peers[(i - 1) // 2]]
        else:
            seeds = peers[max(0, i - 3):i]
        peers.append(mesh(f"p{i}", seeds, extra))
    wait_connected(peers)
    expected = say_round(peers, "hello") + say_round(peers, "again")
    expect_exactly_once(peers, expected)
    if shape == "line":
        assert peers[0].peers() == 1 and peers[-1].peers() == 1, "a --degree 1 line stays a line"


def test_own_message_is_shown_like_the_ui(mesh):
    alice = mesh("alice")
    alice.say("talking to myself")
    wait_until(lambda: "alice: talking to myself" in alice.chat(), what="own message")


def test_one_neighbour_is_counted_as_1_peer(mesh):
    alice = mesh("alice")
    bob = mesh("bob", [alice])
    wait_until(lambda: "(1 peer)\n" in bob.stdout(), what=f"bob's connected line:\n{bob.stdout()}")
    assert "(1 peers)" not in bob.stdout() + alice.stdout()


# ---- faults -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_peer_is_reported_with_host_and_port_and_retried(mesh):
    port = free_port()
    alice = mesh("alice", extra=["--connect", f"127.0.0.1:{port}", "--connect", "no-such-host.invalid:5999"])
    refused = f"INFO: cannot reach 127.0.0.1:{port}: Connection refused; trying again in "
    wait_until(lambda: alice.stdout().count(refused) >= 2, what=f"two reported attempts:\n{alice.stdout()}")
    wait_until(lambda: "INFO: cannot reach no-such-host.invalid:5999: " in alice.stdout(),
               what=f"the unresolvable host reported:\n{alice.stdout()}")
    # Once something listens there, the retry joins it.
    bob = mesh("bob", extra=["--port", str(port)])
    wait_until(lambda: alice.peers() == 1 and bob.peers() == 1, what="the retry to reach bob")



def test_middle_peer_killed_rest_reconnect_within_seconds(mesh):
    extra = ["--degree", "2"]
    peers = [mesh("p0", extra=extra)]
    for i in range(1, 5):
        peers.append(mesh(f"p{i}", [peers[i - 1]], extra))
    wait_connected(peers)
    time.sleep(1.0)
    peers[2].p.kill()
    peers[2].p.wait(timeout=5)
    rest = [p for p in peers if p is not peers[2]]
    start = time.monotonic()
    expected = say_round(rest, "after")
    expect_exactly_once(rest, expected, timeout=10)
    assert time.monotonic() - start < 10


def test_split_heals_and_delivers_what_was_sent_during_it_exactly_once(mesh):
    # Freezing one half (SIGSTOP) for longer than the 8 s dead-link timeout splits the mesh: the
    # other half drops the silent links and goes on. Lines written to the frozen half's stdin
    # are sent when it wakes, over links its neighbours have closed; both halves must get
    # everything through gap filling once they reconnect.
    a = [mesh("a0")]
    a.append(mesh("a1", [a[0]]))
    b = [mesh("b0", [a[1]])]
    b.append(mesh("b1", [b[0], a[0]]))
    everyone = a + b
    wait_connected(everyone)
    expected = say_round(everyone, "before")
    expect_exactly_once(everyone, expected)
    for p in b:
        p.p.send_signal(signal.SIGSTOP)
    try:
        wait_until(lambda: all(p.peers() == 1 for p in a), 15, what="the awake half to drop the frozen one")
        for k in range(3):
            expected += say_round(everyone, f"split{k} ")  # the frozen half's lines wait in its stdin
        time.sleep(0.5)
    finally:
        for p in b:
            p.p.send_signal(signal.SIGCONT)
    wait_until(lambda: all(p.peers() >= 1 for p in b), what="the frozen half to reconnect")
    expected += say_round(everyone, "healed")
    expect_exactly_once(everyone, expected, timeout=30)
    for p in everyone:
        per_origin_in_order(p, "split")


def test_quit_leaves_the_others_working(mesh):
    a = mesh("alice")
    b = mesh("bob", [a])
    c = mesh("carol", [a, b])
    wait_connected([a, b, c], at_least=2)
    b.say(":quit")
    assert b.p.wait(timeout=10) == 0
    wait_until(lambda: "INFO: lost bob" in a.stdout() and "left the chat" in a.stdout(), what="alice to see bob leave")
    expected = say_round([a, c], "still here")
    expect_exactly_once([a, c], expected)
    c.say(":q")
    assert c.p.wait(timeout=10) == 0


def raw_connect(port) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.settimeout(5)
    return s


def read_until_closed(s: socket.socket, timeout=10.0) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def bye_codes(data: bytes) -> list[str]:
    codes = []
    while len(data) >= 6:
        version, kind, length = data[0], data[1:2], struct.unpack(">I", data[2:6])[0]
        payload = data[6:6 + length]
        if kind == b"B":
            codes.append(payload.decode(errors="replace").split(" ")[0])
        data = data[6 + length:]
    return codes


def test_garbage_and_oversized_frames_are_disconnected_and_logged(mesh):
    a = mesh("alice")
    b = mesh("bob", [a])
    wait_connected([a, b])

    s = raw_connect(a.port)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    data = read_until_closed(s)
    s.close()
    assert data.startswith(b"\x01H"), "the peer greets with HELLO"
    assert "protocol" in bye_codes(data)

    s = raw_connect(a.port)
    s.sendall(struct.pack(">BcI", 1, b"M", 16 * 1024 * 1024))
    data = read_until_closed(s)
    s.close()
    assert "protocol" in bye_codes(data)

    wait_until(lambda: "unsupported frame version" in a.stderr() and "exceeds" in a.stderr(), what="log lines")
    expected = say_round([a, b], "unharmed")
    expect_exactly_once([a, b], expected)
    assert a.alive() and b.alive()


def test_thirty_peers_fifty_messages_each_exactly_once(mesh):
    n, per_peer = 30, 50
    peers = [mesh("p00")]
    for i in range(1, n):
        peers.append(mesh(f"p{i:02d}", [peers[(i - 1) // 2]]))
    wait_connected(peers, timeout=30)
    expected = []
    for p in peers:
        lines = [f"n{k} from {p.name}" for k in range(per_peer)]
        p.say(*lines)
        expected += [f"{p.name}: {line}" for line in lines]
    expect_exactly_once(peers, expected, timeout=60)
    for p in peers[:5]:
        per_origin_in_order(p, "n")
