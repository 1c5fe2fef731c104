#!/usr/bin/env python3
"""Burst benchmark: a fake server links to a running IRC server over InspIRCd's spanning-tree
protocol 1205 and bursts N users into one channel where one local client sits.

  1. A local client registers on the client port and joins #burst (the channel then exists
     with that one member).
  2. The fake server `fake.bench.local` (SID 9FK) connects to the link port: CAPAB START 1205,
     CAPAB CAPABILITIES (no module or mode lists, so neither side compares them), CAPAB END;
     SERVER after the server's CAPAB END; waits for the server's SERVER line.
  3. Timed from here: BURST, N UID lines, FJOIN #burst lines of at most 480 bytes carrying all
     N users (no status), ENDBURST, then `:9FK PING <their SID>`. Everything is composed before
     the clock starts and written as fast as the server reads it.
  4. Stops when the server's PONG has arrived and the local client has seen all N JOINs (or after
     --timeout s). Reports the seconds to the last byte written, to the PONG, and to the N-th
     JOIN at the local client.
  5. Then closes the link (a netsplit) and reports the seconds until the local client has seen
     all N QUITs (split_s; --split-timeout 0 skips this).

The server must accept the link `fake.bench.local` with send password `fakepass` (what the fake
sends) and receive password `serverpass` (what the server must send): bench/configs/
parley-burst.toml.in and inspircd-link.conf.in, filled in by bench/compare --presets burst.

  bench/link_burst.py --client-port 6667 --link-port 7000 --users 20000 [--server-pid PID]

Prints one JSON line on stdout (progress on stderr unless --quiet).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import socket
import sys
import time

FAKE_NAME, FAKE_SID = "fake.bench.local", "9FK"
SEND_PASS, RECV_PASS = "fakepass", "serverpass"
CHANNEL = "#burst"
MAX_LINE = 480  # InspIRCd splits FJOIN member lists at this length (commands.h maxline)
UID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def uuid(i: int) -> str:
    out = []
    for _ in range(6):
        i, r = divmod(i, 36)
        out.append(UID_CHARS[r])
    return FAKE_SID + "".join(reversed(out))


def burst_lines(n: int, now: int) -> list[str]:
    lines = [f":{FAKE_SID} BURST {now}",
             f":{FAKE_SID} SINFO version :fake-burst {FAKE_NAME} :bench",
             f":{FAKE_SID} SINFO fullversion :fake-burst {FAKE_NAME} :bench",
             f":{FAKE_SID} SINFO rawversion :fake-burst"]
    ts = now - 1000
    for i in range(n):
        ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        lines.append(f":{FAKE_SID} UID {uuid(i)} {ts} bu{i} h{i}.fake.bench h{i}.fake.bench bu{i} {ip} {ts} + "
                     f":burst user {i}")
    # FJOIN with a channel TS later than the local one: the local side keeps its modes, and all N
    # users join. Members are written ",UUID" (no status), as InspIRCd writes them.
    head = f":{FAKE_SID} FJOIN {CHANNEL} {now + 1000} +nt :"
    members: list[str] = []
    size = len(head)
    for i in range(n):
        m = "," + uuid(i)
        if members and size + len(m) + 1 > MAX_LINE:
            lines.append(head + " ".join(members))
            members, size = [], len(head)
        members.append(m)
        size += len(m) + 1
    if members:
        lines.append(head + " ".join(members))
    lines.append(f":{FAKE_SID} ENDBURST")
    return lines


class Wire:
    """A blocking-connected, then non-blocking, line socket."""

    def __init__(self, port: int, name: str, sndbuf: int = 0):
        self.name = name
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if sndbuf:  # before connect, so that the window is set from the start
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.inbuf = b""
        self.out = bytearray()
        self.tail: list[str] = []  # the last lines received, for evidence
        self.closed = False

    def queue(self, line: str) -> None:
        self.out += line.encode() + b"\r\n"

    def flush(self) -> None:
        while self.out:
            try:
                n = self.sock.send(self.out[:1 << 20])
            except BlockingIOError:
                return
            except OSError:
                self.closed = True
                self.out.clear()
                return
            del self.out[:n]

    def read_lines(self) -> list[bytes]:
        try:
            data = self.sock.recv(1 << 20)
        except BlockingIOError:
            return []
        except OSError:
            data = b""
        if not data:
            self.closed = True
            return []
        self.inbuf += data
        *lines, self.inbuf = self.inbuf.split(b"\n")
        if lines:
            self.tail = (self.tail + [l.rstrip(b"\r").decode(errors="replace") for l in lines[-20:]])[-20:]
        return [l.rstrip(b"\r") for l in lines]


def pump(wires: list[Wire], timeout: float, on_line) -> None:
    readable = [w.sock for w in wires if not w.closed]
    writable = [w.sock for w in wires if w.out and not w.closed]
    if not readable:
        time.sleep(timeout)
        return
    r, w, _ = select.select(readable, writable, [], timeout)
    for wire in wires:
        if wire.sock in w:
            wire.flush()
        if wire.sock in r:
            for line in wire.read_lines():
                on_line(wire, line)


def run(args) -> dict:
    result: dict = {"bench": "link_burst", "server": args.label, "users": args.users,
                    "channel": CHANNEL, "ok": False}
    log = (lambda text: None) if args.quiet else (lambda text: print(f"[burst {args.label} {args.users}] {text}",
                                                                    file=sys.stderr, flush=True))
    state = {"registered": False, "joined": False, "capab_end": False, "server": None, "pong": None,
             "joins": 0, "joins_done": None, "errors": [], "first_join": None, "quits": 0}
    t0 = [0.0]

    def on_line(wire: Wire, raw: bytes) -> None:
        if wire is client:
            if b" QUIT " in raw:
                state["quits"] += 1
                return
            if b" JOIN " in raw:
                if raw.startswith(b":bwatch!"):
                    state["joined"] = True
                elif state["joined"]:
                    state["joins"] += 1
                    if state["first_join"] is None and t0[0]:
                        state["first_join"] = time.monotonic() - t0[0]
                    if state["joins"] == args.users:
                        state["joins_done"] = time.monotonic()
                return
            line = raw.decode(errors="replace")
            if line.startswith("PING"):
                client.queue("PONG" + line[4:])
            elif re.match(r"^:\S+ 001 ", line):
                state["registered"] = True
            elif line.startswith("ERROR"):
                state["errors"].append("client: " + line)
            return
        line = raw.decode(errors="replace")
        words = line.split(" ")
        if line.startswith("@"):
            words = words[1:]
        src = words[0][1:] if words and words[0].startswith(":") else ""
        cmd_words = words[1:] if src else words
        cmd = cmd_words[0] if cmd_words else ""
        if cmd == "CAPAB" and len(cmd_words) > 1 and cmd_words[1] == "END":
            state["capab_end"] = True
        elif cmd == "SERVER" and state["server"] is None:
            state["server"] = cmd_words
        elif cmd == "PING" and len(cmd_words) > 1 and cmd_words[1] == FAKE_SID:
            peer.queue(f":{FAKE_SID} PONG {src}")
        elif cmd == "PONG" and len(cmd_words) > 1 and cmd_words[1] == FAKE_SID and t0[0]:
            if state["pong"] is None:
                state["pong"] = time.monotonic()
        elif cmd == "ERROR":
            state["errors"].append("link: " + line)

    def wait(cond, seconds: float, what: str) -> bool:
        end = time.monotonic() + seconds
        while not cond():
            if time.monotonic() > end or peer_closed_early():
                result["error"] = f"{what}: timed out after {seconds:.0f} s" if not peer_closed_early() else \
                    f"{what}: the link was closed"
                return False
            pump(wires, 0.05, on_line)
        return True

    def peer_closed_early() -> bool:
        return peer is not None and peer.closed

    peer = None
    client = Wire(args.client_port, "client")
    wires = [client]
    client.queue("NICK bwatch")
    client.queue("USER bwatch 0 * :burst watcher")
    if not wait(lambda: state["registered"], 15, "client registration"):
        return finish(result, state, wires)
    client.queue(f"JOIN {CHANNEL}")
    if not wait(lambda: state["joined"], 15, "client join"):
        return finish(result, state, wires)

    now = int(time.time())
    lines = burst_lines(args.users, now)
    payload = "".join(l + "\r\n" for l in lines).encode()
    result["burst_bytes"] = len(payload)
    result["burst_lines"] = len(lines)

    peer = Wire(args.link_port, "link", args.sndbuf)
    wires.append(peer)
    peer.queue("CAPAB START 1205")
    # Only the casemapping: servers compare the limit keys (Parley refuses a peer whose limits
    # differ from its own), and the fake has none of its own to offer.
    peer.queue("CAPAB CAPABILITIES :CASEMAPPING=rfc1459 MAXLINE=512")
    peer.queue("CAPAB END")
    if not wait(lambda: state["capab_end"], 15, "CAPAB END from the server"):
        return finish(result, state, wires)
    peer.queue(f"SERVER {FAKE_NAME} {SEND_PASS} 0 {FAKE_SID} :fake server for the burst benchmark")
    if not wait(lambda: state["server"] is not None, 15, "SERVER from the server"):
        return finish(result, state, wires)
    their = state["server"]
    if len(their) < 5 or their[2] != RECV_PASS:
        result["error"] = f"unexpected SERVER line: {' '.join(their)[:200]}"
        return finish(result, state, wires)
    their_sid = their[4]
    result["peer"] = their[1]
    log(f"linked to {their[1]} ({their_sid}); bursting {args.users} users, {len(payload):,} bytes")

    t0[0] = time.monotonic()
    peer.out += payload
    peer.queue(f":{FAKE_SID} PING {their_sid}")
    sent_at = None
    deadline = t0[0] + args.timeout
    while state["pong"] is None or state["joins_done"] is None:
        if sent_at is None and not peer.out:
            sent_at = time.monotonic()
        if time.monotonic() > deadline:
            result["error"] = f"timed out after {args.timeout:.0f} s"
            break
        if peer.closed:
            result["error"] = "the link was closed"
            break
        if client.closed:
            result["error"] = "the local client was disconnected"
            break
        pump(wires, 0.05, on_line)
    if sent_at is None and not peer.out:
        sent_at = time.monotonic()
    rel = lambda t: round(t - t0[0], 4) if t else None
    result.update(written_s=rel(sent_at), pong_s=rel(state["pong"]), joins_s=rel(state["joins_done"]),
                  first_join_s=round(state["first_join"], 4) if state["first_join"] is not None else None,
                  joins_seen=state["joins"])
    result["total_s"] = max(v for v in (result["pong_s"], result["joins_s"]) if v is not None) \
        if (result["pong_s"] or result["joins_s"]) else None
    result["ok"] = "error" not in result and state["joins"] == args.users and state["pong"] is not None
    if args.server_pid:
        try:
            with open(f"/proc/{args.server_pid}/status") as f:
                for l in f:
                    if l.startswith(("VmRSS", "VmHWM")):
                        result[l.split(":")[0].lower() + "_kib"] = int(l.split()[1])
        except OSError:
            result["server_gone"] = True
    log(f"PONG after {result['pong_s']} s, {state['joins']}/{args.users} JOINs after {result['joins_s']} s")
    if result["ok"] and args.split_timeout > 0:
        # The netsplit: the fake server's connection closes; every burst user quits. Timed until
        # the local client has read all N QUIT lines.
        peer.sock.close()
        peer.closed = True
        t_split = time.monotonic()
        while state["quits"] < args.users and time.monotonic() - t_split < args.split_timeout and not client.closed:
            pump([client], 0.05, on_line)
        result["split_quits_seen"] = state["quits"]
        result["split_s"] = round(time.monotonic() - t_split, 4) if state["quits"] >= args.users else None
        log(f"split: {state['quits']}/{args.users} QUITs after {result['split_s']} s")
    client.queue("QUIT :done")
    end = time.monotonic() + 0.5
    while time.monotonic() < end and client.out and not client.closed:
        pump([client], 0.05, on_line)
    return finish(result, state, wires)


def finish(result: dict, state: dict, wires: list[Wire]) -> dict:
    if state["errors"]:
        result["errors"] = state["errors"][:5]
    if not result.get("ok"):
        result["wire_tail"] = {w.name: w.tail[-10:] for w in wires}
    for w in wires:
        try:
            w.sock.close()
        except OSError:
            pass
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--client-port", type=int, required=True)
    p.add_argument("--link-port", type=int, required=True)
    p.add_argument("--users", type=int, default=20000)
    p.add_argument("--label", default="server")
    p.add_argument("--server-pid", type=int, default=0, help="for the server's RSS afterwards")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--split-timeout", type=float, default=60,
                   help="afterwards, close the link and time until the local client has N QUITs "
                        "(0: skip)")
    p.add_argument("--sndbuf", type=int, default=0,
                   help="SO_SNDBUF of the fake server's socket (0: the kernel's default, so the whole "
                        "burst sits in the socket buffers at once); a small one makes the burst arrive "
                        "as the server reads it, as from a peer still generating it")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args()
    result = run(args)
    print(json.dumps(result), flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
