"""Operator tools against the built binary (docs/operations.md "Operator tools"): server notices,
K-lines that outlive a RESTART (stored in the data directory), RESTART in place (same process,
same configuration), DIE, and operator classes from the configuration file.
"""

from __future__ import annotations

import re
import time

import pytest

from ircclient import LISTENER_LINE_RE, IRCClient, numeric_re


@pytest.fixture
def oper_server(start_server, password_hash):
    return start_server({
        "operator_class": [{"name": "helper", "commands": ["KILL", "globops"], "snomask": "cg"}],
        "operator": [
            {"name": "root", "password_hash": password_hash("r00t-pw"), "host": "*@127.0.0.1"},
            {"name": "help", "password_hash": password_hash("help-pw"), "class": "helper"},
        ],
    })


def oper(srv, nick: str, name: str = "root", password: str = "r00t-pw") -> IRCClient:
    c = srv.registered(nick)
    c.send(f"OPER {name} {password}")
    c.expect_numeric("381")
    return c


def irc_port_after(srv, listening_lines: int, timeout: float = 10.0) -> int:
    """The IRC port of the `listening_lines`-th start of the server (its stdout keeps every start)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ports = [int(port) for kind, _, port in LISTENER_LINE_RE.findall(srv.stdout_path.read_text()) if kind == "IRC"]
        if len(ports) >= listening_lines:
            return ports[listening_lines - 1]
        assert srv.is_running(), f"the server exited instead of restarting\n{srv.logs()}"
        time.sleep(0.05)
    raise AssertionError(f"no listening line for start {listening_lines}\n{srv.logs()}")


def test_operators_get_server_notices_of_connects_and_quits(oper_server):
    root = oper(oper_server, "root")
    bob = oper_server.registered("bob")
    root.expect(r"NOTICE root :\*\*\* Client connecting: bob \(~bob@127\.0\.0\.1\)")
    bob.send("QUIT :bye now")
    root.expect(r"NOTICE root :\*\*\* Client exiting: bob \(~bob@127\.0\.0\.1\) \[Quit: bye now\]")


def test_an_operator_class_limits_commands_and_notices(oper_server):
    helper = oper(oper_server, "dana", "help", "help-pw")
    helper.send("MODE dana")
    assert helper.expect_numeric("008").params[1] == "+cg"
    helper.send("KLINE *@192.0.2.1 1h :spam")
    line = helper.expect_numeric("481")
    assert "does not allow KLINE" in line.last
    helper.send("GLOBOPS :hello operators")
    helper.expect(r"NOTICE dana :\*\*\* Global -- from dana: hello operators")


def test_a_kline_disconnects_refuses_and_survives_a_restart(oper_server):
    root = oper(oper_server, "root")
    spammer = oper_server.registered("spam", user="baduser")
    root.send("KLINE *baduser@127.0.0.1 1d :no spam please")
    spammer.expect_error_and_close(r"^ERROR :Closing Link: \S+ \(K-lined: no spam please\)")
    root.expect(r"NOTICE root :\*\*\* KLINE added on \*baduser@127\.0\.0\.1 for 1d; 1 user disconnected")

    pid = oper_server.proc.pid
    root.send("RESTART :upgrade")
    root.expect_error_and_close(r"^ERROR :Closing Link: .*Server restarting by root: upgrade")
    oper_server.port = irc_port_after(oper_server, 2)
    assert oper_server.proc.pid == pid and oper_server.is_running(), "RESTART keeps the process"

    again = oper_server.client("again")
    again.send("NICK spam2")
    again.send("USER baduser 0 * :x")
    again.expect_error_and_close(r"^ERROR :Closing Link: \S+ \(K-lined: no spam please\)")
    root = oper(oper_server, "root2")
    root.send("STATS k")
    stats = root.collect_until(numeric_re("219"))
    klines = [l for l in stats if l.command == "216"]
    assert len(klines) == 1 and klines[0].params[2] == "*baduser@127.0.0.1", stats
    assert klines[0].last == "no spam please"
    root.send("UNKLINE *baduser@127.0.0.1")
    root.expect(r"\*\*\* KLINE on \*baduser@127\.0\.0\.1 removed")
    oper_server.registered("spam3", user="baduser")


def test_die_stops_the_server_and_tells_everyone(oper_server):
    root = oper(oper_server, "root")
    bob = oper_server.registered("bob")
    root.send("DIE :maintenance")
    bob.expect_error_and_close(r"^ERROR :Closing Link: .*Server terminating by root: maintenance")
    assert oper_server.proc.wait(10) == 0
    oper_server.stopped = True
    assert re.search(r"notice \[a\]: root used DIE \(maintenance\)", oper_server.stderr_path.read_text()), \
        oper_server.logs()


def test_die_is_refused_to_a_class_without_it(oper_server):
    helper = oper(oper_server, "dana", "help", "help-pw")
    helper.send("DIE")
    assert "does not allow DIE" in helper.expect_numeric("481").last
    helper.send("PING still-here")
    helper.expect(r"PONG .*still-here")
    assert oper_server.is_running()
