"""Channels and messaging: JOIN/PART/TOPIC/NAMES/LIST/KICK/INVITE, channel modes, PRIVMSG,
NOTICE, TAGMSG and the IRCv3 capabilities that change what channel members see.

References: modern.ircdocs.horse ("Channel Operations", "Channel Modes", numerics);
ircv3.net specs: echo-message, server-time, multi-prefix, extended-join, away-notify,
userhost-in-names, message-tags.
"""

import datetime
import re

import pytest

from ircclient import CLOAK, command_re, numeric_re

ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def trio(server):
    """alice (operator of #c, first to join), bob and carol, all in #c, all bursts consumed."""
    alice = server.registered("alice")
    bob = server.registered("bob")
    carol = server.registered("carol")
    alice.join("#c")
    bob.join("#c")
    carol.join("#c")
    alice.sync()
    bob.sync()
    return alice, bob, carol


def set_mode(op, channel, change):
    """Sets a mode that may already be set (then the server stays silent): sends and syncs."""
    op.send(f"MODE {channel} {change}")
    op.sync()


def mode(op, channel, change, *members_seeing):
    """Sets a mode as `op` and waits until `op` and every given member has seen the change."""
    op.send(f"MODE {channel} {change}")
    for c in (op,) + members_seeing:
        c.expect(command_re("MODE", op.nick), what=f"MODE {channel} {change}")


# ---- JOIN / PART / NAMES ---------------------------------------------------------------------


def test_join_echoes_join_then_names(server):
    alice = server.registered("alice", realname="Alice Liddell")
    lines = alice.join("#test")
    join = lines[0]
    assert join.command == "JOIN", lines
    assert re.fullmatch(r"alice!~?alice@" + CLOAK, join.source), join
    assert join.params[0] == "#test"
    names = [l for l in lines if l.command == "353"]
    assert names and names[0].params[1] in ("=", "*", "@") and names[0].params[2] == "#test", names
    assert names[0].last.split() == ["@alice"], "the first member gets channel operator"
    assert lines[-1].command == "366"
    assert not any(l.command == "332" for l in lines), "a new channel has no topic"


def test_join_is_seen_by_members_and_names_lists_everyone(server):
    alice = server.registered("alice")
    bob = server.registered("bob")
    alice.join("#test")
    lines = bob.join("#test")
    seen = alice.expect_command("JOIN", "bob")
    assert seen.params[0] == "#test"
    entries = [e for l in lines if l.command == "353" for e in l.last.split()]
    assert sorted(entries) == ["@alice", "bob"], entries


def test_join_is_case_insensitive_on_channel_names(server):
    alice = server.registered("alice")
    bob = server.registered("bob")
    alice.join("#Test")
    bob.join("#TEST")
    assert sorted(bob.names("#test")) == ["@alice", "bob"]


def test_joining_twice_does_nothing(server):
    alice = server.registered("alice")
    bob = server.registered("bob")
    alice.join("#test")
    bob.join("#test")
    alice.expect_command("JOIN", "bob")
    bob.send("JOIN #test")
    bob.sync()
    alice.assert_nothing(0.3, command_re("JOIN", "bob"))


def test_part_with_reason_is_seen_by_all(trio):
    alice, bob, carol = trio
    bob.send("PART #c :see you later")
    for c in (alice, bob, carol):
        part = c.expect_command("PART", "bob")
        assert part.params == ["#c", "see you later"], part
    assert sorted(alice.names("#c")) == ["@alice", "carol"]


def test_part_channel_not_on_gives_442(trio, server):
    dave = server.registered("dave")
    dave.send("PART #c")
    dave.expect_numeric("442")


def test_part_nonexistent_channel_gives_403(server):
    alice = server.registered("alice")
    alice.send("PART #nowhere")
    err = alice.expect_numeric("403")
    assert err.params[1] == "#nowhere"


def test_join_invalid_channel_name_is_refused(server):
    alice = server.registered("alice")
    alice.send("JOIN nochannel")
    alice.expect_numeric("403", "476", "479")


