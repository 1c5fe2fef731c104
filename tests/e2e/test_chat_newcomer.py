"""`parley chat` as a new user meets it (issue 17): a piped script is paced under the server's
flood limit and arrives whole; a bad SERVER argument or nick is a clear error; passwords need
not be on the command line; Ctrl-C quits the terminal UI.

Every wait has a deadline; every process is ended at teardown.
"""

from __future__ import annotations

import queue
import subprocess
import threading
import time

import pytest

NOT_EXEMPT = {"flood": {"exempt": []}}  # the server's default flood limits apply to 127.0.0.1


def run_chat(parley_bin: str, *args: str, stdin: str = "", timeout: float = 60, env=None):
    return subprocess.run([parley_bin, "chat", *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_forty_piped_lines_all_arrive_in_order_without_excess_flood(parley_bin, start_server):
    srv = start_server(NOT_EXEMPT)
    watcher = srv.registered("watcher")
    watcher.join("#paste")
    script = "".join(f"line {i}\n" for i in range(1, 41))
    done = run_chat(parley_bin, f"127.0.0.1:{srv.port}", "--nick", "scripter", "--join", "#paste",
                    "--headless", stdin=script)
    assert "Excess Flood" not in done.stdout + done.stderr, done.stdout[-2000:]
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    got = [watcher.expect_command("PRIVMSG", "scripter", timeout=5).last for _ in range(40)]
    assert got == [f"line {i}" for i in range(1, 41)]
    assert "Quit" in watcher.expect_command("QUIT", "scripter", timeout=5).last


@pytest.mark.parametrize("target, complaint", [
    ("127.0.0.1:99999", 'port must be a number from 1 to 65535, not "99999"'),
    ("127.0.0.1:abc", 'not "abc"'),
    ("127.0.0.1:0", 'not "0"'),
    ("127.0.0.1:", 'not ""'),
    (":6667", "has no host"),
    ("ircs://:6697", "has no host"),
])
def test_a_bad_server_argument_is_a_usage_error_at_start(parley_bin, target, complaint):
    done = run_chat(parley_bin, target, "--nick", "n", "--headless", timeout=10)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert complaint in done.stderr, done.stderr
    assert done.stdout == "", "nothing was tried"


def test_ipv6_in_brackets_connects_and_messages_name_host_and_port(parley_bin):
    import socket
    try:
        listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        listener.bind(("::1", 0))
    except OSError as e:
        pytest.skip(f"no IPv6 loopback here: {e}")
    listener.listen(1)
    listener.settimeout(10)
    port = listener.getsockname()[1]
    chat = subprocess.Popen([parley_bin, "chat", f"[::1]:{port}", "--nick", "six", "--headless"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        conn, _ = listener.accept()
        conn.settimeout(10)
        received = b""
        while b"NICK six" not in received:
            chunk = conn.recv(4096)
            assert chunk, "the client closed"
            received += chunk
        conn.close()
        listener.close()
        out, _ = chat.communicate("/quit\n", timeout=10)
        assert f"Connected to [::1]:{port}, registering as six" in out, out
    finally:
        if chat.poll() is None:
            chat.kill()
            chat.wait(timeout=5)


# ---- the server password without the command line -----------------------------------------------


def test_help_offers_password_sources_other_than_the_command_line(parley_bin):
    done = subprocess.run([parley_bin, "chat", "--help"], capture_output=True, text=True, timeout=10)
    text = " ".join(done.stdout.split())
    for wanted in ("--server-password-file", "--server-password-prompt", "$PARLEY_SERVER_PASSWORD",
                   "Other users can read it in ps"):
        assert wanted in text, text


@pytest.fixture
def password_server(start_server, password_hash):
    from conftest import SERVER_NAME
    return start_server({"server": {"name": SERVER_NAME, "password_hash": password_hash("letmein")}})


def wait_welcomed(parley_bin, srv, *args: str, env=None) -> str:
    """Runs the client until it is welcomed or shows an error (then /quit); returns its output."""
    chat = subprocess.Popen([parley_bin, "chat", f"127.0.0.1:{srv.port}", "--nick", "pw", "--headless", *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in chat.stdout], daemon=True).start()
    seen = []
    try:
        deadline = time.monotonic() + 10
        while not any("Welcome" in line or "!!" in line for line in seen):
            left = deadline - time.monotonic()
            assert left > 0, "neither welcomed nor refused within 10 s:\n" + "".join(seen)
            try:
                seen.append(lines.get(timeout=left))
            except queue.Empty:
                pass
        chat.stdin.write("/quit\n")
        chat.stdin.flush()
        chat.wait(timeout=10)
        return "".join(seen)
    finally:
        if chat.poll() is None:
            chat.kill()
            chat.wait(timeout=5)


def test_server_password_from_a_file(parley_bin, password_server, tmp_path):
    secret = tmp_path / "pass"
    secret.write_text("letmein\n")
    out = wait_welcomed(parley_bin, password_server, "--server-password-file", str(secret))
    assert "Welcome" in out, out


def test_server_password_from_the_environment(parley_bin, password_server):
    import os
    out = wait_welcomed(parley_bin, password_server, env=dict(os.environ, PARLEY_SERVER_PASSWORD="letmein"))
    assert "Welcome" in out, out


def test_server_password_prompt_without_a_terminal_says_what_to_use(parley_bin):
    done = run_chat(parley_bin, "127.0.0.1:6667", "--headless", "--server-password-prompt", stdin="hi\n",
                    timeout=10)
    assert done.returncode == 2
    assert "--server-password-file" in done.stderr and "PARLEY_SERVER_PASSWORD" in done.stderr, done.stderr


def test_two_password_sources_at_once_are_refused(parley_bin, tmp_path):
    secret = tmp_path / "pass"
    secret.write_text("x\n")
    done = run_chat(parley_bin, "127.0.0.1:6667", "--headless", "--password", "y", "--server-password-file",
                    str(secret), timeout=10)
    assert done.returncode == 2 and "one way" in done.stderr, done.stderr


# ---- Ctrl-C in the terminal UI --------------------------------------------------------------------


@pytest.fixture
def tmux():
    import shutil
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    from tmux_session import Tmux
    t = Tmux("parley-chat-newcomer")
    yield t
    t.kill()


def test_ctrl_c_quits_the_terminal_ui_and_the_status_line_says_so(parley_bin, server, tmux):
    import polling
    bob = server.registered("bob")
    bob.join("#parley")
    tmux.start("chat", [parley_bin, "chat", f"127.0.0.1:{server.port}", "--nick", "alice", "--join", "#parley"],
               width=120, height=24, term="tmux-256color")
    screen = lambda: tmux.screen("chat")  # noqa: E731
    bob.expect_command("JOIN", "alice")
    polling.wait_for(lambda: "/quit or Ctrl-C leaves" in screen(), 10, "the quit hint in the status line")
    tmux.keys("chat", "C-c")
    assert "Leaving" in bob.expect_command("QUIT", "alice", timeout=10).last
    polling.wait_for(lambda: not tmux.alive("chat"), 10, "the client to exit after Ctrl-C")


# ---- honest errors ---------------------------------------------------------------------------------


def test_an_invalid_nick_says_so_instead_of_trying_fallbacks(parley_bin, server):
    chat = subprocess.Popen([parley_bin, "chat", f"127.0.0.1:{server.port}", "--nick", "bad nick", "--headless"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        chat.wait(timeout=15)  # stdin stays open: the client must end by itself
        out, err = chat.stdout.read(), chat.stderr.read()
    finally:
        if chat.poll() is None:
            chat.kill()
            chat.wait(timeout=5)
    assert chat.returncode == 1, (out, err)
    assert "invalid" in err and "--nick" in err, err
    assert "fallback" not in out + err and "trying" not in out, out


def test_your_own_quit_is_not_shown_as_an_error(parley_bin, server):
    done = run_chat(parley_bin, f"127.0.0.1:{server.port}", "--nick", "leaver", "--join", "#parley",
                    "--headless", stdin="hello\n/quit bye\n", timeout=20)
    assert done.returncode == 0, done.stderr
    assert "Server closed the connection" in done.stdout, done.stdout
    errors = [line for line in done.stdout.splitlines() if "] !! " in line]
    assert errors == [], errors


def test_server_password_prompt_asks_without_echo(parley_bin, password_server, tmux):
    import polling
    tmux.start("chat", [parley_bin, "chat", f"127.0.0.1:{password_server.port}", "--nick", "pw",
                        "--server-password-prompt"], width=120, height=24, term="tmux-256color")
    screen = lambda: tmux.screen("chat")  # noqa: E731
    polling.wait_for(lambda: "Server password for 127.0.0.1:" in screen(), 10, "the password prompt")
    tmux.type("chat", "letmein")
    time.sleep(0.3)  # time for an echo to show, if there were one
    assert "letmein" not in screen(), "the password was echoed"
    tmux.keys("chat", "Enter")
    polling.wait_for(lambda: "Welcome" in screen(), 10, f"registration with the password:\n{screen()}")
    tmux.keys("chat", "C-c")
    polling.wait_for(lambda: not tmux.alive("chat"), 10, "the client to exit")
