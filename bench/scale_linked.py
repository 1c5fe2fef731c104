#!/usr/bin/python3
"""Scale benchmark: N clients (default 100,000) on six linked Parley servers on one machine.

One process here is capped at 20,000 descriptors (hard RLIMIT_NOFILE), so the clients are spread
over six `parley server` processes linked over InspIRCd's spanning-tree protocol 1205:

  hub.scale.parley.local (SID 0H0, a link listener) <- leaf1..leaf5 (1L1..5L5, autoconnect)
                                                     <- observer (6O6, autoconnect, no clients)

  1. Writes the seven configs (identical [limits], loopback only, flood control exempting
     127.0.0.0/8, history off, long ping/registration timeouts) into a temp dir, starts the hub,
     then the leaves and the observer, and waits until LINKS on the hub lists all seven. One
     control client per server registers (they are in the baseline), then each server's RSS is
     read from /proc/PID/status (VmRSS): the baseline.
  2. Worker processes (multiprocessing, each holding at most --per-worker sockets, 15,000 by
     default: a process may have 20,000 descriptors) register the N clients, client i on server
     i % 6, bound to a 127.x.y.1 source address (32 clients per address) so the ephemeral ports
     of one source never run out. A client is registered when it has read the end of the MOTD
     (376/422). RSS of every server is read again.
  3. Every client JOINs its channel: client i joins channel i // ceil(N/C), so a channel's
     members are consecutive clients, spread over all six servers. A client has joined when it
     has read 366 (end of NAMES). Then the propagation is checked: LUSERS on every server must
     count N + 7 users, and NAMES of a sample of channels (--names-sample) asked on every server
     must list every member. RSS again.
  4. The first --senders-per-channel members of every channel each send M (--messages)
     PRIVMSGs `seq <sender> <n>` to their channel; every receiver checks, per sender, that it
     got 1..M exactly once and in order. Reports lost, duplicated and out-of-order deliveries
     (all must be 0) and deliveries per second (from the send command to the last delivery; the
     Python receivers are part of that time).
  5. Memory: per client = (sum of the six servers' RSS growth, baseline to after the joins) / N.
     Per remote user: the observer is a seventh server with no local clients, so its RSS growth
     / N is the cost of a remote user (its UID, its channel membership, the 1,000 channels'
     share), measured directly. A leaf's per-local-client cost is then (its growth - its remote
     users x per-remote-user) / its local clients.

--link-after-register: the leaves start unlinked (no autoconnect; the observer still links at
once). The clients register, then each leaf is CONNECTed (by an operator control client) to the
hub, one at a time: a network that grows by links rather than by registrations. (Before commit
09411cb it was needed at 100,000: each registration's LUSERS walked every remote user.)

Everything is killed at the end (process groups), whatever happened. Progress goes to stderr,
one JSON line to stdout; --jsonl appends it to a file, --report writes a markdown report.

  nice -n 5 bench/scale_linked.py --clients 100000 --channels 1000 --messages 5 \\
      --report bench/results/2026-12-06-scale-linked.md --jsonl bench/results/2026-12-06-scale-linked.jsonl

Stdlib only (Python 3.11).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing as mp
import os
import platform
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEAVES = 5
SERVERS = [("hub.scale.parley.local", "0H0")] + [(f"leaf{i}.scale.parley.local", f"{i}L{i}")
                                                  for i in range(1, LEAVES + 1)]
OBSERVER = ("observer.scale.parley.local", "6O6")
IP_BIND_ADDRESS_NO_PORT = 24  # linux/in.h: pick the source port at connect(), not at bind()
CLIENTS_PER_SOURCE = 32
OPER_PASSWORD = "scale-bench-oper"

# The default send queues: a client's 1 MiB, a link's limits.link_sendq_bytes (256 MiB), which holds
# the burst of the whole network to a (re)linking server (~15 MB at 100,000 users).
LIMITS = """[limits]
max_clients = 19900
max_clients_per_ip = 1000000
max_channels_per_user = 50
"""

COMMON = """[flood]
exempt = ["127.0.0.0/8"]

[timeouts]
registration = 600
ping_interval = 7200
ping_timeout = 600

[history]
enabled = false
"""

T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[{time.monotonic() - T0:8.1f}s] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Machine measurements

def cpu_ticks() -> tuple[int, int]:
    """(total, idle incl. iowait) jiffies of all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return sum(v), v[3] + v[4]