def test_join_several_channels_at_once(server):
    alice = server.registered("alice")
    alice.send("JOIN #a,#b,&c")
    for chan in ("#a", "#b", "&c"):
        alice.expect(numeric_re("366"), what=f"366 for {chan}")
    assert {l.params[0] for l in alice.history if l.command == "JOIN"} == {"#a", "#b", "&c"}


def test_join_several_channels_with_keys(server):
    alice = server.registered("alice")
    bob = server.registered("bob")
    for chan, key in (("#k1", "one"), ("#k2", "two")):
        alice.join(chan)
        mode(alice, chan, f"+k {key}")
    alice.join("#open")
    bob.send("JOIN #k1,#k2,#open one,two")
    for _ in range(3):
        bob.expect_numeric("366")
    joined = [l.params[0] for l in bob.history if l.command == "JOIN"]
    assert joined == ["#k1", "#k2", "#open"], joined
    assert not any(l.command in ("475", "403") for l in bob.history)


def test_join_with_wrong_or_missing_key_gives_475(server):
    alice = server.registered("alice")
    bob = server.registered("bob")
    alice.join("#k")
    mode(alice, "#k", "+k sesame")
    bob.send("JOIN #k wrong")
    bob.expect_numeric("475")
    bob.send("JOIN #k")
    bob.expect_numeric("475")
    lines = bob.join("#k", "sesame")
    assert lines[0].command == "JOIN"


def test_join_0_parts_every_channel(server):
    alice = server.registered("alice")
    bob = server.registered("bob")
    for chan in ("#one", "#two"):
        alice.join(chan)
        bob.join(chan)
    bob.send("JOIN 0")
    parted = {alice.expect_command("PART", "bob").params[0] for _ in range(2)}
    assert parted == {"#one", "#two"}
    bob.send("WHOIS bob")
    whois = bob.collect_until(numeric_re("318"))
    assert not any(l.command == "319" for l in whois), whois


def test_too_many_channels_gives_405(start_server):
    srv = start_server({"limits": {"max_channels_per_user": 2}})
    alice = srv.registered("alice")
    alice.join("#one")
    alice.join("#two")
    alice.send("JOIN #three")
    err = alice.expect_numeric("405")
    assert err.params[1] == "#three"


def test_nick_change_is_seen_by_channel_members_once(trio, server):
    alice, bob, carol = trio
    bob.join("#other")
    alice.join("#other")
    bob.send("NICK robert")
    for c in (alice, bob, carol):
        change = c.expect_command("NICK", "bob")
        assert change.last == "robert"
    alice.sync()
    assert sum(1 for l in alice.history if l.command == "NICK") == 1, "one NICK per user, not per channel"
    assert sorted(carol.names("#c")) == ["@alice", "carol", "robert"]


def test_quit_is_seen_by_channel_members_with_reason(trio):
    alice, bob, carol = trio
    bob.send("QUIT :off to bed")
    bob.expect_error_and_close()
    for c in (alice, carol):
        q = c.expect_command("QUIT", "bob")
        assert "off to bed" in q.last, q


def test_names_of_a_channel(trio):
    alice, bob, carol = trio
    assert sorted(carol.names("#c")) == ["@alice", "bob", "carol"]


def test_names_end_for_unknown_channel(server):
    alice = server.registered("alice")
    alice.send("NAMES #nowhere")
    end = alice.expect_numeric("366")
    assert end.params[1] == "#nowhere"


# ---- TOPIC -----------------------------------------------------------------------------------


def test_topic_set_is_seen_and_queryable(trio, server):
    alice, bob, carol = trio
    alice.send("TOPIC #c :Welcome to the jungle")
    for c in (alice, bob, carol):
        t = c.expect_command("TOPIC", "alice")
        assert t.params == ["#c", "Welcome to the jungle"]
    bob.send("TOPIC #c")
    rpl = bob.expect_numeric("332")
    assert rpl.params[1:] == ["#c", "Welcome to the jungle"]
    who = bob.expect_numeric("333")
    assert who.params[1] == "#c" and who.params[2].split("!")[0] == "alice" and who.params[3].isdigit()
    dave = server.registered("dave")
    lines = dave.join("#c")
    assert any(l.command == "332" and l.last == "Welcome to the jungle" for l in lines), lines


