"""Bad input, limits and load: garbage bytes, oversized lines, flood control, slow readers,
many clients, per-IP limits and a clean shutdown.

The rule under test (docs: DESIGN.md "Errors and bad input"): bad input never crashes, stalls
or corrupts the server; the sender gets a clear error, other users notice nothing, nothing
already accepted is lost; every limit is answered with a clear message.
"""

import random
import re
import signal
import socket
import struct
import subprocess
import time

from ircclient import command_re, numeric_re, read_many

# Configuration for tests of flood control and per-IP limits: every test client comes from
# 127.0.0.1, so nothing may be exempt.
NOT_EXEMPT = {"flood": {"exempt": []}}


def channel_of(server, *nicks, channel="#c"):
    clients = [server.registered(n) for n in nicks]
    for c in clients:
        c.join(channel)
    for c in clients:
        c.sync()
    return clients


# ---- garbage ---------------------------------------------------------------------------------


def test_binary_garbage_is_answered_or_ignored_and_the_connection_survives(server):
    alice, bob = channel_of(server, "alice", "bob")
    alice.send_raw(b"\xff\xfe\xfd\xfc\r\n\x80\x81 \x82\r\n\x1b[31mred\x1b[0m\r\n\x01\x02\x03\r\n:::: ::\r\n@@@ @\r\n")
    alice.sync()
    alice.send("PRIVMSG #c :still alive")
    assert bob.expect_command("PRIVMSG", "alice").last == "still alive"
    assert not any(l.command in ("QUIT", "ERROR") for l in bob.history + alice.history)


def test_nul_bytes_do_not_reach_other_clients(server):
    # modern.ircdocs.horse: NUL is not allowed within messages; a server must not relay it.
    alice, bob = channel_of(server, "alice", "bob")
    alice.send_raw(b"PRIVMSG #c :hel\x00lo\r\n")
    alice.send_raw(b"\x00\x00\x00\r\n")
    alice.send_raw(b"PRIVMSG bob :\x00\r\n")
    alice.sync()
    alice.send("PRIVMSG #c :after the NULs")
    bob.expect(r"after the NULs")
    assert not any("\x00" in l for l in bob.history), [l for l in bob.history if "\x00" in l]


def test_lone_carriage_returns_end_lines(server):
    alice = server.registered("alice")
    alice.send_raw(b"PING :one\rPING :two\r")
    assert alice.expect_command("PONG").last == "one"
    assert alice.expect_command("PONG").last == "two"


def test_bare_line_feeds_end_lines(server):
    alice = server.registered("alice")
    alice.send_raw(b"PING :one\nPING :two\n")
    assert alice.expect_command("PONG").last == "one"
    assert alice.expect_command("PONG").last == "two"


def test_command_split_across_many_writes(server):
    alice, bob = channel_of(server, "alice", "bob")
    for b in b"PRIVMSG #c :byte by byte\r\n":
        alice.send_raw(bytes([b]))
        time.sleep(0.002)
    assert bob.expect_command("PRIVMSG", "alice").last == "byte by byte"


def test_20000_byte_line_gives_417_and_the_connection_still_works(server):
    alice, bob = channel_of(server, "alice", "bob")
    alice.send("PRIVMSG #c :" + "x" * 20000)
    alice.expect_numeric("417")
    alice.send("PRIVMSG #c :short again")
    assert bob.expect_command("PRIVMSG", "alice").last == "short again"
    assert not any(l.command == "PRIVMSG" and l.last.startswith("xxx") for l in bob.history)
    # Exactly one 417 for the one oversized line.
    alice.sync()
    assert sum(1 for l in alice.history if l.command == "417") == 1


def test_message_part_over_512_bytes_gives_417(server):
    alice, bob = channel_of(server, "alice", "bob")
    alice.send("PRIVMSG #c :" + "y" * 600)  # under the receive buffer, over the IRC limit
    alice.expect_numeric("417")
    alice.sync()
    bob.assert_nothing(0.3, command_re("PRIVMSG"))


