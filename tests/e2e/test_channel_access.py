"""Channel access and channel management end to end: KICK of several users, ban and invite
exceptions (+e, +I), the mute extban (+b m:), the invitation list and invite-notify, KNOCK,
LIST search conditions (ELIST), draft/channel-rename and no-implicit-names.

References: modern.ircdocs.horse ("KICK", "INVITE", "LIST", ISUPPORT EXCEPTS/INVEX/EXTBAN/ELIST,
numerics 336/337, 346-349, 710-714); ircv3.net invite-notify, no-implicit-names and the
draft channel-rename specification.
"""

import pytest

from ircclient import command_re, numeric_re


def isupport(burst):
    tokens = {}
    for line in burst:
        if line.command == "005":
            for token in line.params[1:-1]:
                key, _, value = token.partition("=")
                tokens[key] = value
    return tokens


@pytest.fixture
def op_and_member(server):
    """alice (operator of #c) and bob, both in #c, bursts consumed."""
    alice = server.registered("alice")
    bob = server.registered("bob")
    alice.join("#c")
    bob.join("#c")
    alice.sync()
    return alice, bob


def test_isupport_advertises_lists_extbans_and_search(server):
    c = server.client("alice")
    tokens = isupport(c.register("alice"))
    assert tokens.get("CHANMODES", "").split(",")[0] == "beI", tokens
    assert tokens.get("EXCEPTS") == "e" and tokens.get("INVEX") == "I", tokens
    assert tokens.get("EXTBAN") == ",am", tokens
    assert tokens.get("ACCOUNTEXTBAN") == "a", tokens
    assert tokens.get("MAXLIST") == "beI:100", tokens
    assert tokens.get("ELIST") == "CMNTU", tokens
    assert "KICK:4" in tokens.get("TARGMAX", "").split(","), tokens


def test_kick_of_several_users_sends_one_kick_line_each(server):
    alice = server.registered("alice")
    others = [server.registered(n) for n in ("bob", "carol", "dave")]
    alice.join("#c")
    for o in others:
        o.join("#c")
    alice.sync()
    alice.send("KICK #c bob,carol :bye")
    kicks = [alice.expect_command("KICK") for _ in range(2)]
    assert [k.params for k in kicks] == [["#c", "bob", "bye"], ["#c", "carol", "bye"]], kicks
    dave = others[2]
    seen = [dave.expect_command("KICK") for _ in range(2)]
    assert all(len(k.params) == 3 and "," not in k.params[1] for k in seen), seen


def test_ban_exception_and_invite_exception_let_users_in(server):
    alice = server.registered("alice")
    alice.join("#c")
    alice.send("MODE #c +ib bob!*@*")
    alice.send("MODE #c +e bob!*@*")
    alice.send("MODE #c +I bob!*@*")
    alice.sync()
    alice.send("MODE #c +e")
    assert alice.expect_numeric("348").params[2] == "bob!*@*"
    alice.expect_numeric("349")
    alice.send("MODE #c +I")
    assert alice.expect_numeric("346").params[2] == "bob!*@*"
    alice.expect_numeric("347")
    bob = server.registered("bob")
    lines = bob.join("#c")
    assert any(l.command == "JOIN" for l in lines), lines
    carol = server.registered("carol")
    carol.send("JOIN #c")
    carol.expect_numeric("473")


def test_muted_user_joins_but_cannot_speak(op_and_member):
    alice, bob = op_and_member
    alice.send("MODE #c +b m:bob!*@*")
    bob.expect(command_re("MODE"))
    bob.send("PRIVMSG #c :hello")
    bob.expect_numeric("404")
    alice.assert_nothing(0.3, command_re("PRIVMSG"))
    alice.send("MODE #c +e m:bob!*@*")
    bob.expect(command_re("MODE"))
    bob.send("PRIVMSG #c :hello again")
    assert alice.expect_command("PRIVMSG").last == "hello again"


def test_invite_list_and_invite_notify(server):
    alice = server.registered("alice")
    watcher = server.registered("watcher", caps=["invite-notify"])
    bob = server.registered("bob")
    alice.join("#c")
    watcher.join("#c")
    alice.sync()
    alice.send("INVITE bob #c")
    alice.expect_numeric("341")
    bob.expect_command("INVITE")
    note = watcher.expect_command("INVITE", "alice")
    assert note.params == ["bob", "#c"], note
    bob.send("INVITE")
    assert bob.expect_numeric("336").params == ["bob", "#c"]
    bob.expect_numeric("337")


def test_knock_reaches_operators_once_per_interval(server):
    alice = server.registered("alice")
    alice.join("#c")
    alice.send("MODE #c +i")
    alice.sync()
    carol = server.registered("carol")
    carol.send("KNOCK #c :please")
    carol.expect_numeric("711")
    knock = alice.expect_numeric("710")
    assert knock.params[1:] == ["#c", knock.params[2], "please"] and knock.params[2].startswith("carol!"), knock
    carol.send("KNOCK #c :again")
    carol.expect_numeric("712")
    alice.assert_nothing(0.3, numeric_re("710"))


def test_list_search_conditions(server):
    alice = server.registered("alice")
    bob = server.registered("bob")
    alice.send("JOIN #chan1,#chan2,#other")
    alice.sync()
    bob.join("#chan2")

    def listed(query):
        bob.send(f"LIST {query}")
        lines = bob.collect_until(numeric_re("323"))
        return {l.params[1] for l in lines if l.command == "322"}

    assert listed("#ch*") == {"#chan1", "#chan2"}
    assert listed("!#ch*") == {"#other"}
    assert listed(">1") == {"#chan2"}
    assert listed("C<10") == {"#chan1", "#chan2", "#other"}
    assert listed("C>10") == set()


def test_rename_with_and_without_the_capability(server):
    alice = server.registered("alice", caps=["draft/channel-rename"])
    bob = server.registered("bob")
    alice.join("#old")
    bob.join("#old")
    alice.sync()
    alice.send("RENAME #old #new :tidier")
    renamed = alice.expect_command("RENAME")
    assert renamed.params == ["#old", "#new", "tidier"], renamed
    part = bob.expect_command("PART", "bob")
    assert part.params[0] == "#old", part
    join = bob.expect_command("JOIN", "bob")
    assert join.params == ["#new"], join
    bob.expect_numeric("366")
    bob.send("PRIVMSG #new :still here")
    assert alice.expect_command("PRIVMSG").params == ["#new", "still here"]
    alice.send("RENAME #new #new")
    fail = alice.expect(command_re("FAIL"))
    assert fail.params[:2] == ["RENAME", "CANNOT_RENAME"], fail


def test_no_implicit_names_skips_the_names_burst(server):
    alice = server.registered("alice", caps=["no-implicit-names"])
    alice.send("JOIN #c")
    alice.expect_command("JOIN", "alice")
    alice.assert_nothing(0.3, numeric_re("353"))
    assert alice.names("#c") == ["@alice"]


def test_knock_interval_and_list_max_are_configurable(start_server):
    srv = start_server({"limits": {"knock_interval_seconds": 0, "list_max": 1}})
    alice = srv.registered("alice")
    alice.send("JOIN #a,#b")
    alice.send("MODE #a +i")
    alice.sync()
    carol = srv.registered("carol")
    for _ in range(2):
        carol.send("KNOCK #a")
        carol.expect_numeric("711")
        alice.expect_numeric("710")
    carol.send("LIST")
    lines = carol.collect_until(numeric_re("323"))
    assert [l.params[1] for l in lines if l.command == "322"] == ["#a"], lines
