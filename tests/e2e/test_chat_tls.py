"""`parley chat` over TLS and with SASL (issue 12), against a small fake IRC server written here
(Python's ssl module; SCRAM-SHA-256 checked with hashlib): ircs:// with the system's CA check
(SSL_CERT_FILE points OpenSSL at the test's certificate), a refused certificate with the advice
to pin or use --insecure, --insecure, --fingerprint, a host name mismatch, SASL SCRAM-SHA-256
and PLAIN with the password from PARLEY_PASSWORD or --password-file, and a wrong password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import queue
import re
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

TIMEOUT = 10.0
ACCOUNT, PASSWORD = "alice", "s3cret pass"


def make_cert(directory: Path, name: str, san: str) -> tuple[Path, Path, str]:
    """A self-signed certificate and key; returns their paths and the SHA-256 fingerprint."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName={san}",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=30)
    der = ssl.PEM_cert_to_DER_cert(cert.read_text())
    return cert, key, hashlib.sha256(der).hexdigest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class FakeServer:
    """Accepts connections one after the other (TLS when given a certificate) and plays an IRC
    server that offers `caps` and checks SASL logins against ACCOUNT/PASSWORD."""

    def __init__(self, cert: Path | None = None, key: Path | None = None, caps: str = "sasl=PLAIN,SCRAM-SHA-256",
                 greeting: str | None = None):
        self.caps = caps
        self.greeting = greeting  # a line sent at once on connecting, as many servers do
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.context = None
        if cert:
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(cert, key)
        self.received: queue.Queue[str] = queue.Queue()
        self.events: list[str] = []  # "login ok", "login failed", "registered", "handshake failed"
        self.connections = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping = True
        self.listener.close()

    def _serve(self):
        while not self.stopping:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            conn.settimeout(TIMEOUT)
            try:
                if self.greeting:
                    conn.sendall(self.greeting.encode() + b"\r\n")
                if self.context:
                    conn = self.context.wrap_socket(conn, server_side=True)
                self._session(conn)
            except (ssl.SSLError, OSError) as e:
                self.events.append(f"handshake failed: {e}")
            finally:
                conn.close()

    def _session(self, conn):
        buf = b""
        state = {"scram": None, "mech": None, "nick": False, "cap_end": False, "welcomed": False}

        def send(line: str):
            conn.sendall(line.encode() + b"\r\n")

        while True:
            data = conn.recv(4096)
            if not data:
                return
            buf += data
            while b"\r\n" in buf:
                raw, buf = buf.split(b"\r\n", 1)
                line = raw.decode()
                self.received.put(line)
                if not self._handle(line, send, state):
                    return

    def _handle(self, line: str, send, state) -> bool:
        words = line.split(" ")
        cmd = words[0].upper()
        if cmd == "CAP" and words[1] == "LS":
            send(f":fake CAP * LS :{self.caps}")
        elif cmd == "CAP" and words[1] == "REQ":
            send(f":fake CAP * ACK {' '.join(words[2:])}")
        elif cmd == "CAP" and words[1] == "END":
            state["cap_end"] = True
        elif cmd == "AUTHENTICATE":
            self._authenticate(words[1], send, state)
        elif cmd in ("NICK", "USER"):
            state["nick"] = True
        elif cmd == "QUIT":
            send("ERROR :Closing Link: bye")
            return False
        if state["nick"] and state["cap_end"] and not state["welcomed"]:
            state["welcomed"] = True
            self.events.append("registered")
            send(":fake 001 alice :Welcome to the fake network alice")
            send(":fake 376 alice :End of MOTD")
        return True

    def _authenticate(self, arg: str, send, state):
        if state["mech"] is None:
            state["mech"] = arg
            send("AUTHENTICATE +")
            return
        message = base64.b64decode(arg) if arg != "+" else b""
        if state["mech"] == "PLAIN":
            ok = message == b"\0" + ACCOUNT.encode() + b"\0" + PASSWORD.encode()
            return self._finish(ok, send)
        scram = state["scram"]
        if scram is None:  # client-first: "n,,n=alice,r=<nonce>"
            bare = message.decode()[3:]
            attrs = dict(kv.split("=", 1) for kv in bare.split(","))
            salt, iterations = b"pepper and salt!", 4096
            first = f"r={attrs['r']}fakeservernonce,s={b64(salt)},i={iterations}"
            salted = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt, iterations)
            state["scram"] = {"bare": bare, "first": first, "user": attrs["n"], "salted": salted}
            send("AUTHENTICATE " + b64(first.encode()))
        elif "final" not in scram:  # client-final: "c=biws,r=...,p=<proof>"
            final = message.decode()
            without_proof, proof = final.rsplit(",p=", 1)
            auth = f"{scram['bare']},{scram['first']},{without_proof}".encode()
            client_key = hmac.new(scram["salted"], b"Client Key", hashlib.sha256).digest()
            stored = hashlib.sha256(client_key).digest()
            signature = hmac.new(stored, auth, hashlib.sha256).digest()
            recovered = bytes(a ^ b for a, b in zip(base64.b64decode(proof), signature))
            if scram["user"] != ACCOUNT or hashlib.sha256(recovered).digest() != stored:
                return self._finish(False, send)
            server_key = hmac.new(scram["salted"], b"Server Key", hashlib.sha256).digest()
            scram["final"] = True
            send("AUTHENTICATE " + b64(b"v=" + base64.b64encode(hmac.new(server_key, auth, hashlib.sha256).digest())))
        else:  # the client's "+" after checking our signature
            self._finish(arg == "+", send)

    def _finish(self, ok: bool, send):
        if ok:
            self.events.append("login ok")
            send(f":fake 900 alice alice!a@host {ACCOUNT} :You are now logged in as {ACCOUNT}")
            send(":fake 903 alice :SASL authentication successful")
        else:
            self.events.append("login failed")
            send(":fake 904 alice :SASL authentication failed")