def test_message_of_exactly_512_bytes_is_accepted(server):
    alice, bob = channel_of(server, "alice", "bob")
    line = "PRIVMSG #c :"
    text = "w" * (510 - len(line))
    alice.send(line + text)  # 510 bytes + CR LF = 512
    got = bob.expect_command("PRIVMSG", "alice")
    assert got.last and text.startswith(got.last), "relayed whole (or cut to fit the relay prefix)"
    alice.sync()
    assert not any(l.command == "417" for l in alice.history)


def test_tag_section_over_8191_bytes_gives_417(server):
    alice, bob = channel_of(server, "alice", "bob")
    alice.send("@+big=" + "t" * 8200 + " PRIVMSG #c :tagged")
    alice.expect_numeric("417")
    alice.sync()
    bob.assert_nothing(0.3, command_re("PRIVMSG"))


def test_client_tag_data_over_4094_bytes_is_refused(server):
    # message-tags: "clients MUST NOT send messages with tag data exceeding 4094 bytes";
    # the server answers ERR_INPUTTOOLONG and does not relay the message.
    alice = server.registered("alice", caps=["message-tags"])
    bob = server.registered("bob", caps=["message-tags"])
    alice.join("#c")
    bob.join("#c")
    alice.send("@+big=" + "t" * 5000 + " PRIVMSG #c :tagged")
    alice.expect_numeric("417")
    alice.sync()
    bob.assert_nothing(0.3, command_re("PRIVMSG"))


def test_abrupt_disconnect_is_seen_as_quit(server):
    alice, bob = channel_of(server, "alice", "bob")
    bob.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST on close
    bob.close()
    quit_line = alice.expect_command("QUIT", "bob")
    assert quit_line.last, quit_line
    alice.send("PRIVMSG #c :anyone?")
    alice.sync()
    assert alice.names("#c") == ["@alice"]


def test_connection_churn_leaves_the_server_working(server):
    for i in range(100):
        c = server.client(f"churn{i}")
        if i % 3 == 0:
            c.send(f"NICK churn{i}")
        if i % 3 == 1:
            c.send_raw(b"USER x 0 * :partial li")
        c.close()
    for i in range(20):
        c = server.registered(f"reg{i}")
        c.send("QUIT :done")
    alice = server.registered("alice")
    alice.send("LUSERS")
    lines = alice.collect_until(numeric_re("255"))
    assert re.search(r"\b1 users\b", [l for l in lines if l.command == "251"][0].last), lines


def test_100kb_of_random_bytes_do_not_disturb_other_clients(server):
    noisy, bob, carol = channel_of(server, "noisy", "bob", "carol")
    rng = random.Random(20240501)
    garbage = bytes(rng.getrandbits(8) for _ in range(100 * 1024))
    noisy.send_raw(garbage + b"\r\n")
    bob.send("PRIVMSG #c :hello from bob")
    got = carol.expect_command("PRIVMSG", "bob")
    assert got.params == ["#c", "hello from bob"]
    assert not carol.skipped, f"carol saw unexpected lines before bob's message: {carol.skipped!r}"
    carol.assert_nothing(0.5)
    # The noisy client is answered (errors) but keeps its connection.
    noisy.sync(timeout=10)
    noisy.send("PRIVMSG #c :sorry about that")
    assert carol.expect_command("PRIVMSG", "noisy").last == "sorry about that"


# ---- flood control ---------------------------------------------------------------------------


def test_flood_from_non_exempt_client_is_disconnected_with_excess_flood(start_server):
    srv = start_server({"flood": {"exempt": [], "burst": 5, "rate": 1, "max_debt": 5}})
    flooder = srv.registered("flooder")
    watcher = srv.registered("watcher")
    flooder.join("#c")
    watcher.join("#c")
    time.sleep(2)  # let the flooder's bucket refill after registering and joining
    flooder.send_raw(b"".join(b"PRIVMSG #c :flood %d\r\n" % i for i in range(60)))
    err = flooder.expect(r"^ERROR ", timeout=10, what="ERROR for the flooder")
    assert re.search(r"(?i)excess flood", err), err
    flooder.expect_closed()
    quit_line = watcher.expect_command("QUIT", "flooder", timeout=10)
    assert re.search(r"(?i)excess flood", quit_line.last), quit_line
    received = [l for l in watcher.history if l.command == "PRIVMSG"]
    assert 0 < len(received) < 60, f"the flood was cut off ({len(received)} of 60 relayed)"


