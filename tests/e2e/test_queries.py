"""User and server queries, operators and user modes: WHO, WHOIS, WHOWAS, AWAY, ISON, USERHOST,
MOTD, LUSERS, VERSION, TIME, ADMIN, INFO, OPER, KILL, MODE <nick>, unknown commands.

References: modern.ircdocs.horse ("User-Based Queries", "Server Queries and Commands",
"Operator Messages", numerics), RFC 2812.
"""

import re

import pytest

from conftest import MOTD, SERVER_NAME
from ircclient import CLOAK, command_re, numeric_re


@pytest.fixture
def pair(server):
    """alice and bob, both in #c (alice is its operator)."""
    alice = server.registered("alice", realname="Alice Liddell")
    bob = server.registered("bob", realname="Bob the Builder")
    alice.join("#c")
    bob.join("#c")
    alice.sync()
    return alice, bob


@pytest.fixture
def oper_server(start_server, password_hash):
    return start_server({"operator": [
        {"name": "admin", "password_hash": password_hash("0per-secret"), "host": "*@127.0.0.1"},
        {"name": "faraway", "password_hash": password_hash("0per-secret"), "host": "*@192.0.2.1"},
    ]})


# ---- WHO -------------------------------------------------------------------------------------


def test_who_channel_lists_every_member(pair):
    alice, bob = pair
    alice.send("WHO #c")
    lines = alice.collect_until(numeric_re("315"))
    replies = {l.params[5]: l for l in lines if l.command == "352"}
    assert set(replies) == {"alice", "bob"}, lines
    bob_reply = replies["bob"]
    # <client> <channel> <user> <host> <server> <nick> <flags> :<hopcount> <realname>
    assert bob_reply.params[0] == "alice"
    assert bob_reply.params[1] == "#c"
    assert bob_reply.params[2].lstrip("~") == "bob"
    assert re.fullmatch(CLOAK, bob_reply.params[3]), bob_reply
    assert bob_reply.params[4] == SERVER_NAME
    assert bob_reply.params[6].startswith("H")
    hop, _, real = bob_reply.last.partition(" ")
    assert hop.isdigit() and real == "Bob the Builder"
    assert "@" in replies["alice"].params[6], "channel operators are flagged with @"
    assert lines[-1].params[1] == "#c"


def test_who_flags_away_users_with_g(pair):
    alice, bob = pair
    bob.send("AWAY :lunch")
    bob.expect_numeric("306")
    alice.send("WHO #c")
    lines = alice.collect_until(numeric_re("315"))
    flags = {l.params[5]: l.params[6] for l in lines if l.command == "352"}
    assert flags["bob"].startswith("G"), flags
    assert flags["alice"].startswith("H"), flags


def test_who_nick(pair):
    alice, bob = pair
    alice.send("WHO bob")
    lines = alice.collect_until(numeric_re("315"))
    replies = [l for l in lines if l.command == "352"]
    assert len(replies) == 1 and replies[0].params[5] == "bob", lines


def test_who_mask_hides_invisible_users_without_common_channel(server):
    alice = server.registered("alice")
    bob = server.registered("bob")
    carol = server.registered("carol")
    bob.send("MODE bob +i")
    bob.expect_command("MODE", "bob")
    alice.send("WHO *")
    nicks = {l.params[5] for l in alice.collect_until(numeric_re("315")) if l.command == "352"}
    assert "bob" not in nicks, nicks
    assert "carol" in nicks, nicks


# ---- WHOIS / WHOWAS --------------------------------------------------------------------------


def test_whois(pair):
    alice, bob = pair
    alice.send("WHOIS bob")
    lines = alice.collect_until(numeric_re("318"))
    by_code = {l.command: l for l in lines}
    user = by_code["311"]
    # <client> <nick> <username> <host> * :<realname>
    assert user.params[1] == "bob" and user.params[2].lstrip("~") == "bob" and re.fullmatch(CLOAK, user.params[3])
    assert user.params[4] == "*" and user.last == "Bob the Builder"
    assert by_code["312"].params[2] == SERVER_NAME
    assert "319" in by_code and "#c" in by_code["319"].last.split()
    assert by_code["318"].params[1] == "bob"


def test_whois_shows_channel_prefix(pair):
    alice, bob = pair
    bob.send("WHOIS alice")
    lines = bob.collect_until(numeric_re("318"))
    chans = [l for l in lines if l.command == "319"]
    assert chans and "@#c" in chans[0].last.split(), lines


def test_whois_unknown_nick_gives_401_then_318(server):
    alice = server.registered("alice")
    alice.send("WHOIS nobody")
    err = alice.expect_numeric("401")
    assert err.params[1] == "nobody"
    alice.expect_numeric("318")


def test_whois_is_case_insensitive(pair):
    alice, bob = pair
    alice.send("WHOIS BOB")
    user = alice.expect_numeric("311")
    assert user.params[1] == "bob"


