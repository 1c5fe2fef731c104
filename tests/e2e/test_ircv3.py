"""IRCv3 machinery shared by every command, against the built binary: message ids,
labeled-response with batch, and CAP LS 302 values; plus the defaults a new operator meets
(the per-IP limit and loopback, the MOTD of a config file that sets none).

References: ircv3.net specs "Message IDs", "Labeled responses", "Batches", "Capability
negotiation"; modern.ircdocs.horse "Connection Registration".
"""

import re

from ircclient import command_re, numeric_re

MSGID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def test_msgid_is_shared_by_recipients_and_echo_and_differs_per_message(server):
    alice = server.registered("alice", caps=["message-tags", "echo-message"])
    bob = server.registered("bob", caps=["message-tags"])
    carol = server.registered("carol")
    for c in (alice, bob, carol):
        c.join("#m")
    alice.send("PRIVMSG #m :first")
    alice.send("PRIVMSG #m :second")
    echoes = [alice.expect(command_re("PRIVMSG", "alice")) for _ in range(2)]
    got = [bob.expect(command_re("PRIVMSG", "alice")) for _ in range(2)]
    plain = carol.expect(command_re("PRIVMSG", "alice"))
    assert all(MSGID.match(l.tags.get("msgid", "")) for l in echoes + got), echoes + got
    assert [l.tags["msgid"] for l in echoes] == [l.tags["msgid"] for l in got]
    assert echoes[0].tags["msgid"] != echoes[1].tags["msgid"]
    assert not plain.startswith("@"), "no tags for a client without message-tags"


def test_labeled_responses_single_batch_and_ack(server):
    alice = server.registered("alice", caps=["labeled-response", "batch"])
    alice.send("@label=one PING tok")
    pong = alice.expect(command_re("PONG"))
    assert pong.tags == {"label": "one"}, pong

    alice.send("@label=two JOIN #l")
    start = alice.expect(command_re("BATCH"))
    assert start.tags.get("label") == "two" and start.params[0].startswith("+"), start
    assert start.params[1] == "labeled-response", start
    ref = start.params[0][1:]
    inside = alice.collect_until(re.compile(r"^:\S+ BATCH -%s$" % re.escape(ref)))
    body = inside[:-1]
    assert body and all(l.tags.get("batch") == ref for l in body), inside
    assert body[0].command == "JOIN" and body[-1].command == "366", inside

    alice.send("@label=three PONG :x")
    ack = alice.expect(command_re("ACK"))
    assert ack.tags == {"label": "three"}, ack


def test_cap_ls_302_lists_batch_and_labeled_response(server):
    c = server.client("c")
    caps = set(c.cap_ls())
    assert {"batch", "labeled-response", "message-tags", "server-time"} <= caps, caps


def test_loopback_is_not_counted_against_the_per_ip_limit_by_default(start_server):
    srv = start_server({"limits": {"max_clients_per_ip": 2}, "flood": {"exempt": []}})
    clients = [srv.registered(f"u{i}") for i in range(4)]
    assert len(clients) == 4


def test_per_ip_exempt_can_be_emptied(start_server):
    srv = start_server({"limits": {"max_clients_per_ip": 2, "per_ip_exempt": []}, "flood": {"exempt": []}})
    srv.registered("u1")
    srv.registered("u2")
    third = srv.client("u3")
    third.expect_error_and_close(r"^ERROR :Closing Link: \S+ \(Too many connections from your IP address\)")


def test_config_without_motd_does_not_claim_the_embedded_default(start_server):
    srv = start_server(base={"server": {"name": "irc.example.test"}, "flood": {"exempt": ["127.0.0.0/8"]}})
    alice = srv.client("alice")
    burst = alice.register("alice")
    motd = " ".join(l.last for l in burst if l.command == "372")
    assert motd, burst
    assert "embedded default" not in motd, motd