class Chat:
    """`parley chat --headless SERVER ...`, its stdout read by a thread."""

    def __init__(self, binary: str, target: str, *extra: str, env: dict | None = None):
        self.proc = subprocess.Popen([binary, "chat", target, "--nick", "alice", "--headless", *extra],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1, env={**os.environ, **(env or {})},
                                     start_new_session=True)  # no controlling terminal to prompt on
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, pattern: str, timeout: float = TIMEOUT) -> str:
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"chat: expected {pattern!r}; last lines:\n    " + "\n    ".join(self.seen[-15:]))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(line)
            if rx.search(line):
                return line

    def type(self, text: str):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def wait_exit(self, timeout: float = TIMEOUT) -> tuple[int, str]:
        code = self.proc.wait(timeout=timeout)
        return code, self.proc.stderr.read()

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)


@pytest.fixture
def certs(tmp_path):
    """The server's certificate (for 127.0.0.1 and localhost), and one for another name."""
    good = make_cert(tmp_path, "server", "IP:127.0.0.1,DNS:localhost")
    other = make_cert(tmp_path, "other", "DNS:irc.example.org")
    return good, other


@pytest.fixture
def run(parley_bin):
    started: list = []

    def start(*args, **kwargs):
        obj = kwargs.pop("server", None)
        if obj is not None:
            started.append(obj)
            return obj
        chat = Chat(parley_bin, *args, **kwargs)
        started.append(chat)
        return chat

    yield start
    for obj in started:
        obj.close() if isinstance(obj, Chat) else obj.stop()


def test_ircs_verifies_the_certificate_with_the_ca_store(certs, run):
    (cert, key, _), _ = certs
    server = run(server=FakeServer(cert, key, caps="multi-prefix"))
    chat = run(f"ircs://127.0.0.1:{server.port}", env={"SSL_CERT_FILE": str(cert)})
    chat.expect(rf"Connected to 127\.0\.0\.1:{server.port} \(TLSv1\.[23], certificate verified\)")
    chat.expect(r"Welcome to the fake network")
    assert "registered" in server.events
    chat.type("/quit")
    assert chat.wait_exit()[0] == 0


