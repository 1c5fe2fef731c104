"""Cloaked hosts and account extbans through the real server (docs/operations.md "Cloaks",
docs/protocol.md "Extended bans"): the host others see, 396, WHOIS 378 and WHOX %i only for
the user and operators, bans on the cloak and on the real address, the [cloaks] configuration.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from ircclient import CLOAK, command_re, numeric_re


def test_host_is_a_cloak_and_the_user_is_told_after_isupport(server):
    alice = server.client("alice")
    burst = alice.register("alice")
    codes = [l.command for l in burst]
    assert "396" in codes, codes
    visible = burst[codes.index("396")]
    assert re.fullmatch(CLOAK, visible.params[1]), visible
    assert visible.last == "is now your displayed host"
    assert codes[codes.index("396") - 1] == "005" and codes[codes.index("396") + 1] == "251", codes
    assert visible.params[1] in burst[codes.index("001")].last  # 001 names nick!user@<cloak>


def test_others_never_see_the_address(server):
    alice = server.registered("alice")
    bob = server.registered("bob")
    alice.join("#c")
    bob.join("#c")
    alice.sync()
    bob.send("WHOIS alice")
    lines = bob.collect_until(numeric_re("318"))
    bob.send("WHO #c %tuihn,5")
    lines += bob.collect_until(numeric_re("315"))
    bob.send("USERHOST alice")
    lines += [bob.expect_numeric("302")]
    about_alice = [l for l in lines if not (l.command == "354" and l.params[-1] == "bob")]  # bob sees his own
    assert not any("127.0.0.1" in l for l in about_alice), lines
    assert not any(l.command == "378" for l in lines), lines
    whox = [l for l in lines if l.command == "354" and l.params[-1] == "alice"]
    assert whox and whox[0].params[3] == "255.255.255.255", lines


def test_whois_of_yourself_shows_the_real_address(server):
    alice = server.registered("alice")
    alice.send("WHOIS alice")
    lines = alice.collect_until(numeric_re("318"))
    host = [l for l in lines if l.command == "378"]
    assert host and host[0].params[1] == "alice", lines
    assert host[0].last == "is connecting from *@127.0.0.1 127.0.0.1", host


def test_ban_on_the_real_address_and_on_the_cloak(server):
    alice = server.registered("alice")
    bob = server.registered("bob")
    alice.join("#a")
    alice.join("#b")
    alice.send("MODE #a +b *!*@127.0.0.1")
    alice.expect(command_re("MODE", "alice"))
    bob.send("WHOIS bob")
    cloak = bob.expect_numeric("311").params[3]
    bob.collect_until(numeric_re("318"))
    alice.send(f"MODE #b +b *!*@*.{cloak.split('.', 1)[1]}")  # the /24 and /16 labels
    alice.expect(command_re("MODE", "alice"))
    for chan in ("#a", "#b"):
        bob.send(f"JOIN {chan}")
        err = bob.expect_numeric("474")
        assert err.params[1] == chan, err


def test_account_extban_is_stored_canonically(server):
    alice = server.registered("alice")
    alice.join("#c")
    alice.send("MODE #c +b $a:spammer")
    change = alice.expect(command_re("MODE", "alice"))
    assert change.params == ["#c", "+b", "a:spammer"], change
    alice.send("MODE #c +b $a")
    change = alice.expect(command_re("MODE", "alice"))
    assert change.params == ["#c", "+b", "a:*"], change
    bob = server.registered("bob")  # not logged in: neither ban applies
    bob.join("#c")


def test_cloaks_can_be_turned_off(start_server):
    srv = start_server({"cloaks": {"enabled": False}})
    alice = srv.client("alice")
    burst = alice.register("alice")
    assert "396" not in [l.command for l in burst]
    alice.send("WHOIS alice")
    lines = alice.collect_until(numeric_re("318"))
    user = [l for l in lines if l.command == "311"][0]
    assert user.params[3] == "127.0.0.1", user
    assert not any(l.command == "378" for l in lines), lines


def test_suffix_is_configurable(start_server):
    srv = start_server({"cloaks": {"suffix": "users.example.org"}})
    burst = srv.client("alice").register("alice")
    visible = [l for l in burst if l.command == "396"][0]
    assert re.fullmatch(r"[a-z2-7]{8}\.[a-z2-7]{8}\.[a-z2-7]{8}\.users\.example\.org", visible.params[1]), visible


@pytest.mark.parametrize("body, words", [
    ('suffix = ".bad"', "cloaks.suffix must be"),
    ('suffix = "has space"', "cloaks.suffix must be"),
    ("enabled = 3", "cloaks.enabled"),
    ('secret = "abc"', "secret"),
])
def test_bad_cloak_settings_are_refused(parley_bin, tmp_path, body, words):
    path = tmp_path / "parley.toml"
    path.write_text(f"[cloaks]\n{body}\n")
    result = subprocess.run([parley_bin, "server", "--check-config", str(path)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{path}:2:" in result.stdout and words in result.stdout, result.stdout
