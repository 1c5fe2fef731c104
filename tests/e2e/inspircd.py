"""Debian's InspIRCd 3.15 as a peer for interop tests of Parley's server linking.

`InspIRCd(workdir, ...)` writes `workdir/inspircd.conf`, starts
`inspircd --config=… --nofork --runasroot` (as root it stays root: no <security runasuser>, so the
scratch folder needs no permissions for `nobody`; as another user --runasroot is harmless), waits
until its client and server ports listen, and `stop()` ends it. Every line InspIRCd reads or writes
on its links is logged to `workdir/rawio.log` (`rawio()` returns the S2S part of it), which is what
a failing test prints.

InspIRCd compares CAPAB CHANMODES when the peer sends them, and Parley sends exactly
  list:ban=b list:banexception=e list:invex=I param-set:history=H param-set:limit=l param:key=k
  prefix:10000:voice=+v prefix:30000:op=@o simple:inviteonly=i simple:moderated=m simple:noctcp=C
  simple:noextmsg=n simple:private=p simple:secret=s simple:topiclock=t
so the modules loaded here add exactly e, I, C and H to the core modes and no other channel mode
(m_services_account is left out: it adds the channel modes R and M).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Optional

from ircclient import IRCClient

INSPIRCD_BIN = os.environ.get("INSPIRCD_BIN", "/usr/sbin/inspircd")
MODULE_DIR = Path("/usr/lib/inspircd/modules")

# The modules that make InspIRCd's channel modes equal Parley's, plus IRCv3 for the clients.
MODULES = [
    "m_spanningtree.so",
    "m_banexception.so",      # +e
    "m_inviteexception.so",   # +I
    "m_noctcp.so",            # +C
    "m_chanhistory.so",       # +H
    "m_botmode.so",           # user mode +B only
    "m_cap.so",
    "m_ircv3.so",             # away-notify, account-notify, extended-join
    "m_ircv3_msgid.so",
    "m_ircv3_servertime.so",
    "m_ircv3_ctctags.so",     # message-tags
    "m_ircv3_echomessage.so",
]

OPER_NAME = "oper"
OPER_PASSWORD = "operpw"


def available() -> Optional[str]:
    """None when InspIRCd can run here, else why not."""
    if not (os.path.isfile(INSPIRCD_BIN) and os.access(INSPIRCD_BIN, os.X_OK)):
        return f"no InspIRCd binary at {INSPIRCD_BIN}"
    missing = [m for m in MODULES if not (MODULE_DIR / m).is_file()]
    if missing:
        return f"InspIRCd modules missing: {' '.join(missing)}"
    return None


def free_ports(n: int) -> list[int]:
    """n distinct TCP ports free on 127.0.0.1 right now (bound to port 0, then released)."""
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def port_listens(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class InspIRCd:
    """One InspIRCd 3.15 on 127.0.0.1 with one <link> block for Parley."""

    def __init__(self, workdir: Path, *, name: str = "insp.test", sid: str = "1IN",
                 peer_name: str = "parley.test", peer_port: int = 0,
                 sendpass: str = "inspw", recvpass: str = "parleypw",
                 autoconnect_period: int = 0, pingfreq: int = 60):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.name, self.sid, self.peer_name = name, sid, peer_name
        self.client_port, self.server_port = free_ports(2)
        self.config_path = self.workdir / "inspircd.conf"
        self.rawio_path = self.workdir / "rawio.log"
        self.output_path = self.workdir / "output.log"
        self.clients: list[IRCClient] = []
        self.proc: Optional[subprocess.Popen] = None
        d = self.workdir
        (d / "motd.txt").write_text("InspIRCd interop test\n")
        conf = f"""