def test_localhost_name_is_checked_too(certs, run):
    (cert, key, _), _ = certs
    server = run(server=FakeServer(cert, key, caps="multi-prefix"))
    chat = run(f"ircs://localhost:{server.port}", env={"SSL_CERT_FILE": str(cert)})
    chat.expect(r"Welcome to the fake network")


def test_unverifiable_certificate_stops_and_says_how_to_pin(certs, run, tmp_path):
    (cert, key, fingerprint), (other_cert, _, _) = certs
    server = run(server=FakeServer(cert, key))
    chat = run(f"ircs://127.0.0.1:{server.port}", env={"SSL_CERT_FILE": str(other_cert)})
    line = chat.expect(r"cannot verify the TLS certificate")
    assert f"--fingerprint {fingerprint}" in line and "--insecure" in line, line
    code, _ = chat.wait_exit()
    assert code == 1
    assert "registered" not in server.events and server.connections == 1, "no retry, nothing sent"


def test_host_name_mismatch_is_refused(certs, run):
    _, (other_cert, other_key, _) = certs
    server = run(server=FakeServer(other_cert, other_key))
    chat = run(f"ircs://127.0.0.1:{server.port}", env={"SSL_CERT_FILE": str(other_cert)})
    line = chat.expect(r"cannot verify the TLS certificate")
    assert "mismatch" in line, line
    assert chat.wait_exit()[0] == 1


def test_insecure_skips_verification(certs, run):
    (cert, key, _), _ = certs
    server = run(server=FakeServer(cert, key, caps="multi-prefix"))
    chat = run(f"127.0.0.1:{server.port}", "--insecure")
    chat.expect(r"certificate NOT verified \(--insecure\)")
    chat.expect(r"Welcome to the fake network")


def test_pinned_fingerprint(certs, run):
    (cert, key, fingerprint), _ = certs
    server = run(server=FakeServer(cert, key, caps="multi-prefix"))
    colons = ":".join(fingerprint[i:i + 2] for i in range(0, 64, 2)).upper()
    chat = run(f"127.0.0.1:{server.port}", "--fingerprint", colons)
    chat.expect(r"Welcome to the fake network")
    chat.type("/quit")  # the fake server takes one connection at a time
    assert chat.wait_exit()[0] == 0
    wrong = run(f"127.0.0.1:{server.port}", "--fingerprint", "ab" * 32)
    line = wrong.expect(r"not the pinned")
    assert fingerprint in line, line
    assert wrong.wait_exit()[0] == 1