def test_topic_query_without_topic_gives_331(trio):
    alice, bob, carol = trio
    bob.send("TOPIC #c")
    bob.expect_numeric("331")


def test_topic_can_be_cleared(trio):
    alice, bob, carol = trio
    alice.send("TOPIC #c :something")
    bob.expect_command("TOPIC", "alice")
    alice.send("TOPIC #c :")
    cleared = bob.expect_command("TOPIC", "alice")
    assert cleared.params == ["#c", ""]
    bob.send("TOPIC #c")
    bob.expect_numeric("331")


def test_topic_lock_t_needs_operator(trio):
    alice, bob, carol = trio
    set_mode(alice, "#c", "+t")  # new channels may already be +t
    bob.send("TOPIC #c :mine now")
    bob.expect_numeric("482")
    carol.assert_nothing(0.3, command_re("TOPIC"))
    mode(alice, "#c", "-t", bob)
    bob.send("TOPIC #c :mine now")
    carol.expect_command("TOPIC", "bob")


def test_topic_on_channel_not_joined_gives_442(trio, server):
    dave = server.registered("dave")
    dave.send("TOPIC #c :hijack")
    dave.expect_numeric("442")


def test_topic_is_truncated_or_refused_past_topiclen(start_server):
    srv = start_server({"limits": {"topic_length": 20}})
    alice = srv.registered("alice")
    alice.join("#c")
    alice.send("TOPIC #c :" + "x" * 50)
    line = alice.expect(r" (TOPIC|4\d\d) ")
    if line.command == "TOPIC":
        assert len(line.last) <= 20, line


# ---- LIST ------------------------------------------------------------------------------------


def test_list_shows_channels_with_member_count_and_topic(trio, server):
    alice, bob, carol = trio
    alice.send("TOPIC #c :the c channel")
    alice.expect_command("TOPIC")
    dave = server.registered("dave")
    dave.join("#d")
    dave.send("LIST")
    lines = dave.collect_until(numeric_re("323"))
    entries = {l.params[1]: l for l in lines if l.command == "322"}
    assert set(entries) == {"#c", "#d"}, lines
    assert entries["#c"].params[2] == "3"
    assert entries["#c"].last.endswith("the c channel")
    assert entries["#d"].params[2] == "1"


def test_list_with_a_channel_argument(trio, server):
    alice, bob, carol = trio
    dave = server.registered("dave")
    dave.join("#d")
    dave.send("LIST #c")
    lines = dave.collect_until(numeric_re("323"))
    assert [l.params[1] for l in lines if l.command == "322"] == ["#c"]


def test_secret_channel_is_hidden_from_list_for_outsiders(trio, server):
    alice, bob, carol = trio
    mode(alice, "#c", "+s")
    dave = server.registered("dave")
    dave.send("LIST")
    lines = dave.collect_until(numeric_re("323"))
    assert not any(l.command == "322" for l in lines), lines
    bob.send("LIST")
    lines = bob.collect_until(numeric_re("323"))
    assert [l.params[1] for l in lines if l.command == "322"] == ["#c"]


# ---- KICK ------------------------------------------------------------------------------------


def test_kick_by_operator_is_seen_by_all(trio):
    alice, bob, carol = trio
    alice.send("KICK #c bob :behave")
    for c in (alice, bob, carol):
        kick = c.expect_command("KICK", "alice")
        assert kick.params == ["#c", "bob", "behave"], kick
    assert sorted(alice.names("#c")) == ["@alice", "carol"]
    bob.send("PRIVMSG #c :still here?")
    bob.expect_numeric("404", "442")


def test_kick_by_non_operator_gives_482(trio):
    alice, bob, carol = trio
    bob.send("KICK #c carol :no")
    bob.expect_numeric("482")
    carol.assert_nothing(0.3, command_re("KICK"))


def test_kick_of_non_member_gives_441(trio, server):
    alice, bob, carol = trio
    server.registered("dave")
    alice.send("KICK #c dave")
    alice.expect_numeric("441")


