"""The web listener (docs/web.md): the web client's files over HTTP, and IRC over WebSocket
(ircv3.net extensions/websocket) beside plain TCP clients in the same channels.

WebSocket clients here are tests/e2e/wsclient.py on raw sockets, so the tests can also send what
no library would. Browser and irc-framework tests are in tests/web/.
"""

from __future__ import annotations

import gzip
import selectors
import signal
import socket
import subprocess
import time

import pytest

from wsclient import BINARY, CLOSE, PING, PONG, TEXT, WebSocketClient, frame, http_request, read_response

WEB = {"listener": [{"bind": "127.0.0.1", "port": 0},
                    {"bind": "127.0.0.1", "port": 0, "tls": True},
                    {"bind": "127.0.0.1", "port": 0, "protocol": "web"},
                    {"bind": "127.0.0.1", "port": 0, "protocol": "web", "tls": True}]}


@pytest.fixture
def web(start_server):
    srv = start_server(WEB)
    assert srv.web_port and srv.web_tls_port, srv.logs()
    return srv


def ws(srv, **kwargs) -> WebSocketClient:
    client = WebSocketClient(srv.host, srv.web_port, **kwargs)
    srv.clients.append(client)  # closed at teardown with the others
    return client


def get(srv, path: str, headers: str = "", port: int = 0) -> tuple[int, dict, bytes]:
    return http_request(srv.host, port or srv.web_port,
                        f"GET {path} HTTP/1.1\r\nHost: {srv.host}\r\nConnection: close\r\n{headers}\r\n".encode())