def test_client_within_flood_limits_is_not_disconnected(start_server):
    srv = start_server({"flood": {"exempt": [], "burst": 10, "rate": 5, "max_debt": 5}})
    alice = srv.registered("alice")
    bob = srv.registered("bob")
    time.sleep(2)
    for i in range(12):
        alice.send(f"PRIVMSG bob :steady {i}")
        time.sleep(0.25)  # 4 per second, under the rate
    for i in range(12):
        assert bob.expect_command("PRIVMSG", "alice").last == f"steady {i}"
    alice.sync()
    assert not any(l.command == "ERROR" for l in alice.history)


def test_exempt_client_may_send_fast(start_server):
    srv = start_server({"flood": {"exempt": ["127.0.0.0/8"], "burst": 2, "rate": 1, "max_debt": 1}})
    alice = srv.registered("alice")
    bob = srv.registered("bob")
    alice.send_raw(b"".join(b"PRIVMSG bob :fast %d\r\n" % i for i in range(100)))
    for i in range(100):
        assert bob.expect_command("PRIVMSG", "alice").last == f"fast {i}"


# ---- slow readers ----------------------------------------------------------------------------


def test_slow_reader_is_dropped_with_sendq_exceeded_and_others_get_everything(start_server):
    srv = start_server({"limits": {"sendq_bytes": 65536}})
    slow = srv.client("slow", rcvbuf=4096, auto_pong=False)
    slow.register("slow")
    slow.join("#busy")
    talker, watcher = channel_of(srv, "talker", "watcher", channel="#busy")
    slow.sync()
    # From here on `slow` never reads again.
    payload = "z" * 380
    sent = 0
    batch = 100
    dropped_at = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        talker.send_raw(b"".join(b"PRIVMSG #busy :%d %s\r\n" % (sent + i, payload.encode()) for i in range(batch)))
        for i in range(batch):
            msg = watcher.expect(command_re("PRIVMSG", "talker"), what=f"message {sent + i}")
            assert msg.last.split(" ", 1)[0] == str(sent + i), f"watcher got {msg.last[:20]!r}, expected {sent + i}"
            quits = [l for l in watcher.skipped if l.command == "QUIT"]
            if quits and dropped_at is None:
                dropped_at = sent + i
                assert quits[0].nick == "slow", quits
                assert re.search(r"(?i)sendq exceeded", quits[0].last), quits[0]
        sent += batch
        if dropped_at is None:
            more = watcher.lines_for(0.01)
            quits = [l for l in more if l.command == "QUIT"]
            assert not [l for l in more if l.command == "PRIVMSG"], "no message beyond those sent"
            if quits:
                dropped_at = sent
                assert quits[0].nick == "slow" and re.search(r"(?i)sendq exceeded", quits[0].last), quits[0]
        if dropped_at is not None and sent >= dropped_at + 3 * batch:
            break  # a few more batches after the drop, all received in order
    assert dropped_at is not None, f"slow reader still connected after {sent} messages ({sent * 400 // 1024} KiB)"
    talker.sync()
    assert not any(l.command in ("ERROR", "QUIT") for l in talker.history if l.nick == "talker")
    # The slow reader finds ERROR (if it fit) and then EOF, not a hung connection.
    rest = slow.expect_closed(timeout=10)
    del rest


# ---- many clients ----------------------------------------------------------------------------