def proc_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except OSError:
        return 0


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def machine() -> dict:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return {"cpu": model, "cores": os.cpu_count(), "mem_gib": round(mem_kib / 1048576, 1),
            "kernel": platform.release(), "python": platform.python_version(),
            "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)}


class CpuWindow:
    """Idle share of the machine and the share used by other programs (not ours) over a phase."""

    def __init__(self, pids_fn):
        self.pids_fn = pids_fn
        self.start()

    def start(self) -> None:
        self.total, self.idle = cpu_ticks()
        self.ours = sum(proc_ticks(p) for p in self.pids_fn()) + self.self_ticks()

    @staticmethod
    def self_ticks() -> int:
        t = os.times()
        return int((t.user + t.system) * os.sysconf("SC_CLK_TCK"))

    def stop(self) -> dict:
        total, idle = cpu_ticks()
        ours = sum(proc_ticks(p) for p in self.pids_fn()) + self.self_ticks()
        dt = max(1, total - self.total)
        busy = dt - (idle - self.idle)
        return {"idle_share": round((idle - self.idle) / dt, 3),
                "ours_share": round(max(0, ours - self.ours) / dt, 3),
                "other_share": round(max(0, busy - (ours - self.ours)) / dt, 3)}


# ---------------------------------------------------------------------------------------------
# Servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class Server:
    def __init__(self, name: str, sid: str, rundir: Path, binary: Path, log_level: str):
        self.name, self.sid, self.rundir, self.binary = name, sid, rundir, binary
        self.port = free_port()
        self.link_port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.log_level = log_level
        self.log_path = rundir / f"{sid}.log"

    def write_config(self, hub: "Server | None", peers: list["Server"], autoconnect: bool = True,
                     oper_hash: str = "") -> Path:
        out = [f'[server]\nname = "{self.name}"\nid = "{self.sid}"\nnetwork = "ParleyScale"\n'
               f'motd = ["parley scale benchmark {self.sid}"]\n',
               f'[[listener]]\nbind = "127.0.0.1"\nport = {self.port}\n']
        if hub is None:  # the hub: accepts every other server's link
            self.link_port = free_port()
            out.append(f'[[listener]]\nbind = "127.0.0.1"\nport = {self.link_port}\nprotocol = "link"\n')
            for p in peers:
                out.append(f'[[link]]\nname = "{p.name}"\nsend_password = "{p.sid}-down"\n'
                           f'receive_password = "{p.sid}-up"\n')
        else:  # a leaf: dials the hub, which introduces the other servers (hub = true)
            out.append(f'[[link]]\nname = "{hub.name}"\naddress = "127.0.0.1"\nport = {hub.link_port}\n'
                       f'send_password = "{self.sid}-up"\nreceive_password = "{self.sid}-down"\n'
                       f'autoconnect = {"true" if autoconnect else "false"}\nhub = true\n')
        if oper_hash:  # the control client's OPER, for CONNECT
            out.append(f'[[operator]]\nname = "scale"\npassword_hash = "{oper_hash}"\n')
        out += [LIMITS, COMMON]
        path = self.rundir / f"{self.sid}.toml"
        path.write_text("\n".join(out))
        return path

    def start(self, config: Path) -> None:
        command = [str(self.binary), "server", "--config", str(config),
                   "--data-dir", str(self.rundir / f"data-{self.sid}"), "--log-level", self.log_level]
        self.command = command
        self.logf = open(self.log_path, "w")
        self.proc = subprocess.Popen(command, stdout=self.logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.rundir, start_new_session=True)

    def wait_listening(self) -> None:
        ports = [self.port] + ([self.link_port] if self.link_port else [])
        if not all(wait_for_port(p, self.proc) for p in ports):
            raise RuntimeError(f"{self.name} did not start listening on {ports}:\n{self.log_tail()}")

    def log_tail(self, n: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else 0

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if not self.proc:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(5)
        self.logf.close()


class Control:
    """A blocking control client on one server: LINKS, LUSERS, NAMES."""

    def __init__(self, port: int, nick: str):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        self.nick = nick
        self.send(f"NICK {nick}\r\nUSER {nick} 0 * :scale control")
        self.until(lambda w: w[1] in ("376", "422"))

    def send(self, text: str) -> None:
        self.sock.sendall(text.encode() + b"\r\n")

    def lines(self, timeout: float):
        self.sock.settimeout(timeout)
        while True:
            while b"\n" in self.buf:
                raw, self.buf = self.buf.split(b"\n", 1)
                words = raw.decode(errors="replace").rstrip("\r").split(" ")
                if words[0] == "PING":
                    self.send("PONG " + " ".join(words[1:]))
                    continue
                if len(words) >= 2:
                    yield words
            data = self.sock.recv(1 << 20)
            if not data:
                raise RuntimeError(f"control client {self.nick} disconnected")
            self.buf += data

    def until(self, pred, timeout: float = 60) -> list[str]:
        for words in self.lines(timeout):
            if pred(words):
                return words
        raise AssertionError

    def links(self) -> list[str]:
        self.send("LINKS")
        names = []
        for w in self.lines(30):
            if w[1] == "364" and len(w) > 3:
                names.append(w[3])
            elif w[1] == "365":
                return names
        return names

    def lusers(self) -> int:
        self.send("LUSERS")
        w = self.until(lambda w: w[1] == "251")
        # :srv 251 nick :There are U users and I invisible on S servers
        return int(w[5]) + int(w[8])

    def names_counts(self, channels: list[str]) -> dict[str, int]:
        for i in range(0, len(channels), 50):
            self.send("\r\n".join(f"NAMES {c}" for c in channels[i:i + 50]))
        counts = {c: 0 for c in channels}
        left = set(channels)
        for w in self.lines(60):
            if w[1] == "353" and len(w) > 5:
                chan = w[4]
                counts[chan] = counts.get(chan, 0) + len([x for x in w[5:] if x.lstrip(":")])
            elif w[1] == "366" and len(w) > 3:
                left.discard(w[3])
                if not left:
                    return counts
        return counts

    def close(self) -> None:
        try:
            self.send("QUIT :done")
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------------------------
# The client workers (one process each, asyncio)

class Plan:
    """Who is where: client i on server i % servers, in channel i // per_channel."""

    def __init__(self, clients: int, channels: int, servers: int, senders_per_channel: int, messages: int):
        self.clients, self.servers = clients, servers
        self.per_channel = math.ceil(clients / channels)
        self.channels = math.ceil(clients / self.per_channel)
        self.senders_per_channel = senders_per_channel
        self.messages = messages
        self.check_joins = False

    def server(self, i: int) -> int:
        return i % self.servers

    def channel(self, i: int) -> int:
        return i // self.per_channel

    def members(self, k: int) -> range:
        return range(k * self.per_channel, min(self.clients, (k + 1) * self.per_channel))

    def senders(self, k: int) -> list[int]:
        return list(self.members(k))[:self.senders_per_channel]

    def is_sender(self, i: int) -> bool:
        return i - self.channel(i) * self.per_channel < self.senders_per_channel

    @staticmethod
    def source(i: int) -> str:
        a = i // CLIENTS_PER_SOURCE
        return f"127.{10 + a // 250}.{1 + a % 250}.1"


class Client(asyncio.Protocol):
    __slots__ = ("w", "idx", "transport", "buf", "registered", "state", "seen", "maxseq", "joins")

    def __init__(self, w: "Worker", idx: int):
        self.w, self.idx = w, idx
        self.transport = None
        self.buf = b""
        self.registered: asyncio.Future | None = None
        self.state = 0  # 0 connecting, 1 registered, 2 joining, 3 joined
        self.seen: dict[int, int] = {}  # sender -> bitmask of sequence numbers received
        self.maxseq: dict[int, int] = {}
        self.joins: set[bytes] = set()  # with --check-joins: nicks whose JOIN this client read

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.buf:
            data = self.buf + data
        lines = data.split(b"\n")
        self.buf = lines.pop()
        handle = self.w.handle
        for line in lines:
            handle(self, line)

    def connection_lost(self, exc) -> None:
        self.w.closed(self, exc)


class Worker:
    def __init__(self, wid: int, lo: int, hi: int, ports: list[int], plan: Plan, conn, concurrency: int):
        self.wid, self.lo, self.hi, self.ports, self.plan, self.conn = wid, lo, hi, ports, plan, conn
        self.concurrency = concurrency
        self.clients: list[Client] = []
        self.errors: list[str] = []
        self.lost_connections = 0
        self.connect_retries = 0
        self.quitting = False
        self.joined = 0
        self.join_event: asyncio.Event | None = None
        self.delivered = 0
        self.dup = 0
        self.ooo = 0
        self.bad = 0
        self.last_delivery = 0.0
        self.expected = 0
        self.other_joins = 0
        self.join_dups = 0
        self.check_joins = plan.check_joins

    def error(self, text: str) -> None:
        if len(self.errors) < 30:
            self.errors.append(text)

    def handle(self, c: Client, line: bytes) -> None:
        parts = line.rstrip(b"\r").split(b" ", 3)
        if parts[0] == b"PING":
            c.transport.write(b"PONG " + line[5:] + b"\n")
            return
        if len(parts) < 2:
            return
        cmd = parts[1]
        if cmd == b"PRIVMSG":
            try:
                f = parts[3].split()  # b":seq <sender> <n>" (parts[2] is the channel)
                sender, seq = int(f[1]), int(f[2])
            except (ValueError, IndexError):
                self.bad += 1
                self.error(f"c{c.idx}: unparsable {line[:200]!r}")
                return
            bit = 1 << seq
            mask = c.seen.get(sender, 0)
            if mask & bit:
                self.dup += 1
            else:
                c.seen[sender] = mask | bit
                self.delivered += 1
                if seq < c.maxseq.get(sender, 0):
                    self.ooo += 1
                else:
                    c.maxseq[sender] = seq
            self.last_delivery = time.monotonic()
        elif cmd == b"JOIN":
            self.other_joins += 1
            if self.check_joins:
                nick = parts[0][1:parts[0].find(b"!")]
                if nick in c.joins:
                    self.join_dups += 1
                    if self.join_dups <= 5:
                        self.error(f"c{c.idx}: JOIN of {nick!r} seen twice")
                else:
                    c.joins.add(nick)
        elif cmd == b"366":
            if c.state == 2:
                c.state = 3
                self.joined += 1
                if self.joined == len(self.clients) and self.join_event:
                    self.join_event.set()
        elif cmd == b"376" or cmd == b"422":
            if c.registered and not c.registered.done():
                c.registered.set_result(True)
        elif cmd == b"ERROR" or (len(cmd) == 3 and cmd[:1] in (b"4", b"5")):
            self.error(f"c{c.idx} (server {self.plan.server(c.idx)}): {line[:300].decode(errors='replace')}")

    def closed(self, c: Client, exc) -> None:
        if self.quitting:
            return
        self.lost_connections += 1
        self.error(f"c{c.idx} (server {self.plan.server(c.idx)}) connection lost: {exc!r}")
        if c.registered and not c.registered.done():
            c.registered.set_exception(ConnectionError("closed before registration"))

    async def register_one(self, i: int, sem: asyncio.Semaphore, timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        c = Client(self, i)
        async with sem:
            sock = None
            for attempt in range(4):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    sock.setsockopt(socket.SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1)
                    sock.setblocking(False)
                    sock.bind((Plan.source(i), 0))
                    await asyncio.wait_for(loop.sock_connect(sock, ("127.0.0.1", self.ports[self.plan.server(i)])), 60)
                    break
                except (OSError, asyncio.TimeoutError) as e:
                    sock.close()
                    sock = None
                    self.connect_retries += 1
                    self.error(f"c{i}: connect attempt {attempt + 1} failed: {e!r}")
                    await asyncio.sleep(0.5 * (attempt + 1))
            if sock is None:
                return False
            c.registered = loop.create_future()
            await loop.create_connection(lambda: c, sock=sock)
            self.clients.append(c)
            c.transport.write(f"NICK n{i}\r\nUSER u{i} 0 * :scale client {i}\r\n".encode())
            try:
                await asyncio.wait_for(c.registered, timeout)
            except (asyncio.TimeoutError, ConnectionError) as e:
                self.error(f"c{i}: not registered: {e!r}")
                return False
            c.state = 1
            return True

    async def cmd(self):
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        def ready():
            loop.remove_reader(self.conn.fileno())
            try:
                fut.set_result(self.conn.recv())
            except EOFError:
                fut.set_result(("quit",))
        loop.add_reader(self.conn.fileno(), ready)
        return await fut

    def stats(self) -> dict:
        return {"wid": self.wid, "clients": len(self.clients), "joined": self.joined,
                "delivered": self.delivered, "expected": self.expected, "dup": self.dup, "ooo": self.ooo,
                "bad": self.bad, "last_delivery": self.last_delivery, "lost_connections": self.lost_connections,
                "connect_retries": self.connect_retries, "other_joins": self.other_joins, "join_dups": self.join_dups,
                "errors": self.errors[:10]}

    async def run(self) -> None:
        plan = self.plan
        while True:
            msg = await self.cmd()
            op = msg[0]
            if op == "register":
                timeout = msg[1]
                t = time.monotonic()
                sem = asyncio.Semaphore(self.concurrency)
                results = await asyncio.gather(*(self.register_one(i, sem, timeout) for i in range(self.lo, self.hi)))
                ok = sum(results)
                self.conn.send({**self.stats(), "registered": ok, "failed": len(results) - ok,
                                "seconds": time.monotonic() - t, "done_at": time.monotonic()})
            elif op == "join":
                timeout = msg[1]
                t = time.monotonic()
                self.join_event = asyncio.Event()
                for c in self.clients:
                    c.state = 2
                    c.transport.write(f"JOIN #c{plan.channel(c.idx)}\r\n".encode())
                try:
                    if self.joined < len(self.clients):
                        await asyncio.wait_for(self.join_event.wait(), timeout)
                except asyncio.TimeoutError:
                    missing = [c.idx for c in self.clients if c.state != 3][:10]
                    self.error(f"join timeout: {len(self.clients) - self.joined} not joined, e.g. {missing}")
                self.conn.send({**self.stats(), "seconds": time.monotonic() - t, "done_at": time.monotonic()})
            elif op == "send":
                # Expected deliveries for this worker's receivers.
                m = plan.messages
                self.expected = 0
                for c in self.clients:
                    k = plan.channel(c.idx)
                    self.expected += m * sum(1 for s in plan.senders(k) if s != c.idx)
                t = time.monotonic()
                wrote = 0
                for c in self.clients:
                    if plan.is_sender(c.idx):
                        k = plan.channel(c.idx)
                        c.transport.write("".join(f"PRIVMSG #c{k} :seq {c.idx} {s}\r\n"
                                                  for s in range(1, m + 1)).encode())
                        wrote += m
                self.conn.send({"wrote": wrote, "expected": self.expected, "write_seconds": time.monotonic() - t})
            elif op == "status":
                self.conn.send(self.stats())
            elif op == "verify":
                # Per (receiver, sender) pair: missing sequence numbers are lost.
                lost = 0
                lost_pairs = 0
                examples = []
                full = (1 << (plan.messages + 1)) - 2
                for c in self.clients:
                    for s in plan.senders(plan.channel(c.idx)):
                        if s == c.idx:
                            continue
                        mask = c.seen.get(s, 0)
                        if mask != full:
                            miss = sum(1 for q in range(1, plan.messages + 1) if not mask >> q & 1)
                            lost += miss
                            lost_pairs += 1
                            if len(examples) < 10:
                                examples.append(f"receiver c{c.idx} (server {plan.server(c.idx)}) missed {miss} "
                                                f"from sender c{s} (server {plan.server(s)})")
                self.conn.send({**self.stats(), "lost": lost, "lost_pairs": lost_pairs, "lost_examples": examples})
            elif op == "quit":
                self.quitting = True
                for c in self.clients:
                    if c.transport:
                        c.transport.abort()
                self.conn.send({"quit": True})
                return


def worker_main(wid: int, lo: int, hi: int, ports: list[int], plan: Plan, conn, concurrency: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    w = Worker(wid, lo, hi, ports, plan, conn, concurrency)
    try:
        asyncio.run(w.run())
    except Exception as e:  # report, then die
        try:
            conn.send({"fatal": f"worker {wid}: {e!r}"})
        except OSError:
            pass
        raise


# ---------------------------------------------------------------------------------------------
# The run

def ensure_binary(binary: Path) -> None:
    newest = max((p.stat().st_mtime for p in (ROOT / "src").rglob("*") if p.is_file()), default=0)
    if binary.exists() and binary.stat().st_mtime >= newest:
        return
    log(f"{binary} missing or older than src/: building")
    env = {**os.environ, "CCACHE_BASEDIR": "/work", "CCACHE_DIR": "/work/.ccache"}
    subprocess.run(["ninja", "-C", str(binary.parent), "parley"], check=True, env=env)


def gather(workers, msg, timeout: float) -> list[dict]:
    for _, conn in workers:
        conn.send(msg)
    out = []
    deadline = time.monotonic() + timeout
    for proc, conn in workers:
        left = deadline - time.monotonic()
        if not conn.poll(max(0.1, left)):
            raise RuntimeError(f"worker {proc.pid} did not answer {msg[0]} within {timeout:.0f} s")
        r = conn.recv()
        if "fatal" in r:
            raise RuntimeError(r["fatal"])
        out.append(r)
    return out


def run(args) -> dict:
    binary = Path(args.binary).resolve()
    ensure_binary(binary)
    nserv = len(SERVERS)
    if math.ceil(args.clients / nserv) > args.max_per_server:
        raise SystemExit(f"{args.clients} clients over {nserv} servers is more than {args.max_per_server} per server")
    plan = Plan(args.clients, args.channels, nserv, args.senders_per_channel, args.messages)
    plan.check_joins = args.check_joins
    nworkers = args.workers or max(2, math.ceil(args.clients / args.per_worker))
    if math.ceil(args.clients / nworkers) > args.per_worker:
        raise SystemExit(f"{nworkers} workers would hold more than {args.per_worker} sockets each")

    rundir = Path(tempfile.mkdtemp(prefix="parley-scale-"))
    servers: list[Server] = []
    workers: list[tuple[mp.Process, object]] = []
    controls: list[Control] = []
    result: dict = {"bench": "scale_linked", "link_after_register": args.link_after_register, "clients": args.clients, "servers": nserv,
                    "observer": not args.no_observer, "channels": plan.channels, "per_channel": plan.per_channel,
                    "messages_per_sender": args.messages, "senders_per_channel": args.senders_per_channel,
                    "workers": nworkers, "machine": machine(), "command": " ".join(map(shlex.quote, sys.argv)),
                    "binary": str(binary), "ok": False}
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"], capture_output=True,
                               text=True).stdout.strip()
        result["commit"] = commit + ("+dirty-src" if dirty else "")
    except OSError:
        pass

    all_pids = lambda: [s.pid for s in servers] + [p.pid for p, _ in workers]  # noqa: E731
    cpu_all = CpuWindow(all_pids)
    phases: dict = {}
    try:
        # 1. servers
        hub = Server(*SERVERS[0], rundir, binary, args.log_level)
        others = [Server(n, sid, rundir, binary, args.log_level) for n, sid in SERVERS[1:]]
        observer = None if args.no_observer else Server(*OBSERVER, rundir, binary, args.log_level)
        peers = others + ([observer] if observer else [])
        hub_cfg = hub.write_config(None, peers)
        check = subprocess.run([str(binary), "server", "--check-config", str(hub_cfg)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"hub config refused: {check.stdout}{check.stderr}")
        hub.start(hub_cfg)
        servers.append(hub)
        hub.wait_listening()
        late = args.link_after_register
        oper_hash = ""
        if late:
            oper_hash = subprocess.run([str(binary), "mkpasswd"], input=OPER_PASSWORD + "\n", capture_output=True,
                                       text=True, check=True).stdout.strip()
        for s in peers:
            # --link-after-register: the leaves link (CONNECT) once their clients are registered;
            # the client-less observer links at once.
            s.start(s.write_config(hub, [], autoconnect=not late or s is observer, oper_hash=oper_hash))
            servers.append(s)
        for s in peers:
            s.wait_listening()
        names = [s.name for s in servers if not late or s in (hub, observer)]
        ctl_hub = Control(hub.port, "ctl0H0")
        controls.append(ctl_hub)
        t = time.monotonic()
        while True:
            listed = ctl_hub.links()
            if all(n in listed for n in names):
                break
            if time.monotonic() - t > 60:
                raise RuntimeError(f"not linked after 60 s: LINKS lists {listed}")
            time.sleep(0.25)
        result["link_seconds"] = round(time.monotonic() - t, 2)
        log(f"linked: {len(listed)} servers in {result['link_seconds']} s")
        # Links refused while the leaves dialled at once (each autoconnect retries after 5 s).
        refused = sorted({line.split(": ", 2)[-1] for s in servers for line in s.log_tail(100000).splitlines()
                          if "lost the link" in line and "already exists" in line and s is not hub})
        if refused:
            result["link_refusals"] = refused
            log(f"links refused on the way up (retried by autoconnect): {refused}")
        for s in servers[1:]:
            controls.append(Control(s.port, f"ctl{s.sid}"))
        nctl = len(controls)
        if late:
            for c in controls[1:nserv]:
                c.send(f"OPER scale {OPER_PASSWORD}")
                c.until(lambda w: w[1] in ("381", "491", "464"))
        else:
            wait_users(controls, nctl, 30)
        time.sleep(1)
        rss = {"baseline": {s.sid: rss_kib(s.pid) for s in servers}}
        log(f"baseline RSS KiB: {rss['baseline']}")

        # 2. workers and registration
        ctx = mp.get_context("fork")
        bounds = [round(args.clients * w / nworkers) for w in range(nworkers + 1)]
        ports = [s.port for s in servers[:nserv]]
        for w in range(nworkers):
            parent, child = ctx.Pipe()
            p = ctx.Process(target=worker_main, args=(w, bounds[w], bounds[w + 1], ports, plan, child,
                                                      args.concurrency), daemon=True)
            p.start()
            child.close()
            workers.append((p, parent))
        log(f"{nworkers} workers, {bounds[1] - bounds[0]} clients each; registering {args.clients} clients")
        cpu = CpuWindow(all_pids)
        t = time.monotonic()
        reg = gather(workers, ("register", args.phase_timeout), args.phase_timeout + 120)
        registered = sum(r["registered"] for r in reg)
        reg_s = max(r["done_at"] for r in reg) - t
        phases["register"] = {"seconds": round(reg_s, 2), "registered": registered,
                              "failed": sum(r["failed"] for r in reg),
                              "connect_retries": sum(r["connect_retries"] for r in reg),
                              "per_second": round(registered / reg_s), **cpu.stop()}
        log(f"registered {registered}/{args.clients} in {reg_s:.1f} s; {phases['register']}")
        errs = [e for r in reg for e in r["errors"]]
        if errs:
            log("worker errors: " + " | ".join(errs[:10]))
        if registered != args.clients:
            raise RuntimeError(f"only {registered} of {args.clients} registered: {errs[:10]}")
        if late:
            # One leaf at a time (leaves linking at once can be refused: "already exists: a loop
            # in the tree", and without autoconnect nothing would retry).
            cpu = CpuWindow(all_pids)
            t = time.monotonic()
            links = []
            for i, s in enumerate(servers[1:nserv], start=1):
                t1 = time.monotonic()
                controls[i].send(f"CONNECT {hub.name}")
                while s.name not in ctl_hub.links():
                    if time.monotonic() - t1 > 120:
                        raise RuntimeError(f"{s.name} not linked 120 s after CONNECT:\n{s.log_tail(1500)}")
                    time.sleep(0.1)
                want = nctl - (nserv - 1 - i) + sum(1 for j in range(args.clients) if plan.server(j) <= i)
                wait_users([ctl_hub], want, args.phase_timeout)
                links.append(round(time.monotonic() - t1, 2))
                log(f"{s.name} linked, hub counts {want} users, {links[-1]} s")
            wait_users(controls, args.clients + nctl, args.phase_timeout)
            phases["link"] = {"seconds": round(time.monotonic() - t, 2), "per_leaf_seconds": links, **cpu.stop()}
            log(f"network linked with every user in {phases['link']['seconds']} s")
        else:
            t = time.monotonic()
            wait_users(controls, args.clients + nctl, args.phase_timeout)
            phases["register"]["user_propagation_seconds"] = round(time.monotonic() - t, 2)
        time.sleep(2)
        rss["registered"] = {s.sid: rss_kib(s.pid) for s in servers}
        log(f"RSS after registration KiB: {rss['registered']}")

        # 3. joins
        cpu = CpuWindow(all_pids)
        t = time.monotonic()
        jr = gather(workers, ("join", args.phase_timeout), args.phase_timeout + 120)
        joined = sum(r["joined"] for r in jr)
        join_s = max(r["done_at"] for r in jr) - t
        phases["join"] = {"seconds": round(join_s, 2), "joined": joined,
                          "join_lines_read": sum(r["other_joins"] for r in jr),
                          "join_lines_if_joins_were_serial": sum(len(plan.members(k)) * (len(plan.members(k)) + 1) // 2
                                                     for k in range(plan.channels)),
                          **({"duplicate_join_lines": sum(r["join_dups"] for r in jr)} if args.check_joins else {}),
                          **cpu.stop()}
        log(f"joined {joined}/{args.clients} in {join_s:.1f} s")
        if joined != args.clients:
            raise RuntimeError(f"only {joined} of {args.clients} joined: {[e for r in jr for e in r['errors']][:10]}")
        t = time.monotonic()
        sample = names_sample(plan, args.names_sample)
        expected = {f"#c{k}": len(plan.members(k)) for k in sample}
        while True:
            bad = {}
            for ctl, s in zip(controls, servers):
                got = ctl.names_counts(list(expected))
                wrong = {c: n for c, n in got.items() if n != expected[c]}
                if wrong:
                    bad[s.sid] = dict(list(wrong.items())[:3])
            if not bad:
                break
            if time.monotonic() - t > args.phase_timeout:
                raise RuntimeError(f"membership not propagated after {args.phase_timeout} s: {bad}")
            time.sleep(1)
        phases["join"]["membership_check"] = {"channels_sampled": len(sample), "servers_asked": len(servers),
                                              "seconds": round(time.monotonic() - t, 2)}
        log(f"NAMES of {len(sample)} channels complete on all {len(servers)} servers")
        time.sleep(2)
        rss["joined"] = {s.sid: rss_kib(s.pid) for s in servers}
        log(f"RSS after joins KiB: {rss['joined']}")

        # 4. messages
        cpu = CpuWindow(all_pids)
        t = time.monotonic()
        sent = gather(workers, ("send",), 120)
        wrote = sum(r["wrote"] for r in sent)
        expected_total = sum(r["expected"] for r in sent)
        log(f"{wrote} messages written, {expected_total} deliveries expected")
        last_progress, last_count = time.monotonic(), -1
        while True:
            st = gather(workers, ("status",), 60)
            got = sum(r["delivered"] for r in st)
            if got >= expected_total:
                break
            if got != last_count:
                last_progress, last_count = time.monotonic(), got
            elif time.monotonic() - last_progress > args.quiet_timeout:
                log(f"no progress for {args.quiet_timeout} s at {got}/{expected_total}")
                break
            time.sleep(0.2)
        time.sleep(args.settle)  # late duplicates would show up here
        ver = gather(workers, ("verify",), 120)
        last = max((r["last_delivery"] for r in ver if r["last_delivery"]), default=t)
        delivered = sum(r["delivered"] for r in ver)
        span = max(1e-6, last - t)
        phases["messages"] = {"sent": wrote, "expected_deliveries": expected_total, "delivered": delivered,
                              "lost": sum(r["lost"] for r in ver), "duplicated": sum(r["dup"] for r in ver),
                              "out_of_order": sum(r["ooo"] for r in ver), "unparsable": sum(r["bad"] for r in ver),
                              "seconds": round(span, 3), "deliveries_per_second": round(delivered / span),
                              **cpu.stop()}
        examples = [e for r in ver for e in r["lost_examples"]]
        if examples:
            phases["messages"]["lost_examples"] = examples[:10]
        log(f"messages: {phases['messages']}")
        rss["after_messages"] = {s.sid: rss_kib(s.pid) for s in servers}
        result["lost_connections"] = sum(r["lost_connections"] for r in ver)
        result["worker_errors"] = [e for r in ver for e in r["errors"]][:10]

        # 5. memory
        result["rss_kib"] = rss
        result["memory"] = memory(rss, servers, plan, nserv, observer, nctl)
        alive = [s.sid for s in servers if not s.alive()]
        if alive:
            raise RuntimeError(f"servers died: {alive}")
        m = phases["messages"]
        result["ok"] = (m["lost"] == 0 and m["duplicated"] == 0 and m["out_of_order"] == 0
                        and m["delivered"] == m["expected_deliveries"] and result["lost_connections"] == 0)
    except (Exception, KeyboardInterrupt) as e:
        result["error"] = f"{type(e).__name__}: {e}"
        log(f"FAILED: {result['error']}")
        for s in servers:
            log(f"--- {s.sid} ({'alive' if s.alive() else f'exited {s.proc.returncode}'}) log tail:\n{s.log_tail(1500)}")
    finally:
        result["phases"] = phases
        result["cpu_whole_run"] = cpu_all.stop()
        result["server_cpu_seconds"] = {s.sid: round(proc_ticks(s.pid) / os.sysconf("SC_CLK_TCK"), 1) for s in servers}
        for c in controls:
            c.close()
        for p, conn in workers:
            try:
                conn.send(("quit",))
            except OSError:
                pass
        deadline = time.monotonic() + 10  # a worker busy in a phase does not read "quit": killed
        for p, conn in workers:
            p.join(max(0.1, deadline - time.monotonic()))
        for p, conn in workers:
            if p.is_alive():
                p.kill()
                p.join(5)
        for s in servers:
            s.stop()
        if args.keep or not result["ok"]:
            keep = Path(args.logs_dir or rundir)
            if keep != rundir:
                shutil.copytree(rundir, keep, dirs_exist_ok=True)
            result["logs"] = str(keep)
            if keep != rundir:
                shutil.rmtree(rundir, ignore_errors=True)
        else:
            shutil.rmtree(rundir, ignore_errors=True)
    return result


def wait_users(controls: list[Control], want: int, timeout: float) -> None:
    t = time.monotonic()
    while True:
        counts = [c.lusers() for c in controls]
        if all(n == want for n in counts):
            return
        if time.monotonic() - t > timeout:
            raise RuntimeError(f"LUSERS counts {counts}, want {want} on every server")
        time.sleep(0.5)


def names_sample(plan: Plan, n: int) -> list[int]:
    if n <= 0 or n >= plan.channels:
        return list(range(plan.channels))
    step = plan.channels / n
    return sorted({int(i * step) for i in range(n)} | {plan.channels - 1})


def memory(rss: dict, servers: list[Server], plan: Plan, nserv: int, observer: Server | None, nctl: int) -> dict:
    out: dict = {}
    n = plan.clients
    local = [sum(1 for i in range(s, n, nserv)) for s in range(nserv)]
    for phase in ("registered", "joined"):
        growth = {s.sid: rss[phase][s.sid] - rss["baseline"][s.sid] for s in servers}
        six = sum(growth[s.sid] for s in servers[:nserv])
        d = {"growth_kib": growth, "six_servers_growth_kib": six,
             "per_client_bytes_all_copies": round(six * 1024 / n)}
        if observer:
            per_remote = growth[observer.sid] * 1024 / n
            d["per_remote_user_bytes"] = round(per_remote)
            per_local = {}
            for i, s in enumerate(servers[:nserv]):
                remote = n - local[i]
                per_local[s.sid] = round((growth[s.sid] * 1024 - remote * per_remote) / local[i])
            d["per_local_client_bytes"] = per_local
            d["per_local_client_bytes_mean"] = round(sum(per_local.values()) / nserv)
        out[phase] = d
    out["local_clients"] = {servers[i].sid: local[i] for i in range(nserv)}
    return out


def report_md(r: dict) -> str:
    m = r.get("memory", {})
    j = m.get("joined", {})
    g = m.get("registered", {})
    ph = r.get("phases", {})
    msg = ph.get("messages", {})
    mc = r["machine"]
    lines = [f"# Scale: {r['clients']:,} clients on {r['servers']} linked Parley servers", "",
             f"Command (from /work/main, commit {r.get('commit', '?')}):", "", "```sh", r["command"], "```", "",
             f"Machine: {mc['cpu']}, {mc['cores']} cores, {mc['mem_gib']} GiB, Linux {mc['kernel']}, "
             f"Python {mc['python']}, RLIMIT_NOFILE {mc['nofile']}.", "",
             f"Result: **{'clean' if r['ok'] else 'NOT clean'}**" + (f" — {r['error']}" if r.get("error") else ""), "",
             "| | |", "|---|---|",
             f"| clients | {r['clients']:,} over {r['servers']} servers (+ observer: {r['observer']}), "
             f"{r['workers']} client processes |",
             f"| channels | {r['channels']:,} of {r['per_channel']} members, each spanning all {r['servers']} servers |",
             f"| link-up at start ({'hub + observer' if r.get('link_after_register') else '7 servers'}, "
             f"LINKS complete) | {r.get('link_seconds', '?')} s |"]
    if "register" in ph:
        p = ph["register"]
        lines.append(f"| registration (connect, NICK/USER, to end of MOTD) | {p['seconds']} s "
                     f"({p['per_second']:,}/s), {p['failed']} failed, {p['connect_retries']} connect retries"
                     + (f"; LUSERS = N on every server {p['user_propagation_seconds']} s later |"
                        if "user_propagation_seconds" in p else " (leaves not linked yet) |"))
    if "link" in ph:
        p = ph["link"]
        lines.append(f"| linking the five leaves afterwards (CONNECT one at a time, each until the hub counts "
                     f"its users; then LUSERS = N on all servers) | {p['seconds']} s (per leaf: "
                     f"{', '.join(map(str, p['per_leaf_seconds']))} s) |")
    if "join" in ph:
        p = ph["join"]
        lines.append(f"| JOIN (all, to 366) | {p['seconds']} s; NAMES of {p['membership_check']['channels_sampled']} "
                     f"channels complete on all servers {p['membership_check']['seconds']} s later |"
                     if "membership_check" in p else f"| JOIN | {p['seconds']} s |")
    if msg:
        lines += [f"| messages sent | {msg['sent']:,} ({r['senders_per_channel']} sender(s) per channel × "
                  f"{r['messages_per_sender']}) |",
                  f"| deliveries expected / delivered | {msg['expected_deliveries']:,} / {msg['delivered']:,} |",
                  f"| lost / duplicated / out of order | {msg['lost']} / {msg['duplicated']} / {msg['out_of_order']} |",
                  f"| deliveries/s (send to last delivery, Python receivers included) | "
                  f"{msg['deliveries_per_second']:,} ({msg['seconds']} s) |"]
    lines.append(f"| connections lost during the run | {r.get('lost_connections', '?')} |")
    if j:
        lines += [f"| memory per client (six servers' RSS growth / N), registered | "
                  f"{g['per_client_bytes_all_copies']:,} B |",
                  f"| memory per client, registered + joined | {j['per_client_bytes_all_copies']:,} B |"]
        if "per_remote_user_bytes" in j:
            lines += [f"| memory per remote user (observer's growth / N), registered | {g['per_remote_user_bytes']:,} B |",
                      f"| memory per remote user, registered + joined | {j['per_remote_user_bytes']:,} B |",
                      f"| memory per local client (leaf growth − remote × per-remote) / local, joined | "
                      f"{j['per_local_client_bytes_mean']:,} B (mean; {j['per_local_client_bytes']}) |"]
    lines += ["", "RSS (KiB) per server:", "", "| server | local clients | baseline | registered | joined | after messages | CPU s |",
              "|---|---|---|---|---|---|---|"]
    rss = r.get("rss_kib", {})
    for sid in rss.get("baseline", {}):
        lines.append(f"| {sid} | {m.get('local_clients', {}).get(sid, 0):,} | {rss['baseline'][sid]:,} | "
                     f"{rss.get('registered', {}).get(sid, 0):,} | {rss.get('joined', {}).get(sid, 0):,} | "
                     f"{rss.get('after_messages', {}).get(sid, 0):,} | {r.get('server_cpu_seconds', {}).get(sid, '?')} |")
    lines += ["", "Machine contention (/proc/stat; `other` = CPU used by programs outside this run, e.g. the "
              "concurrent build; shares of both cores):", "", "| phase | idle | this run | other |", "|---|---|---|---|"]
    for name, p in list(ph.items()) + [("whole run", r.get("cpu_whole_run", {}))]:
        if "idle_share" in p:
            lines.append(f"| {name} | {p['idle_share']:.0%} | {p['ours_share']:.0%} | {p['other_share']:.0%} |")
    lines += ["", "Raw JSON:", "", "```json", json.dumps(r), "```", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=100_000)
    ap.add_argument("--channels", type=int, default=1_000)
    ap.add_argument("--messages", type=int, default=5, help="messages per sender")
    ap.add_argument("--senders-per-channel", type=int, default=1)
    ap.add_argument("--binary", default=str(ROOT / "build-bench" / "parley"))
    ap.add_argument("--per-worker", type=int, default=15_000, help="most sockets one client process holds")
    ap.add_argument("--max-per-server", type=int, default=19_000)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--concurrency", type=int, default=200, help="registrations in flight per worker")
    ap.add_argument("--names-sample", type=int, default=100, help="channels whose NAMES is checked (0: all)")
    ap.add_argument("--check-joins", action="store_true",
                    help="remember every JOIN each client reads and count the repeated ones (memory-hungry)")
    ap.add_argument("--link-after-register", action="store_true",
                    help="register the clients while the leaves are not linked yet, then CONNECT each leaf to "
                         "the hub (works around the O(network users) LUSERS in every welcome)")
    ap.add_argument("--no-observer", action="store_true", help="no seventh, client-less server")
    ap.add_argument("--phase-timeout", type=float, default=900)
    ap.add_argument("--quiet-timeout", type=float, default=30, help="give up delivery after this long without progress")
    ap.add_argument("--settle", type=float, default=1.0)
    ap.add_argument("--log-level", default="info")
    ap.add_argument("--keep", action="store_true", help="keep configs and server logs")
    ap.add_argument("--logs-dir", help="copy configs and logs here (on failure or with --keep)")
    ap.add_argument("--jsonl", help="append the JSON line to this file")
    ap.add_argument("--report", help="write a markdown report here")
    args = ap.parse_args()
    if args.messages > 1000:
        ap.error("--messages at most 1000")
    def on_term(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    result = run(args)
    line = json.dumps(result)
    print(line, flush=True)
    if args.jsonl:
        with open(args.jsonl, "a") as f:
            f.write(line + "\n")
    if args.report:
        Path(args.report).write_text(report_md(result))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