def test_files_are_served_with_their_headers(start_server, tmp_path):
    root = tmp_path / "client"
    (root / "js").mkdir(parents=True)
    page = b"<!doctype html><title>Parley test page</title>" + b" " * 2000
    (root / "index.html").write_bytes(page)
    (root / "js" / "app.js").write_text("export const answer = 42;\n")
    srv = start_server({**WEB, "web": {"root": str(root)}})
    status, headers, body = get(srv, "/")
    assert status == 200 and body == page
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    status, headers, body = get(srv, "/js/app.js?v=1")
    assert status == 200 and headers["content-type"] == "text/javascript; charset=utf-8"
    etag = headers["etag"]
    assert get(srv, "/js/app.js", f"If-None-Match: {etag}\r\n")[0] == 304
    (root / "js" / "app.js").write_text("export const answer = 43;\n")  # read on each request
    assert get(srv, "/js/app.js")[2] == b"export const answer = 43;\n"
    assert get(srv, "/no/such/file.js")[0] == 404
    assert get(srv, "/../../etc/passwd")[0] == 404
    (root / "escape").symlink_to("/etc")
    assert get(srv, "/escape/passwd")[0] == 404
    status, headers, _ = http_request(srv.host, srv.web_port, b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 405 and headers["allow"] == "GET, HEAD"


def test_the_built_in_client_is_served_compressed(web):
    # The log says where to point a browser.
    assert f"web client: open http://127.0.0.1:{web.web_port}/ in a browser" in web.stderr_path.read_text()
    assert f"web client: open https://127.0.0.1:{web.web_tls_port}/ in a browser" in web.stderr_path.read_text()
    status, headers, body = get(web, "/")
    assert status == 200 and b"<!doctype html" in body.lower()
    status, headers, zipped = get(web, "/", "Accept-Encoding: gzip, br\r\n")
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert gzip.decompress(zipped) == body


def test_page_over_tls(web):
    status, _, body = http_request(web.host, web.web_tls_port,
                                   b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", tls=True)
    assert status == 200 and body


@pytest.mark.parametrize("offered,chosen", [
    (["binary.ircv3.net"], "binary.ircv3.net"),
    (["text.ircv3.net"], "text.ircv3.net"),
    (["binary.ircv3.net", "text.ircv3.net"], "binary.ircv3.net"),
    (["text.ircv3.net", "binary.ircv3.net"], "text.ircv3.net"),
    (["x-unknown", "text.ircv3.net"], "text.ircv3.net"),
    ([], None),
])
def test_subprotocols_in_the_clients_order_and_talk_with_tcp(web, offered, chosen):
    tcp = web.client("tcp")
    tcp.register("tcpuser")
    w = ws(web, subprotocols=offered)
    assert w.status == 101 and w.subprotocol == chosen
    w.register("webuser")
    w.send_line("PRIVMSG tcpuser :hello from the browser")
    tcp.expect(r"^:webuser!\S+ PRIVMSG tcpuser :hello from the browser$")
    tcp.send("PRIVMSG webuser :hello from the terminal")
    w.expect(lambda l: l.endswith("PRIVMSG webuser :hello from the terminal"))
    opcode, _ = _next_data_frame(w)
    assert opcode == (BINARY if chosen == "binary.ircv3.net" else TEXT)


def _next_data_frame(w):
    w.send_line("PING marker")
    while True:
        opcode, payload = w.read_frame()
        if opcode in (TEXT, BINARY) and b"marker" in payload:
            return opcode, payload


def test_one_line_per_message_both_ways(web):
    w = ws(web)
    # Two lines in one message, and a trailing CR LF, are accepted.
    w.send_line("NICK splitter\r\nUSER s 0 * :s\r\n")
    w.expect(lambda l: " 001 " in l)
    w.send_line("PING a\r\nPING b")
    assert "PONG" in w.expect(lambda l: "PONG" in l and l.endswith("a"))
    assert "PONG" in w.expect(lambda l: "PONG" in l and l.endswith("b"))
    # Every server line came in its own message without CR/LF (read_line asserts it).


def test_invalid_utf8_in_a_text_frame_closes_with_1007(web):
    w = ws(web, subprotocols=["text.ircv3.net"])
    w.register("textuser")
    w.send_raw(frame(TEXT, b"PRIVMSG textuser :caf\xe9"))
    assert w.close_frame()[0] == 1007
    assert w.wait_closed()


def test_non_utf8_reaches_text_clients_as_replacement_characters(start_server):
    srv = start_server({**WEB, "server": {"utf8_only": False}})
    tcp = srv.client("tcp")
    tcp.register("latin")
    text = ws(srv, subprotocols=["text.ircv3.net"])
    text.register("textuser")
    binary = ws(srv, subprotocols=["binary.ircv3.net"])
    binary.register("binuser")
    tcp.sock.sendall(b"PRIVMSG textuser,binuser :caf\xe9\r\n")
    line = text.expect(lambda l: "PRIVMSG textuser" in l)
    assert line.endswith(":caf\N{REPLACEMENT CHARACTER}")
    _, payload = binary.read_frame()
    while b"PRIVMSG binuser" not in payload:
        _, payload = binary.read_frame()
    assert payload.endswith(b":caf\xe9")
    # A binary client may send non-UTF-8 too; the engine delivers it (utf8_only = false).
    binary.send_line(b"PRIVMSG latin :na\xefve", BINARY)
    tcp.expect(r"PRIVMSG latin :na")


def test_oversized_message_is_an_error_not_a_disconnect(web):
    w = ws(web)
    w.register("big")
    w.send_line("PRIVMSG big :" + "x" * 20000)
    w.expect(lambda l: " 417 " in l)
    w.send_line("PING still-here")
    w.expect(lambda l: l.endswith("still-here"))


def test_pings_are_answered_and_close_is_echoed(web):
    w = ws(web)
    w.send_raw(frame(PING, b"are you there"))
    assert w.read_frame() == (PONG, b"are you there")
    w.send_raw(frame(CLOSE, b"\x03\xe9bye"))
    assert w.close_frame() == (1001, "")
    assert w.wait_closed()


def test_protocol_violation_closes_with_1002(web):
    w = ws(web)
    w.send_raw(frame(TEXT, b"NICK x", mask=False))
    assert w.close_frame()[0] == 1002
    assert w.wait_closed()


def test_quit_sends_error_then_a_close_frame(web):
    w = ws(web)
    w.register("leaver")
    w.send_line("QUIT :bye now")
    w.expect(lambda l: l.startswith("ERROR"))
    assert w.close_frame()[0] == 1000
    assert w.wait_closed()


def test_refused_origin(web):
    w = ws(web, origin="https://evil.example")
    assert w.status == 403
    same = ws(web, origin=f"http://{web.host}:{web.web_port}")
    assert same.status == 101


def test_configured_origins_and_trusted_proxy(start_server):
    srv = start_server({**WEB, "web": {"origins": ["https://chat.example.org"], "trusted_proxies": ["127.0.0.1"]},
                        "cloaks": {"enabled": False}})
    assert ws(srv, origin="https://chat.example.org").status == 101
    assert ws(srv, origin=f"http://{srv.host}:{srv.web_port}").status == 403
    proxied = ws(srv, extra_headers="X-Forwarded-For: 198.51.100.7\r\nX-Forwarded-Proto: https\r\n")
    proxied.register("proxied")
    proxied.send_line("WHOIS proxied")
    whois = proxied.expect(lambda l: " 311 " in l)
    assert "198.51.100.7" in whois
    proxied.expect(lambda l: " 671 " in l)  # secure: the proxy said https


def test_forwarded_headers_are_ignored_from_untrusted_peers(start_server):
    srv = start_server({**WEB, "cloaks": {"enabled": False}})
    w = ws(srv, extra_headers="X-Forwarded-For: 198.51.100.7\r\n")
    w.register("direct")
    w.send_line("WHOIS direct")
    assert "127.0.0.1" in w.expect(lambda l: " 311 " in l)


def test_a_client_that_never_completes_its_request_is_closed(start_server):
    srv = start_server({**WEB, "web": {"request_timeout_seconds": 1}})
    s = socket.create_connection((srv.host, srv.web_port), timeout=5)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: webs")
    started = time.monotonic()
    s.settimeout(5)
    assert s.recv(100) == b""
    assert time.monotonic() - started < 3.5
    s.close()


def test_http_connections_per_ip_are_limited_before_the_upgrade(start_server):
    srv = start_server({**WEB, "web": {"http_connections_per_ip": 2}, "limits": {"per_ip_exempt": []},
                        "flood": {"exempt": []}})
    held = [socket.create_connection((srv.host, srv.web_port), timeout=5) for _ in range(2)]
    time.sleep(0.2)
    status, headers, _ = get(srv, "/")
    assert status == 503 and "retry-after" in headers
    for s in held:
        s.close()
    time.sleep(0.2)
    assert get(srv, "/")[0] == 200


def test_engine_limits_apply_at_the_upgrade_with_a_readable_error(start_server):
    srv = start_server({**WEB, "limits": {"max_clients_per_ip": 1, "per_ip_exempt": []}, "flood": {"exempt": []}})
    first = ws(srv)
    first.register("first")
    second = ws(srv)
    assert second.status == 101
    error = second.expect(lambda l: l.startswith("ERROR"))
    assert "Too many connections from your IP address" in error
    assert second.close_frame()[0] == 1000


def test_websocket_over_tls(web):
    w = WebSocketClient(web.host, web.web_tls_port, tls=True)
    web.clients.append(w)
    assert w.status == 101
    w.register("secureweb")
    w.send_line("WHOIS secureweb")
    w.expect(lambda l: " 671 " in l)


def test_500_websocket_and_500_tcp_clients_in_one_channel(start_server):
    """Fan-out across front doors: every member of either kind receives every message."""
    srv = start_server(WEB)
    n = 500
    sel = selectors.DefaultSelector()
    conns = []  # [socket, index, unread tail]

    def handshake(sock):
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                     b"Sec-WebSocket-Protocol: text.ircv3.net\r\n\r\n")
        rest = bytearray()
        status, _, _ = read_response(sock, 10, rest)
        assert status == 101
        return rest

    for i in range(n):
        for is_web in (True, False):
            sock = socket.create_connection((srv.host, srv.web_port if is_web else srv.port), timeout=10)
            buf = handshake(sock) if is_web else bytearray()
            nick = f"{'w' if is_web else 't'}{i}"
            lines = [f"NICK {nick}", f"USER {nick} 0 * :{nick}", "JOIN #crowd"]
            if is_web:
                sock.sendall(b"".join(frame(TEXT, l.encode()) for l in lines))
            else:
                sock.sendall("".join(l + "\r\n" for l in lines).encode())
            sock.setblocking(False)
            conns.append([sock, len(conns), buf])
    for c in conns:
        sel.register(c[0], selectors.EVENT_READ, c)

    def drain_until(marker: bytes, expected: int, timeout: float) -> set:
        """Reads from everyone until `expected` clients have seen `marker`; returns their indexes."""
        seen = set()
        deadline = time.monotonic() + timeout
        while len(seen) < expected and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=0.5):
                c = key.data
                try:
                    chunk = c[0].recv(1 << 16)
                except BlockingIOError:
                    continue
                assert chunk, "a client was disconnected"
                c[2] += chunk
                if marker in c[2]:
                    seen.add(c[1])
                # Keep only what could be the start of a marker split across reads (a frame
                # header may sit in between for WebSocket clients, so keep a little more).
                del c[2][:-(len(marker) + 16)]
        return seen

    # Everyone has joined once the last joiner's JOIN reached all (names lists are long; drain).
    assert len(drain_until(f"t{n - 1}".encode(), len(conns), 60)) == len(conns)
    sender_web, sender_tcp = conns[0][0], conns[1][0]
    sender_web.sendall(frame(TEXT, b"PRIVMSG #crowd :from-the-web"))
    seen = drain_until(b"from-the-web", len(conns) - 1, 30)
    assert seen == set(range(1, len(conns)))  # all but the sender (no echo-message)
    sender_tcp.sendall(b"PRIVMSG #crowd :from-tcp\r\n")
    seen = drain_until(b"from-tcp", len(conns) - 1, 30)
    assert seen == set(range(len(conns))) - {1}
    for c in conns:
        sel.unregister(c[0])
        c[0].close()


