"""TLS listeners: Python's ssl module against `parley server` (docs/operations.md "Listeners",
"TLS certificates").

Every server here has a plaintext IRC listener and a TLS one on ports the kernel picks (the
harness passes --port 0 --tls-port 0 and a data directory of its own).
"""

from __future__ import annotations

import hashlib
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BASE_CONFIG
from ircclient import ConnectionClosed, ParleyServer, merge_config, numeric_re


def fingerprint_of(der: bytes) -> str:
    return ":".join(f"{b:02x}" for b in hashlib.sha256(der).digest())


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def self_signed(directory: Path, name: str, cn: str = "irc.parley.test") -> tuple[Path, Path]:
    """A new EC key and self-signed certificate: (cert, key)."""
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={cn}", cwd=directory)
    return cert, key


def insecure_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def served_certificate(host: str, port: int) -> bytes:
    with socket.create_connection((host, port), timeout=5) as raw:
        with insecure_context().wrap_socket(raw) as tls:
            return tls.getpeercert(binary_form=True)


def wait_closed(sock: socket.socket, timeout: float) -> float:
    """Seconds until the peer closes `sock` (EOF or reset); fails after `timeout`."""
    start = time.monotonic()
    sock.settimeout(timeout)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    except socket.timeout:
        pytest.fail(f"the server did not close the connection within {timeout}s")
    return time.monotonic() - start


def chat_round_trip(a, b, channel: str = "#tls") -> None:
    """a and b (already registered) meet in `channel` and each sees the other's message."""
    a.send(f"JOIN {channel}")
    a.expect(numeric_re("366"))
    b.send(f"JOIN {channel}")
    b.expect(numeric_re("366"))
    a.send(f"PRIVMSG {channel} :hello from {a.nick}")
    assert b.expect(r"PRIVMSG #tls :hello from").last == f"hello from {a.nick}"
    b.send(f"PRIVMSG {channel} :hello from {b.nick}")
    assert a.expect(r"PRIVMSG #tls :hello from").last == f"hello from {b.nick}"


def register_tls(server: ParleyServer, nick: str, **kwargs):
    c = server.tls_client(nick, **kwargs)
    c.register(nick)
    return c


def test_tls_client_chats_with_a_plaintext_client(server):
    secure = register_tls(server, "secure")
    plain = server.registered("plain")
    chat_round_trip(secure, plain)
    assert secure.sock.version() in ("TLSv1.2", "TLSv1.3")
    # The fingerprint on stdout is the certificate the listener presents.
    assert server.fingerprint == fingerprint_of(secure.sock.getpeercert(binary_form=True))


def test_generated_certificate_is_kept_in_the_data_directory_and_reused(parley_bin, tmp_path):
    first = ParleyServer(parley_bin, tmp_path / "s", BASE_CONFIG)
    try:
        fp = first.fingerprint
        assert fp
        key = first.workdir / "data" / "tls" / "key.pem"
        assert key.stat().st_mode & 0o777 == 0o600
        assert (first.workdir / "data" / "tls" / "cert.pem").exists()
    finally:
        first.stop()
    second = ParleyServer(parley_bin, tmp_path / "s", BASE_CONFIG)
    try:
        assert second.fingerprint == fp
        assert fingerprint_of(served_certificate(second.host, second.tls_port)) == fp
    finally:
        second.stop()


def test_empty_data_dir_makes_a_certificate_for_this_run_only(parley_bin, tmp_path):
    srv = ParleyServer(parley_bin, tmp_path / "s", BASE_CONFIG, extra_args=["--data-dir", ""])
    try:
        assert fingerprint_of(served_certificate(srv.host, srv.tls_port)) == srv.fingerprint
        assert not (srv.workdir / "data").exists()
        assert not (srv.workdir / "parley-data").exists()
    finally:
        srv.stop()


def test_client_certificate_is_accepted_without_verification(server, tmp_path):
    cert, key = self_signed(tmp_path, "client", cn="alice")
    context = insecure_context()
    context.load_cert_chain(str(cert), str(key))
    c = server.tls_client("alice", context=context)
    c.register("alice")


