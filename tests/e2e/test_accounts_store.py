"""`parley account` against a real data directory, and the store's crash durability.

The checks read parley.db with Python's own sqlite3 module and verify passwords through the SCRAM
credentials the way a SASL client would (PBKDF2 + HMAC, RFC 5802), so they test the file format
that docs/storage.md documents, independently of Parley's code.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest


def run_account(parley_bin: str, data_dir: Path, *args: str, password: str | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([parley_bin, "account", *args, "--data-dir", str(data_dir)],
                          input=(password + "\n").encode() if password is not None else b"",
                          capture_output=True, timeout=timeout)


def text(out: bytes) -> str:
    return out.decode(errors="replace")


def db_rows(data_dir: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(data_dir / "parley.db") as db:
        return db.execute(sql, params).fetchall()


def scram_verifies(data_dir: Path, folded: str, password: str) -> bool:
    """Whether `password` matches the account's stored SCRAM-SHA-256 keys."""
    rows = db_rows(data_dir, "SELECT scram_salt, scram_iterations, scram_stored_key, scram_server_key "
                             "FROM accounts WHERE name_folded = ?", folded)
    if not rows:
        return False
    salt, iterations, stored_key, server_key = rows[0]
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return (hashlib.sha256(client_key).digest() == stored_key
            and hmac.new(salted, b"Server Key", hashlib.sha256).digest() == server_key)


def test_round_trip(parley_bin, tmp_path):
    data = tmp_path / "data"
    out = run_account(parley_bin, data, "create", "Alice", "--email", "alice@example.org", password="first secret")
    assert out.returncode == 0, text(out.stderr)
    assert text(out.stdout).strip() == "created account Alice"
    assert (data / "parley.db").exists()
    assert oct((data / "parley.db").stat().st_mode & 0o777) == "0o600"

    out = run_account(parley_bin, data, "create", "bob", "--unverified", password="second secret")
    assert out.returncode == 0, text(out.stderr)

    out = run_account(parley_bin, data, "list")
    assert out.returncode == 0
    lines = text(out.stdout).splitlines()
    assert lines[0].split()[:3] == ["NAME", "VERIFIED", "CERTS"]
    assert lines[1].split()[:3] == ["Alice", "yes", "0"]
    assert lines[1].split()[-1] == "alice@example.org"
    assert lines[2].split()[:3] == ["bob", "no", "0"]
    assert lines[-1] == "2 accounts"

    # Lookups fold with the server's casemapping (rfc1459 by default: [ ] \ ~ fold too).
    out = run_account(parley_bin, data, "show", "ALICE")
    assert out.returncode == 0, text(out.stderr)
    shown = text(out.stdout)
    assert "account:      Alice" in shown
    assert "email:        alice@example.org" in shown
    assert "scram-sha256: yes (4096 iterations)" in shown

    assert scram_verifies(data, "alice", "first secret")
    assert not scram_verifies(data, "alice", "wrong secret")
    [(hash_,)] = db_rows(data, "SELECT password_hash FROM accounts WHERE name_folded = 'alice'")
    assert hash_.startswith("$argon2id$")

    out = run_account(parley_bin, data, "passwd", "alice", password="changed secret")
    assert out.returncode == 0, text(out.stderr)
    assert scram_verifies(data, "alice", "changed secret")
    assert not scram_verifies(data, "alice", "first secret")

    out = run_account(parley_bin, data, "verify", "bob")
    assert out.returncode == 0
    assert db_rows(data, "SELECT verified FROM accounts WHERE name_folded = 'bob'") == [(1,)]

    out = run_account(parley_bin, data, "delete", "bob")  # no terminal, no --yes: refused
    assert out.returncode == 2
    assert "without --yes" in text(out.stderr)
    out = run_account(parley_bin, data, "delete", "bob", "--yes")
    assert out.returncode == 0, text(out.stderr)
    assert text(out.stdout).strip() == "deleted account bob"
    out = run_account(parley_bin, data, "list")
    assert text(out.stdout).splitlines()[-1] == "1 account"
    assert db_rows(data, "PRAGMA integrity_check") == [("ok",)]


