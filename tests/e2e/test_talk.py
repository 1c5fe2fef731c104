"""`parley talk-server` and `parley talk` (issue 4, seed 000): the 1:1 turn-taking talk.

Every program runs as a real process with pipes on stdin and files on stdout/stderr; raw sockets
speak the wire protocol (docs/protocol.md, "Talk") where a test needs bytes a well-behaved
client would never send. Every wait has a deadline.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

import pytest
from polling import wait_for

PROMPT = "enter next message: "
TIMEOUT = 10.0


# ---- helpers ----------------------------------------------------------------------------------


class Output:
    """A process's stdout or stderr, captured in a file that tests poll."""

    def __init__(self, path: Path):
        self.path = path
        self.file = open(path, "wb")

    def text(self) -> str:
        return self.path.read_bytes().decode(errors="replace")

    def wait_for(self, pattern, timeout=TIMEOUT, start=0) -> re.Match:
        regex = re.compile(pattern if not isinstance(pattern, str) else re.escape(pattern))
        found = []

        def check():
            m = regex.search(self.text(), start)
            if m:
                found.append(m)
            return m is not None

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not check():
            time.sleep(0.01)
        assert found or check(), f"{self.path.name}: no {regex.pattern!r} within {timeout}s in:\n{self.text()}"
        return found[0]


class Proc:
    def __init__(self, args, tmp: Path, name: str, stdin=subprocess.PIPE):
        self.name = name
        self.out = Output(tmp / f"{name}.out")
        self.err = Output(tmp / f"{name}.err")
        self.p = subprocess.Popen(args, stdin=stdin, stdout=self.out.file, stderr=self.err.file)

    def write(self, text: str):
        self.p.stdin.write(text.encode())
        self.p.stdin.flush()

    def close_stdin(self):
        if self.p.stdin and not self.p.stdin.closed:
            try:
                self.p.stdin.close()
            except BrokenPipeError:
                pass

    def wait(self, timeout=TIMEOUT) -> int:
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{self.name} did not exit within {timeout}s; "
                        f"stdout:\n{self.out.text()}\nstderr:\n{self.err.text()}")

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(timeout=5)
        self.close_stdin()


class TalkServer(Proc):
    def __init__(self, binary, tmp: Path, name="server", echo=True):
        args = [binary, "talk-server", "0", "--bind", "127.0.0.1"] + (["--echo"] if echo else [])
        super().__init__(args, tmp, name, stdin=subprocess.DEVNULL if echo else subprocess.PIPE)
        m = self.out.wait_for(re.compile(r"parley talk-server listening on 127\.0\.0\.1:(\d+)\n"))
        self.port = int(m.group(1))

    def fd_count(self) -> int:
        return len(os.listdir(f"/proc/{self.p.pid}/fd"))

    def stop(self):
        """SIGTERM; the server must exit with status 0 within 5 s (it is killed if not)."""
        try:
            if self.p.poll() is None:
                self.p.send_signal(signal.SIGTERM)
                assert self.wait(5) == 0, f"talk-server exited with {self.p.returncode}:\n{self.err.text()}"
        finally:
            self.kill()


@pytest.fixture
def procs(parley_bin, tmp_path):
    """procs.server(echo=True) / procs.client(port) -> started processes, all stopped at teardown."""
    started: list[Proc] = []

    class Factory:
        def server(self, echo=True, name="server"):
            s = TalkServer(parley_bin, tmp_path, name, echo)
            started.append(s)
            return s

        def client(self, port, name=None):
            c = Proc([parley_bin, "talk", "127.0.0.1", str(port)], tmp_path, name or f"client{len(started)}")
            started.append(c)
            return c

    yield Factory()
    for p in started:
        if not isinstance(p, TalkServer):
            p.kill()
    problems = []
    for p in started:
        if isinstance(p, TalkServer):
            try:
                p.stop()
            except (AssertionError, pytest.fail.Exception) as e:
                problems.append(str(e))
    if problems:
        pytest.fail("talk-server teardown: " + "\n".join(problems), pytrace=False)


def frame(tag: bytes, payload: bytes = b"") -> bytes:
    return tag + struct.pack(">I", len(payload)) + payload


class RawClient:
    """Speaks the wire protocol directly, for bytes `parley talk` would never send."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buffer = b""

    def send(self, data: bytes):
        self.sock.sendall(data)

    def read_frame(self, timeout=TIMEOUT):
        """(tag, payload), or None at EOF."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buffer) >= 5:
                (length,) = struct.unpack(">I", self.buffer[1:5])
                if len(self.buffer) >= 5 + length:
                    tag, payload = self.buffer[:1], self.buffer[5 : 5 + length]
                    self.buffer = self.buffer[5 + length :]
                    return tag, payload
            left = deadline - time.monotonic()
            assert left > 0, f"no complete frame within {timeout}s (have {self.buffer!r})"
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                assert self.buffer == b"", f"EOF inside a frame: {self.buffer!r}"
                return None
            self.buffer += chunk

    def exchange(self, text: str) -> str:
        self.send(frame(b"M", text.encode()))
        tag, payload = self.read_frame()
        assert tag == b"R", (tag, payload)
        return payload.decode()

    def close(self):
        self.sock.close()


