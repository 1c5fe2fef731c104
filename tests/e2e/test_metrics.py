"""The admin listener: /metrics (Prometheus text format), /healthz, the bearer token, 404/405, and
counters that move as a scripted session runs (docs/operations.md "Metrics")."""

from __future__ import annotations

import base64
import http.client
import re
import shutil
import socket
import ssl
import subprocess
import time

import pytest

import promtext
from polling import wait_for

TOKEN = "s3cret-token-0123456789abcdef"
ADMIN_RE = re.compile(r"listening for admin HTTP \(/metrics, /healthz\) on 127\.0\.0\.1:(\d+)")


def admin_port(srv, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = ADMIN_RE.search(srv.stderr_path.read_text(errors="replace"))
        if m:
            return int(m.group(1))
        time.sleep(0.02)
    raise AssertionError("no admin listener in the log\n" + srv.logs())


def start_admin(start_server, token: str | None = TOKEN, **extra):
    # IRC listeners first: the harness takes the first "IRC" stdout line as the IRC port.
    config = {"listener": [{"bind": "127.0.0.1", "port": 0},
                           {"bind": "127.0.0.1", "port": 0, "tls": True},
                           {"port": 0, "protocol": "admin"}]}
    if token is not None:
        config["metrics"] = {"token": token}
    config.update(extra)
    srv = start_server(config)
    return srv, admin_port(srv)


def request(port: int, path: str, method: str = "GET", token: str | None = TOKEN,
            conn: http.client.HTTPConnection | None = None, host: str = "127.0.0.1") -> tuple[int, dict, str]:
    c = conn or http.client.HTTPConnection(host, port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    c.request(method, path, headers=headers)
    r = c.getresponse()
    body = r.read().decode()
    if conn is None:
        c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def scrape(port: int) -> promtext.Exposition:
    status, headers, body = request(port, "/metrics")
    assert status == 200, body
    assert headers["content-type"].startswith("text/plain; version=0.0.4"), headers
    return promtext.parse(body)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_admin_listener_binds_loopback_by_default_and_answers_health(start_server):
    srv, port = start_admin(start_server, token=None)
    status, _, body = request(port, "/healthz", token=None)
    assert (status, body) == (200, "ok\n")
    status, _, body = request(port, "/nowhere", token=None)
    assert status == 404
    status, headers, _ = request(port, "/metrics", method="POST", token=None)
    assert status == 405 and headers.get("allow") == "GET"
    status, _, _ = request(port, "/healthz", method="DELETE", token=None)
    assert status == 405


def test_token_is_required_when_configured(start_server):
    srv, port = start_admin(start_server)
    status, headers, _ = request(port, "/metrics", token=None)
    assert status == 401 and headers.get("www-authenticate", "").startswith("Bearer")
    status, _, _ = request(port, "/metrics", token="wrong-token-0123456789abcdef")
    assert status == 401
    status, _, _ = request(port, "/healthz", token=TOKEN[:-1])
    assert status == 401
    assert request(port, "/healthz")[0] == 200
    assert request(port, "/metrics")[0] == 200


def test_keep_alive_serves_several_scrapes_on_one_connection(start_server):
    srv, port = start_admin(start_server)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(3):
        status, _, body = request(port, "/metrics", conn=conn)
        assert status == 200
        promtext.parse(body)
    conn.close()


def test_counters_move_with_a_scripted_session(start_server):
    srv, port = start_admin(start_server, **{"flood": {"exempt": [], "burst": 5, "rate": 1, "max_debt": 5}})
    before = scrape(port)
    assert before.value("parley_users", scope="local") == 0
    assert before.value("parley_connections", kind="irc") == 0
    assert before.value("parley_build_info", version=before.families["parley_build_info"].samples[0][1]["version"],
                        server="irc.parley.test") == 1

    alice = srv.registered("alice")
    bob = srv.registered("bob")
    alice.join("#metrics")
    bob.join("#metrics")
    alice.send("PRIVMSG #metrics :hello from alice")
    bob.expect(r"PRIVMSG #metrics :hello from alice")

    mid = scrape(port)
    assert mid.value("parley_users", scope="local") == 2
    assert mid.value("parley_users", scope="global") == 2
    assert mid.value("parley_connections", kind="irc") == 2
    assert mid.value("parley_channels") == 1
    sent = ["NICK alice", "USER alice 0 * :Test user alice", "NICK bob", "USER bob 0 * :Test user bob",
            "JOIN #metrics", "JOIN #metrics", "PRIVMSG #metrics :hello from alice"]
    assert mid.value("parley_client_lines_in_total") == before.value("parley_client_lines_in_total") + len(sent)
    assert mid.value("parley_client_bytes_in_total") == (before.value("parley_client_bytes_in_total")
                                                         + sum(len(line) + 2 for line in sent))
    assert mid.value("parley_client_deliveries_total") >= before.value("parley_client_deliveries_total") + 20
    assert mid.value("parley_client_bytes_out_total") > before.value("parley_client_bytes_out_total")

    # A flood disconnect.
    time.sleep(2)  # let alice's bucket refill after registering and joining
    alice.send_raw(b"".join(b"PRIVMSG #metrics :flood %d\r\n" % i for i in range(60)))
    alice.expect(r"(?i)^ERROR .*excess flood", timeout=10)
    # A failed SASL login (no such account), and a TLS client that completes its handshake.
    c = srv.client("sasl")
    c.send("CAP LS 302")
    c.send("CAP REQ :sasl")
    c.expect(r" CAP \S+ ACK ")
    c.send("AUTHENTICATE PLAIN")
    c.expect(r" AUTHENTICATE \+")
    c.send("AUTHENTICATE " + b64(b"\0nobody\0wrong-password"))
    c.expect(r" 904 ")
    t = srv.tls_client("tls")
    t.register("tlsuser")
    # A TLS connection that never completes its handshake: plain text on the TLS port.
    raw = socket.create_connection(("127.0.0.1", srv.tls_port), timeout=10)
    raw.sendall(b"NICK plain\r\nUSER plain 0 * :x\r\n")
    try:
        raw.recv(100)  # the server closes it (an alert, or nothing)
    except OSError:
        pass
    raw.close()

    wait_for(lambda: scrape(port).value("parley_tls_handshake_failures_total") >= 1, 15,
             "the plain-text connection on the TLS port to end")
    after = scrape(port)
    assert after.value("parley_flood_disconnects_total") == 1
    assert after.value("parley_sasl_authentications_total", result="failure") == 1
    assert after.value("parley_sasl_authentications_total", result="success") == 0
    assert after.value("parley_tls_handshakes_total") == 1
    assert after.value("parley_tls_handshake_failures_total") == 1
    assert after.value("parley_connections", kind="irc+tls") == 1
    assert after.value("parley_users", scope="local") == 2  # bob and tlsuser; alice is gone
    # alice's traffic stays counted after she left: the totals never go back.
    for name in ("parley_client_lines_in_total", "parley_client_deliveries_total"):
        assert after.value(name) >= mid.value(name) + 1
    assert after.value("process_resident_memory_bytes") > 1_000_000
    assert after.value("process_open_fds") >= 5
    assert abs(after.value("process_start_time_seconds") - time.time()) < 120


def test_send_queue_disconnects_are_counted(start_server):
    srv, port = start_admin(start_server, **{"limits": {"sendq_bytes": 65536}})
    slow = srv.client("slow", rcvbuf=4096, auto_pong=False)
    slow.register("slow")
    slow.join("#busy")
    talker = srv.registered("talker")
    talker.join("#busy")
    slow.sync()
    payload = b"z" * 400
    deadline = time.monotonic() + 30
    while scrape(port).value("parley_sendq_disconnects_total") == 0:
        assert time.monotonic() < deadline, "the slow reader was never dropped"
        talker.send_raw(b"".join(b"PRIVMSG #busy :%d %s\r\n" % (i, payload) for i in range(200)))
        time.sleep(0.05)
    assert scrape(port).value("parley_sendq_disconnects_total") == 1


def test_every_family_has_help_and_type_and_follows_the_conventions(start_server):
    srv, port = start_admin(start_server)
    srv.registered("someone")
    exposition = scrape(port)
    names = set(exposition.families)
    for required in ("parley_connections", "parley_users", "parley_channels", "parley_client_lines_in_total",
                     "parley_client_bytes_in_total", "parley_client_deliveries_total",
                     "parley_client_bytes_out_total", "parley_sendq_disconnects_total",
                     "parley_flood_disconnects_total", "parley_tls_handshakes_total",
                     "parley_tls_handshake_failures_total", "parley_sasl_authentications_total",
                     "parley_history_queue_depth", "parley_history_commit_seconds", "parley_links",
                     "parley_link_bursts_total", "parley_link_last_burst_seconds",
                     "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds",
                     "parley_build_info"):
        assert required in names, required
    for family in exposition.families.values():
        assert family.help, family.name
        assert family.type in ("counter", "gauge", "histogram"), family.name
        if family.type == "counter":
            assert family.name.endswith("_total"), family.name
        assert family.name.startswith(("parley_", "process_")), family.name


def test_history_commits_fill_the_latency_histogram(start_server):
    srv, port = start_admin(start_server)
    a = srv.registered("writer")
    a.join("#stored")
    for i in range(5):
        a.send(f"PRIVMSG #stored :message {i}")
    a.sync()
    m = wait_for(lambda: (e := scrape(port)).value("parley_history_entries_written_total") >= 5 and e, 10,
                 "five stored messages")
    assert m.value("parley_history_commit_seconds_count") >= 1
    assert m.value("parley_history_commit_seconds_bucket", le="+Inf") == m.value("parley_history_commit_seconds_count")
    assert m.value("parley_history_commit_seconds_sum") > 0
    assert m.value("parley_history_entries_written_total") >= 5


def test_healthz_says_503_while_shutting_down(start_server):
    srv, port = start_admin(start_server)
    # A client that never reads nor closes keeps the graceful shutdown going for a while (the
    # server waits up to 4 s for it), during which the admin listener still answers.
    stuck = srv.client("stuck", rcvbuf=4096, auto_pong=False)
    stuck.register("stuck")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    assert request(port, "/healthz", conn=conn)[0] == 200
    srv.proc.send_signal(15)
    deadline = time.monotonic() + 3
    seen = None
    while time.monotonic() < deadline:
        try:
            seen = request(port, "/healthz", conn=conn)
        except (OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        if seen[0] == 503:
            break
        time.sleep(0.05)
    assert seen is not None and seen[0] == 503 and seen[2] == "shutting down\n", seen
    assert scrape(port).value("parley_up") == 0
    conn.close()
    srv.stopped = True
    assert srv.proc.wait(10) == 0


@pytest.mark.parametrize("body, words", [
    ('[[listener]]\nport = 0\nprotocol = "admin"\ntls = true\n', "cannot be true for protocol = \"admin\""),
    ('[metrics]\ntoken = "short"\n', "metrics.token must be 16 to 256"),
    ('[metrics]\nmax_connections = 0\n', "metrics.max_connections"),
    ('[[listener]]\nport = 0\nprotocol = "http"\n', "\"web\" or \"admin\""),
])
def test_bad_admin_configuration_is_refused(parley_bin, tmp_path, body, words):
    path = tmp_path / "parley.toml"
    path.write_text(body)
    result = subprocess.run([parley_bin, "server", "--check-config", str(path)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert words in result.stdout + result.stderr, result.stdout + result.stderr


def test_bind_flag_does_not_move_the_admin_listener(start_server):
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    # The harness passes --bind 127.0.0.1; an admin listener with its own bind keeps it.
    srv = start_server({"listener": [{"bind": "127.0.0.1", "port": 0},
                                     {"bind": "127.0.0.1", "port": 0, "tls": True},
                                     {"bind": "::1", "port": 0, "protocol": "admin"}]})
    log = srv.stderr_path.read_text(errors="replace")
    m = re.search(r"listening for admin HTTP \(/metrics, /healthz\) on \[::1\]:(\d+)", log)
    assert m, log
    assert request(int(m.group(1)), "/healthz", token=None, host="::1")[0] == 200


def test_promtool_accepts_the_output(start_server):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (Debian package prometheus); promtext.py checked the format")
    srv, port = start_admin(start_server)
    srv.registered("someone").join("#c")
    status, _, body = request(port, "/metrics")
    assert status == 200
    result = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def test_link_state_and_bursts_are_reported(start_server):
    a_link = free_port()
    # IRC listeners first (the harness reads the IRC port from the first line), then link and admin.
    config = {"listener": [{"bind": "127.0.0.1", "port": 0}, {"bind": "127.0.0.1", "port": 0, "tls": True},
                           {"bind": "127.0.0.1", "port": a_link, "protocol": "link"},
                           {"port": 0, "protocol": "admin"}],
              "server": {"name": "a.test", "id": "1AA"},
              "link": [{"name": "b.test", "send_password": "pw-a", "receive_password": "pw-b"}]}
    a = start_server(config)
    a_admin = admin_port(a)
    before = scrape(a_admin)
    assert before.value("parley_links", state="linked") == 0
    assert before.value("parley_link_bursts_total") == 0
    b = start_server({"server": {"name": "b.test", "id": "2BB"},
                      "link": [{"name": "a.test", "send_password": "pw-b", "receive_password": "pw-a",
                                "address": "127.0.0.1", "port": a_link, "autoconnect": True}]})
    b.registered("bobby")
    wait_for(lambda: scrape(a_admin).value("parley_users", scope="global") == 1, 30, "b's user to arrive at a")
    m = scrape(a_admin)
    assert m.value("parley_links", state="linked") == 1
    assert m.value("parley_link_servers") == 1
    assert m.value("parley_link_bursts_total") == 1
    assert 0 <= m.value("parley_link_last_burst_seconds") < 30
    assert m.value("parley_connections", kind="link") == 1
    assert m.value("parley_users", scope="local") == 0
    assert m.value("parley_link_lines_in_total", peer="b.test") > 0
    assert m.value("parley_link_lines_out_total", peer="b.test") > 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