def test_refusals_have_clear_messages_and_exit_codes(parley_bin, tmp_path):
    data = tmp_path / "data"
    out = run_account(parley_bin, data, "list")
    assert out.returncode == 1
    assert "no account database at" in text(out.stderr)
    assert not data.exists(), "reading must not create the data directory"

    assert run_account(parley_bin, data, "create", "alice", password="good password").returncode == 0
    cases = [
        (("create", "alice"), "good password", 1, "already exists"),
        (("create", "9lives"), "good password", 2, "not a valid account name"),
        (("create", "carol"), "short", 2, "shorter than 8"),
        (("create", "carol"), None, 2, "no password on standard input"),
        (("create", "carol", "--email", "not-an-address"), "good password", 2, "not an e-mail address"),
        (("show", "nobody"), None, 1, "no account named nobody"),
        (("passwd", "nobody"), "good password", 1, "no account named nobody"),
        (("delete", "nobody", "--yes"), None, 1, "no account named nobody"),
        (("verify", "nobody"), None, 1, "no account named nobody"),
    ]
    for args, password, status, message in cases:
        out = run_account(parley_bin, data, *args, password=password)
        assert out.returncode == status, (args, text(out.stderr))
        assert message in text(out.stderr), (args, text(out.stderr))
    out = run_account(parley_bin, data, "list")
    assert text(out.stdout).splitlines()[-1] == "1 account"


def test_email_limit_is_the_servers(parley_bin, tmp_path):
    data = tmp_path / "data"
    for i in range(3):
        out = run_account(parley_bin, data, "create", f"user{i}", "--email", "Same@Example.org",
                          password="good password")
        assert out.returncode == 0, text(out.stderr)
    out = run_account(parley_bin, data, "create", "user3", "--email", "same@example.ORG", password="good password")
    assert out.returncode == 1
    assert "already has 3 accounts" in text(out.stderr)