def test_garbage_and_a_stalled_handshake_cost_a_healthy_client_nothing(start_server):
    srv = start_server({"tls": {"handshake_timeout_seconds": 1}})
    healthy = register_tls(srv, "healthy")
    other = srv.registered("other")

    garbage = socket.create_connection((srv.host, srv.tls_port), timeout=5)
    garbage.sendall(b"NICK x\r\nUSER x 0 * :x\r\n" + bytes(range(256)) * 64)
    stalled = socket.create_connection((srv.host, srv.tls_port), timeout=5)
    # Half a ClientHello: a record header promising more than is sent.
    stalled.sendall(bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]))
    silent = socket.create_connection((srv.host, srv.tls_port), timeout=5)

    assert wait_closed(garbage, 3) < 1.0, "garbage is refused at once"
    chat_round_trip(healthy, other)  # while the stalled ones wait
    elapsed_stalled = wait_closed(stalled, 4)
    elapsed_silent = wait_closed(silent, 4)
    assert elapsed_stalled < 3 and elapsed_silent < 3
    for s in (garbage, stalled, silent):
        s.close()
    healthy.send("PING :still-here")
    healthy.expect(r"PONG .*still-here")
    other.send("PRIVMSG healthy :after")
    healthy.expect(r"PRIVMSG healthy :after")


def test_tls_connections_count_toward_the_per_ip_limit_before_their_handshake(start_server):
    srv = start_server({"limits": {"max_clients_per_ip": 2, "per_ip_exempt": []}, "flood": {"exempt": []}})
    held = [socket.create_connection((srv.host, srv.tls_port), timeout=5) for _ in range(2)]
    try:
        time.sleep(0.2)  # accepted
        third = srv.tls_client("third")
        third.expect(r"^ERROR .*[Tt]oo many connections")
    finally:
        for s in held:
            s.close()


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_1_1_is_refused(parley_bin, tmp_path):
    # The server's debug log shows why the handshake ended.
    srv = ParleyServer(parley_bin, tmp_path / "s", BASE_CONFIG, extra_args=["--log-level", "debug"])
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.minimum_version = ssl.TLSVersion.TLSv1_1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
        context.set_ciphers("ALL:@SECLEVEL=0")
        with socket.create_connection((srv.host, srv.tls_port), timeout=5) as raw:
            with pytest.raises((ssl.SSLError, ConnectionResetError)):
                context.wrap_socket(raw)
        deadline = time.monotonic() + 5
        while "unsupported protocol" not in srv.stderr_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "TLS error: unsupported protocol" in srv.stderr_path.read_text()
        # TLS 1.2 is still fine.
        context = insecure_context()
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        c = srv.tls_client("v12", context=context)
        c.register("v12")
        assert c.sock.version() == "TLSv1.2"
    finally:
        srv.stop()


def test_sighup_reloads_the_certificate_and_keeps_connected_clients(start_server, tmp_path):
    cert, key = self_signed(tmp_path, "first")
    srv = start_server({"tls": {"cert": str(cert), "key": str(key)}})
    old_der = Path(cert).read_text()
    assert srv.fingerprint == fingerprint_of(ssl.PEM_cert_to_DER_cert(old_der))
    before = register_tls(srv, "before")
    before_fp = fingerprint_of(before.sock.getpeercert(binary_form=True))

    new_cert, new_key = self_signed(tmp_path, "second")
    cert.write_bytes(new_cert.read_bytes())
    key.write_bytes(new_key.read_bytes())
    srv.proc.send_signal(signal.SIGHUP)
    new_fp = fingerprint_of(ssl.PEM_cert_to_DER_cert(new_cert.read_text()))
    deadline = time.monotonic() + 5
    while fingerprint_of(served_certificate(srv.host, srv.tls_port)) != new_fp:
        assert time.monotonic() < deadline, "new connections still get the old certificate"
        time.sleep(0.05)
    assert new_fp != before_fp

    after = register_tls(srv, "after")
    chat_round_trip(before, after)

    # A broken replacement is refused (SIGHUP reloads the whole configuration, which checks the
    # certificate: docs/operations.md "Reloading"); the server keeps the last good certificate.
    cert.write_text("not a certificate\n")
    srv.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while "the running configuration stays" not in srv.stderr_path.read_text():
        assert time.monotonic() < deadline, srv.logs()
        time.sleep(0.05)
    assert fingerprint_of(served_certificate(srv.host, srv.tls_port)) == new_fp
    before.send("PING :alive")
    before.expect("PONG .*alive")


