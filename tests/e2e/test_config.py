"""`parley server --check-config` and `--config`: a bad file is refused with FILE:LINE messages."""

from __future__ import annotations

import subprocess

import pytest


def check(parley_bin: str, path) -> subprocess.CompletedProcess:
    return subprocess.run([parley_bin, "server", "--check-config", str(path)],
                          capture_output=True, text=True, timeout=30)


def write(tmp_path, text: str):
    path = tmp_path / "parley.toml"
    path.write_text(text)
    return path


def test_valid_file_is_ok(parley_bin, tmp_path, password_hash):
    path = write(tmp_path, f"""
[server]
name = "irc.example.org"
port = 6667
motd = ["hello"]

[limits]
max_clients = 100

[flood]
exempt = ["127.0.0.0/8", "::1/128"]

[[operator]]
name = "root"
password_hash = "{password_hash('secret')}"
""")
    result = check(parley_bin, path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"{path}: OK"


@pytest.mark.parametrize("body, line, words", [
    ('[server]\nname = "a.b"\nbogus = 1\n', 3, "bogus"),
    ('[server]\nport = 70000\n', 2, "port"),
    ('[server]\nport = "6667"\n', 2, "port"),
    ('[limits]\n\nmax_clients = -5\n', 3, "max_clients"),
    ('[flood]\nexempt = ["300.1.1.1/8"]\n', 2, "300.1.1.1"),
    ('[server]\ncasemapping = "klingon"\n', 2, "casemapping"),
    ('[nonsense]\nx = 1\n', 1, "nonsense"),
    ('[server]\nname = "unterminated\n', 2, ""),
    ('[[operator_class]]\nname = "h"\ncommands = ["KILL", "PRIVMSG"]\n', 3, "PRIVMSG"),
    ('[[operator_class]]\nname = "h"\ncommands = ["*"]\nsnomask = "cz"\n', 4, "snomask"),
    ('[[operator_class]]\nname = "h"\n', 1, "commands"),
    ('[[operator]]\nname = "o"\npassword_hash = "x"\nclass = "nobody"\n', 4, "nobody"),
])
def test_problems_are_reported_with_their_line(parley_bin, tmp_path, body, line, words):
    path = write(tmp_path, body)
    result = check(parley_bin, path)
    assert result.returncode == 1, result.stdout + result.stderr
    problems = [l for l in result.stdout.splitlines() if l.startswith(f"{path}:")]
    assert problems, result.stdout + result.stderr
    assert any(p.startswith(f"{path}:{line}:") and words in p for p in problems), problems


def test_invalid_config_refuses_to_start(parley_bin, tmp_path):
    path = write(tmp_path, '[limits]\nmax_clients_per_ip = "many"\n')
    result = subprocess.run([parley_bin, "server", "--bind", "127.0.0.1", "--port", "0", "--config", str(path)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stdout == ""  # never claimed to listen
    assert f"{path}:2:" in result.stderr


def test_missing_file_is_an_error(parley_bin, tmp_path):
    result = check(parley_bin, tmp_path / "absent.toml")
    assert result.returncode != 0
    assert "absent.toml" in result.stdout + result.stderr


def test_a_directory_is_not_a_configuration_file(parley_bin, tmp_path):
    result = check(parley_bin, tmp_path)
    assert result.returncode == 1
    assert result.stdout.strip() == f"{tmp_path}: is a directory, not a configuration file"
    result = subprocess.run([parley_bin, "server", "--bind", "127.0.0.1", "--port", "0", "--config", str(tmp_path)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stdout == ""  # never claimed to listen
    assert f"{tmp_path}: is a directory, not a configuration file" in result.stderr


def test_a_device_is_not_a_configuration_file(parley_bin):
    result = check(parley_bin, "/dev/null")
    assert result.returncode == 1
    assert result.stdout.strip() == "/dev/null: is not a regular file"


def test_an_unreadable_file_is_an_error(parley_bin, tmp_path):
    path = write(tmp_path, "[server]\n")
    path.chmod(0)
    try:
        with open(path):
            pytest.skip("running as root: a mode-0 file is still readable")
    except PermissionError:
        pass
    result = check(parley_bin, path)
    assert result.returncode == 1
    assert result.stdout.strip() == f"{path}: cannot read the file: Permission denied"