def test_corrupt_database_is_a_clear_error(parley_bin, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    garbage = b"this is not a database\n" * 400
    (data / "parley.db").write_bytes(garbage)
    out = run_account(parley_bin, data, "list")
    assert out.returncode == 1
    err = text(out.stderr)
    assert "parley.db" in err and "file is not a database" in err, err
    out = run_account(parley_bin, data, "create", "alice", password="good password")
    assert out.returncode == 1
    assert "file is not a database" in text(out.stderr)
    assert (data / "parley.db").read_bytes() == garbage, "a refused file is left as it was"


def test_newer_schema_is_refused(parley_bin, tmp_path):
    data = tmp_path / "data"
    assert run_account(parley_bin, data, "create", "alice", password="good password").returncode == 0
    with sqlite3.connect(data / "parley.db") as db:
        db.execute("PRAGMA user_version = 99")
    out = run_account(parley_bin, data, "list")
    assert out.returncode == 1
    assert "schema version 99 is newer" in text(out.stderr)


def test_two_writers_at_once_both_succeed(parley_bin, tmp_path):
    # The CLI and the server share the file the same way: WAL and a busy timeout.
    data = tmp_path / "data"
    assert run_account(parley_bin, data, "create", "first", password="good password").returncode == 0
    procs = [subprocess.Popen([parley_bin, "account", "create", f"w{i}", "--data-dir", str(data)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i in range(4)]
    for p in procs:
        p.stdin.write(b"good password\n")
        p.stdin.close()
    for p in procs:
        assert p.wait(timeout=60) == 0, p.stderr.read().decode()
    names = [r[0] for r in db_rows(data, "SELECT name FROM accounts ORDER BY name_folded")]
    assert names == ["first", "w0", "w1", "w2", "w3"]


WRITER = r"""
i=0
while true; do
  i=$((i+1))
  printf 'secret-%s-%s\n' "$1" "$i" | "$PARLEY" account create "$1x$i" --data-dir "$DATA" >>"$LOG" 2>/dev/null
done
"""


def test_kill_9_loses_no_acknowledged_account(parley_bin, tmp_path):
    """Writers create accounts in a loop and are killed with SIGKILL at arbitrary moments (in the
    middle of hashing, of a commit, of printing). Every account whose "created account" line was
    printed must then be in the database, intact, with its password verifying."""
    data = tmp_path / "data"
    assert run_account(parley_bin, data, "create", "seed", password="seed password").returncode == 0
    acknowledged: dict[str, str] = {}
    for round_ in range(4):
        logs, writers = [], []
        for w in range(3):
            log = tmp_path / f"round{round_}-w{w}.log"
            logs.append(log)
            env = dict(os.environ, PARLEY=parley_bin, DATA=str(data), LOG=str(log))
            writers.append(subprocess.Popen(["bash", "-c", WRITER, "writer", f"r{round_}w{w}"], env=env,
                                            start_new_session=True))
        time.sleep(1.5 + 0.37 * round_)
        for p in writers:
            os.killpg(p.pid, signal.SIGKILL)  # the loop and the parley it is running, mid-flight
        for p in writers:
            p.wait(timeout=10)
        for log in logs:
            if not log.exists():
                continue
            # Only whole lines: the last one may have been cut short by the kill.
            for line in log.read_text(errors="replace").split("\n")[:-1]:
                if line.startswith("created account ") and line.count(" ") == 2:
                    name = line.split()[2]
                    prefix, n = name.split("x")
                    acknowledged[name.lower()] = f"secret-{prefix}-{n}"

    assert len(acknowledged) >= 3, f"the writers made too little progress to test anything: {acknowledged}"
    print(f"{len(acknowledged)} acknowledged accounts survived 4 rounds of kill -9 of 3 writers")
    # Reopened by a new process (what a restarted server does): everything acknowledged is there.
    out = run_account(parley_bin, data, "list")
    assert out.returncode == 0, text(out.stderr)
    listed = {line.split()[0].lower() for line in text(out.stdout).splitlines()[1:-1]}
    missing = sorted(set(acknowledged) - listed)
    assert not missing, f"acknowledged but lost after kill -9: {missing}"
    for name, password in acknowledged.items():
        assert scram_verifies(data, name, password), f"{name}: password does not verify after kill -9"
    assert db_rows(data, "PRAGMA integrity_check") == [("ok",)]
    # Nothing half-written: every row is complete (the CHECK constraints hold, every certfp has its
    # account), and the store still takes writes.
    assert db_rows(data, "SELECT count(*) FROM accounts WHERE password_hash NOT LIKE '$argon2id$%'") == [(0,)]
    assert db_rows(data, "PRAGMA foreign_key_check") == []
    assert run_account(parley_bin, data, "create", "after", password="after password").returncode == 0


def test_names_fold_with_the_servers_casemapping(parley_bin, tmp_path):
    data = tmp_path / "data"
    assert run_account(parley_bin, data, "create", "Nick[away]", password="good password").returncode == 0
    # rfc1459 by default: [ ] fold to { }, so this is the same account and name.
    out = run_account(parley_bin, data, "show", "NICK{AWAY}")
    assert out.returncode == 0, text(out.stderr)
    assert "account:      Nick[away]" in text(out.stdout)
    out = run_account(parley_bin, data, "create", "nick{away}", password="good password")
    assert out.returncode == 1 and "already exists" in text(out.stderr)
    # With the server's configuration saying ascii, [ and { differ.
    config = tmp_path / "parley.toml"
    config.write_text('[server]\ncasemapping = "ascii"\n')
    other = tmp_path / "ascii"
    assert run_account(parley_bin, other, "--config", str(config), "create", "Nick[away]",
                       password="good password").returncode == 0
    out = run_account(parley_bin, other, "--config", str(config), "show", "nick{away}")
    assert out.returncode == 1 and "no account named" in text(out.stderr)
    out = run_account(parley_bin, other, "--config", str(config), "show", "NICK[AWAY]")
    assert out.returncode == 0, text(out.stderr)
    # A broken configuration is refused before anything is touched.
    config.write_text('[server]\ncasemapping = "klingon"\n')
    out = run_account(parley_bin, other, "--config", str(config), "list")
    assert out.returncode == 2
    assert "casemapping" in text(out.stderr)