<server name="{name}" description="InspIRCd interop peer" id="{sid}" network="ParleyTest">
<admin name="x" nick="x" email="x@example.invalid">
<bind address="127.0.0.1" port="{self.client_port}" type="clients">
<bind address="127.0.0.1" port="{self.server_port}" type="servers">
<connect allow="*" timeout="60" pingfreq="120" hardsendq="1M" softsendq="65536" recvq="65536"
         threshold="1000" commandrate="1000000" fakelag="off" localmax="1000" globalmax="1000"
         useident="no" resolvehostnames="no" limit="5000">
<class name="all" commands="*" privs="*" usermodes="*" chanmodes="*" snomasks="*">
<type name="NetAdmin" classes="all" vhost="netadmin.test">
<oper name="{OPER_NAME}" password="{OPER_PASSWORD}" host="*@*" type="NetAdmin">
<files motd="{d}/motd.txt">
<pid file="{d}/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="rawio" target="{d}/rawio.log">
<security hidesplits="no" hideulines="no" announceinvites="dynamic">
<performance netbuffersize="65000" quietbursts="no" softlimit="1024" somaxconn="128">
<options allowmismatch="no" announcets="yes" hostintopic="yes" serverpingfreq="{pingfreq}s" pingwarning="0">
<limits maxnick="30" maxchan="50" maxmodes="4" maxident="10" maxhost="64" maxquit="255"
        maxtopic="390" maxkick="255" maxreal="100" maxaway="200">
<dns timeout="1" server="127.0.0.1">
<link name="{peer_name}" ipaddr="127.0.0.1" port="{peer_port or 1}" allowmask="127.0.0.0/8"
      timeout="15" sendpass="{sendpass}" recvpass="{recvpass}">
"""
        if autoconnect_period:
            conf += f'<autoconnect period="{autoconnect_period}s" server="{peer_name}">\n'
        conf += "".join(f'<module name="{m}">\n' for m in MODULES)
        self.config_path.write_text(conf)
        self.rawio_path.touch()

    # -- process --

    def start(self, timeout: float = 10.0) -> "InspIRCd":
        with open(self.output_path, "ab") as out:
            self.proc = subprocess.Popen(
                [INSPIRCD_BIN, f"--config={self.config_path}", "--nofork", "--runasroot"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=self.workdir,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"inspircd exited with {self.proc.returncode} at start\n{self.logs()}")
            if port_listens(self.client_port):  # both are bound at once; probing the server port would start a link
                return self
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"inspircd did not listen on {self.client_port}/{self.server_port} "
                             f"within {timeout}s\n{self.logs()}")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        for c in self.clients:
            c.close()
        self.clients.clear()
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def logs(self, n: int = 6000) -> str:
        def tail(p: Path) -> str:
            try:
                return p.read_text(errors="replace")[-n:]
            except OSError:
                return ""
        return f"--- inspircd output ---\n{tail(self.output_path)}\n--- inspircd rawio (S2S) ---\n{self.rawio(n)}"

    def rawio(self, n: int = 20000) -> str:
        """m_spanningtree's log lines (`S[fd] I|O <line>` for the S2S traffic), the last `n` characters."""
        try:
            text = self.rawio_path.read_text(errors="replace")
        except OSError:
            return ""
        lines = [l for l in text.splitlines() if "m_spanningtree: " in l]
        return "\n".join(lines)[-n:]

    # -- clients --

    def client(self, name: str = "insp-client", **kwargs) -> IRCClient:
        c = IRCClient("127.0.0.1", self.client_port, name=name, **kwargs)
        self.clients.append(c)
        return c

    def registered(self, nick: str, **kwargs) -> IRCClient:
        client_kwargs = {k: kwargs.pop(k) for k in ("auto_pong", "rcvbuf", "timeout") if k in kwargs}
        c = self.client(f"insp:{nick}", **client_kwargs)
        c.register(nick, **kwargs)
        return c

    def oper(self, client: IRCClient) -> None:
        client.send(f"OPER {OPER_NAME} {OPER_PASSWORD}")
        client.expect(r" 381 ", what="381 (now an operator) from InspIRCd")