def test_kick_from_channel_not_joined_gives_442(trio, server):
    alice, bob, carol = trio
    dave = server.registered("dave")
    dave.send("KICK #c bob")
    dave.expect_numeric("442")


# ---- INVITE and +i ---------------------------------------------------------------------------


def test_invite_only_channel(trio, server):
    alice, bob, carol = trio
    mode(alice, "#c", "+i")
    dave = server.registered("dave")
    dave.send("JOIN #c")
    err = dave.expect_numeric("473")
    assert err.params[1] == "#c"
    alice.send("INVITE dave #c")
    inviting = alice.expect_numeric("341")
    assert inviting.params[1:3] == ["dave", "#c"], inviting
    invite = dave.expect_command("INVITE", "alice")
    assert invite.params == ["dave", "#c"]
    lines = dave.join("#c")
    assert lines[0].command == "JOIN"


def test_invite_needs_operator_on_invite_only_channel(trio, server):
    alice, bob, carol = trio
    mode(alice, "#c", "+i")
    server.registered("dave")
    bob.send("INVITE dave #c")
    bob.expect_numeric("482")


def test_invite_errors(trio, server):
    alice, bob, carol = trio
    alice.send("INVITE bob #c")
    alice.expect_numeric("443")
    alice.send("INVITE nobody #c")
    alice.expect_numeric("401")
    dave = server.registered("dave")
    dave.send("INVITE alice #c")
    dave.expect_numeric("442")


# ---- channel modes ---------------------------------------------------------------------------


def test_channel_mode_query(trio):
    alice, bob, carol = trio
    set_mode(alice, "#c", "+nt")
    bob.send("MODE #c")
    modes = bob.expect_numeric("324")
    assert modes.params[1] == "#c"
    assert {"n", "t"} <= set(modes.params[2].lstrip("+")), modes


def test_op_and_voice_are_shown_in_names(trio):
    alice, bob, carol = trio
    alice.send("MODE #c +o bob")
    for c in (alice, bob, carol):
        m = c.expect_command("MODE", "alice")
        assert m.params == ["#c", "+o", "bob"], m
    alice.send("MODE #c +v carol")
    for c in (alice, bob, carol):
        m = c.expect_command("MODE", "alice")
        assert m.params == ["#c", "+v", "carol"], m
    assert sorted(carol.names("#c")) == ["+carol", "@alice", "@bob"]
    alice.send("MODE #c -o bob")
    m = bob.expect_command("MODE", "alice")
    assert m.params == ["#c", "-o", "bob"]
    assert sorted(carol.names("#c")) == ["+carol", "@alice", "bob"]


def test_several_mode_changes_in_one_command(trio):
    alice, bob, carol = trio
    alice.send("MODE #c +ov bob carol")
    m = carol.expect_command("MODE", "alice")
    assert m.params[1:] == ["+ov", "bob", "carol"], m
    assert sorted(alice.names("#c")) == ["+carol", "@alice", "@bob"]


def test_mode_change_needs_operator(trio):
    alice, bob, carol = trio
    bob.send("MODE #c +o bob")
    bob.expect_numeric("482")
    bob.send("MODE #c +m")
    bob.expect_numeric("482")
    alice.assert_nothing(0.3, command_re("MODE"))


def test_op_on_non_member_gives_441_and_on_unknown_nick_401(trio, server):
    alice, bob, carol = trio
    server.registered("dave")
    alice.send("MODE #c +o dave")
    alice.expect_numeric("441")
    alice.send("MODE #c +o nobody")
    alice.expect_numeric("401", "441")


def test_mode_on_nonexistent_channel_gives_403(server):
    alice = server.registered("alice")
    alice.send("MODE #nowhere +m")
    alice.expect_numeric("403")


def test_moderated_channel_needs_voice(trio):
    alice, bob, carol = trio
    mode(alice, "#c", "+m", bob, carol)
    bob.send("PRIVMSG #c :can anyone hear me?")
    err = bob.expect_numeric("404")
    assert err.params[1] == "#c"
    alice.assert_nothing(0.3, command_re("PRIVMSG"))
    mode(alice, "#c", "+v bob", bob, carol)
    bob.send("PRIVMSG #c :now you can")
    assert alice.expect_command("PRIVMSG", "bob").last == "now you can"
    alice.send("PRIVMSG #c :ops always can")
    assert carol.expect_command("PRIVMSG", "alice").last == "ops always can"


