"""irctest controller for Parley: runs `parley server` for the public IRC conformance suite.

irctest (https://github.com/progval/irctest) starts a fresh server for every test through a
controller: `run()` gets a host and port, writes a configuration, starts the server and returns
once it accepts connections. Load this module with
`--controller parley_controller` (this folder on PYTHONPATH); scripts/conformance does that.

The binary is $PARLEY_BIN, or build/parley of this repository.

Features Parley does not have yet raise NotImplementedByController, which irctest turns into a
skip. Each lives in one place below (`_refuse_missing_features`, the class attributes), so
adding TLS or accounts later means filling in a config section and deleting one refusal.
"""

from __future__ import annotations

import functools
import ipaddress
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
from typing import Dict, FrozenSet, List, Optional, Set, Type, Union

from irctest import patma
from irctest.basecontrollers import BaseServerController, DirectoryBasedController
from irctest.runner import NotImplementedByController
from irctest.specifications import Capabilities, OptionalBehaviors

REPO_ROOT = Path(__file__).resolve().parents[2]

# What irctest's tests assume of every server (see its ngircd.py / inspircd.py controllers).
SERVER_NAME = "My.Little.Server"
OPERATOR_NAME = "operuser"
OPERATOR_PASSWORD = "operpassword"
NICK_LENGTH = 32  # irctest uses nicknames up to 32 characters; Parley's default is 30

# Clients all come from loopback; without this, flood control and the per-address connection
# limit (10) would disconnect the tests' bursts and their many clients.
LOOPBACK_BLOCKS = ["127.0.0.0/8", "::1"]

# Long enough for the first SIGTERM to be handled on its own (two pending SIGTERMs merge into
# one), short enough not to matter per test.
SECOND_SIGTERM_AFTER = 0.05

TomlValue = Union[str, int, List[str]]
TomlTable = Dict[str, TomlValue]


def parley_binary() -> Path:
    return Path(os.environ.get("PARLEY_BIN") or REPO_ROOT / "build" / "parley")


@functools.lru_cache(maxsize=None)
def password_hash(password: str) -> str:
    """`parley mkpasswd` output for `password`.

    Argon2id costs a noticeable fraction of a second, so each distinct password is hashed once
    per pytest worker process instead of once per test."""
    result = subprocess.run(
        [str(parley_binary()), "mkpasswd"],
        input=password + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def numeric_address(hostname: str) -> str:
    """Parley's `server.bind` takes only numeric addresses; irctest may hand out a name."""
    try:
        ipaddress.ip_address(hostname)
        return hostname
    except ValueError:
        return socket.gethostbyname(hostname)


def toml_value(value: TomlValue) -> str:
    # Basic strings: only backslash and quote need escaping, as no value here has control
    # characters.
    if isinstance(value, bool):  # before int: a bool is an int in Python
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "[" + ", ".join(toml_value(v) for v in value) + "]"


def toml_document(tables: Dict[str, TomlTable], arrays: Dict[str, List[TomlTable]]) -> str:
    """Serialises `[table]` sections and `[[array]]` tables (no nesting: Parley needs none)."""
    lines: List[str] = []
    for name, table in tables.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items())
        lines.append("")
    for name, entries in arrays.items():
        for table in entries:
            lines.append(f"[[{name}]]")
            lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items())
            lines.append("")
    return "\n".join(lines)


