"""Messaging extensions against the built binary: SILENCE, UTF8ONLY, draft/multiline and
draft/message-redaction, including their configuration keys.

References: ircv3.net "Multiline messages" and "Message redaction" (drafts), "UTF8ONLY ISUPPORT
token"; ircu/UnrealIRCd SILENCE (271, 272, 511).
"""

import re

from ircclient import command_re, numeric_re

MULTI = ["message-tags", "batch", "echo-message", "server-time", "labeled-response", "draft/multiline"]
REDACT = ["message-tags", "echo-message", "draft/message-redaction"]


def isupport(burst):
    tokens = []
    for line in burst:
        if line.command == "005":
            tokens += line.params[1:-1]
    return tokens


def test_silence_drops_a_senders_messages_for_the_silencer_only(server):
    alice = server.registered("alice")
    bob = server.registered("bob")
    carol = server.registered("carol")
    for c in (alice, bob, carol):
        c.join("#s")
    alice.send("SILENCE +bob")
    assert alice.expect(command_re("SILENCE", "alice")).last == "+bob!*@*"
    bob.send("PRIVMSG #s :one")
    bob.send("PRIVMSG alice :two")
    assert carol.expect(command_re("PRIVMSG", "bob")).last == "one"
    bob.sync()  # both lines handled: anything for alice was queued before her PONG
    alice.sync()
    assert not any(l.command == "PRIVMSG" for l in alice.history)
    alice.send("SILENCE")
    assert alice.expect_numeric("271").params[1:] == ["alice", "bob!*@*"]
    alice.expect_numeric("272")


def test_silence_limit_is_configured_advertised_and_answered(start_server):
    srv = start_server({"limits": {"max_silence": 2}})
    alice = srv.client("alice")
    assert "SILENCE=2" in isupport(alice.register("alice"))
    alice.send("SILENCE +a,+b,+c")
    assert alice.expect_numeric("511").params[1] == "c!*@*"


def test_utf8only_is_advertised_and_non_utf8_is_refused(server):
    alice = server.client("alice")
    assert "UTF8ONLY" in isupport(alice.register("alice"))
    bob = server.registered("bob")
    alice.send_raw(b"PRIVMSG bob :caf\xe9\r\n")
    fail = alice.expect(command_re("FAIL"))
    assert fail.params[:2] == ["PRIVMSG", "INVALID_UTF8"], fail
    alice.send("PRIVMSG bob :caf\u00e9")
    assert bob.expect(command_re("PRIVMSG", "alice")).last == "caf\u00e9"
    assert not any("caf\ufffd" in l for l in bob.history)


def test_utf8_only_can_be_turned_off(start_server):
    srv = start_server({"server": {"utf8_only": False}})
    alice = srv.client("alice")
    assert "UTF8ONLY" not in isupport(alice.register("alice"))
    bob = srv.registered("bob")
    alice.send_raw(b"PRIVMSG bob :caf\xe9\r\n")
    bob.expect(command_re("PRIVMSG", "alice"))


def test_multiline_batch_is_relayed_as_a_batch_and_as_lines(start_server):
    srv = start_server({"limits": {"multiline_max_lines": 3}})
    alice = srv.registered("alice", caps=MULTI)
    ls = srv.client("probe")
    ls.send("CAP LS 302")
    assert "draft/multiline=max-bytes=4096,max-lines=3" in ls.expect(r"CAP \* LS ").last.split()
    bob = srv.registered("bob", caps=MULTI)
    carol = srv.registered("carol")
    for c in (alice, bob, carol):
        c.join("#m")
    alice.sync()
    bob.sync()
    alice.send("@label=l1 BATCH +x draft/multiline #m")
    alice.send("@batch=x PRIVMSG #m :hello")
    alice.send("@batch=x;draft/multiline-concat PRIVMSG #m :world")
    alice.send("BATCH -x")
    start = alice.expect(command_re("BATCH", "alice"))
    assert start.tags.get("label") == "l1" and start.params[1:] == ["draft/multiline", "#m"], start
    ref = start.params[0][1:]
    body = alice.collect_until(re.compile(r"BATCH -%s$" % re.escape(ref)))
    assert [l.last for l in body[:-1]] == ["hello", "world"], body
    got = bob.expect(command_re("BATCH", "alice"))
    assert got.tags["msgid"] == start.tags["msgid"]
    plain = [carol.expect(command_re("PRIVMSG", "alice")) for _ in range(2)]
    assert [l.last for l in plain] == ["hello", "world"]

    alice.send("BATCH +y draft/multiline #m")
    for _ in range(4):
        alice.send("@batch=y PRIVMSG #m :x")
    fail = alice.expect(command_re("FAIL"))
    assert fail.params[:3] == ["BATCH", "MULTILINE_MAX_LINES", "3"], fail