def test_200_clients_in_one_channel_receive_every_message_exactly_once_in_order(server):
    n_clients, n_senders, n_messages = 200, 20, 10
    clients = []
    for i in range(n_clients):
        c = server.client(f"u{i}", timeout=10)
        c.register(f"u{i}")
        clients.append(c)
    for c in clients:
        c.send("JOIN #crowd")
    last_nick = clients[-1].nick

    # The server reads 200 connections in no guaranteed order: a client whose JOIN is handled
    # after the last one's learns of it from NAMES (353) instead of a JOIN line.
    def knows_last(c) -> bool:
        return c is clients[-1] or any(
            (l.command == "JOIN" and l.nick == last_nick) or
            (l.command == "353" and last_nick in (n.lstrip("@+") for n in l.last.split()))
            for l in c.pending)

    joined_everyone = lambda: all(  # noqa: E731
        any(l.command == "366" for l in c.pending) and knows_last(c) for c in clients)
    read_many(clients, joined_everyone, timeout=60)
    for c in clients:
        c.pending.clear()

    senders = clients[:n_senders]
    for s_index, s in enumerate(senders):
        s.send_raw(b"".join(b"PRIVMSG #crowd :s%d m%d\r\n" % (s_index, m) for m in range(n_messages)))

    def privmsgs(c):
        return [l for l in c.pending if l.command == "PRIVMSG"]

    def expected_count(c):
        return (n_senders - 1) * n_messages if c in senders else n_senders * n_messages

    read_many(clients, lambda: all(len(privmsgs(c)) >= expected_count(c) for c in clients), timeout=60)
    time.sleep(0.3)  # then anything extra (duplicates) that is still on its way
    for c in clients:
        c.read_available()
    for c in clients:
        msgs = privmsgs(c)
        assert len(msgs) == expected_count(c), f"{c.nick} got {len(msgs)} messages, expected {expected_count(c)}"
        per_sender = {}
        for m in msgs:
            s_id, m_id = m.last.split()
            assert m.nick == f"u{s_id[1:]}", m
            per_sender.setdefault(s_id, []).append(int(m_id[1:]))
        for s_id, seq in per_sender.items():
            assert seq == list(range(n_messages)), f"{c.nick} got {s_id}'s messages as {seq}"
        assert len(per_sender) == (n_senders - 1 if c in senders else n_senders)
        assert not any(l.command in ("ERROR", "QUIT", "KICK", "PART") for l in c.pending), c.nick


# ---- connection limits -----------------------------------------------------------------------


def test_max_clients_per_ip_is_enforced_for_non_exempt_addresses(start_server):
    # Loopback is not counted by default (limits.per_ip_exempt); count it here.
    srv = start_server({**NOT_EXEMPT, "limits": {"max_clients_per_ip": 3, "per_ip_exempt": []}})
    first = [srv.registered(f"c{i}") for i in range(3)]
    extra = srv.client("extra")
    err = extra.expect(r"^ERROR ", what="ERROR for the connection over the per-IP limit")
    assert re.search(r"(?i)too many|connections|limit", err), err
    extra.expect_closed()
    # Closing one frees a slot.
    first[0].send("QUIT")
    first[0].expect_closed()
    time.sleep(0.2)
    srv.registered("again")


def test_max_clients_is_enforced(start_server):
    srv = start_server({"limits": {"max_clients": 2}})
    srv.registered("one")
    srv.registered("two")
    third = srv.client("three")
    third.expect(r"^ERROR ", what="ERROR for the connection over max_clients")
    third.expect_closed()


# ---- shutdown --------------------------------------------------------------------------------


def test_sigterm_sends_error_to_every_client_and_exits_0(server):
    members = channel_of(server, "alice", "bob", "carol")
    half = server.client("unregistered")
    half.send("NICK half")
    half.sync()
    start = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    for c in members + [half]:
        err = c.expect(r"^ERROR ", what="ERROR on shutdown")
        assert err.params, err
        c.expect_closed()
        c.close()
    server.stopped = True
    try:
        code = server.proc.wait(5)
    except subprocess.TimeoutExpired:
        server.kill()
        raise AssertionError(f"server still running 5s after SIGTERM\n{server.logs()}")
    assert code == 0, f"exit code {code}\n{server.logs()}"
    assert time.monotonic() - start < 5