class ParleyController(BaseServerController, DirectoryBasedController):
    software_name = "Parley"
    # Built in (no external services): docs/protocol.md "SASL". EXTERNAL needs TLS, which
    # irctest's SASL tests do not use.
    supported_sasl_mechanisms: Set[str] = {"PLAIN", "SCRAM-SHA-256"}
    supports_sts = False
    extban_mute_char = "m"  # ISUPPORT EXTBAN=,am (a: is the account extban)

    # The IRCv3 capabilities Parley advertises (docs/protocol.md 1.4) that irctest knows.
    # Declaring one turns "server NAKed it" from a skip into a failure, so it guards against
    # regressions; add a capability here when the server starts offering it.
    capabilities: FrozenSet[Capabilities] = frozenset(
        {
            Capabilities.ACCOUNT_NOTIFY,
            Capabilities.ACCOUNT_TAG,
            Capabilities.AWAY_NOTIFY,
            Capabilities.BATCH,
            Capabilities.ECHO_MESSAGE,
            Capabilities.EXTENDED_JOIN,
            Capabilities.EXTENDED_MONITOR,
            Capabilities.LABELED_RESPONSE,
            Capabilities.MESSAGE_TAGS,
            Capabilities.MULTI_PREFIX,
            Capabilities.READ_MARKER,
            Capabilities.SERVER_TIME,
            Capabilities.SETNAME,
        }
    )

    # Optional behaviours Parley implements (docs/protocol.md 1.4, 1.5): irctest fails, rather
    # than skips, a test that finds one of these missing.
    optional_behaviors: FrozenSet[OptionalBehaviors] = frozenset(
        {
            OptionalBehaviors.BAN_EXCEPTION_MODE,
            OptionalBehaviors.CAP_REQ_MINUS,
            OptionalBehaviors.ELIST_C,
            OptionalBehaviors.ELIST_M,
            OptionalBehaviors.ELIST_N,
            OptionalBehaviors.ELIST_T,
            OptionalBehaviors.ELIST_U,
            OptionalBehaviors.INVITE_EXCEPTION_MODE,
            OptionalBehaviors.INVITE_LIST,
            OptionalBehaviors.INVITE_OVERRIDES_LIMIT,
            OptionalBehaviors.METADATA_BEFORE_CONNECT,
            OptionalBehaviors.MULTI_JOIN,
            OptionalBehaviors.MULTI_KICK,
            OptionalBehaviors.MULTI_PRIVMSG,
        }
    )

    # ISUPPORT values irctest checks in 005 (isupport.py testValues). Only what this
    # controller configures, so the check proves the configuration reached the server.
    isupport: Dict[str, Union[str, patma.Operator, None]] = {"NICKLEN": str(NICK_LENGTH)}

    def run(
        self,
        hostname: str,
        port: int,
        *,
        password: Optional[str],
        ssl: bool,
        run_services: bool,
        faketime: Optional[str],
        websocket_hostname: Optional[str],
        websocket_port: Optional[int],
    ) -> None:
        self._refuse_missing_features(ssl, run_services)
        if websocket_hostname is not None and numeric_address(websocket_hostname) != numeric_address(hostname):
            raise NotImplementedByController("a WebSocket listener on another address than IRC's")
        assert self.proc is None
        self.hostname = hostname
        self.port = port
        self.create_config()
        config_path = self._write_config(hostname, port, password)
        self._config_path = config_path
        # No TLS listener on the default 6697 (another server may hold it) and the data directory
        # in the test's own directory.
        command = [parley_binary(), "server", "--config", config_path, "--tls-port", "0",
                   "--data-dir", str(Path(self.directory) / "data"), *self._log_args()]
        if websocket_port is not None:
            # The web listener, at the IRC listener's address (irctest gives both the same host).
            command += ["--web-port", str(websocket_port)]
        self.proc = self.execute([*self._faketime_prefix(faketime), *command], proc_name="parley")
        self.wait_for_port()

    def kill_proc(self) -> None:
        """Stops the server without its 3-second grace period.

        irctest stops the server before it closes the test's client connections, so a plain
        SIGTERM would make Parley wait its full grace period (docs/operations.md, Signals) for
        clients that are not going to close: 3 s per test. A second SIGTERM closes them at once."""
        assert self.proc
        for _ in range(2):
            # The whole process group, as the base class does: under faketime, parley is a
            # child of the faketime process.
            if not self._terminate_process_group(signal.SIGTERM):
                self.proc.terminate()
            try:
                self.proc.wait(SECOND_SIGTERM_AFTER)
                break
            except subprocess.TimeoutExpired:
                pass
        super().kill_proc()  # waits, and falls back to SIGKILL if the server hangs

    def _refuse_missing_features(
        self,
        ssl: bool,
        run_services: bool,
    ) -> None:
        """Raises NotImplementedByController (irctest: skip) for what Parley lacks today."""
        if ssl:
            raise NotImplementedByController("TLS")
        # run_services needs nothing: accounts and SASL are built in; registerUser() below.
        if self.test_config.account_registration_requires_email:
            raise NotImplementedByController("e-mail verification (Parley sends no e-mail)")

    def _write_config(self, hostname: str, port: int, password: Optional[str]) -> Path:
        assert self.directory
        server: TomlTable = {
            "name": SERVER_NAME,
            "bind": numeric_address(hostname),
            "port": port,
            # What irctest's LINKS test expects a controller to configure (as its InspIRCd and
            # ngIRCd controllers do).
            "description": "test server",
            "motd": ["Parley, started by irctest (tests/conformance/parley_controller.py)."],
        }
        if password is not None:
            server["password_hash"] = password_hash(password)
        document = toml_document(
            tables={
                "server": server,
                "limits": {"nick_length": NICK_LENGTH},
                "flood": {"exempt": LOOPBACK_BLOCKS},
                # irctest registers short passwords ("sesame") and fails logins on purpose.
                "accounts": {
                    "min_password_length": 1,
                    "max_password_length": 1024,  # testPlainLarge800 logs in with a 592-byte one
                    "login_failures_per_minute": 1000,
                    "registrations_per_ip_per_hour": 0,
                    "register_before_connect": self.test_config.account_registration_before_connect,
                },
            },
            arrays={
                "operator": [
                    {
                        "name": OPERATOR_NAME,
                        "password_hash": password_hash(OPERATOR_PASSWORD),
                        "host": "*@*",
                    }
                ]
            },
        )
        path = self.directory / "parley.toml"
        path.write_text(document)
        return path

    def wait_for_services(self) -> None:
        # Accounts are part of the server: ready as soon as it accepts connections.
        pass

    def registerUser(
        self,
        case: BaseServerTestCase,  # type: ignore[override]
        username: str,
        password: Optional[str] = None,
    ) -> None:
        """Creates an account the way a user would: connect with the account's name as nick and
        `REGISTER * * <password>` (draft/account-registration), as Ergo's controller does with
        NickServ."""
        if not password:
            raise NotImplementedByController("accounts without a password")
        if len("REGISTER * * " + password) + 2 > 512:
            # Too long for one IRC line (testPlainLarge800's 592-byte password): the operator
            # tool, which works while the server runs, as an operator would create it.
            assert self.directory
            done = subprocess.run(
                [str(parley_binary()), "account", "create", username, "--data-dir", str(Path(self.directory) / "data"),
                 "--config", str(self._config_path)],  # the server's password limits
                input=(password + "\n").encode(), capture_output=True, timeout=60)
            assert done.returncode == 0, done.stderr.decode(errors="replace")
            return
        client = case.addClient(show_io=False)
        case.sendLine(client, "CAP LS 302")
        case.sendLine(client, "NICK " + username)
        case.sendLine(client, "USER r e g :user")
        case.sendLine(client, "CAP END")
        while case.getRegistrationMessage(client).command != "001":
            pass
        case.getMessages(client)
        case.sendLine(client, "REGISTER * * " + password)
        # The answer comes once the password is hashed and stored, after a PING's PONG would:
        # read without irctest's PING synchronisation, for up to ~10 s.
        answer = None
        for _ in range(100):
            for msg in case.getMessages(client, synchronize=False):
                if msg.command in ("REGISTER", "FAIL"):
                    answer = msg
            if answer:
                break
        assert answer and answer.command == "REGISTER", answer
        assert answer.params[:2] == ["SUCCESS", username], answer
        case.sendLine(client, "QUIT")
        case.assertDisconnected(client)

    def _faketime_prefix(self, faketime: Optional[str]) -> List[str]:
        # A few tests speed up the server's clock; without the faketime tool they notice
        # (faketime_enabled stays False) and wait in real time or skip.
        if faketime and shutil.which("faketime"):
            self.faketime_enabled = True
            return ["faketime", "-f", faketime]
        return []

    def _log_args(self) -> List[str]:
        # irctest shows the server's output only with IRCTEST_DEBUG_LOGS=1; make it worth reading.
        return ["--log-level", "debug"] if self.debug_mode else []


def get_irctest_controller_class() -> Type[ParleyController]:
    return ParleyController
