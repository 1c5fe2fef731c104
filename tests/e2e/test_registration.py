"""Connection registration: NICK/USER, CAP negotiation, PASS, PING and the timeouts.

References: modern.ircdocs.horse ("Connection Registration", numerics), ircv3.net
"Capability Negotiation" (CAP LS 302 / REQ / ACK / NAK / END).
"""

import re
import time

from conftest import MOTD, NETWORK, SERVER_NAME
from ircclient import numeric_re


def isupport_tokens(burst):
    tokens = {}
    for line in burst:
        if line.command == "005":
            for tok in line.params[1:-1]:  # <client> tokens... :are supported by this server
                key, _, value = tok.partition("=")
                tokens[key] = value
    return tokens


def test_nick_user_gives_welcome_numerics_in_order(server):
    c = server.client("alice")
    c.send("NICK alice")
    c.send("USER alice 0 * :Alice Liddell")
    burst = c.collect_until(numeric_re("376", "422"))
    codes = [l.command for l in burst]
    for code in ("001", "002", "003", "004", "005"):
        assert code in codes, f"missing {code} in registration burst: {codes}"
    assert codes.index("001") < codes.index("002") < codes.index("003") < codes.index("004") < codes.index("005")
    welcome = burst[codes.index("001")]
    assert welcome.source == SERVER_NAME
    assert welcome.params[0] == "alice"
    assert "alice" in welcome.last
    myinfo = burst[codes.index("004")]
    assert myinfo.params[1] == SERVER_NAME


def test_isupport_advertises_the_basics(start_server):
    srv = start_server({"limits": {"nick_length": 20, "channel_length": 40}})
    c = srv.client("alice")
    burst = c.register("alice")
    tokens = isupport_tokens(burst)
    assert tokens.get("CASEMAPPING") in ("rfc1459", "ascii"), tokens
    assert tokens.get("CHANTYPES") == "#&", tokens
    assert tokens.get("PREFIX") == "(ov)@+", tokens
    assert "NETWORK" in tokens and tokens["NETWORK"] == NETWORK, tokens
    assert tokens.get("NICKLEN") == "20", tokens
    assert tokens.get("CHANNELLEN") == "40", tokens
    # CHANMODES=A,B,C,D: b is a list mode, k always takes a parameter, l only when set,
    # i m n s t never.
    chanmodes = tokens.get("CHANMODES", "").split(",")
    assert len(chanmodes) == 4, tokens
    a, b, c_, d = (set(x) for x in chanmodes)
    assert "b" in a and "k" in b and "l" in c_ and set("imnst") <= d, chanmodes
    for line in burst:
        if line.command == "005":
            assert line.last == "are supported by this server"


def test_registration_burst_has_lusers_and_motd(server):
    c = server.client("alice")
    burst = c.register("alice")
    codes = [l.command for l in burst]
    assert "251" in codes and "255" in codes, codes
    assert codes[-1] == "376"
    assert "375" in codes
    motd_text = [l.last for l in burst if l.command == "372"]
    for line in MOTD:
        assert any(line in t for t in motd_text), (line, motd_text)


def test_missing_motd_gives_422(start_server):
    srv = start_server({"server": {"motd": []}})  # an empty MOTD (no motd key keeps the built-in one)
    c = srv.client("alice")
    burst = c.register("alice")
    assert burst[-1].command == "422"


def test_user_before_nick_also_registers(server):
    c = server.client("bob")
    c.send("USER bob 0 * :Bob")
    c.send("NICK bob")
    c.expect_numeric("001")


# ---- CAP -------------------------------------------------------------------------------------


def test_cap_ls_302_lists_capabilities(server):
    c = server.client("capper")
    c.send("CAP LS 302")
    ls = c.expect(r"^:\S+ CAP \S+ LS ")
    caps = {tok.split("=", 1)[0] for tok in ls.last.split()}
    more = ls
    while more.params[2] == "*":  # CAP LS 302 splits a long list: "LS * :..." until the last line
        more = c.expect(r"^:\S+ CAP \S+ LS ")
        caps |= {tok.split("=", 1)[0] for tok in more.last.split()}
    for cap in ("multi-prefix", "server-time", "message-tags", "echo-message", "away-notify",
                "extended-join", "userhost-in-names"):
        assert cap in caps, f"{cap} not in CAP LS: {ls!r}"
    assert ls.params[0] == "*"  # no nick yet


