"""Users and what they learn about each other, against the built binary: WHOX, MONITOR and
extended-monitor, setname, chghost, bot mode, WALLOPS, HELP, LINKS and STATS, plus the
[limits] keys that bound them (monitor_entries, realname_length).

References: ircv3.net specs "WHOX", "Monitor", "Extended monitor", "setname", "chghost",
"Bot Mode"; modern.ircdocs.horse "WALLOPS", "HELP", "LINKS", "STATS".
"""

import pytest

from ircclient import command_re, numeric_re


@pytest.fixture
def oper_server(start_server, password_hash):
    return start_server({"operator": [
        {"name": "admin", "password_hash": password_hash("0per-secret"), "host": "*@127.0.0.1"},
    ]})


def test_isupport_advertises_whox_monitor_bot_and_namelen(start_server):
    srv = start_server({"limits": {"monitor_entries": 7, "realname_length": 50}})
    burst = srv.client("alice").register("alice")
    tokens = {}
    for l in burst:
        if l.command == "005":
            for t in l.params[1:-1]:
                key, _, value = t.partition("=")
                tokens[key] = value
    assert tokens.get("MONITOR") == "7", tokens
    assert tokens.get("NAMELEN") == "50", tokens
    assert tokens.get("BOT") == "B", tokens
    assert "WHOX" in tokens, tokens


def test_whox_fields_in_spec_order(server):
    alice = server.registered("alice", user="myuser", realname="My Real Name")
    alice.join("#chan")
    bob = server.registered("bob")
    bob.send("WHO alice %rnuct,42")
    reply = bob.expect_numeric("354")
    assert reply.params == ["bob", "42", "#chan", "~myuser", "alice", "My Real Name"], reply
    bob.expect_numeric("315")


def test_monitor_online_offline_and_nick_change(server):
    watcher = server.registered("watcher")
    watcher.send("MONITOR + target")
    off = watcher.expect_numeric("731")
    assert off.last == "target", off
    t = server.registered("target")
    on = watcher.expect_numeric("730")
    assert on.last.startswith("target!"), on
    t.send("NICK moved")
    off = watcher.expect_numeric("731")
    assert off.last == "target", off
    t.send("NICK target")
    watcher.expect_numeric("730")
    t.send("QUIT :bye")
    watcher.expect_numeric("731")


def test_monitor_list_full_is_734(start_server):
    srv = start_server({"limits": {"monitor_entries": 2}})
    c = srv.registered("alice")
    c.send("MONITOR + a1,a2,a3")
    full = c.expect_numeric("734")
    assert full.params[1:3] == ["2", "a3"], full
    c.send("MONITOR L")
    listed = c.expect_numeric("732")
    assert sorted(listed.last.split(",")) == ["a1", "a2"], listed


def test_extended_monitor_away_without_common_channel(server):
    watcher = server.registered("watcher", caps=["extended-monitor", "away-notify"])
    bob = server.registered("bob")
    watcher.send("MONITOR + bob")
    watcher.expect_numeric("730")
    bob.send("AWAY :lunch")
    away = watcher.expect(command_re("AWAY", "bob"))
    assert away.last == "lunch", away


def test_setname_confirms_and_reaches_setname_members(server):
    alice = server.registered("alice", caps=["setname"])
    bob = server.registered("bob", caps=["setname"])
    carol = server.registered("carol")
    for c in (alice, bob, carol):
        c.join("#s")
    bob.sync()
    carol.sync()
    alice.send("SETNAME :Alice Liddell")
    assert alice.expect(command_re("SETNAME", "alice")).last == "Alice Liddell"
    assert bob.expect(command_re("SETNAME", "alice")).last == "Alice Liddell"
    carol.assert_nothing(0.3, command_re("SETNAME"))
    carol.send("WHOIS alice")
    assert carol.expect_numeric("311").last == "Alice Liddell"


def test_setname_too_long_fails(start_server):
    srv = start_server({"limits": {"realname_length": 5}})
    alice = srv.registered("alice", caps=["setname"])
    alice.send("SETNAME :123456")
    fail = alice.expect(command_re("FAIL"))
    assert fail.params[:2] == ["SETNAME", "INVALID_REALNAME"], fail


def test_chghost_by_operator(oper_server):
    oper = oper_server.registered("oper")
    bob = oper_server.registered("bob", caps=["chghost"])
    carol = oper_server.registered("carol")
    for c in (oper, bob, carol):
        c.join("#h")
    bob.sync()
    carol.sync()
    oper.send("OPER admin 0per-secret")
    oper.expect_numeric("381")
    oper.send("CHGHOST bob staff/bob")
    change = bob.expect(command_re("CHGHOST", "bob"))
    assert change.params == ["~bob", "staff/bob"], change
    carol.assert_nothing(0.3, command_re("CHGHOST"))
    bob.send("PRIVMSG #h :hi")
    msg = carol.expect(command_re("PRIVMSG", "bob"))
    assert msg.source.endswith("@staff/bob"), msg


def test_bot_mode_tag_whois_and_who(server):
    bot = server.registered("robot")
    user = server.registered("human", caps=["message-tags"])
    bot.send("MODE robot +B")
    mode = bot.expect(command_re("MODE", "robot"))
    assert mode.params == ["robot", "+B"], mode
    bot.send("PRIVMSG human :beep")
    msg = user.expect(command_re("PRIVMSG", "robot"))
    assert "bot" in msg.tags, msg
    user.send("WHOIS robot")
    assert user.expect_numeric("335").params[1] == "robot"
    user.send("WHO robot")
    assert "B" in user.expect_numeric("352").params[6]


def test_wallops_reaches_plus_w_only(oper_server):
    oper = oper_server.registered("oper")
    reader = oper_server.registered("reader")
    other = oper_server.registered("other")
    reader.send("MODE reader +w")
    reader.expect(command_re("MODE", "reader"))
    other.send("WALLOPS :nope")
    other.expect_numeric("481")
    oper.send("OPER admin 0per-secret")
    oper.expect_numeric("381")
    oper.send("WALLOPS :hello readers")
    assert reader.expect(command_re("WALLOPS", "oper")).last == "hello readers"
    other.assert_nothing(0.3, command_re("WALLOPS"))


def test_help_links_and_stats(server):
    c = server.registered("nick")
    c.send("HELP who")
    lines = c.collect_until(numeric_re("706"))
    assert lines[0].command == "704" and lines[0].params[1] == "WHO", lines
    c.send("HELP nosuchthing")
    c.expect_numeric("524")
    c.send("LINKS")
    links = c.expect_numeric("364")
    assert links.params[1] == links.params[2] == "irc.parley.test", links
    c.expect_numeric("365")
    c.send("STATS u")
    assert c.expect_numeric("242").last.startswith("Server Up 0 days"), "uptime"
    c.expect_numeric("219")
    c.send("STATS m")
    c.expect_numeric("481")
    c.expect_numeric("219")