def test_configured_certificate_chain_is_presented(start_server, tmp_path):
    d = tmp_path
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "root.key", "-out", "root.crt", "-days", "2", "-subj", "/CN=Test Root",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign", cwd=d)
    (d / "ca.ext").write_text("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "mid.key", "-out", "mid.csr", "-subj", "/CN=Test Intermediate", cwd=d)
    openssl("x509", "-req", "-in", "mid.csr", "-CA", "root.crt", "-CAkey", "root.key", "-CAcreateserial",
            "-out", "mid.crt", "-days", "2", "-extfile", "ca.ext", cwd=d)
    (d / "leaf.ext").write_text("subjectAltName=DNS:irc.parley.test\n")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=irc.parley.test", cwd=d)
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "mid.crt", "-CAkey", "mid.key", "-CAcreateserial",
            "-out", "leaf.crt", "-days", "2", "-extfile", "leaf.ext", cwd=d)
    (d / "chain.pem").write_text((d / "leaf.crt").read_text() + (d / "mid.crt").read_text())

    srv = start_server({"tls": {"cert": str(d / "chain.pem"), "key": str(d / "leaf.key")}})
    # Only the root is trusted: verification succeeds only if the server sends the intermediate.
    context = ssl.create_default_context(cafile=str(d / "root.crt"))
    with socket.create_connection((srv.host, srv.tls_port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="irc.parley.test") as tls:
            assert tls.getpeercert()["subject"] == ((("commonName", "irc.parley.test"),),)
    context.check_hostname = False  # IRCClient gives no server name; the chain is still verified
    c = srv.tls_client("chained", context=context)
    c.register("chained")


def check(parley_bin: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([parley_bin, "server", "--check-config", str(path)],
                          capture_output=True, text=True, timeout=30)


def test_bad_certificate_path_is_a_config_error(parley_bin, tmp_path):
    path = tmp_path / "parley.toml"
    path.write_text('[server]\nname = "irc.example.org"\n\n[tls]\ncert = "absent.pem"\nkey = "absent.key"\n')
    result = check(parley_bin, path)
    assert result.returncode == 1
    assert f"{path}:5:" in result.stdout and "absent.pem" in result.stdout, result.stdout
    started = subprocess.run([parley_bin, "server", "--bind", "127.0.0.1", "--port", "0", "--tls-port", "0",
                              "--data-dir", str(tmp_path / "data"), "--config", str(path)],
                             capture_output=True, text=True, timeout=30)
    assert started.returncode == 1 and started.stdout == ""
    assert "absent.pem" in started.stderr


def test_key_that_does_not_match_is_a_config_error(parley_bin, tmp_path):
    cert, _ = self_signed(tmp_path, "a")
    _, other_key = self_signed(tmp_path, "b")
    path = tmp_path / "parley.toml"
    path.write_text(f'[tls]\ncert = "{cert.name}"\nkey = "{other_key.name}"\n')  # relative to the file
    result = check(parley_bin, path)
    assert result.returncode == 1
    assert f"{path}:2:" in result.stdout and "does not match" in result.stdout, result.stdout


@pytest.mark.parametrize("body, line, words", [
    ('[[listener]]\nport = 1\nprotocol = "websocket"\n', 3, "listener.protocol"),
    ('[[listener]]\nbind = "localhost"\nport = 1\n', 2, "listener.bind"),
    ('[[listener]]\ntls = true\n', 1, "needs a port"),
    ('[[listener]]\nport = 7000\n\n[[listener]]\nport = 7000\ntls = true\n', 4, "two [[listener]]"),
    ('[[listener]]\nport = 7000\nsecure = true\n', 3, "secure"),
    ('[[listener]]\nport = 7000\n\n[server]\nport = 6667\n', 5, "cannot be combined"),
    ('[tls]\ncert = "x.pem"\n', 2, "tls.key"),
    ('[tls]\nhandshake_timeout_seconds = 0\n', 2, "handshake_timeout_seconds"),
    ('listener = 5\n', 1, "[[listener]]"),
])
def test_listener_and_tls_config_problems(parley_bin, tmp_path, body, line, words):
    path = tmp_path / "parley.toml"
    path.write_text(body)
    result = check(parley_bin, path)
    assert result.returncode == 1, result.stdout
    assert any(l.startswith(f"{path}:{line}:") and words in l for l in result.stdout.splitlines()), result.stdout


def test_listener_tables_replace_the_default_list(parley_bin, tmp_path):
    config = merge_config(BASE_CONFIG, {"listener": [
        {"bind": "127.0.0.1", "port": 0, "tls": True},
        {"bind": "127.0.0.1", "port": 0, "protocol": "simple", "tls": True},
        {"bind": "127.0.0.1", "port": 0},
    ]})
    srv = ParleyServer(parley_bin, tmp_path / "s", config)
    try:
        lines = [l for l in srv.stdout_path.read_text().splitlines() if "listening" in l]
        assert [l.rsplit(" on ", 1)[0] for l in lines] == [
            "parley server listening for IRC over TLS",
            "parley server listening for simple clients over TLS",
            "parley server listening for IRC",
        ], lines
        simple_port = int(lines[1].rsplit(":", 1)[1])
        assert fingerprint_of(served_certificate(srv.host, simple_port)) == srv.fingerprint
        secure = register_tls(srv, "secure")
        plain = srv.registered("plain")
        chat_round_trip(secure, plain)
    except ConnectionClosed:
        raise AssertionError(srv.logs())
    finally:
        srv.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sts_is_offered_only_when_configured(start_server, tmp_path):
    plain_default = start_server().registered("nosts", caps=["server-time"])
    assert "sts" not in plain_default.cap_ls()

    cert, key = self_signed(tmp_path, "sts")
    port = free_port()
    srv = start_server({
        "tls": {"cert": str(cert), "key": str(key)},
        "sts": {"enabled": True, "port": port, "duration": 86400, "preload": True},
        # The harness's --tls-port 0 moves the first TLS listener; the second is the STS port.
        "listener": [{"bind": "127.0.0.1", "port": 0}, {"bind": "127.0.0.1", "port": 0, "tls": True},
                     {"bind": "127.0.0.1", "port": port, "tls": True}],
    })
    plain = srv.client("plain")
    assert f"sts=port={port},preload" in plain.cap_ls()
    secure = srv.tls_client("secure")
    assert "sts=duration=86400,preload" in secure.cap_ls()


@pytest.mark.parametrize("extra, words", [
    ("", "certificate clients can verify"),
    ('\n[tls]\ncert = "c.crt"\nkey = "c.key"\n', "not the port of a TLS listener"),
])
def test_sts_config_problems(parley_bin, tmp_path, extra, words):
    self_signed(tmp_path, "c")
    path = tmp_path / "parley.toml"
    path.write_text('[sts]\nenabled = true\nport = 7777\n' + extra)
    result = check(parley_bin, path)
    assert result.returncode == 1
    assert any(l.startswith(f"{path}:2:") and words in l for l in result.stdout.splitlines()), result.stdout


def test_data_dir_in_the_config_is_relative_to_the_file(parley_bin, tmp_path):
    conf_dir = tmp_path / "etc"
    conf_dir.mkdir()
    path = conf_dir / "parley.toml"
    path.write_text('[server]\nname = "irc.parley.test"\ndata_dir = "state"\n')
    out = tmp_path / "stdout.log"
    with open(out, "wb") as stdout:
        proc = subprocess.Popen([parley_bin, "server", "--bind", "127.0.0.1", "--port", "0", "--tls-port", "0",
                                 "--config", str(path), "--log-level", "warn"],
                                stdout=stdout, stderr=subprocess.DEVNULL, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 10
        while "fingerprint" not in out.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.02)
        assert (conf_dir / "state" / "tls" / "cert.pem").exists()
        assert (conf_dir / "state").stat().st_mode & 0o777 == 0o700
        assert not (tmp_path / "parley-data").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
