"""Live reload (docs/operations.md "Reloading"): SIGHUP and the operator command REHASH re-read
the configuration file and apply it without disconnecting anyone, except the clients of a
listener the new file removes; a file with an error is refused as a whole, with the same
FILE:LINE: message lines as `parley server --check-config`, and the running configuration stays.

One server with connected clients goes through every kind of reload in turn, as the issue asks.
"""

from __future__ import annotations

import copy
import re
import signal
import socket
import ssl
import subprocess
import time

from conftest import BASE_CONFIG
from ircclient import IRCClient, merge_config, numeric_re, to_toml
from test_tls import fingerprint_of, self_signed, served_certificate


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(*clients: IRCClient) -> None:
    """Each client is still connected and served."""
    for c in clients:
        c.send(f"PING :still-{c.nick}")
        c.expect(rf"PONG .*still-{c.nick}")


def rewrite(srv, config: dict) -> None:
    srv.config_path.write_text(to_toml(config))


def test_reload_motd_operator_listener_certificate_and_broken_config(start_server, password_hash, parley_bin,
                                                                   tmp_path):
    cert, key = self_signed(tmp_path, "first")
    extra_port = free_port()
    config = merge_config(BASE_CONFIG, {
        "operator": [{"name": "root", "password_hash": password_hash("rootpw")}],
        "tls": {"cert": str(cert), "key": str(key)},
        # The harness's --port 0 and --tls-port 0 apply to the first two; the third keeps its port.
        "listener": [{"port": 0}, {"port": 0, "tls": True}, {"port": extra_port}],
    })
    srv = start_server(base=config)
    oper = srv.registered("oper")
    oper.send("OPER root rootpw")
    oper.expect(numeric_re("381"))
    plain = srv.registered("plain")
    secure = srv.tls_client("secure")
    secure.register("secure")
    old_fp = fingerprint_of(secure.sock.getpeercert(binary_form=True))
    extra = IRCClient(srv.host, extra_port, name="extra")
    srv.clients.append(extra)
    extra.register("extra")
    for c in (oper, plain, secure, extra):
        c.join("#reload")

    # 1. A new MOTD, by SIGHUP.
    config["server"] = dict(config["server"], motd=["A brand new MOTD."])
    rewrite(srv, config)
    srv.proc.send_signal(signal.SIGHUP)
    oper.expect(r"NOTICE oper :\*\*\* SIGHUP: rehashing the server configuration")
    oper.expect(r"NOTICE oper :\*\*\* Configuration reloaded: 1 change \(server\.motd\)")
    plain.send("MOTD")
    assert plain.expect(numeric_re("372")).last == "- A brand new MOTD."
    plain.expect(numeric_re("376"))
    alive(oper, plain, secure, extra)

    # 2. A new operator, by REHASH from the one already there.
    config["operator"] = config["operator"] + [{"name": "second", "password_hash": password_hash("secondpw")}]
    rewrite(srv, config)
    plain.send("REHASH")
    plain.expect(numeric_re("481"))
    oper.send("REHASH")
    assert oper.expect(numeric_re("382")).params[1] == str(srv.config_path)
    oper.expect(r"NOTICE oper :\*\*\* Configuration reloaded: 1 change: operator")
    plain.send("OPER second secondpw")
    plain.expect(numeric_re("381"))
    alive(oper, plain, secure, extra)

    # 3. A listener removed: only its client is disconnected, with a reason; it accepts no more.
    config["listener"] = config["listener"][:2]
    rewrite(srv, config)
    oper.send("REHASH")
    oper.expect(rf"NOTICE oper :\*\*\* stopped listening for IRC on 127\.0\.0\.1:{extra_port}; closing its 1 connection")
    error = extra.expect_error_and_close(r"^ERROR")
    assert f"127.0.0.1:{extra_port} was removed from the server configuration" in error
    plain.expect(r":extra!\S+ QUIT :Listener removed")
    try:
        socket.create_connection((srv.host, extra_port), timeout=2).close()
        raise AssertionError(f"port {extra_port} still accepts connections after its listener was removed")
    except ConnectionRefusedError:
        pass
    alive(oper, plain, secure)

    # 4. A new certificate: new TLS connections get it, the one already connected stays.
    new_cert, new_key = self_signed(tmp_path, "second")
    cert.write_bytes(new_cert.read_bytes())
    key.write_bytes(new_key.read_bytes())
    new_fp = fingerprint_of(ssl.PEM_cert_to_DER_cert(new_cert.read_text()))
    assert new_fp != old_fp
    oper.send("REHASH")
    oper.expect(r"NOTICE oper :\*\*\* Configuration reloaded: 1 change: tls")
    oper.expect(rf"new TLS connections get the certificate with SHA-256 fingerprint {new_fp}")
    assert fingerprint_of(served_certificate(srv.host, srv.tls_port)) == new_fp
    assert fingerprint_of(secure.sock.getpeercert(binary_form=True)) == old_fp
    alive(oper, plain, secure)

    # 5. A broken file: refused as a whole, with --check-config's lines; nothing changes.
    broken = copy.deepcopy(config)
    broken["server"] = dict(broken["server"], motd=["This MOTD must not appear."])
    broken["limits"] = {"nick_length": 0}
    broken["bogus"] = {"key": 1}
    rewrite(srv, broken)
    checked = subprocess.run([parley_bin, "server", "--check-config", str(srv.config_path)],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 1
    expected = [line for line in checked.stdout.splitlines() if line]
    assert len(expected) == 2, checked.stdout
    oper.send("REHASH")
    oper.expect(r"NOTICE oper :\*\*\* Configuration reload refused \(2 problems\)")
    for line in expected:
        got = oper.expect(r"NOTICE oper :\*\*\* REHASH failed: ")
        assert got.last == "*** REHASH failed: " + line
    plain.send("MOTD")
    assert plain.expect(numeric_re("372")).last == "- A brand new MOTD."
    plain.send("OPER second secondpw")
    plain.expect(numeric_re("381"))
    assert "Configuration reload refused (2 problems)" in srv.stderr_path.read_text()
    for line in expected:
        assert line in srv.stderr_path.read_text()

    # 6. A setting that needs a restart: refused, naming the key.
    renamed = copy.deepcopy(config)
    renamed["server"] = dict(renamed["server"], name="renamed.parley.test")
    rewrite(srv, renamed)
    oper.send("REHASH")
    oper.expect(r"REHASH failed: server\.name cannot change on reload; restart the server to change it")
    alive(oper, plain, secure)
    assert fingerprint_of(served_certificate(srv.host, srv.tls_port)) == new_fp


def test_sighup_without_a_configuration_file_rereads_only_the_certificate(parley_bin, tmp_path):
    """No --config: nothing to reload, but the certificate files (here the generated ones in the
    data directory) are read again, and the connected client stays."""
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        proc = subprocess.Popen([parley_bin, "server", "--bind", "127.0.0.1", "--port", "0", "--tls-port", "0",
                                 "--data-dir", str(tmp_path / "data")],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 10
        while "fingerprint" not in stdout.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, stderr.read_text()
            time.sleep(0.02)
        port = int(re.search(r"listening for IRC on 127\.0\.0\.1:(\d+)$", stdout.read_text(), re.M).group(1))
        client = IRCClient("127.0.0.1", port, name="stay")
        client.register("stay")
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while "TLS certificate reloaded from" not in stderr.read_text():
            assert time.monotonic() < deadline, stderr.read_text()
            time.sleep(0.05)
        assert "no configuration file: nothing to reload" in stderr.read_text()
        alive(client)
        client.close()
    finally:
        proc.terminate()
        assert proc.wait(timeout=5) == 0
