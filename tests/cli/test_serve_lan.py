"""`exolab serve --lan` as a real LAN inside this machine.

"The device" is a network namespace joined to the host by a veth pair; every
address is from 198.18.0.0/15 (the benchmarking range, never routed). The
lab adds its addresses to the host end (``--lan-interface``); the namespace's
resolver is the lab DNS (``/etc/netns/NS/resolv.conf``, which ``ip netns
exec`` mounts over /etc/resolv.conf inside the namespace only). From inside,
clients nobody here wrote (`dig`, `swaks`, `openssl`) talk to the lab by the
names a device is configured with. Names carry this run's pid, so a leftover
of a crashed run never collides; everything is removed in a ``finally``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.processes import exolab, one_error_line, start_serve

SENDER = "scanner@contoso.com"
RECIPIENT = "alice@contoso.com"


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=30)


def _namespaces_refused() -> str | None:
    """Why network namespaces cannot be made here (None: they can)."""
    if shutil.which("ip") is None:
        return "no `ip` tool, so no network namespace can be made"
    probe = f"exo-probe-{os.getpid()}"
    made = _ip("netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"the kernel refuses network namespaces here ({made.stderr.strip()})"
    _ip("netns", "del", probe, check=False)
    return None


@dataclass
class Bench:
    """The bench LAN: the namespace, the lab's data dir and addresses, the running lab."""

    ns: str
    host_if: str
    prefix: str
    device_ip: str
    data: Path
    proc: subprocess.Popen[str]
    endpoints: dict[str, object]
    ca_pem: Path

    def addr(self, index: int) -> str:
        base = self.prefix.rsplit(".", 1)[0]
        return f"{base}.{index}"

    @property
    def dns(self) -> str:
        return self.addr(53)

    def run(self, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """A command inside the device's namespace."""
        return subprocess.run(
            ["ip", "netns", "exec", self.ns, *argv],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=90,
        )


@pytest.fixture(scope="module")
def bench() -> Iterator[Bench]:
    refused = _namespaces_refused()
    if refused:
        pytest.skip(refused)
    pid = os.getpid()
    ns, host_if, dev_if = f"exo-{pid}", f"exoh{pid}", f"exod{pid}"
    third = pid % 256
    prefix = f"198.18.{third}.0/24"
    device_ip = f"198.18.{third}.200"
    netns_etc = Path("/etc/netns") / ns
    data = Path(tempfile.mkdtemp(prefix=f"exo-lan-{pid}-"))
    proc: subprocess.Popen[str] | None = None
    try:
        _ip("netns", "add", ns)
        _ip("link", "add", host_if, "type", "veth", "peer", "name", dev_if)
        _ip("link", "set", dev_if, "netns", ns)
        _ip("link", "set", host_if, "up")
        _ip("-n", ns, "addr", "add", f"{device_ip}/24", "dev", dev_if)
        # a second device on the LAN, outside the prefix mapped to the office site
        _ip("-n", ns, "addr", "add", f"198.18.{third}.100/24", "dev", dev_if)
        _ip("-n", ns, "link", "set", dev_if, "up")
        _ip("-n", ns, "link", "set", "lo", "up")
        netns_etc.mkdir(parents=True, exist_ok=True)
        (netns_etc / "resolv.conf").write_text(f"nameserver 198.18.{third}.53\n")
        proc, line = start_serve(
            data,
            "--lan",
            prefix,
            "--lan-interface",
            host_if,
            "--set",
            f'Site[office].SourcePrefixes=["198.18.{third}.192/26"]',
            "--set",  # the API stays on loopback; its own address keeps parallel labs apart
            f"Lab.ApiAddress=127.18.{third}.5",
        )
        assert line.startswith("exolab ready:"), line + (proc.stderr.read() if proc.stderr else "")
        endpoints = json.loads((data / "endpoints.json").read_text())
        ca = exolab("ca", "--data", str(data), "--out", str(data / "ca"))
        assert ca.returncode == 0, ca.stderr
        yield Bench(
            ns, host_if, prefix, device_ip, data, proc, endpoints, data / "ca/exolab-root-ca.pem"
        )
    finally:
        if proc is not None:
            _stop(proc)
            table = f"exolab_{proc.pid}"  # only there if the lab could not clean up
            subprocess.run(["nft", "delete", "table", "ip", table], capture_output=True)
        _ip("netns", "del", ns, check=False)  # takes the device end, and so the pair
        _ip("link", "del", host_if, check=False)
        shutil.rmtree(netns_etc, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)


def _stop(proc: subprocess.Popen[str]) -> str:
    """SIGTERM the lab, wait for it, close its pipes; what it printed on stderr."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err or ""


def _replies(transcript: str) -> list[str]:
    """The server's side of a swaks transcript: each reply's code and enhanced code."""
    out = []
    for line in transcript.splitlines():
        match = re.match(r"^\s*<[~-]\*?\s+(\d{3})[ -](\d\.\d{1,3}\.\d{1,3})?", line)
        if match:
            out.append(f"{match.group(1)} {match.group(2) or ''}".strip())
    return out


def test_endpoints_name_one_lan_address_per_host_and_keep_the_api_on_loopback(
    bench: Bench,
) -> None:
    hosts = bench.endpoints["endpoints"]
    assert isinstance(hosts, dict)
    assert hosts["smtp.office365.com"]["address"] == bench.addr(1)
    assert hosts["smtp-legacy.office365.com"]["address"] == bench.addr(2)
    assert hosts["login.microsoftonline.com"]["address"] == bench.addr(4)
    assert hosts["smtp.hve.mx.microsoft"]["address"] == bench.addr(6)
    assert hosts["smtp-hve.office365.com"]["address"] == bench.addr(7)
    assert hosts["smtp.azurecomm.net"]["address"] == bench.addr(8)
    addresses = [h["address"] for h in hosts.values()]
    assert len(addresses) == len(set(addresses))
    assert all(a.startswith(bench.prefix.rsplit(".", 1)[0] + ".") for a in addresses)
    assert bench.endpoints["dns"]["address"] == bench.dns  # type: ignore[index]
    assert str(bench.endpoints["api"]).startswith("http://127.")


def test_dig_in_the_device_resolves_the_world_through_the_lab_dns(bench: Bench) -> None:
    def dig(name: str, rdtype: str) -> str:
        proc = bench.run("dig", "+short", "+tries=1", "+time=5", f"@{bench.dns}", name, rdtype)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()

    assert dig("smtp.office365.com", "A") == bench.addr(1)
    assert dig("login.microsoftonline.com", "A") == bench.addr(4)
    mx = dig("contoso.com", "MX")
    assert mx.startswith("0 ") and mx.endswith(".mail.protection.outlook.com.")
    assert dig(mx.split()[1], "A") == bench.addr(3)
    assert "v=spf1 ip4:203.0.113.39" in dig("contoso.com", "TXT")
    outside = bench.run("dig", "+tries=1", "+time=5", f"@{bench.dns}", "example.org", "A")
    assert "status: NXDOMAIN" in outside.stdout


def test_dig_answers_like_the_loopback_lab_apart_from_addresses(
    bench: Bench, tmp_path: Path
) -> None:
    proc, line = start_serve(tmp_path, "--ephemeral-ports")
    try:
        assert line.startswith("exolab ready:"), line
        dns = json.loads((tmp_path / "endpoints.json").read_text())["dns"]
        for name, rdtype in [("contoso.com", "MX"), ("contoso.com", "TXT"), ("x.invalid", "A")]:
            here = subprocess.run(
                ["dig", "+noall", "+answer", "+comments", f"@{dns['address']}", "-p",
                 str(dns["port"]), name, rdtype],
                capture_output=True, text=True, check=False, timeout=30,
            )  # fmt: skip
            there = bench.run(
                "dig", "+noall", "+answer", "+comments", f"@{bench.dns}", name, rdtype
            )
            assert _dig_body(here.stdout) == _dig_body(there.stdout)
    finally:
        _stop(proc)


def _dig_body(text: str) -> list[str]:
    """dig's answer without the parts that differ per query (id, timing, server)."""
    keep = []
    for line in text.splitlines():
        line = re.sub(r"id: \d+", "id: N", line)
        if line.startswith(";; ->>HEADER") or (line and not line.startswith(";")):
            keep.append(line)
    return keep


def test_swaks_in_the_device_gets_the_loopback_replies(bench: Bench, tmp_path: Path) -> None:
    flow = ["--tls", "--auth", "LOGIN", "--auth-user", SENDER, "--auth-password", "wrong",
            "--from", SENDER, "--to", RECIPIENT, "--quit-after", "AUTH"]  # fmt: skip
    lan = bench.run("swaks", "--server", "smtp.office365.com", "--port", "587", *flow)
    proc, line = start_serve(tmp_path, "--ephemeral-ports")
    try:
        assert line.startswith("exolab ready:"), line
        entry = json.loads((tmp_path / "endpoints.json").read_text())["endpoints"]
        address, port = (
            entry["smtp.office365.com"]["address"],
            entry["smtp.office365.com"]["ports"]["587"],
        )
        local = subprocess.run(
            ["swaks", "--server", address, "--port", str(port), *flow],
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
    finally:
        _stop(proc)
    replies = _replies(lan.stdout)
    assert replies[0] == "220" and "535 5.7.3" in replies, lan.stdout + lan.stderr
    assert replies == _replies(local.stdout)


def test_openssl_in_the_device_verifies_the_lab_certificate_with_the_exported_ca(
    bench: Bench,
) -> None:
    proc = bench.run(
        "openssl", "s_client", "-starttls", "smtp", "-connect", "smtp.office365.com:587",
        "-CAfile", str(bench.ca_pem), "-verify_return_error",
        "-verify_hostname", "smtp.office365.com", "-servername", "smtp.office365.com",
        stdin="QUIT\n",
    )  # fmt: skip
    assert "Verify return code: 0 (ok)" in proc.stdout, proc.stdout + proc.stderr


def test_exolab_send_in_the_device_verifies_and_delivers_through_the_lab_dns(
    bench: Bench,
) -> None:
    proc = bench.run(
        sys.executable, "-m", "exolab.cli", "send", "--profile", "verify-strict",
        "--set", "server=smtp.office365.com", "--set", "security=starttls",
        "--set", f"sender={SENDER}", "--set", f"username={SENDER}",
        "--set", "password=Scan-2-Mail!",
        "--dns", f"{bench.dns}:53", "--ca", str(bench.ca_pem), "--to", RECIPIENT,
        "--data", str(bench.data), "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout)
    assert result["outcome"] == "delivered", result
    assert result["tls_version"] in ("TLSv1.2", "TLSv1.3"), result
    assert result["server_address"] == f"{bench.addr(1)}:587", result


def test_curl_in_the_device_verifies_the_token_service_with_the_exported_ca(
    bench: Bench,
) -> None:
    url = "https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration"
    proc = bench.run("curl", "-sS", "--fail", "--cacert", str(bench.ca_pem), url)
    assert proc.returncode == 0, proc.stderr
    assert "token_endpoint" in json.loads(proc.stdout)


def test_port_465_on_the_lan_never_answers(bench: Bench) -> None:
    probe = (
        "import socket,sys\n"
        "s=socket.socket()\n"
        "s.settimeout(3)\n"
        "try:\n"
        f"    s.connect(('{bench.addr(1)}',465))\n"
        "except socket.timeout:\n"
        "    print('timeout')\n"
        "except OSError as e:\n"
        "    print('error', e)\n"
        "else:\n"
        "    print('connected')\n"
    )
    proc = bench.run("python3", "-c", probe)
    assert proc.stdout.strip() == "timeout", proc.stdout + proc.stderr


def test_direct_send_from_the_mapped_prefix_lands_in_the_inbox_with_spf_pass(
    bench: Bench,
) -> None:
    hosts = bench.endpoints["endpoints"]
    assert isinstance(hosts, dict)
    mx = next(h for h in hosts if h.endswith(".mail.protection.outlook.com"))
    subject = f"lan direct send {os.getpid()}"
    sent = bench.run(
        "swaks", "--server", mx, "--port", "25", "--from", SENDER, "--to", RECIPIENT,
        "--header", f"Subject: {subject}", "--body", "scan attached",
    )  # fmt: skip
    assert sent.returncode == 0, sent.stdout + sent.stderr
    listing = exolab("messages", "--data", str(bench.data), "--mailbox", RECIPIENT, "--json")
    assert listing.returncode == 0, listing.stderr
    messages = [m for m in json.loads(listing.stdout) if subject in json.dumps(m)]
    assert len(messages) == 1, listing.stdout
    assert messages[0]["folder"] == "Inbox"
    assert "spf=pass" in json.dumps(messages[0])


def test_direct_send_from_a_lan_source_in_no_site_is_seen_from_the_default_public_ip(
    bench: Bench,
) -> None:
    hosts = bench.endpoints["endpoints"]
    assert isinstance(hosts, dict)
    mx = next(h for h in hosts if h.endswith(".mail.protection.outlook.com"))
    subject = f"lan unmapped direct send {os.getpid()}"
    sent = bench.run(
        "swaks", "--server", mx, "--port", "25", "--from", SENDER, "--to", RECIPIENT,
        "--local-interface", bench.addr(100),
        "--header", f"Subject: {subject}", "--body", "scan attached",
    )  # fmt: skip
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "Hello [198.51.100.250]" in sent.stdout  # Lab.DefaultPublicIp
    listing = exolab("messages", "--data", str(bench.data), "--mailbox", RECIPIENT, "--json")
    messages = [m for m in json.loads(listing.stdout) if subject in json.dumps(m)]
    assert len(messages) == 1, listing.stdout
    assert messages[0]["folder"] == "Junk Email"
    assert "spf=fail" in json.dumps(messages[0])


def test_missing_lan_addresses_are_one_line_with_the_commands(tmp_path: Path) -> None:
    prefix = f"198.19.{os.getpid() % 256}.0/24"
    proc = exolab("serve", "--data", str(tmp_path), "--lan", prefix)
    assert proc.returncode == 2
    line = one_error_line(proc, "serve")
    base = prefix.rsplit(".", 1)[0]
    assert f"ip addr add {base}.1/24 dev " in line
    assert f"ip addr add {base}.53/24 dev " in line
    assert f"{base}.5/" not in line  # the API stays on loopback


def test_the_lab_removes_its_addresses_and_filter_when_it_stops(tmp_path: Path) -> None:
    refused = _namespaces_refused()
    if refused:
        pytest.skip(refused)
    pid = os.getpid()
    iface = f"exot{pid}"
    prefix = f"198.19.{(pid + 1) % 256}.0/24"
    base = prefix.rsplit(".", 1)[0]
    proc: subprocess.Popen[str] | None = None
    try:
        _ip("link", "add", iface, "type", "veth", "peer", "name", f"{iface}p")
        _ip("link", "set", iface, "up")
        api = f"Lab.ApiAddress=127.19.{(pid + 1) % 256}.5"
        other_range = "Lab.AddressRange=127.31.0.0/24"  # --lan wins over a --set range
        proc, line = start_serve(
            tmp_path, "--lan", prefix, "--lan-interface", iface, "--set", api, "--set", other_range
        )
        assert line.startswith("exolab ready:"), line
        hosts = json.loads((tmp_path / "endpoints.json").read_text())["endpoints"]
        assert hosts["smtp.office365.com"]["address"] == f"{base}.1"
        assert f"{base}.53/24" in _ip("-o", "addr", "show", "dev", iface).stdout
        tables = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True)
        assert f"exolab_{proc.pid}" in tables.stdout
        _stop(proc)
        assert f"{base}." not in _ip("-o", "addr", "show", "dev", iface).stdout
        tables = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True)
        assert f"exolab_{proc.pid}" not in tables.stdout
    finally:
        if proc is not None:
            _stop(proc)  # a failed assertion must not leave the lab running
            table = f"exolab_{proc.pid}"
            subprocess.run(["nft", "delete", "table", "ip", table], capture_output=True)
        _ip("link", "del", iface, check=False)


def test_a_lan_source_in_no_site_is_seen_from_the_default_public_ip() -> None:
    from exolab.emulator.tenant import load_tenant, parse_assignment

    tenant = load_tenant(
        None, [parse_assignment('Site[office].SourcePrefixes=["198.18.1.0/24"]')], None
    )
    office = tenant.site_for_source("198.18.1.77")
    assert office is not None and office.name == "office"
    assert tenant.public_ip_for("198.18.1.77") == "203.0.113.39"
    assert tenant.site_for_source("198.18.2.77") is None
    assert tenant.public_ip_for("198.18.2.77") == tenant.lab.default_public_ip
    assert socket.inet_aton(tenant.lab.default_public_ip)