def run_session(procs, port, lines, name=None) -> Proc:
    """A `parley talk` that says `lines`, then hangs up; returns it after checking every answer."""
    c = procs.client(port, name)
    c.write("".join(line + "\n" for line in lines) + "hangup\n")
    assert c.wait() == 0, c.err.text()
    return c


def warmed_up_fd_count(procs, server) -> int:
    """The server's descriptor count at rest, checked to be the same after one whole session
    (so nothing is opened lazily, and the session's descriptor is really gone)."""
    initial = server.fd_count()
    run_session(procs, server.port, ["warm-up"])
    wait_for(lambda: server.fd_count() == initial, timeout=10,
             what=f"fd count back to {initial} after the warm-up session (now {server.fd_count()})")
    return initial


def echo_transcript(lines):
    return "".join(f"{PROMPT}{line}\ntalk server response: {line}\n" for line in lines) + f"{PROMPT}hangup\n"


# ---- sessions ---------------------------------------------------------------------------------


def test_full_session_ends_with_hangup(procs):
    server = procs.server(echo=True)
    c = procs.client(server.port)
    lines = ["hello", "what is happening?", "nothing, I guess good bye"]
    for line in lines:
        mark = len(c.out.text())
        c.write(line + "\n")
        c.out.wait_for(f"talk server response: {line}\n", start=mark)
    c.write("hangup\n")
    assert c.wait() == 0
    assert c.out.text() == echo_transcript(lines)
    assert c.err.text() == ""
    console = server.out.wait_for(re.compile(r"client \(127\.0\.0\.1,(\d+)\) hung up\n"))
    port = console.group(1)
    for line in lines:
        assert f"client (127.0.0.1,{port}) sent message: {line}\n" in server.out.text()


def test_second_client_after_the_first(procs):
    server = procs.server(echo=True)
    first = run_session(procs, server.port, ["hello", "bye bye"])
    second = run_session(procs, server.port, ["hello?", "so long."])
    assert first.out.text() == echo_transcript(["hello", "bye bye"])
    assert second.out.text() == echo_transcript(["hello?", "so long."])
    server.out.wait_for(re.compile(r"hung up\n(.|\n)*hung up\n"))
    ports = re.findall(r"client \(127\.0\.0\.1,(\d+)\) hung up", server.out.text())
    assert len(set(ports)) == 2, server.out.text()


def test_interactive_operator_answers_at_the_prompt(procs):
    server = procs.server(echo=False)
    a = procs.client(server.port, "a")
    a.write("hello\n")
    m = server.out.wait_for(re.compile(r"client \(127\.0\.0\.1,(\d+)\) sent message: hello\nenter next message: $"))
    a_port = m.group(1)
    server.write("hi there\n")
    a.out.wait_for("talk server response: hi there\n")
    a.write("what is happening?\n")
    server.out.wait_for(f"client (127.0.0.1,{a_port}) sent message: what is happening?\n{PROMPT}")
    server.write("nothing, what is up with you?\n")
    a.out.wait_for("talk server response: nothing, what is up with you?\n")
    a.write("hangup\n")
    assert a.wait() == 0
    server.out.wait_for(f"client (127.0.0.1,{a_port}) hung up\n")
    assert a.out.text() == (
        f"{PROMPT}hello\ntalk server response: hi there\n"
        f"{PROMPT}what is happening?\ntalk server response: nothing, what is up with you?\n"
        f"{PROMPT}hangup\n"
    )

    # The server keeps serving: a second client after the first.
    b = procs.client(server.port, "b")
    b.write("hello?\n")
    m = server.out.wait_for(re.compile(r"client \(127\.0\.0\.1,(\d+)\) sent message: hello\?\nenter next message: $"))
    assert m.group(1) != a_port
    server.write("hi, who are you?\n")
    b.out.wait_for("talk server response: hi, who are you?\n")
    b.write("hangup\n")
    assert b.wait() == 0
    # Piped answers are shown after the prompt, so the console reads like the seed's transcript.
    assert f"{PROMPT}hi there\n" in server.out.text()