def test_cap_negotiation_holds_registration_until_cap_end(server):
    c = server.client("capper")
    c.send("CAP LS 302")
    c.send("NICK capper")
    c.send("USER capper 0 * :Cap Per")
    c.expect(r" CAP \S+ LS ")
    c.assert_nothing(0.7, pattern=numeric_re("001"))
    c.send("CAP REQ :multi-prefix server-time")
    ack = c.expect(r" CAP \S+ (ACK|NAK) ")
    assert ack.params[1] == "ACK", ack
    assert set(ack.last.split()) == {"multi-prefix", "server-time"}
    c.assert_nothing(0.3, pattern=numeric_re("001"))
    c.send("CAP END")
    c.expect_numeric("001")


def test_cap_req_unknown_capability_is_naked(server):
    c = server.client("capper")
    c.send("CAP LS 302")
    c.expect(r" CAP \S+ LS ")
    c.send("CAP REQ :multi-prefix no-such-cap")
    nak = c.expect(r" CAP \S+ (ACK|NAK) ")
    assert nak.params[1] == "NAK", nak
    assert nak.last.split() == ["multi-prefix", "no-such-cap"], "the whole request is rejected"
    c.send("CAP LIST")
    listing = c.expect(r" CAP \S+ LIST")
    assert "multi-prefix" not in listing.last.split(), "a NAKed request must change nothing"


def test_cap_req_can_remove_a_capability(server):
    c = server.client("capper")
    c.send("CAP LS 302")
    c.send("CAP REQ :echo-message")
    assert c.expect(r" CAP \S+ ACK ").last == "echo-message"
    c.send("CAP REQ :-echo-message")
    assert c.expect(r" CAP \S+ ACK ").last == "-echo-message"
    c.send("CAP LIST")
    listing = c.expect(r" CAP \S+ LIST")
    assert "echo-message" not in listing.last.split()


def test_cap_after_registration_works(server):
    c = server.client("late")
    c.register("late")
    c.send("CAP REQ :away-notify")
    ack = c.expect(r" CAP late ACK ")
    assert ack.last == "away-notify"


def test_unknown_cap_subcommand_gives_410(server):
    c = server.client("capper")
    c.send("CAP FROB")
    c.expect_numeric("410")


# ---- NICK errors -----------------------------------------------------------------------------


def test_nick_in_use_gives_433(server):
    server.registered("alice")
    c = server.client("second")
    c.send("NICK alice")
    err = c.expect_numeric("433")
    assert err.params[:2] == ["*", "alice"], err


def test_nick_in_use_is_case_insensitive(server):
    server.registered("alice")
    c = server.client("second")
    c.send("NICK ALICE")
    c.expect_numeric("433")


def test_nick_in_use_follows_rfc1459_casemapping(server):
    server.registered("nick[a]")
    c = server.client("second")
    c.send("NICK NICK{A}")
    c.expect_numeric("433")


def test_registration_completes_after_433_with_a_new_nick(server):
    server.registered("alice")
    c = server.client("second")
    c.send("NICK alice")
    c.send("USER x 0 * :x")
    c.expect_numeric("433")
    c.assert_nothing(0.3, pattern=numeric_re("001"))
    c.send("NICK alice2")
    welcome = c.expect_numeric("001")
    assert welcome.params[0] == "alice2"


def test_erroneous_nick_gives_432(server):
    c = server.client("bad")
    for bad in ("9lives", "-dash", "#chan", "a*b", "a!b", "a@b", "a,b"):
        c.send(f"NICK {bad}")
        err = c.expect_numeric("432")
        assert err.params[1] == bad, err


def test_nick_without_parameter_gives_431(server):
    c = server.client("none")
    c.send("NICK")
    c.expect_numeric("431")


def test_commands_before_registration_give_451(server):
    c = server.client("early")
    c.send("NICK early")
    for line in ("JOIN #a", "PRIVMSG someone :hi", "WHOIS someone", "MODE early +i"):
        c.send(line)
        c.expect_numeric("451")