def test_no_external_messages(trio, server):
    alice, bob, carol = trio
    dave = server.registered("dave")
    set_mode(alice, "#c", "+n")
    dave.send("PRIVMSG #c :from outside")
    dave.expect_numeric("404")
    bob.assert_nothing(0.3, command_re("PRIVMSG"))
    mode(alice, "#c", "-n")
    dave.send("PRIVMSG #c :from outside again")
    assert bob.expect_command("PRIVMSG", "dave").last == "from outside again"


def test_user_limit(trio, server):
    alice, bob, carol = trio
    alice.send("MODE #c +l 3")
    m = alice.expect_command("MODE", "alice")
    assert m.params == ["#c", "+l", "3"]
    dave = server.registered("dave")
    dave.send("JOIN #c")
    dave.expect_numeric("471")
    mode(alice, "#c", "-l")
    dave.join("#c")


def test_key_can_be_removed(trio, server):
    alice, bob, carol = trio
    mode(alice, "#c", "+k secret")
    dave = server.registered("dave")
    dave.send("JOIN #c")
    dave.expect_numeric("475")
    mode(alice, "#c", "-k secret")
    dave.join("#c")


def test_ban_blocks_join(trio, server):
    alice, bob, carol = trio
    alice.send("MODE #c +b dave")
    m = alice.expect_command("MODE", "alice")
    assert m.params == ["#c", "+b", "dave!*@*"], "a bare nick is completed to nick!*@*"
    dave = server.registered("dave")
    dave.send("JOIN #c")
    err = dave.expect_numeric("474")
    assert err.params[1] == "#c"
    alice.send("MODE #c -b dave!*@*")
    alice.expect_command("MODE", "alice")
    dave.join("#c")


def test_ban_with_wildcards(trio, server):
    alice, bob, carol = trio
    mode(alice, "#c", "+b d?ve*!*@*")
    davey = server.registered("davey")
    davey.send("JOIN #c")
    davey.expect_numeric("474")
    dove = server.registered("dove")
    dove.send("JOIN #c")
    dove.expect_numeric("474")
    david = server.registered("david")
    david.join("#c")  # "david" does not match d?ve*


def test_ban_on_host_matches_case_insensitively(trio, server):
    alice, bob, carol = trio
    mode(alice, "#c", "+b *!*@127.0.0.*")
    dave = server.registered("DAVE")
    dave.send("JOIN #c")
    dave.expect_numeric("474")


def test_ban_list(trio):
    alice, bob, carol = trio
    mode(alice, "#c", "+b spam*!*@*")
    mode(alice, "#c", "+b *!*@evil.example")
    bob.send("MODE #c +b")
    lines = bob.collect_until(numeric_re("368"))
    masks = [l.params[2] for l in lines if l.command == "367"]
    assert sorted(masks) == ["*!*@evil.example", "spam*!*@*"], lines


def test_full_ban_list_gives_478(start_server):
    srv = start_server({"limits": {"max_bans": 2}})
    alice = srv.registered("alice")
    alice.join("#c")
    mode(alice, "#c", "+b one!*@*")
    mode(alice, "#c", "+b two!*@*")
    alice.send("MODE #c +b three!*@*")
    err = alice.expect_numeric("478")
    assert err.params[1] == "#c", err


def test_banned_member_cannot_speak(trio):
    alice, bob, carol = trio
    mode(alice, "#c", "+b bob", bob)
    bob.send("PRIVMSG #c :am I banned?")
    bob.expect_numeric("404")
    carol.assert_nothing(0.3, command_re("PRIVMSG", "bob"))


def test_unknown_channel_mode_gives_472(trio):
    alice, bob, carol = trio
    alice.send("MODE #c +Z")
    alice.expect_numeric("472")


# ---- PRIVMSG / NOTICE ------------------------------------------------------------------------