def test_interactive_waiting_clients_are_queued_in_arrival_order(procs):
    server = procs.server(echo=False)
    a = procs.client(server.port, "a")
    a.write("I am first\n")
    m = server.out.wait_for(re.compile(r"client \(127\.0\.0\.1,(\d+)\) sent message: I am first\n"))
    a_port = m.group(1)
    b = procs.client(server.port, "b")
    b_port = server.out.wait_for(re.compile(r"client \(127\.0\.0\.1,(\d+)\) connected; it waits behind 1")).group(1)
    c = procs.client(server.port, "c")
    c_port = server.out.wait_for(re.compile(r"client \(127\.0\.0\.1,(\d+)\) connected; it waits behind 2")).group(1)
    c.write("I am third\n")
    b.write("I am second\n")
    # The waiting clients are told so, by a frame their client prints.
    b.out.wait_for("talk server: you are queued: 1 client(s) ahead of you")
    c.out.wait_for("talk server: you are queued: 2 client(s) ahead of you")
    server.out.wait_for(f"client (127.0.0.1,{b_port}) waits for its turn (1 ahead)")
    assert "sent message: I am second" not in server.out.text()

    server.write("answer for a\n")
    a.out.wait_for("talk server response: answer for a\n")
    a.write("hangup\n")
    assert a.wait() == 0
    # The console says whom the operator talks with now, and shows that client's message.
    server.out.wait_for(
        f"client (127.0.0.1,{a_port}) hung up\n\nnow talking with client (127.0.0.1,{b_port}) (1 waiting)\n"
        f"client (127.0.0.1,{b_port}) sent message: I am second\n{PROMPT}"
    )
    server.write("answer for b\n")
    b.out.wait_for("talk server response: answer for b\n")
    assert "talk server response" not in c.out.text()
    b.write("hangup\n")
    assert b.wait() == 0
    server.out.wait_for(f"now talking with client (127.0.0.1,{c_port}) (0 waiting)\n"
                        f"client (127.0.0.1,{c_port}) sent message: I am third\n{PROMPT}")
    server.write("answer for c\n")
    c.out.wait_for("talk server response: answer for c\n")
    c.write("hangup\n")
    assert c.wait() == 0
    for client, answer in ((a, "answer for a"), (b, "answer for b"), (c, "answer for c")):
        assert client.out.text().count("talk server response:") == 1
        assert f"talk server response: {answer}\n" in client.out.text()


def test_interactive_server_without_an_operator_says_so(procs):
    server = procs.server(echo=False)
    server.close_stdin()  # nobody at the console
    c = procs.client(server.port)
    c.write("anyone there?\n")
    assert c.wait() == 1
    assert "talk: the talk server ended the session (no-operator): nobody is at the talk server's console" in c.err.text()
    # The server itself goes on serving (and says why in its log).
    raw = RawClient(server.port)
    raw.send(frame(b"M", b"hello?"))
    assert raw.read_frame()[0] == b"E"
    server.err.wait_for("use --echo for an unattended server")


# ---- load and descriptors ---------------------------------------------------------------------


def test_hundred_concurrent_clients_twenty_exchanges_each(procs):
    server = procs.server(echo=True)
    baseline = warmed_up_fd_count(procs, server)

    clients = [procs.client(server.port, f"load{i:03}") for i in range(100)]
    # All connected at once before anyone speaks: 100 concurrent sessions.
    wait_for(lambda: server.fd_count() >= baseline + 100, timeout=30,
             what=f"100 connections (baseline {baseline})")
    scripts = [[f"client {i} says {j}: {'x' * (i + j)}" for j in range(20)] for i in range(100)]
    for c, lines in zip(clients, scripts):
        c.write("".join(line + "\n" for line in lines) + "hangup\n")
    for c, lines in zip(clients, scripts):
        assert c.wait(30) == 0, c.err.text()
        assert c.out.text() == echo_transcript(lines), c.name
        assert c.err.text() == ""

    # Every session closed its descriptor: back to where we started.
    wait_for(lambda: server.fd_count() == baseline, timeout=10,
             what=f"fd count back to {baseline} (now {server.fd_count()})")
    assert server.out.text().count("hung up\n") == 101
    assert server.p.poll() is None


# ---- bad input --------------------------------------------------------------------------------


MALFORMED = [
    ("unknown_tag", b"Zhello", "unknown-tag"),
    ("garbage", b"GET / HTTP/1.1\r\nHost: example\r\n\r\n", "unknown-tag"),
    ("nul_bytes", b"\x00" * 32, "unknown-tag"),
    ("oversize_length", b"M\x00\x01\x00\x01" + b"x" * 1000, "too-long"),
    ("huge_length", b"M\xff\xff\xff\xff", "too-long"),
    ("hangup_with_payload", b"H\x00\x00\x00\x03bye", "bad-length"),
    ("server_only_tag", frame(b"R", b"I am a server"), "unexpected-tag"),
    ("truncated_frame_then_close", frame(b"M", b"this frame is cut short")[:12], None),
    ("truncated_header_then_close", b"M\x00\x00", None),
]