def test_bad_fingerprint_argument(parley_bin):
    out = subprocess.run([parley_bin, "chat", "127.0.0.1:1", "--fingerprint", "xyz", "--headless"],
                         capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert out.returncode == 2 and "64 hex digits" in out.stderr, out


def test_tls_to_a_plaintext_port_says_so(run):
    server = run(server=FakeServer(greeting=":fake NOTICE * :*** Looking up your hostname..."))
    chat = run(f"ircs://127.0.0.1:{server.port}", "--insecure")
    chat.expect(r"TLS handshake with 127\.0\.0\.1 failed.*is this a TLS port")
    chat.type("/quit")


def test_sasl_scram_over_tls_with_the_password_from_the_environment(certs, run):
    (cert, key, _), _ = certs
    server = run(server=FakeServer(cert, key))
    chat = run(f"ircs://127.0.0.1:{server.port}", "--sasl-user", ACCOUNT,
               env={"SSL_CERT_FILE": str(cert), "PARLEY_PASSWORD": PASSWORD})
    chat.expect(r"Logging in as alice \(SASL SCRAM-SHA-256\)")
    chat.expect(r"SASL login succeeded")
    chat.expect(r"Welcome to the fake network")
    assert server.events[:2] == ["login ok", "registered"], server.events


def test_sasl_plain_over_tls_with_a_password_file(certs, run, tmp_path):
    (cert, key, _), _ = certs
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    server = run(server=FakeServer(cert, key, caps="sasl=PLAIN"))
    chat = run(f"ircs://127.0.0.1:{server.port}", "--sasl-user", ACCOUNT, "--password-file", str(secret),
               env={"SSL_CERT_FILE": str(cert)})
    chat.expect(r"SASL login succeeded")
    chat.expect(r"Welcome to the fake network")
    assert server.events[:2] == ["login ok", "registered"], server.events


def test_sasl_scram_without_tls(run):
    server = run(server=FakeServer())
    chat = run(f"127.0.0.1:{server.port}", "--sasl-user", ACCOUNT, env={"PARLEY_PASSWORD": PASSWORD})
    chat.expect(r"Welcome to the fake network")
    assert "login ok" in server.events


def test_wrong_password_stops_with_a_clear_message(run):
    server = run(server=FakeServer())
    chat = run(f"127.0.0.1:{server.port}", "--sasl-user", ACCOUNT, env={"PARLEY_PASSWORD": "wrong"})
    line = chat.expect(r"SASL login as alice failed")
    assert "904" in line and "password" in line, line
    code, stderr = chat.wait_exit()
    assert code == 1
    assert "parley chat: SASL login as alice failed" in stderr, stderr  # also after a terminal UI ends
    assert server.events == ["login failed"] and server.connections == 1, server.events


def test_no_password_source_is_an_error(parley_bin):
    env = {k: v for k, v in os.environ.items() if k != "PARLEY_PASSWORD"}
    out = subprocess.run([parley_bin, "chat", "127.0.0.1:1", "--sasl-user", "alice", "--headless"],
                         capture_output=True, text=True, timeout=30, env=env, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    assert out.returncode == 2, out
    assert "--password-file" in out.stderr and "PARLEY_PASSWORD" in out.stderr, out.stderr


def test_help_explains_where_the_password_comes_from(parley_bin):
    out = subprocess.run([parley_bin, "chat", "--help"], capture_output=True, text=True, timeout=30)
    text = out.stdout + out.stderr
    for words in ("ircs://", "--tls", "--insecure", "--fingerprint", "--sasl-user", "--password-file",
                  "PARLEY_PASSWORD"):
        assert words in text, words


def test_password_prompt_on_the_terminal_does_not_echo(parley_bin, run):
    import fcntl
    import pty
    import select
    import termios

    server = run(server=FakeServer())
    master, slave = pty.openpty()

    def controlling_terminal():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = {k: v for k, v in os.environ.items() if k != "PARLEY_PASSWORD"}
    proc = subprocess.Popen([parley_bin, "chat", f"127.0.0.1:{server.port}", "--nick", "alice", "--headless",
                             "--sasl-user", ACCOUNT], stdin=slave, stdout=slave, stderr=slave, env=env,
                            preexec_fn=controlling_terminal)
    os.close(slave)
    seen = b""

    def read_until(needle: bytes, timeout: float = TIMEOUT):
        nonlocal seen
        deadline = time.monotonic() + timeout
        while needle not in seen:
            left = deadline - time.monotonic()
            assert left > 0, f"expected {needle!r} on the terminal; got {seen!r}"
            if select.select([master], [], [], left)[0]:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
        assert needle in seen, seen

    try:
        read_until(b"Password for alice: ")
        os.write(master, PASSWORD.encode() + b"\n")
        read_until(b"Welcome to the fake network")
        assert PASSWORD.encode() not in seen, "the password was echoed"
        assert "login ok" in server.events
        os.write(master, b"/quit\n")
        assert proc.wait(timeout=TIMEOUT) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        os.close(master)
