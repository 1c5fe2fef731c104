"""The simple fixed-frame channel protocol (seed 001; docs/protocol.md "Simple"), end to end:
the front door of `parley server`, `parley simple-server`, the bridge to IRC and
`parley simple-client`."""

from __future__ import annotations

import random
import signal
import socket
import subprocess
import time

import pytest

from ircclient import ParleyServer
from simpleclient import (FRAME, ClientProcess, SimpleConn, SimpleServerProcess, frame, simple_port_of,
                          IRC_LINE_RE, wait_for_line)

WIPE = "\r    \r"
PROMPT = "[Me] "
INVALID = " is not a valid control message. Valid messages are /create, /list, and /join."
NOT_IN_CHANNEL = "Not currently in any channel. Must join a channel before sending messages."


@pytest.fixture
def door(start_server):
    """(server, connect): a `parley server` with its simple front door; connect(name) -> SimpleConn."""
    server = start_server({"server": {"simple_port": 0}})
    port = simple_port_of(server)
    conns: list[SimpleConn] = []

    def connect(name=None, **kwargs) -> SimpleConn:
        c = SimpleConn("127.0.0.1", port, name, **kwargs)
        conns.append(c)
        return c

    connect.port = port
    yield server, connect
    for c in conns:
        c.close()


def test_the_seeds_two_client_scenario(door):
    _, connect = door
    panda = connect("Panda")
    panda.send("Hello world!")
    panda.expect_text(NOT_IN_CHANNEL)
    panda.send("/list")
    panda.nothing()
    panda.send("/create 168_tas")
    panda.send("/list")
    panda.expect_text("168_tas")
    alice = connect("Alice")
    alice.send("/list")
    alice.expect_text("168_tas")
    alice.send("/join 168_tas")
    panda.expect_text("Alice has joined")
    alice.send("Hi everyone! Does anyone know what we're doing on the first day of lecture?")
    panda.expect_text("[Alice] Hi everyone! Does anyone know what we're doing on the first day of lecture?")
    panda.send("Hello world!")
    alice.expect_text("[Panda] Hello world!")
    alice.nothing()
    panda.nothing()
    panda.close()
    alice.expect_text("Panda has left")


def test_every_error_string(door):
    _, connect = door
    a = connect("A")
    cases = [
        ("/joir x", "/joir" + INVALID),
        ("/Join x", "/Join" + INVALID),
        ("/", "/" + INVALID),
        ("/join", "/join command must be followed by the name of a channel to join."),
        ("/create", "/create command must be followed by the name of a channel to create"),
        ("/join nope", "No channel named nope exists. Try '/create nope'?"),
        ("hello", NOT_IN_CHANNEL),
    ]
    for sent, expected in cases:
        a.send(sent)
        a.expect_text(expected)
    a.send("/create room")
    a.send("/create room")
    a.expect_text("Room room already exists, so cannot be created.")
    b = connect("B")
    b.send("/create room")
    b.expect_text("Room room already exists, so cannot be created.")
    a.nothing()


def test_a_failed_join_leaves_the_client_where_it_was(door):
    _, connect = door
    a, b = connect("A"), connect("B")
    a.create("aa")
    b.send("/join aa")
    a.expect_text("B has joined")
    b.send("/join zz")
    b.expect_text("No channel named zz exists. Try '/create zz'?")
    b.send("still in aa")
    a.expect_text("[B] still in aa")


def test_join_and_create_leave_the_current_channel_first(door):
    _, connect = door
    a, b, c = connect("A"), connect("B"), connect("C")
    a.create("one")
    b.send("/join one")
    a.expect_text("B has joined")
    c.create("two")
    b.send("/join two")
    a.expect_text("B has left")
    c.expect_text("B has joined")
    b.send("/create three")
    c.expect_text("B has left")
    b.send("alone")
    a.nothing()
    c.nothing()