def test_malformed_frames_end_only_that_session(procs):
    server = procs.server(echo=True)
    baseline = warmed_up_fd_count(procs, server)
    bystander = RawClient(server.port)
    assert bystander.exchange("before") == "before"

    for name, data, code in MALFORMED:
        bad = RawClient(server.port)
        assert bad.exchange("a good message first") == "a good message first"
        log_mark = len(server.err.text())
        if code is None:
            bad.send(data)
            bad.close()  # truncated, then the socket closes: nobody left to tell
            server.err.wait_for(re.compile(r"truncated frame: the connection ended after \d+ of"), start=log_mark)
        else:
            bad.send(data)
            tag, payload = bad.read_frame()
            assert tag == b"E", (name, tag, payload)
            assert payload.decode().startswith(code + " "), (name, payload)
            assert bad.read_frame() is None, f"{name}: the server did not close the session"
            bad.close()
            server.err.wait_for(re.compile(r"WARN|warn"), start=log_mark)
            assert f"session ended with ERROR {code}" in server.err.text()[log_mark:], name
        # The server and the other sessions go on.
        assert bystander.exchange(f"after {name}") == f"after {name}"
        run_session(procs, server.port, [f"new client after {name}"])

    bystander.send(frame(b"H"))
    assert bystander.read_frame() is None
    bystander.close()
    wait_for(lambda: server.fd_count() == baseline, timeout=10,
             what=f"fd count back to {baseline} (now {server.fd_count()})")
    assert server.p.poll() is None


def test_out_of_turn_message_is_an_error(procs):
    server = procs.server(echo=False)
    raw = RawClient(server.port)
    raw.send(frame(b"M", b"one") + frame(b"M", b"two"))
    tag, payload = raw.read_frame()
    assert tag == b"E" and payload.startswith(b"out-of-turn "), payload
    assert raw.read_frame() is None
    server.err.wait_for("session ended with ERROR out-of-turn")


# ---- the server goes away ---------------------------------------------------------------------


def test_client_says_so_when_the_server_dies(procs):
    server = procs.server(echo=True)
    c = procs.client(server.port)
    c.write("hello\n")
    c.out.wait_for("talk server response: hello\n")
    server.p.kill()
    server.p.wait(timeout=5)
    assert c.wait() == 1  # noticed at the prompt, without typing anything
    err = c.err.text()
    assert "talk: the talk server closed the connection" in err or "talk: connection to the talk server lost" in err, err


def test_client_says_so_when_the_server_shuts_down(procs):
    server = procs.server(echo=True)
    c = procs.client(server.port)
    c.write("hello\n")
    c.out.wait_for("talk server response: hello\n")
    server.stop()  # SIGTERM: graceful, exit status 0
    assert c.wait() == 1
    assert "talk: the talk server ended the session (shutdown): the talk server is shutting down\n" in c.err.text()


def test_client_cannot_connect(parley_bin, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connections are refused
        out = subprocess.run([parley_bin, "talk", "127.0.0.1", str(port)], input=b"hello\n",
                             capture_output=True, timeout=TIMEOUT)
    assert out.returncode == 1
    assert f"talk: cannot connect to 127.0.0.1 port {port}: Connection refused\n".encode() in out.stderr


def test_client_gives_up_on_an_address_that_never_answers_after_10_s(parley_bin):
    # A listener whose backlog is full drops further SYNs: without a bound the connect would
    # wait for the kernel's retries (over two minutes).
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            start = time.monotonic()
            out = subprocess.run([parley_bin, "talk", "127.0.0.1", str(port)], input=b"hello\n",
                                 capture_output=True, timeout=30)
            took = time.monotonic() - start
    assert out.returncode == 1
    assert f"talk: cannot connect to 127.0.0.1 port {port}: timed out after 10 s\n".encode() in out.stderr
    assert 9 < took < 20, took


@pytest.mark.parametrize("greeting", [b"ERROR :Closing link: (registration timed out)\r\n",
                                      b":irc.example.net NOTICE * :*** Looking up your hostname\r\n"])
def test_client_recognises_a_server_that_is_not_a_talk_server(parley_bin, greeting):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        p = subprocess.Popen([parley_bin, "talk", "127.0.0.1", str(port)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            conn, _ = listener.accept()
            with conn:
                conn.sendall(greeting)
                _, err = p.communicate(timeout=TIMEOUT)
        finally:
            p.kill()
    assert p.returncode == 1
    first_line = greeting.rstrip(b"\r\n").decode()
    assert err.decode() == (f'talk: 127.0.0.1:{port} does not speak the talk protocol (it sent "{first_line}"); '
                            "is it the right port?\n")
    assert "frame length" not in err.decode()