def test_whowas_unknown_then_known(server):
    alice = server.registered("alice")
    alice.send("WHOWAS ghost")
    err = alice.expect_numeric("406")
    assert err.params[1] == "ghost"
    alice.expect_numeric("369")
    ghost = server.registered("ghost", realname="Casper")
    ghost.send("QUIT :boo")
    ghost.expect_closed()
    alice.send("WHOWAS ghost")
    lines = alice.collect_until(numeric_re("369"))
    was = [l for l in lines if l.command == "314"]
    assert was, lines
    # <client> <nick> <username> <host> * :<realname>
    assert was[0].params[1] == "ghost" and was[0].params[2].lstrip("~") == "ghost"
    assert re.fullmatch(CLOAK, was[0].params[3]) and was[0].last == "Casper"


def test_whowas_remembers_nick_changes(server):
    alice = server.registered("alice")
    bob = server.registered("oldbob")
    bob.send("NICK newbob")
    bob.expect_command("NICK", "oldbob")
    alice.send("WHOWAS oldbob")
    lines = alice.collect_until(numeric_re("369"))
    assert any(l.command == "314" and l.params[1] == "oldbob" for l in lines), lines


# ---- AWAY / ISON / USERHOST ------------------------------------------------------------------


def test_away_gives_301_to_senders(pair):
    alice, bob = pair
    bob.send("AWAY :out to lunch")
    assert bob.expect_numeric("306")
    alice.send("PRIVMSG bob :are you there?")
    away = alice.expect_numeric("301")
    assert away.params[1:] == ["bob", "out to lunch"], away
    assert bob.expect_command("PRIVMSG", "alice").last == "are you there?", "the message is still delivered"
    alice.send("WHOIS bob")
    lines = alice.collect_until(numeric_re("318"))
    assert any(l.command == "301" and l.last == "out to lunch" for l in lines), lines
    bob.send("AWAY")
    bob.expect_numeric("305")
    alice.send("PRIVMSG bob :back?")
    alice.assert_nothing(0.3, numeric_re("301"))


def test_ison(pair):
    alice, bob = pair
    alice.send("ISON bob nobody ALICE")
    reply = alice.expect_numeric("303")
    assert sorted(n.lower() for n in reply.last.split()) == ["alice", "bob"], reply


def test_userhost(pair):
    alice, bob = pair
    bob.send("AWAY :brb")
    bob.expect_numeric("306")
    alice.send("USERHOST bob alice nobody")
    reply = alice.expect_numeric("302")
    entries = reply.last.split()
    assert len(entries) == 2, reply
    assert re.fullmatch(r"bob=-~?bob@" + CLOAK, entries[0]), "bob is away: '-'"
    assert re.fullmatch(r"alice=\+~?alice@" + CLOAK, entries[1])


# ---- server queries --------------------------------------------------------------------------


def test_motd(server):
    alice = server.registered("alice")
    alice.send("MOTD")
    lines = alice.collect_until(numeric_re("376", "422"))
    assert lines[0].command == "375" and lines[-1].command == "376", lines
    text = [l.last for l in lines if l.command == "372"]
    assert len(text) == len(MOTD) and all(m in t for m, t in zip(MOTD, text)), text


def test_lusers(pair, server):
    alice, bob = pair
    half = server.client("unregistered")
    half.send("NICK half")
    half.sync()  # the server has taken the connection before alice asks
    alice.sync()
    alice.send("LUSERS")
    lines = alice.collect_until(numeric_re("255"))
    by_code = {l.command: l for l in lines}
    assert "251" in by_code, lines
    assert re.search(r"\b2 users\b", by_code["251"].last), by_code["251"]
    assert by_code["254"].params[1] == "1", "one channel formed"
    assert by_code["253"].params[1] == "1", "one unregistered connection"


def test_version(server):
    alice = server.registered("alice")
    alice.send("VERSION")
    v = alice.expect_numeric("351")
    # <client> <version> <server> :<comments>
    assert v.params[2] == SERVER_NAME and v.params[1], v


def test_time(server):
    alice = server.registered("alice")
    alice.send("TIME")
    t = alice.expect_numeric("391")
    assert t.params[1] == SERVER_NAME and len(t.last) > 5, t


def test_admin(server):
    alice = server.registered("alice")
    alice.send("ADMIN")
    lines = alice.collect_until(numeric_re("259"))
    assert [l.command for l in lines] == ["256", "257", "258", "259"], lines


def test_info(server):
    alice = server.registered("alice")
    alice.send("INFO")
    lines = alice.collect_until(numeric_re("374"))
    assert any(l.command == "371" for l in lines), lines


def test_unknown_command_gives_421(server):
    alice = server.registered("alice")
    alice.send("FOOBAR baz")
    err = alice.expect_numeric("421")
    assert err.params[1] == "FOOBAR", err