def test_list_is_sorted_one_per_line_and_empty_sends_nothing(door):
    _, connect = door
    a = connect("A")
    a.send("/list")
    a.nothing()
    others = []
    for name in ["delta", "Alpha", "charlie", "bravo"]:
        c = connect("owner-" + name)
        c.send("/create " + name)
        c.send("/list")  # answered once the /create before it is done
        assert name in c.expect(1)[0].split("\n")
        others.append(c)
    a.send("/list extra words are ignored")
    a.expect_text("Alpha\nbravo\ncharlie\ndelta")
    for c in others:
        c.close()
    # The server sees the hang-ups on its next turns (later on a loaded machine): ask until the
    # channels their owners left are gone, then the empty list is answered with nothing.
    deadline = time.monotonic() + 10
    while True:
        a.send("/list")
        try:
            a.nothing()
            break
        except AssertionError:
            assert time.monotonic() < deadline, "channels still listed 10 s after their members left"
            a.expect(max(len(a.received), 1))  # this answer; ask again


def test_frames_split_into_random_chunks_and_coalesced(door):
    _, connect = door
    rng = random.Random(4188)
    listener = connect("Listener")
    listener.create("chunks")
    sender = connect()
    messages = [f"message number {i} " + "x" * rng.randrange(1, 150) for i in range(30)]
    stream = frame("Chunky") + frame("/join chunks") + b"".join(frame(m) for m in messages)
    pos = 0
    while pos < len(stream):
        size = rng.choice([1, 7, 50, 199, 200, 201, 399, 600, 1000])
        sender.send_raw(stream[pos:pos + size])
        pos += size
        time.sleep(rng.choice([0, 0, 0.01]))
    listener.expect_text("Chunky has joined")
    assert listener.expect(len(messages)) == [f"[Chunky] {m}" for m in messages]
    # Several frames in one write, the last one split across writes.
    sender.send_raw(frame("one") + frame("two") + frame("three")[:100])
    assert listener.expect(2) == ["[Chunky] one", "[Chunky] two"]
    listener.nothing(0.2)
    sender.send_raw(frame("three")[100:])
    listener.expect_text("[Chunky] three")


def test_two_clients_interleaving_partial_frames(door):
    _, connect = door
    a, b = connect(), connect()
    c = connect("Watcher")
    c.create("mix")
    fa = frame("Ann") + frame("/join mix") + frame("from ann")
    fb = frame("Ben") + frame("/join mix") + frame("from ben")
    for i in range(0, len(fa), 37):
        a.send_raw(fa[i:i + 37])
        b.send_raw(fb[i:i + 37])
        time.sleep(0.002)
    got = sorted(c.expect(4))
    assert got == sorted(["Ann has joined", "Ben has joined", "[Ann] from ann", "[Ben] from ben"])


def test_a_stray_newline_and_padding_are_stripped(door):
    _, connect = door
    a, b = connect("A"), connect("B")
    a.create("nl")
    b.send("/join nl\n")
    a.expect_text("B has joined")
    b.send("text with trailing spaces   ")
    a.expect_text("[B] text with trailing spaces")


def test_long_text_arrives_in_several_frames_without_splitting_characters(door):
    server, connect = door
    a = connect("A")
    a.create("long")
    irc = server.registered("ircer")
    irc.join("#long")
    a.expect_text("ircer has joined")
    text = "é" * 150 + "!"  # 301 bytes
    irc.send("PRIVMSG #long :" + text)
    pieces = a.expect(2)
    assert all(p.startswith("[ircer] ") for p in pieces)
    assert "".join(p[len("[ircer] "):] for p in pieces) == text


