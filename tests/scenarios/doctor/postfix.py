"""A private Debian Postfix on one loopback address: the real MTA a device might send through.

Its own configuration and queue in a fresh temporary folder, listening on one
loopback address and a free port (named in master.cf: ``inet_interfaces``
accepts only an interface's own address, 127.0.0.1); no mail leaves the machine: no relay host,
every transport is ``discard`` (an accepted message is dropped, so nothing
bounces either; ``error`` would make smtpd refuse every recipient), DNS is off, ``mynetworks`` is loopback only.
AUTH PLAIN and LOGIN come from Cyrus SASL with a sasldb in the queue
folder (smtpd opens it by a path relative to the queue folder it works in,
after dropping privileges, so the test's private folders stay private).
Stopped, by its own master's process id if ``postfix stop`` does not, when
the context ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

ADDRESS = "127.10.9.98"
"""Outside the lab's 127.10.0.0/24, so no lab of a parallel test binds it."""
HOSTNAME = "relay.lab.test"
USER, PASSWORD = "scanner@contoso.com", "Scan-2-Mail!"

MASTER_CF = """\
{address}:{port} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
mail_owner = postfix
setgid_group = postdrop
myhostname = {hostname}
mydomain = lab.test
myorigin = $myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
relay_domains =
relayhost =
default_transport = discard:no mail leaves this test
local_transport = discard:no local delivery in this test
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtp_dns_support_level = disabled
alias_maps =
alias_database =
notify_classes =
biff = no
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_tls_auth_only = no
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = {sasl}
maillog_file = {data}/maillog
maillog_file_prefixes = {root}
"""

SMTPD_CONF = """\
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: sasldb2
"""


@dataclass(frozen=True)
class Postfix:
    address: str
    port: int
    config: Path

    @property
    def log(self) -> str:
        path = self.config.parent / "data" / "maillog"
        return path.read_text("utf-8", "replace") if path.exists() else ""


def free_port(address: str) -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


def _run(*argv: str, stdin: str | None = None) -> None:
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise subprocess.SubprocessError(f"{argv[0]} failed: {done.stdout}{done.stderr}")


def _write_config(root: Path, port: int) -> Path:
    config, queue, data = (root / n for n in ("config", "queue", "data"))
    sasl = config / "sasl"  # where Debian's Postfix has Cyrus SASL look for smtpd.conf
    for folder in (config, queue, data, sasl):  # in this order: sasl is inside config
        folder.mkdir(parents=True)
    os.chmod(queue, 0o755)
    shutil.chown(data, "postfix")  # master and its daemons keep their locks and caches there
    cert, key = config / "cert.pem", config / "key.pem"
    _run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
        "-out", str(cert), "-days", "2", "-subj", f"/CN={HOSTNAME}",
    )  # fmt: skip
    names = {"queue": queue, "data": data, "cert": cert, "key": key, "sasl": sasl, "root": root}
    (config / "main.cf").write_text(MAIN_CF.format(hostname=HOSTNAME, **names))
    (config / "master.cf").write_text(MASTER_CF.format(address=ADDRESS, port=port))
    (sasl / "smtpd.conf").write_text(SMTPD_CONF)
    # the user's secret, in a sasldb smtpd reads as the postfix user from its queue folder
    sasldb = queue / "sasldb2"
    _run(
        "saslpasswd2", "-p", "-c", "-f", str(sasldb), "-u", "contoso.com", "scanner",
        stdin=PASSWORD,
    )  # fmt: skip
    shutil.chown(sasldb, "postfix", "postfix")
    os.chmod(sasldb, 0o600)
    return config


def _master_pid(config: Path) -> int | None:
    pidfile = config.parent / "queue" / "pid" / "master.pid"
    with contextlib.suppress(OSError, ValueError):
        return int(pidfile.read_text().strip())
    return None


async def _accepting(address: str, port: int) -> None:
    """Wait until smtpd answers: ``postfix start`` returns before the master has bound.

    The probe is a whole SMTP session (banner, QUIT, the server's close), so
    none of its packets can arrive later inside a test's capture."""
    for _ in range(300):
        try:
            reader, writer = await asyncio.open_connection(address, port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        try:
            await asyncio.wait_for(reader.readline(), 30)
            writer.write(b"QUIT\r\n")
            await asyncio.wait_for(reader.read(), 30)  # 221, then the server closes
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        return
    raise AssertionError(f"Postfix did not listen on {address}:{port}")


@contextlib.asynccontextmanager
async def postfix() -> AsyncIterator[Postfix]:
    """A running private Postfix; its folder is removed after.

    The folder is a fresh one under the system's temporary directory rather
    than pytest's ``tmp_path``: the master opens its lock file, and its
    daemons their queue, as the postfix user, who cannot pass through
    pytest's private (0700) base folder."""
    root = Path(tempfile.mkdtemp(prefix="exolab-postfix-"))
    os.chmod(root, 0o711)
    try:
        async with _running(root) as relay:
            yield relay
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.asynccontextmanager
async def _running(root: Path) -> AsyncIterator[Postfix]:
    assert shutil.which("postfix") or Path("/usr/sbin/postfix").exists(), (
        "postfix is needed (make tools)"
    )
    assert shutil.which("saslpasswd2"), "saslpasswd2 (sasl2-bin) is needed (make tools)"
    port = free_port(ADDRESS)
    config = _write_config(root, port)
    postfix_bin = shutil.which("postfix") or "/usr/sbin/postfix"
    try:
        await asyncio.to_thread(_run, postfix_bin, "-c", str(config), "start")
        await _accepting(ADDRESS, port)
        yield Postfix(ADDRESS, port, config)
    finally:
        pid = _master_pid(config)
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            await asyncio.to_thread(_run, postfix_bin, "-c", str(config), "stop")
        if pid is not None:
            await _ended(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def _ended(pid: int) -> None:
    """The master we started is gone: ``postfix stop`` signals it; after 10 s it is killed."""
    for _ in range(200):
        if not _alive(pid):
            return
        await asyncio.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