def test_unknown_command_keeps_its_case_insensitivity(server):
    alice = server.registered("alice")
    alice.send("ping :lower")
    assert alice.expect_command("PONG").last == "lower"


def test_missing_parameters_give_461(server):
    alice = server.registered("alice")
    for cmd in ("JOIN", "PART", "KICK #c", "TOPIC", "INVITE bob", "WHOWAS", "OPER admin", "USERHOST"):
        alice.send(cmd)
        err = alice.expect_numeric("461", "431")
        assert err.params[1].upper() == cmd.split()[0], (cmd, err)


# ---- OPER / KILL -----------------------------------------------------------------------------


def test_oper_wrong_password_gives_464(oper_server):
    alice = oper_server.registered("alice")
    alice.send("OPER admin wrong-password")
    alice.expect_numeric("464")
    alice.send("MODE alice")
    assert "o" not in alice.expect_numeric("221").last


def test_oper_unknown_name_is_refused(oper_server):
    alice = oper_server.registered("alice")
    alice.send("OPER nosuchoper 0per-secret")
    alice.expect_numeric("464", "491")


def test_oper_from_wrong_host_gives_491(oper_server):
    alice = oper_server.registered("alice")
    alice.send("OPER faraway 0per-secret")
    alice.expect_numeric("491", "464")
    alice.send("MODE alice")
    assert "o" not in alice.expect_numeric("221").last


def test_oper_right_password_gives_381_and_plus_o(oper_server):
    alice = oper_server.registered("alice")
    bob = oper_server.registered("bob")
    alice.send("OPER admin 0per-secret")
    lines = alice.collect_until(numeric_re("381"))
    lines += alice.lines_for(0.3)
    modes = [l for l in lines if l.command == "MODE" and l.params[0] == "alice"]
    assert modes and "+o" in "".join(modes[0].params[1:]), lines
    alice.send("MODE alice")
    assert "o" in alice.expect_numeric("221").last
    bob.send("WHOIS alice")
    whois = bob.collect_until(numeric_re("318"))
    assert any(l.command == "313" for l in whois), whois
    bob.send("LUSERS")
    lusers = bob.collect_until(numeric_re("255"))
    assert any(l.command == "252" and l.params[1] == "1" for l in lusers), lusers


def test_oper_cannot_be_set_with_mode(server):
    alice = server.registered("alice")
    alice.send("MODE alice +o")
    alice.sync()
    alice.send("MODE alice")
    assert "o" not in alice.expect_numeric("221").last


def test_kill_needs_oper_gives_481(pair):
    alice, bob = pair
    alice.send("KILL bob :go away")
    alice.expect_numeric("481")
    bob.sync()


def test_oper_kill_disconnects_the_victim(oper_server):
    alice = oper_server.registered("alice")
    bob = oper_server.registered("bob")
    carol = oper_server.registered("carol")
    for c in (alice, bob, carol):
        c.join("#c")
    carol.sync()
    alice.send("OPER admin 0per-secret")
    alice.expect_numeric("381")
    alice.send("KILL bob :spamming")
    err = bob.expect(r"^ERROR ", what="ERROR for the killed user")
    assert "spamming" in err.last, err
    bob.expect_closed()
    quit_line = carol.expect_command("QUIT", "bob")
    assert re.search(r"(?i)killed", quit_line.last) and "spamming" in quit_line.last, quit_line
    alice.expect_command("QUIT", "bob")
    alice.send("WHOIS bob")
    alice.expect_numeric("401")


def test_kill_unknown_nick_gives_401(oper_server):
    alice = oper_server.registered("alice")
    alice.send("OPER admin 0per-secret")
    alice.expect_numeric("381")
    alice.send("KILL nobody :bye")
    alice.expect_numeric("401")


# ---- user modes ------------------------------------------------------------------------------


def test_user_mode_invisible_on_and_off(server):
    alice = server.registered("alice")
    alice.send("MODE alice +i")
    m = alice.expect_command("MODE", "alice")
    assert m.params[0] == "alice" and "".join(m.params[1:]) == "+i", m
    alice.send("MODE alice")
    umode = alice.expect_numeric("221")
    assert "i" in umode.last, umode
    alice.send("MODE alice -i")
    m = alice.expect_command("MODE", "alice")
    assert "".join(m.params[1:]) == "-i", m
    alice.send("MODE alice")
    assert "i" not in alice.expect_numeric("221").last


def test_unknown_user_mode_gives_501(server):
    alice = server.registered("alice")
    alice.send("MODE alice +Z")
    alice.expect_numeric("501")


def test_changing_another_users_modes_gives_502(pair):
    alice, bob = pair
    alice.send("MODE bob +i")
    alice.expect_numeric("502")
    alice.send("MODE bob")
    alice.expect_numeric("502")