def test_client_disconnect_is_announced_and_nothing_else_changes(door):
    _, connect = door
    a, b, c = connect("A"), connect("B"), connect("C")
    a.create("room")
    b.send("/join room")
    a.expect_text("B has joined")
    c.send("/join room")
    a.expect_text("C has joined")
    b.expect_text("C has joined")
    b.close()
    a.expect_text("B has left")
    c.expect_text("B has left")
    # A client that leaves before sending its name is never announced.
    d = connect()
    d.send_raw(b"half a name")
    d.close()
    a.send("still fine")
    c.expect_text("[A] still fine")
    a.nothing()


def test_server_shutdown_is_seen_by_raw_connections_and_clients(door, parley_bin):
    server, connect = door
    a = connect("A")
    a.create("x")
    client = ClientProcess(parley_bin, "Bee", "127.0.0.1", connect.port)
    try:
        client.wait_out(lambda o: o == PROMPT)
        client.type("/join x")
        a.expect_text("Bee has joined")
        # SIGTERM, and read while the server shuts down: a raw connection that nobody reads would
        # hold the shutdown for its whole closing deadline (3 s).
        server.stopped = True
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        a.expect_closed()
        a.close()  # the server waits for this close (its FIN came first) before it exits
        assert client.wait_exit() == 0
        assert server.proc.wait(timeout=10) == 0, server.logs()
        assert time.monotonic() - started < 5, server.logs()
        host_port = f"127.0.0.1:{connect.port}"
        assert client.out == PROMPT + PROMPT + WIPE + f"Server at {host_port} has disconnected\n"
    finally:
        client.stop()