def test_second_user_command_gives_462(server):
    c = server.registered("alice")
    c.send("USER again 0 * :Again")
    c.expect_numeric("462")


def test_nick_change_after_registration(server):
    c = server.registered("alice")
    c.send("NICK alicia")
    change = c.expect_command("NICK", "alice")
    assert change.last == "alicia"
    # The old nick is free again.
    server.registered("alice")


# ---- PASS ------------------------------------------------------------------------------------


def test_wrong_password_gives_464_and_error(start_server, password_hash):
    srv = start_server({"server": {"name": SERVER_NAME, "password_hash": password_hash("letmein")}})
    c = srv.client("intruder")
    c.send("PASS wrong")
    c.send("NICK intruder")
    c.send("USER intruder 0 * :x")
    c.expect_numeric("464")
    c.expect_error_and_close()
    assert not any(l.command == "001" for l in c.history)


def test_missing_password_gives_464(start_server, password_hash):
    srv = start_server({"server": {"name": SERVER_NAME, "password_hash": password_hash("letmein")}})
    c = srv.client("forgetful")
    c.send("NICK forgetful")
    c.send("USER forgetful 0 * :x")
    c.expect_numeric("464")
    c.expect_error_and_close()


def test_right_password_registers(start_server, password_hash):
    srv = start_server({"server": {"name": SERVER_NAME, "password_hash": password_hash("letmein")}})
    c = srv.client("friend")
    c.register("friend", password="letmein")


# ---- PING / PONG -----------------------------------------------------------------------------


def test_ping_gets_pong_with_token(server):
    c = server.registered("alice")
    c.send("PING :abc123")
    pong = c.expect_command("PONG")
    assert pong.source == SERVER_NAME
    assert pong.last == "abc123"


def test_ping_without_token_gives_409_or_461(server):
    c = server.registered("alice")
    c.send("PING")
    c.expect_numeric("409", "461")


def test_quit_gives_error_and_closes(server):
    c = server.registered("alice")
    c.send("QUIT :bye now")
    c.expect_error_and_close()


# ---- timeouts --------------------------------------------------------------------------------


def test_registration_timeout_drops_the_client(start_server):
    srv = start_server({"timeouts": {"registration": 2}})
    c = srv.client("slowpoke")
    c.send("NICK slowpoke")  # but never USER
    start = time.monotonic()
    err = c.expect(r"^ERROR ", timeout=5)
    took = time.monotonic() - start
    c.expect_closed()
    assert 1.0 <= took <= 4.5, f"dropped after {took:.1f}s; registration timeout is 2s"
    assert re.search(r"(?i)registration|timeout", err), err


def test_registered_client_is_not_hit_by_registration_timeout(start_server):
    srv = start_server({"timeouts": {"registration": 1}})
    c = srv.registered("quick")
    time.sleep(2.5)
    c.sync()


def test_ping_timeout_drops_a_silent_client(start_server):
    srv = start_server({"timeouts": {"ping_interval": 1, "ping_timeout": 1}})
    c = srv.client("silent", auto_pong=False)
    c.register("silent")
    start = time.monotonic()
    ping = c.expect_command("PING", timeout=4)
    assert ping.params, ping
    err = c.expect(r"^ERROR ", timeout=4)
    took = time.monotonic() - start
    c.expect_closed()
    assert took <= 6, took
    assert re.search(r"(?i)ping timeout", err), err


def test_ping_timeout_spares_a_client_that_answers(start_server):
    srv = start_server({"timeouts": {"ping_interval": 1, "ping_timeout": 1}})
    a = srv.client("silent", auto_pong=False)
    a.register("silent")
    b = srv.registered("talker")  # auto_pong answers every PING
    b.send("JOIN #room")
    a.send("JOIN #room")
    a.expect_command("JOIN", "silent")
    # b sees a's ping timeout as a QUIT, and is still connected itself.
    quit_line = b.expect_command("QUIT", "silent", timeout=8)
    assert re.search(r"(?i)ping timeout", quit_line.last), quit_line
    b.sync()
    assert any(l.command == "PING" for l in b.history), "the server should have pinged the idle client"
