"""LAN mode: the simulated world on addresses of a real network, for real devices.

``exolab serve --lan PREFIX`` moves ``Lab.AddressRange`` onto a LAN prefix.
Every host that shares a port with another keeps its own address there (the
fixed indexes of ``HOST_INDEX``), so a device reaches ``smtp.office365.com``
and the tenant MX, both on port 25, by name through the lab DNS. Two things
the kernel must do for that are done here, by the ``ip`` and ``nft`` tools:

- the addresses must be on an interface. With an interface named the lab adds
  those that are missing and removes exactly those it added; without one it
  checks that they exist and otherwise says which ``ip addr add`` commands to
  run (the person at the bench decides where addresses go, not the lab);
- port 465 must stay silent the way Microsoft's is: packets dropped, so a
  device waits for its own timeout. Where the lab may change the packet filter
  (root, ``nft`` installed) it adds one table of its own and deletes it on
  stop; elsewhere the silent listener holds the connection open without a
  word (the TCP handshake completes, nothing follows), as on loopback.

The lab API is not in the plan: it stays on loopback unless ``Lab.ApiAddress``
says otherwise.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import shutil
import socket
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from exolab.emulator.lab import HOST_INDEX, MX_INDEX

SILENT_PORT = 465
"""The port Microsoft leaves unanswered (implicit TLS is not offered)."""

_NOT_ON_LAN = {"api"}  # the lab API follows Lab.ApiAddress, never the range


class LanError(Exception):
    """LAN mode cannot start; the message is one line saying what to do."""


def lan_network(prefix: str) -> ipaddress.IPv4Network:
    """``prefix`` as a network with room for every host index, or ``LanError``."""
    try:
        network = ipaddress.IPv4Network(prefix, strict=False)
    except ValueError:
        raise LanError(f"--lan {prefix}: expected an IPv4 network like 198.18.0.0/24") from None
    if network.num_addresses < 64:
        raise LanError(f"--lan {prefix}: needs a network of /26 or larger (64 addresses)")
    return network


def lab_addresses(network: ipaddress.IPv4Network) -> list[str]:
    """Every address the simulated world binds in ``network``, in host-index order."""
    indexes = sorted({MX_INDEX, *(i for h, i in HOST_INDEX.items() if h not in _NOT_ON_LAN)})
    return [str(network.network_address + i) for i in indexes]


def is_local(address: str) -> bool:
    """Whether this machine has ``address`` (a bind to it succeeds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((address, 0))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                return False
            raise
    return True


def missing(addresses: Iterable[str]) -> list[str]:
    return [a for a in addresses if not is_local(a)]


def interface_towards(network: ipaddress.IPv4Network) -> str | None:
    """The interface the kernel routes ``network`` through (longest match), from /proc."""
    try:
        lines = Path("/proc/net/route").read_text().splitlines()[1:]
    except OSError:
        return None
    best: tuple[int, str] | None = None
    first = network.network_address + 1
    for line in lines:
        parts = line.split()
        if len(parts) < 8:
            continue
        try:
            dest = ipaddress.IPv4Address(int(parts[1], 16).to_bytes(4, "little"))
            mask = ipaddress.IPv4Address(int(parts[7], 16).to_bytes(4, "little"))
            route = ipaddress.IPv4Network(f"{dest}/{mask}")
        except ValueError:
            continue
        if first in route and (best is None or route.prefixlen > best[0]):
            best = (route.prefixlen, parts[0])
    return best[1] if best else None


def add_commands(addresses: Sequence[str], prefixlen: int, interface: str) -> list[str]:
    """The ``ip addr add`` commands that put ``addresses`` on ``interface``."""
    return [f"ip addr add {a}/{prefixlen} dev {interface}" for a in addresses]


def missing_message(prefix: str, network: ipaddress.IPv4Network, absent: Sequence[str]) -> str:
    """One line: which addresses are missing and the exact commands that add them."""
    interface = interface_towards(network) or "IFACE"
    commands = "; ".join(add_commands(absent, network.prefixlen, interface))
    return (
        f"--lan {prefix}: {len(absent)} lab address(es) are not on this machine; "
        f"as root run: {commands} (or pass --lan-interface {interface} and the lab adds "
        "and removes them)"
    )


def _run(argv: Sequence[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv), input=stdin, capture_output=True, text=True, check=False, timeout=30
    )


def _first_line(proc: subprocess.CompletedProcess[str]) -> str:
    text = (proc.stderr or proc.stdout).strip().splitlines()
    return text[0] if text else f"exit code {proc.returncode}"


@dataclass
class LanSetup:
    """What LAN mode changed on this machine, so that ``close`` undoes exactly that."""

    prefix: str
    interface: str | None = None
    network: ipaddress.IPv4Network = field(init=False)
    addresses: list[str] = field(init=False)
    added: list[str] = field(default_factory=list)
    table: str | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.network = lan_network(self.prefix)
        self.addresses = lab_addresses(self.network)

    def open(self) -> None:
        """Make sure every lab address exists (adding them with ``--lan-interface``)."""
        absent = missing(self.addresses)
        if not absent:
            return
        if self.interface is None:
            raise LanError(missing_message(self.prefix, self.network, absent))
        if shutil.which("ip") is None:
            raise LanError("--lan-interface: the `ip` tool (iproute2) is not installed")
        for address in absent:
            cidr = f"{address}/{self.network.prefixlen}"
            proc = _run(["ip", "addr", "add", cidr, "dev", self.interface])
            if proc.returncode != 0:
                self.close()
                raise LanError(
                    f"--lan-interface {self.interface}: ip addr add {cidr} failed "
                    f"({_first_line(proc)}); adding addresses needs root"
                )
            self.added.append(cidr)

    def silence(self, ports: Iterable[int]) -> None:
        """Drop packets to port 465 (and where it is bound) on every lab address."""
        wanted = sorted({SILENT_PORT, *ports})
        if os.geteuid() != 0 or shutil.which("nft") is None:
            self.notes.append(
                "port 465 is held silent by the lab but not dropped (needs root and nft): "
                "a device connects, then hears nothing until its own timeout"
            )
            return
        table = f"exolab_{os.getpid()}"
        daddrs = ", ".join(self.addresses)
        dports = ", ".join(str(p) for p in wanted)
        rules = (
            f"table ip {table} {{\n"
            "  chain input {\n"
            "    type filter hook input priority -10; policy accept;\n"
            f"    ip daddr {{ {daddrs} }} tcp dport {{ {dports} }} drop\n"
            "  }\n"
            "}\n"
        )
        proc = _run(["nft", "-f", "-"], stdin=rules)
        if proc.returncode != 0:
            self.notes.append(f"port 465 is held silent but not dropped (nft: {_first_line(proc)})")
            return
        self.table = table

    def close(self) -> None:
        """Remove the filter table and the addresses this lab added (newest first)."""
        if self.table is not None:
            _run(["nft", "delete", "table", "ip", self.table])
            self.table = None
        while self.added:
            cidr = self.added.pop()
            if self.interface is not None:
                _run(["ip", "addr", "del", cidr, "dev", self.interface])
