"""The `parley` command line itself: `parley help`, option values that are not numbers, and the
server's own log lines about counts (issue 17)."""

from __future__ import annotations

import subprocess

import pytest


def run(parley_bin, *args) -> subprocess.CompletedProcess:
    return subprocess.run([parley_bin, *args], capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)


def test_help_shows_every_command(parley_bin):
    result = run(parley_bin, "help")
    assert result.returncode == 0, result.stderr
    assert "A subcommand is required" not in result.stdout + result.stderr
    for command in ("server", "chat", "peer", "talk", "simple-client", "account", "help"):
        assert f"\n  {command} " in result.stdout, result.stdout
    assert result.stdout == run(parley_bin, "--help").stdout


def test_help_on_a_command_shows_its_options(parley_bin):
    result = run(parley_bin, "help", "server")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Run the IRC server"), result.stdout
    assert "Usage: parley server [OPTIONS]" in result.stdout
    assert "--check-config" in result.stdout
    assert result.stdout == run(parley_bin, "server", "--help").stdout


def test_help_on_an_unknown_command_says_so(parley_bin):
    result = run(parley_bin, "help", "nosuch")
    assert result.returncode == 2
    assert result.stderr == "parley help: there is no command nosuch; `parley help` lists them\n"


def test_no_command_shows_the_help_and_fails(parley_bin):
    result = run(parley_bin)
    assert result.returncode == 1
    assert "Usage: parley [OPTIONS] SUBCOMMAND" in result.stderr
    assert "A subcommand is required" not in result.stderr


@pytest.mark.parametrize("args, option", [
    (["server", "--port", "abc"], "--port"),
    (["server", "--tls-port", "6697x"], "--tls-port"),
    (["talk-server", "abc"], "PORT"),
    (["talk", "localhost", "abc"], "PORT"),
    (["peer", "alice", "--headless", "--degree", "three"], "--degree"),
])
def test_a_value_that_is_not_a_number_is_called_that(parley_bin, args, option):
    result = run(parley_bin, *args)
    assert result.returncode != 0
    value = args[-1]
    assert f"{option}: {value} is not a number" in result.stderr, result.stderr
    assert "not in range" not in result.stderr


@pytest.mark.parametrize("value", ["65536", "-1", "99999999999999999999999"])
def test_a_port_out_of_range_names_the_range(parley_bin, value):
    result = run(parley_bin, "server", "--port", value)
    assert result.returncode != 0
    assert f"--port: {value} is not in the range 0 to 65535" in result.stderr, result.stderr


def test_shutdown_log_counts_one_connection_in_the_singular(start_server):
    server = start_server()
    server.registered("alice")
    server.stop()
    log = server.stderr_path.read_text()
    assert "SIGTERM: shutting down (1 connection)" in log, server.logs()