def test_privmsg_to_channel_reaches_others_but_not_sender(trio):
    alice, bob, carol = trio
    alice.send("PRIVMSG #c :hello everyone")
    for c in (bob, carol):
        msg = c.expect_command("PRIVMSG", "alice")
        assert msg.params == ["#c", "hello everyone"]
        assert re.fullmatch(r"alice!~?alice@" + CLOAK, msg.source)
    alice.assert_nothing(0.3, command_re("PRIVMSG"))


def test_privmsg_to_nick(trio):
    alice, bob, carol = trio
    alice.send("PRIVMSG bob :just for you")
    msg = bob.expect_command("PRIVMSG", "alice")
    assert msg.params == ["bob", "just for you"]
    carol.assert_nothing(0.3, command_re("PRIVMSG"))


def test_privmsg_to_nick_is_case_insensitive(trio):
    alice, bob, carol = trio
    alice.send("PRIVMSG BOB :shouting")
    assert bob.expect_command("PRIVMSG", "alice").last == "shouting"


def test_privmsg_to_several_targets(trio, server):
    alice, bob, carol = trio
    dave = server.registered("dave")
    bob.send("PRIVMSG #c,alice,dave :all of you")
    # alice is in #c and also a direct target: she gets both copies, each once.
    got = [l for l in alice.lines_for(0.7) if l.command == "PRIVMSG"]
    assert sorted(l.params[0] for l in got) == ["#c", "alice"], got
    assert [l.params[0] for l in carol.lines_for(0.2) if l.command == "PRIVMSG"] == ["#c"]
    assert [l.params[0] for l in dave.lines_for(0.2) if l.command == "PRIVMSG"] == ["dave"]


def test_privmsg_errors(server):
    alice = server.registered("alice")
    alice.send("PRIVMSG nobody :hello?")
    assert alice.expect_numeric("401").params[1] == "nobody"
    alice.send("PRIVMSG #nowhere :hello?")
    alice.expect_numeric("401", "403")
    alice.send("PRIVMSG")
    alice.expect_numeric("411", "461")
    alice.send("PRIVMSG alice")
    alice.expect_numeric("412", "461")
    alice.send("PRIVMSG alice :")
    alice.expect_numeric("412")


def test_too_many_targets_gives_407(server):
    alice = server.registered("alice")
    for n in ("b1", "b2", "b3", "b4", "b5"):
        server.registered(n)
    alice.send("PRIVMSG b1,b2,b3,b4,b5 :spam")
    alice.expect_numeric("407")


def test_notice_is_delivered_and_never_answered(trio):
    alice, bob, carol = trio
    alice.send("NOTICE #c :a notice")
    assert bob.expect_command("NOTICE", "alice").params == ["#c", "a notice"]
    alice.send("NOTICE bob :a private notice")
    assert bob.expect_command("NOTICE", "alice").params == ["bob", "a private notice"]
    alice.send("NOTICE nobody :lost")
    alice.send("NOTICE #nowhere :lost")
    # Automatic replies to NOTICE are forbidden (RFC 2812 3.3.2), errors included.
    alice.assert_nothing(0.5)


def test_echo_message_returns_own_messages(server):
    alice = server.registered("alice", caps=["echo-message"])
    bob = server.registered("bob")
    alice.join("#c")
    bob.join("#c")
    alice.send("PRIVMSG #c :echo me")
    echo = alice.expect_command("PRIVMSG", "alice")
    assert echo.params == ["#c", "echo me"]
    alice.send("PRIVMSG bob :echo private")
    assert alice.expect_command("PRIVMSG", "alice").params == ["bob", "echo private"]
    alice.send("NOTICE bob :echo notice")
    assert alice.expect_command("NOTICE", "alice").params == ["bob", "echo notice"]
    # Without the capability the sender gets nothing back.
    bob.send("PRIVMSG #c :no echo")
    bob.assert_nothing(0.3, command_re("PRIVMSG", "bob"))


