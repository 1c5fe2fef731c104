"""The Debian package (scripts/package): built from this build tree without compiling, its files,
modes, conffile, unit, man pages and lintian verdict checked, then installed on this machine with
dpkg -i, the packaged service started (systemctl when systemd is PID 1, else the unit's ExecStart
as the parley user), IRC answered on 6667 and TLS on 6697, and the package purged again leaving
the machine as it was. Root only; ctest keeps two runs apart (RESOURCE_LOCK parley_system_package).
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shlex
import shutil
import socket
import ssl
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from service_util import BUILD_DIR, SOURCE_DIR, LISTENING, irc_register, read_until

def sanitizer_build() -> bool:
    cache = BUILD_DIR / "CMakeCache.txt"
    return cache.is_file() and re.search(r"^PARLEY_SANITIZE:BOOL=ON$", cache.read_text(), re.M) is not None


pytestmark = [
    pytest.mark.skipif(sanitizer_build(), reason="packages are built from the release tree, not the sanitizer build"),
    pytest.mark.skipif(os.geteuid() != 0, reason="installs a package: needs root (CI runs as root)"),
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="not a Debian system (no dpkg-deb)"),
]

UNIT = "/lib/systemd/system/parley.service"
SYSTEMD_IS_PID1 = os.path.isdir("/run/systemd/system")


def run(*cmd: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, check=check, **kw)


@pytest.fixture(scope="module")
def deb(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("deb")
    before = (BUILD_DIR / "parley").stat().st_mtime_ns
    started = time.monotonic()
    result = run(str(SOURCE_DIR / "scripts/package"), "--build-dir", str(BUILD_DIR), "--out", str(out))
    print(f"scripts/package took {time.monotonic() - started:.1f} s")
    # It reused the build: the binary in build/ was not rebuilt or touched.
    assert (BUILD_DIR / "parley").stat().st_mtime_ns == before
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.is_file() and path.parent == out
    return path


@pytest.fixture(scope="module")
def unpacked(deb, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("root")
    run("dpkg-deb", "-R", str(deb), str(root))
    return root


def test_files_owners_and_modes(deb):
    listing = {}
    for line in run("dpkg-deb", "-c", str(deb)).stdout.splitlines():
        mode, owner, _size, _date, _time, path = line.split(None, 5)
        listing[path.removeprefix(".")] = (mode, owner)
    expected = {
        "/usr/bin/parley": "-rwxr-xr-x",
        "/etc/parley/parley.toml": "-rw-r-----",
        UNIT: "-rw-r--r--",
        "/usr/share/man/man1/parley.1.gz": "-rw-r--r--",
        "/usr/share/man/man5/parley.toml.5.gz": "-rw-r--r--",
        "/usr/share/doc/parley/copyright": "-rw-r--r--",
        "/usr/share/doc/parley/changelog.Debian.gz": "-rw-r--r--",
    }
    for path, mode in expected.items():
        assert path in listing, f"{path} missing from the package"
        assert listing[path][0] == mode, (path, listing[path])
    assert all(owner == "root/root" for _, owner in listing.values())
    assert not any("/var/lib/parley" in p for p in listing)  # made by postinst / StateDirectory


def test_control_fields_conffiles_and_md5sums(deb, unpacked):
    fields = run("dpkg-deb", "-f", str(deb)).stdout
    assert re.search(r"^Package: parley$", fields, re.M)
    depends = re.search(r"^Depends: (.*)$", fields, re.M).group(1)
    for needed in ("libc6", "libsystemd0", "libssl3", "libsqlite3-0", "libsodium23", "adduser"):
        assert needed in depends, depends
    version = re.search(r"^Version: (.*)$", fields, re.M).group(1)
    commit = run(str(BUILD_DIR / "parley"), "--version").stdout.split("\n")[1].removeprefix("commit ")
    if commit != "unknown":
        assert version.endswith(f".{commit[:7]}-1"), version
    assert (unpacked / "DEBIAN/conffiles").read_text() == "/etc/parley/parley.toml\n"
    result = run("md5sum", "--quiet", "-c", "DEBIAN/md5sums", cwd=unpacked)
    assert result.returncode == 0
    listed = {line.split(None, 1)[1] for line in (unpacked / "DEBIAN/md5sums").read_text().splitlines()}
    files = {str(p.relative_to(unpacked)) for p in unpacked.rglob("*") if p.is_file() and "DEBIAN" not in p.parts}
    assert listed == files


def config_keys() -> set[str]:
    """Every key the configuration loader accepts (its reject_unknown lists)."""
    keys = set()
    for source in glob.glob(str(SOURCE_DIR / "src/app/config*.cpp")):
        text = Path(source).read_text()
        for block in re.findall(r"reject_unknown\([^{]*\{([^}]*)\}", text):
            keys.update(re.findall(r'"([a-z_]+)"', block))
    return keys - {"server", "limits", "flood", "timeouts", "operator", "listener", "tls", "sts",
                   "cloaks", "accounts", "history", "link", "channel", "metrics", "operator_class", "web"}


def test_conffile_is_valid_and_lists_every_key(unpacked):
    conffile = unpacked / "etc/parley/parley.toml"
    result = run(str(BUILD_DIR / "parley"), "server", "--check-config", str(conffile), check=False)
    assert result.returncode == 0 and result.stdout.strip().endswith(": OK"), result.stdout
    text = conffile.read_text()
    written = set(re.findall(r"^#? ?([a-z_]+) = ", text, re.M))
    keys = config_keys()
    assert len(keys) > 60, keys  # the loader's lists were found
    assert keys <= written, f"keys missing from packaging/parley.toml: {sorted(keys - written)}"
    # The defaults it states are the loader's: uncommenting every "# key = default" line of the
    # single-valued sections still checks (the MOTD, operator and link examples are excluded).
    sections = re.split(r"^(?=\[)", text, flags=re.M)
    live = []
    for section in sections:
        header = section.split("\n", 1)[0]
        if header in ("[server]", "[tls]", "[sts]", "[limits]", "[flood]", "[timeouts]", "[accounts]",
                      "[cloaks]"):
            lines = []
            for line in section.splitlines():
                m = re.match(r"^# ([a-z_]+) = (.*?)(?:\s+# .*)?$", line)
                skip = ("motd", "motd_file", "password_hash", "id", "authority", "simple_port", "bind", "port",
                        "cert", "key", "enabled" if header == "[sts]" else "")
                if m and m.group(1) not in skip:
                    lines.append(f"{m.group(1)} = {m.group(2)}")
                elif not line.startswith("#"):
                    lines.append(line)
            live.append("\n".join(lines))
        elif not header.startswith("[[") and not header.startswith("[history"):
            live.append(section)
    uncommented = Path(tempfile.mkdtemp()) / "all-defaults.toml"
    uncommented.write_text("\n".join(live) + "\n")
    assert len(re.findall(r"^[a-z_]+ = ", uncommented.read_text(), re.M)) > 55  # the defaults, live
    result = run(str(BUILD_DIR / "parley"), "server", "--check-config", str(uncommented), check=False)
    assert result.returncode == 0, result.stdout + uncommented.read_text()


def test_unit_file(unpacked):
    unit = (unpacked / UNIT.lstrip("/")).read_text()
    values: dict[str, list[str]] = {}
    for line in unit.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    assert values["Type"] == ["notify"]
    assert values["ExecStart"] == ["/usr/bin/parley server --config /etc/parley/parley.toml --data-dir /var/lib/parley"]
    assert values["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert values["User"] == ["parley"] and values["StateDirectory"] == ["parley"]
    assert values["CapabilityBoundingSet"] == [""]
    assert int(values["LimitNOFILE"][0]) >= 10000 + 64  # the default limits.max_clients
    for key in ("ProtectSystem", "ProtectHome", "NoNewPrivileges", "PrivateTmp", "PrivateDevices",
                "MemoryDenyWriteExecute", "RestrictNamespaces", "LockPersonality"):
        assert key in values, key
    assert values["ProtectSystem"] == ["strict"]
    assert "CAP_NET_BIND_SERVICE" in unit  # the drop-in hint for ports below 1024
    # systemd's own offline checks of the sandboxing (no running systemd needed).
    if shutil.which("systemd-analyze"):
        result = run("systemd-analyze", "security", "--offline=yes", "--no-pager",
                     str(unpacked / UNIT.lstrip("/")), check=False)
        m = re.search(r"Overall exposure level for \S+: (\d+\.\d+) (\S+)", result.stdout)
        assert m, result.stdout + result.stderr
        print(f"systemd-analyze security: {m.group(1)} {m.group(2)}")
        assert float(m.group(1)) <= 2.0, result.stdout


def test_man_pages_render_without_warnings(unpacked):
    for page in ("usr/share/man/man1/parley.1.gz", "usr/share/man/man5/parley.toml.5.gz"):
        result = run("man", "--warnings", "-l", str(unpacked / page),
                     env=dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="0"))
        assert result.stderr == "", (page, result.stderr)
        text = re.sub(".\b", "", result.stdout)  # man's overstrike bold
        assert "NAME" in text and "SEE ALSO" in text and "parley" in text


def test_lintian_is_clean(deb):
    if shutil.which("lintian") is None:
        pytest.skip("lintian is not installed (./scripts/setup installs it)")
    result = run("lintian", "--fail-on", "error,warning", "--allow-root", str(deb), check=False)
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))
            return True
        except OSError:
            return False


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def test_install_serve_and_purge(deb):
    if run("dpkg-query", "-W", "-f=${Status}", "parley", check=False).stdout.startswith("install ok"):
        pytest.skip("a parley package is already installed on this machine; not touching it")
    if user_exists("parley") or os.path.exists("/var/lib/parley"):
        pytest.skip("this machine already has a parley user or /var/lib/parley; not touching them")
    deadline = time.monotonic() + 30
    while not (port_free(6667) and port_free(6697)):
        if time.monotonic() > deadline:
            pytest.skip("ports 6667/6697 stay in use by another program: cannot test the packaged defaults")
        time.sleep(1)

    server = None
    notify_dir = None
    try:
        run("dpkg", "-i", str(deb))
        entry = pwd.getpwnam("parley")
        assert entry.pw_uid < 1000 and entry.pw_shell in ("/usr/sbin/nologin", "/bin/false")
        data = os.stat("/var/lib/parley")
        assert data.st_uid == entry.pw_uid and stat.S_IMODE(data.st_mode) == 0o700
        conf = os.stat("/etc/parley/parley.toml")
        assert conf.st_uid == 0 and conf.st_gid == entry.pw_gid and stat.S_IMODE(conf.st_mode) == 0o640
        run("man", "-w", "parley")
        if shutil.which("systemd-analyze"):
            result = run("systemd-analyze", "verify", UNIT, check=False)
            print("systemd-analyze verify:", result.returncode, result.stderr.strip() or "no messages")
            assert result.returncode == 0, result.stderr
            assert "parley.service" not in result.stderr, result.stderr

        if SYSTEMD_IS_PID1:
            run("systemctl", "start", "parley")  # Type=notify: returns once READY=1 arrived
            assert run("systemctl", "is-active", "parley").stdout.strip() == "active"
        else:
            print("systemd is not PID 1 here: starting the unit's ExecStart as the parley user instead")
            unit = Path(UNIT).read_text()
            exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1)
            nofile = re.search(r"^LimitNOFILE=(\d+)$", unit, re.M).group(1)
            # The service manager's end of Type=notify, as systemd would hold it.
            notify_dir = tempfile.mkdtemp(prefix="parley-notify-")
            os.chmod(notify_dir, 0o755)
            notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            notify.bind(f"{notify_dir}/notify")
            os.chmod(f"{notify_dir}/notify", 0o777)
            command = ["prlimit", f"--nofile={nofile}:{nofile}", "--",
                       "setpriv", "--reuid=parley", "--regid=parley", "--init-groups", "--no-new-privs",
                       "--inh-caps=-all", "--bounding-set=-all", *shlex.split(exec_start)]
            server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      cwd="/var/lib/parley",
                                      env={"PATH": "/usr/bin:/bin", "NOTIFY_SOCKET": f"{notify_dir}/notify"})
            notify.settimeout(20)
            assert "READY=1" in notify.recv(4096).decode()
            notify.close()

        sock, welcome = irc_register(6667, "pkgtest")
        assert " 001 pkgtest " in welcome
        sock.close()
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the generated self-signed certificate
        with socket.create_connection(("127.0.0.1", 6697), timeout=10) as raw:
            with context.wrap_socket(raw) as tls:
                tls.sendall(b"NICK pkgtls\r\nUSER pkgtls 0 * :pkgtls\r\n")
                assert " 001 pkgtls " in read_until(tls, " 001 pkgtls ")
        # The service wrote its data where the unit says, as its own user.
        assert os.stat("/var/lib/parley/tls/cert.pem").st_uid == entry.pw_uid

        if SYSTEMD_IS_PID1:
            run("systemctl", "stop", "parley")
        else:
            server.terminate()
            _, err = server.communicate(timeout=10)
            assert server.returncode == 0, err
            server = None

        # Reinstalling (an upgrade's path through postinst) keeps the administrator's edit of the
        # conffile and its group and mode, and finds the user already there.
        with open("/etc/parley/parley.toml", "a") as conf_file:
            conf_file.write("# edited by the administrator\n")
        run("dpkg", "-i", "--force-confold", str(deb))
        assert Path("/etc/parley/parley.toml").read_text().endswith("# edited by the administrator\n")
        conf = os.stat("/etc/parley/parley.toml")
        assert conf.st_gid == entry.pw_gid and stat.S_IMODE(conf.st_mode) == 0o640
        assert pwd.getpwnam("parley").pw_uid == entry.pw_uid

        # Remove (not purge) keeps the configuration, the data and the user (Debian policy).
        run("dpkg", "--remove", "parley")
        assert not os.path.exists("/usr/bin/parley") and not os.path.exists(UNIT)
        assert os.path.exists("/etc/parley/parley.toml") and os.path.exists("/var/lib/parley/tls/cert.pem")
        assert user_exists("parley")
    finally:
        if server is not None:
            server.kill()
            server.wait()
        if notify_dir:
            shutil.rmtree(notify_dir, ignore_errors=True)
        purge = run("dpkg", "--purge", "parley", check=False)

    assert purge.returncode == 0, purge.stderr
    assert run("dpkg-query", "-W", "-f=${Status}", "parley", check=False).stdout in ("", "unknown ok not-installed")
    for path in ("/usr/bin/parley", "/etc/parley", "/var/lib/parley", UNIT,
                 "/usr/share/man/man1/parley.1.gz", "/usr/share/doc/parley",
                 "/etc/systemd/system/multi-user.target.wants/parley.service",
                 "/var/lib/systemd/deb-systemd-helper-enabled/parley.service"):
        assert not os.path.lexists(path), f"{path} left after purge"
    assert not user_exists("parley")
    assert run("getent", "group", "parley", check=False).returncode != 0