def test_unreachable_server(parley_bin):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connections are refused
        out = subprocess.run([parley_bin, "simple-client", "Nobody", "127.0.0.1", str(port)],
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
        assert out.returncode != 0
        assert out.stdout.decode() == f"Unable to connect to 127.0.0.1:{port}\n"
        out = subprocess.run([parley_bin, "simple-client", "Nobody", "127.000.000.001", f"0{port}"],
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
        assert out.returncode != 0
        assert out.stdout.decode() == f"Unable to connect to 127.000.000.001:0{port}\n", "HOST and PORT as given"
        assert out.stderr.decode() == (f"parley simple-client: cannot connect to 127.000.000.001 port 0{port}: "
                                       "Connection refused\n")


def test_client_gives_up_on_an_address_that_never_answers_after_10_s(parley_bin):
    # A listener whose backlog is full drops further SYNs: an unbounded connect waits minutes.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            start = time.monotonic()
            out = subprocess.run([parley_bin, "simple-client", "Nobody", "127.0.0.1", str(port)],
                                 stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
            took = time.monotonic() - start
    assert out.returncode != 0
    assert out.stdout.decode() == f"Unable to connect to 127.0.0.1:{port}\n"
    assert f"cannot connect to 127.0.0.1 port {port}: timed out after 10 s" in out.stderr.decode()
    assert 9 < took < 20, took


def test_client_stdout_is_exact(door, parley_bin):
    _, connect = door
    b = connect("Bob")
    client = ClientProcess(parley_bin, "Panda", "127.0.0.1", connect.port)
    try:
        client.wait_out(lambda o: o == PROMPT, what="the first prompt")
        client.type("Hello world!")
        expected = PROMPT + PROMPT + WIPE + NOT_IN_CHANNEL + "\n" + PROMPT
        client.wait_out(lambda o: o == expected, what=repr(expected))
        client.type("")  # an empty line is not sent, but prompted
        client.type("/create 168_tas")
        expected += PROMPT + PROMPT
        client.wait_out(lambda o: o == expected, what=repr(expected))
        b.send("/join 168_tas")
        expected += WIPE + "Bob has joined\n" + PROMPT
        client.wait_out(lambda o: o == expected, what=repr(expected))
        b.send("Hi Panda")
        expected += WIPE + "[Bob] Hi Panda\n" + PROMPT
        client.wait_out(lambda o: o == expected, what=repr(expected))
        client.type("Hello Bob")
        b.expect_text("[Panda] Hello Bob")
        expected += PROMPT
        client.type("x" * 250)  # longer than a frame: sent as two frames, relayed as three
        got = b.expect(3)
        assert all(len(t.encode()) <= FRAME and t.startswith("[Panda] ") for t in got)
        assert "".join(t[len("[Panda] "):] for t in got) == "x" * 250
        expected += PROMPT
        client.wait_out(lambda o: o == expected, what=repr(expected))
        b.nothing(0.2)
        assert client.proc.poll() is None
        assert client.proc.stderr is not None
    finally:
        client.stop()


def test_client_keeps_receiving_after_end_of_input(door, parley_bin):
    _, connect = door
    b = connect("Bob")
    b.create("pipe")
    client = ClientProcess(parley_bin, "Piper", "127.0.0.1", connect.port)
    try:
        client.proc.stdin.write(b"/join pipe\nfirst\nlast line without newline")
        client.proc.stdin.close()
        b.expect_text("Piper has joined")
        b.expect_text("[Piper] first")
        b.expect_text("[Piper] last line without newline")
        b.send("still there?")
        client.wait_out(lambda o: o.endswith(WIPE + "[Bob] still there?\n" + PROMPT))
        b.close()
    finally:
        client.stop()


def test_hundred_concurrent_simple_clients(start_server):
    # No flood.exempt: simple clients on loopback are exempt by default (flood.simple_exempt),
    # so the per-IP limit of 10 does not apply to them.
    server = start_server({"server": {"simple_port": 0}, "flood": {"exempt": []}})
    port = simple_port_of(server)
    conns = [SimpleConn("127.0.0.1", port, f"user{i}") for i in range(100)]
    try:
        conns[0].send("/create crowd")
        conns[0].send("/list")
        conns[0].expect_text("crowd")
        for c in conns[1:]:
            c.send("/join crowd")
        conns[0].expect(99, timeout=15)
        for i, c in enumerate(conns):
            c.send(f"hello from {i}")
        for i, c in enumerate(conns):
            got = []
            while len(got) < 99:  # after the notices of those who joined later
                got += [t for t in c.expect(1, timeout=15) if not t.endswith(" has joined")]
            assert sorted(got) == sorted(f"[user{j}] hello from {j}" for j in range(100) if j != i)
        conns[0].send("/list")
        conns[0].expect_text("crowd")
    finally:
        for c in conns:
            c.close()


def test_bridge_both_ways_with_an_irc_client(door):
    server, connect = door
    s = connect("Simon")
    s.create("bridge")
    irc = server.registered("ircuser")
    burst = irc.join("#bridge")
    names = [e for l in burst if l.command == "353" for e in l.last.split()]
    assert "@Simon" in names
    s.expect_text("ircuser has joined")
    irc.send("PRIVMSG #bridge :hello from IRC")
    s.expect_text("[ircuser] hello from IRC")
    s.send("hello from simple")
    line = irc.expect_command("PRIVMSG", "Simon")
    assert line.params == ["#bridge", "hello from simple"]
    assert line.source.startswith("Simon!~simple@")
    t = connect("Tina")
    t.send("/join bridge")
    irc.expect_command("JOIN", "Tina")
    s.expect_text("Tina has joined")
    t.send("/create elsewhere")
    irc.expect_command("PART", "Tina")
    s.expect_text("Tina has left")
    t.close()
    irc.send("PART #bridge :bye")
    s.expect_text("ircuser has left")
    irc.join("#bridge")
    s.expect_text("ircuser has joined")
    irc.send("QUIT :done")
    s.expect_text("ircuser has left")
    s.close()
    watcher = server.registered("watcher")
    watcher.join("#elsewhere")  # created by Tina, who has gone: a new channel
    u = connect("Una")
    u.send("/join elsewhere")
    watcher.expect_command("JOIN", "Una")
    u.close()
    watcher.expect_command("QUIT", "Una")


def test_an_irc_channel_is_listed_and_joinable(door):
    server, connect = door
    irc = server.registered("opener")
    irc.join("#fromirc")
    s = connect("S")
    s.send("/list")
    s.expect_text("fromirc")
    s.send("/join fromirc")
    irc.expect_command("JOIN", "S")
    irc.send("PRIVMSG #fromirc :welcome")
    s.expect_text("[opener] welcome")


def test_names_that_are_not_valid_or_free_irc_nicks(door):
    server, connect = door
    irc = server.registered("Alice")
    irc.join("#names")
    twin = connect("Alice")
    twin.send("/join names")
    joined = irc.expect_command("JOIN")
    assert joined.nick == "Alice1"
    spaced = connect("Mary Ann")
    spaced.send("/join names")
    assert irc.expect_command("JOIN").nick == "Mary_Ann"
    twin.expect_text("Mary Ann has joined")
    spaced.send("hi")
    twin.expect_text("[Mary Ann] hi")
    assert irc.expect_command("PRIVMSG").nick == "Mary_Ann"
    irc.send("PRIVMSG #names :from the IRC Alice")
    twin.expect_text("[Alice] from the IRC Alice")
    spaced.expect_text("[Alice] from the IRC Alice")


def test_simple_server_is_the_seeds_shape(parley_bin, tmp_path):
    srv = SimpleServerProcess(parley_bin, tmp_path / "s1")
    try:
        assert IRC_LINE_RE.search(srv.stdout()) is None, "no IRC listener without --port"
        a, b = SimpleConn(srv.host, srv.port, "A"), SimpleConn(srv.host, srv.port, "B")
        a.create("seed")
        b.send("/join seed")
        a.expect_text("B has joined")
        # Many clients from one address: simple-server exempts them all from the per-IP limit.
        many = [SimpleConn(srv.host, srv.port, f"m{i}") for i in range(15)]
        for c in many:
            c.send("/join seed")
        assert len(a.expect(15)) == 15
        for c in many + [a, b]:
            c.close()
    finally:
        srv.stop()
    srv = SimpleServerProcess(parley_bin, tmp_path / "s2", ["--port", "0"])
    try:
        host, irc_port = wait_for_line(srv.stdout_path, IRC_LINE_RE, srv.proc)
        s = SimpleConn(srv.host, srv.port, "S")
        s.create("both")
        with socket.create_connection((host, irc_port), timeout=5) as irc:
            irc.sendall(b"NICK i\r\nUSER i 0 * :i\r\nJOIN #both\r\n")
            s.expect_text("i has joined")
        s.expect_text("i has left")
        s.close()
    finally:
        srv.stop()


def test_the_simple_port_flag(parley_bin, tmp_path):
    srv = ParleyServer(parley_bin, tmp_path / "flag", {"server": {"name": "irc.parley.test"}},
                       extra_args=["--simple-port", "0"])
    try:
        port = simple_port_of(srv)
        c = SimpleConn("127.0.0.1", port, "F")
        c.send("/list")
        c.nothing()
        c.close()
    finally:
        srv.stop()


def test_a_password_protected_server_refuses_the_simple_door(parley_bin, tmp_path, password_hash):
    config = tmp_path / "p.toml"
    config.write_text(f'[server]\nsimple_port = 0\npassword_hash = "{password_hash("pw")}"\n')
    out = subprocess.run([parley_bin, "server", "--check-config", str(config)], capture_output=True, timeout=10)
    assert out.returncode == 1
    assert "simple_port cannot be combined with server.password_hash" in out.stdout.decode()


@pytest.mark.parametrize("port", ["0", "65536", "http", "-1"])
def test_client_rejects_a_port_that_is_not_a_tcp_port(parley_bin, port):
    out = subprocess.run([parley_bin, "simple-client", "Nobody", "127.0.0.1", port],
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    assert out.returncode != 0
    assert out.stdout == b""  # diagnostics go to stderr
    assert b"PORT" in out.stderr