@pytest.mark.parametrize("body, words", [
    ('[web]\norigins = ["chat.example.org"]\n', "web.origins: \"chat.example.org\" is not an origin"),
    ('[web]\norigins = ["https://chat.example.org/"]\n', "is not an origin"),
    ('[web]\nroot = "/no/such/dir"\n', "web.root \"/no/such/dir\" is not a directory"),
    ('[web]\ntrusted_proxies = ["10.0.0.1/8"]\n', "web.trusted_proxies: \"10.0.0.1/8\" is not an address"),
    ('[web]\nhttp_connections_per_ip = 0\n', "web.http_connections_per_ip"),
    ('[web]\nrequest_timeout_seconds = 0\n', "web.request_timeout_seconds"),
    ('[web]\nport = 8080\n', "unknown key 'port' in [web]"),
])
def test_bad_web_configuration_is_refused_with_its_line(parley_bin, tmp_path, body, words):
    path = tmp_path / "parley.toml"
    path.write_text("# comment\n" + body)
    result = subprocess.run([parley_bin, "server", "--check-config", str(path)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert words in output and f"{path}:" in output, output


def test_reload_changes_the_web_settings_live(start_server, tmp_path):
    root = tmp_path / "v2"
    root.mkdir()
    (root / "index.html").write_text("<!doctype html><title>version two</title>")
    srv = start_server(WEB)
    assert ws(srv, origin="https://chat.example.org").status == 403
    config = srv.config_path.read_text()
    srv.config_path.write_text(config + f'\n[web]\norigins = ["https://chat.example.org"]\nroot = "{root}"\n')
    srv.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while "Configuration reloaded" not in srv.stderr_path.read_text(errors="replace"):
        assert time.monotonic() < deadline, srv.logs()
        time.sleep(0.05)
    assert ws(srv, origin="https://chat.example.org").status == 101
    assert b"version two" in get(srv, "/")[2]