def test_a_multiline_message_comes_back_from_chathistory_as_a_nested_batch_or_as_lines(start_server):
    srv = start_server()
    alice = srv.registered("alice", caps=MULTI)
    bob = srv.registered("bob", caps=MULTI + ["draft/chathistory"])
    carol = srv.registered("carol", caps=["batch", "message-tags", "draft/chathistory"])
    for c in (alice, bob, carol):
        c.join("#h")
    alice.send("BATCH +x draft/multiline #h")
    alice.send("@batch=x PRIVMSG #h :first")
    alice.send("@batch=x PRIVMSG #h :sec")
    alice.send("@batch=x;draft/multiline-concat PRIVMSG #h :ond")
    alice.send("BATCH -x")
    msgid = alice.expect(command_re("BATCH", "alice")).tags["msgid"]
    alice.sync()

    bob.send("CHATHISTORY LATEST #h * 10")
    outer = bob.expect(r"^(?:@\S+ )?:\S+ BATCH \+\S+ chathistory #h")
    ref = outer.params[0][1:]
    lines = bob.collect_until(re.compile(r"^(?:@\S+ )?:\S+ BATCH -%s$" % re.escape(ref)))
    inner = next(l for l in lines if l.command == "BATCH" and l.params[0].startswith("+"))
    assert inner.params[1:] == ["draft/multiline", "#h"] and inner.tags["batch"] == ref, inner
    assert inner.tags["msgid"] == msgid, inner
    inner_ref = inner.params[0][1:]
    assert [l.last for l in lines if l.tags.get("batch") == inner_ref] == ["first", "second"], lines

    carol.send("CHATHISTORY LATEST #h * 10")
    outer = carol.expect(r"^(?:@\S+ )?:\S+ BATCH \+\S+ chathistory #h")
    ref = outer.params[0][1:]
    lines = carol.collect_until(re.compile(r"^(?:@\S+ )?:\S+ BATCH -%s$" % re.escape(ref)))
    privmsgs = [l for l in lines if l.command == "PRIVMSG"]
    assert [l.last for l in privmsgs] == ["first", "second"], lines
    assert privmsgs[0].tags.get("msgid") == msgid and "msgid" not in privmsgs[1].tags, privmsgs


def test_redact_by_the_author_reaches_members_with_the_capability(start_server):
    srv = start_server({"limits": {"redact_window": 60}})
    alice = srv.registered("alice", caps=REDACT)
    bob = srv.registered("bob", caps=REDACT)
    carol = srv.registered("carol", caps=["message-tags"])
    for c in (alice, bob, carol):
        c.join("#r")
    alice.sync()
    bob.sync()
    bob.send("PRIVMSG #r :oops")
    msgid = bob.expect(command_re("PRIVMSG", "bob")).tags["msgid"]
    carol.expect(command_re("PRIVMSG", "bob"))
    bob.send(f"REDACT #r {msgid} :typo")
    redact = alice.expect(command_re("REDACT", "bob"))
    assert redact.params == ["#r", msgid, "typo"], redact
    bob.expect(command_re("REDACT", "bob"))
    carol.sync()
    assert not any(l.command == "REDACT" for l in carol.history)
    bob.send(f"REDACT #r {msgid}")
    fail = bob.expect(command_re("FAIL"))
    assert fail.params[:4] == ["REDACT", "UNKNOWN_MSGID", "#r", msgid], fail
