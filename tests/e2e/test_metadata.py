"""IRCv3 metadata (draft/metadata-3) against the built binary: the capability value from the
config, SET/GET round trips in `metadata` batches, subscriptions and their notifications, the
JOIN sync, before-connect values in the welcome burst, and the configured limits.

References: ircv3.net "Metadata" (as revised for draft/metadata-3), "Batches".
"""

import re

from ircclient import numeric_re

CAPS = ["draft/metadata-3", "batch"]


def batch_body(client, kind):
    """Reads a `BATCH +ref kind ...` and returns (its parameters, the lines inside it)."""
    start = client.expect(re.compile(r"^:\S+ BATCH \+\S+ %s( |$)" % re.escape(kind)))
    ref = start.params[0][1:]
    inside = client.collect_until(re.compile(r"^:\S+ BATCH -%s$" % re.escape(ref)))
    body = inside[:-1]
    assert all(l.tags.get("batch") == ref for l in body), inside
    return start.params[2:], body


def test_cap_value_follows_the_limits_config(start_server):
    srv = start_server({"limits": {"metadata_max_subs": 5, "metadata_max_keys": 4,
                                   "metadata_max_value_bytes": 120}})
    c = srv.client("c")
    c.send("CAP LS 302")
    ls = c.expect(r"CAP \* LS ")
    assert "draft/metadata-3=before-connect,max-subs=5,max-keys=4,max-value-bytes=120" in ls.last.split(), ls


def test_set_get_and_notification_to_a_subscriber(server):
    alice = server.registered("alice", caps=CAPS)
    bob = server.registered("bob", caps=CAPS)
    bob.send("METADATA * SUB display-name avatar")
    ok = bob.expect(numeric_re("770"))
    assert ok.params[1:] == ["display-name", "avatar"], ok
    alice.join("#m")
    bob.join("#m")

    alice.send("METADATA * SET display-name :Alice the First")
    reply = alice.expect(numeric_re("761"))
    assert reply.params == ["alice", "alice", "display-name", "*", "Alice the First"], reply
    note = bob.expect(numeric_re("761"))
    assert note.params == ["*", "alice", "display-name", "*", "Alice the First"], note

    bob.send("METADATA alice GET display-name homepage")
    params, body = batch_body(bob, "metadata")
    assert params == ["alice"]
    assert [(l.command, l.params[2]) for l in body] == [("761", "display-name"), ("766", "homepage")], body

    alice.send("METADATA * SET display-name")
    alice.expect(numeric_re("766"))
    gone = bob.expect(numeric_re("766"))
    assert gone.params[:3] == ["*", "alice", "display-name"], gone


def test_join_sends_channel_and_member_metadata(server):
    alice = server.registered("alice", caps=CAPS)
    alice.join("#m")
    alice.send("METADATA #m SET display-name :Hash Channel")
    alice.expect(numeric_re("761"))
    alice.send("METADATA * SET avatar :https://example.com/a.png")
    alice.expect(numeric_re("761"))

    bob = server.registered("bob", caps=CAPS)
    bob.send("METADATA * SUB display-name avatar")
    bob.expect(numeric_re("770"))
    bob.join("#m")
    params, body = batch_body(bob, "metadata")
    assert params == ["#m"]
    got = {(l.params[1], l.params[2]): l.params[4] for l in body}
    assert got == {("#m", "display-name"): "Hash Channel", ("alice", "avatar"): "https://example.com/a.png"}, body


def test_before_connect_metadata_is_in_the_welcome_burst(server):
    c = server.client("early")
    c.send("CAP LS 302")
    c.expect(r"CAP \* LS ")
    c.send("CAP REQ :draft/metadata-3 batch")
    c.expect(r"CAP \S+ ACK ")
    c.send("METADATA * SET display-name :Early Bird")
    set_reply = c.expect(numeric_re("761"))
    assert set_reply.params[1:] == ["*", "display-name", "*", "Early Bird"], set_reply
    c.send("NICK early")
    c.send("USER early 0 * :Early")
    c.send("CAP END")
    burst = c.collect_until(numeric_re("376", "422"))
    kv = [l for l in burst if l.command == "761"]
    assert [l.params for l in kv] == [["early", "early", "display-name", "*", "Early Bird"]], burst
    assert kv[0].tags.get("batch"), kv


def test_limits_and_bad_input_get_clear_failures(start_server):
    srv = start_server({"limits": {"metadata_max_keys": 1, "metadata_max_subs": 1}})
    a = srv.registered("alice", caps=CAPS)
    a.send("METADATA * SET a :1")
    a.expect(numeric_re("761"))
    a.send("METADATA * SET b :2")
    fail = a.expect(r"FAIL METADATA ")
    assert fail.params[1:3] == ["LIMIT_REACHED", "alice"], fail
    a.send("METADATA * SUB x y")
    a.expect(numeric_re("770"))
    fail = a.expect(r"FAIL METADATA ")
    assert fail.params[1:3] == ["LIMIT_REACHED", "y"], fail
    # Under UTF8ONLY (the default) the engine refuses the line before METADATA sees it.
    a.send_raw(b"METADATA * SET a :broken \xc3\r\n")
    fail = a.expect(r"FAIL METADATA ")
    assert fail.params[1] == "INVALID_UTF8", fail
    a.send("METADATA * SET a :" + "v" * 301)
    fail = a.expect(r"FAIL METADATA ")
    assert fail.params[1:3] == ["INVALID_VALUE", "a"], fail
    a.send("METADATA nobody LIST")
    fail = a.expect(r"FAIL METADATA ")
    assert fail.params[1:3] == ["INVALID_TARGET", "nobody"], fail
    a.send("METADATA * LIST")
    _, body = batch_body(a, "metadata")
    assert [(l.params[2], l.params[4]) for l in body] == [("a", "1")], body