def test_server_time_tags_relayed_messages(server):
    alice = server.registered("alice")
    bob = server.registered("bob", caps=["server-time"])
    alice.join("#c")
    bob.join("#c")
    before = datetime.datetime.now(datetime.timezone.utc)
    alice.send("PRIVMSG #c :what time is it")
    msg = bob.expect_command("PRIVMSG", "alice")
    assert "time" in msg.tags, msg
    assert ISO_TIME.match(msg.tags["time"]), msg.tags["time"]
    when = datetime.datetime.strptime(msg.tags["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    assert abs((when - before).total_seconds()) < 5, (when, before)
    # A client without the capability gets no tags at all.
    bob.send("PRIVMSG #c :and you?")
    plain = alice.expect_command("PRIVMSG", "bob")
    assert not plain.startswith("@"), plain


def test_multi_prefix_shows_every_prefix(trio, server):
    alice, bob, carol = trio
    alice.send("MODE #c +ov bob bob")
    carol.expect_command("MODE", "alice")
    dave = server.registered("dave", caps=["multi-prefix"])
    lines = dave.join("#c")
    entries = [e for l in lines if l.command == "353" for e in l.last.split()]
    assert "@+bob" in entries, entries
    assert "@+bob" in dave.names("#c")
    assert "@bob" in carol.names("#c"), "without multi-prefix only the highest prefix"


def test_extended_join_adds_account_and_realname(server):
    alice = server.registered("alice", caps=["extended-join"])
    plain = server.registered("plain")
    bob = server.registered("bob", realname="Bob the Builder")
    alice.join("#c")
    plain.join("#c")
    bob.join("#c")
    join = alice.expect_command("JOIN", "bob")
    assert join.params == ["#c", "*", "Bob the Builder"], join
    assert plain.expect_command("JOIN", "bob").params == ["#c"]


def test_away_notify(trio, server):
    alice, bob, carol = trio
    dave = server.registered("dave", caps=["away-notify"])
    dave.join("#c")
    bob.send("AWAY :gone fishing")
    bob.expect_numeric("306")
    away = dave.expect_command("AWAY", "bob")
    assert away.params == ["gone fishing"]
    bob.send("AWAY")
    bob.expect_numeric("305")
    back = dave.expect_command("AWAY", "bob")
    assert back.params == []
    carol.assert_nothing(0.3, command_re("AWAY"))


def test_userhost_in_names(trio, server):
    alice, bob, carol = trio
    dave = server.registered("dave", caps=["userhost-in-names"])
    dave.join("#c")
    entries = dave.names("#c")
    for nick, prefix in (("alice", "@"), ("bob", ""), ("carol", ""), ("dave", "")):
        assert any(re.fullmatch(re.escape(prefix + nick) + r"!~?%s@" % nick + CLOAK, e) for e in entries), entries


def test_tagmsg_relays_client_tags_to_message_tags_clients_only(server):
    alice = server.registered("alice", caps=["message-tags"])
    bob = server.registered("bob", caps=["message-tags"])
    carol = server.registered("carol")
    for c in (alice, bob, carol):
        c.join("#c")
    alice.sync()
    alice.send("@+typing=active TAGMSG #c")
    tagmsg = bob.expect_command("TAGMSG", "alice")
    assert tagmsg.params == ["#c"]
    assert tagmsg.tags.get("+typing") == "active", tagmsg
    carol.assert_nothing(0.5, command_re("TAGMSG"))


def test_client_tags_on_privmsg_are_stripped_for_other_clients(server):
    alice = server.registered("alice", caps=["message-tags"])
    bob = server.registered("bob", caps=["message-tags"])
    carol = server.registered("carol")
    for c in (alice, bob, carol):
        c.join("#c")
    alice.send(r"@+example.com/note=hi\sthere PRIVMSG #c :tagged")
    tagged = bob.expect_command("PRIVMSG", "alice")
    assert tagged.tags.get("+example.com/note") == "hi there", tagged
    plain = carol.expect_command("PRIVMSG", "alice")
    assert plain.last == "tagged"
    assert not plain.startswith("@"), plain


def test_tagmsg_to_nick(server):
    alice = server.registered("alice", caps=["message-tags"])
    bob = server.registered("bob", caps=["message-tags"])
    alice.send("@+typing=paused TAGMSG bob")
    t = bob.expect_command("TAGMSG", "alice")
    assert t.params == ["bob"] and t.tags.get("+typing") == "paused"
