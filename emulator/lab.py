"""What every front end of one running lab shares, and the shape of a front end.

The composition root (``emulator.server``) builds one ``LabContext`` and
starts each ``Service`` with it. Services register the endpoints they bound
so that ``endpoints.json`` tells clients where everything is.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from exolab.emulator.capture import CaptureSink
from exolab.emulator.clock import Clock
from exolab.emulator.faults import FaultBook
from exolab.emulator.guards import ConnectionCounts, SmartLockout
from exolab.emulator.tenant import Tenant
from exolab.emulator.tls import LabCA

# Where each simulated host lives inside Lab.AddressRange (host index in the range).
HOST_INDEX: dict[str, int] = {
    "smtp.office365.com": 1,
    "smtp-legacy.office365.com": 2,
    # the tenant's MX host takes index 3
    "login.microsoftonline.com": 4,
    "api": 5,
    "smtp.hve.mx.microsoft": 6,
    "smtp-hve.office365.com": 7,
    "smtp.azurecomm.net": 8,
    "dns": 53,
}
MX_INDEX = 3


@dataclass(frozen=True)
class PortPlan:
    """How real ports become bound ports.

    ``ephemeral``: every listener binds port 0 (tests, the scenario runner, parallel labs).
    ``offset``: add this to every real port (where ports below 1024 cannot be bound).
    """

    ephemeral: bool = False
    offset: int = 0

    def bind_port(self, real: int) -> int:
        return 0 if self.ephemeral else real + self.offset


@dataclass
class Endpoints:
    """What the running lab has bound; serialised as endpoints.json (a contract)."""

    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    dns: dict[str, Any] = field(default_factory=dict)
    api: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def add_port(self, host: str, address: str, real: int, bound: int) -> None:
        entry = self.hosts.setdefault(host, {"address": address, "ports": {}})
        entry["ports"][str(real)] = bound


@dataclass
class LabContext:
    """Shared state of one lab. ``tenant`` may be swapped whole at run time (API)."""

    tenant: Tenant
    clock: Clock
    data_dir: Path
    ca: LabCA
    ports: PortPlan
    store: Any  # emulator.store.Store; typed loosely to keep this module import-light
    endpoints: Endpoints = field(default_factory=Endpoints)
    lockout: SmartLockout = field(default_factory=SmartLockout)
    """Entra ID smart lockout, shared by SMTP AUTH and the token endpoint (one directory)."""
    connections: ConnectionCounts = field(default_factory=ConnectionCounts)
    """Open SMTP connections of every front end, for the per-source and total caps."""
    faults: FaultBook = field(default_factory=FaultBook)
    """What each ``[[Fault]]`` rule has done so far (counters and seeded streams), lab-wide."""

    _captures: CaptureSink | None = field(default=None, init=False, repr=False)

    def capture_sink(self) -> CaptureSink | None:
        """Where sessions are recorded when ``Lab.Capture`` is on (None: no recording at all)."""
        if self._captures is None and self.tenant.lab.capture:
            self._captures = CaptureSink(
                self.data_dir / "captures", lambda: self.clock.now().timestamp()
            )
        return self._captures

    def rng(self, purpose: str) -> random.Random:
        """A generator seeded from the tenant seed and ``purpose``: same seed, same bytes."""
        return random.Random(f"{self.tenant.lab.seed}:{purpose}")

    def address_of(self, host: str) -> str:
        """The lab loopback address of a simulated host."""
        network = ipaddress.ip_network(self.tenant.lab.address_range, strict=False)
        index = MX_INDEX if host == self.tenant.tenant.mx_endpoint else HOST_INDEX[host]
        return str(network.network_address + index)

    @property
    def dns_server(self) -> tuple[str, int]:
        """(address, port) of the lab DNS, once it is started."""
        return str(self.endpoints.dns["address"]), int(self.endpoints.dns["port"])


def endpoints_document(context: LabContext) -> dict[str, Any]:
    """endpoints.json: the contract other programs read (keys are added, never renamed)."""
    eps = context.endpoints
    doc: dict[str, Any] = {
        "endpoints": eps.hosts,
        "dns": eps.dns,
        "sites": {
            s.name: {
                "source": s.source,
                "public": s.public_ip,
                "dynamic": s.dynamic,
                "source_prefixes": list(s.source_prefixes),
            }
            for s in context.tenant.site
        },
        "ca_pem": str(context.ca.pem_path),
        "ca_der": str(context.ca.der_path),
        "store": str(context.store.path),
        "ports": {"ephemeral": context.ports.ephemeral, "offset": context.ports.offset},
    }
    if eps.api:
        doc["api"] = eps.api
    doc.update(eps.extra)
    return doc


class Service(Protocol):
    """A front end the lab starts: SMTP, DNS, the token service, the API."""

    name: str

    async def start(self, lab: LabContext) -> None:
        """Bind, serve, and record the bound endpoints in ``lab.endpoints``."""
        ...

    async def stop(self) -> None:
        """Stop accepting, finish or close sessions, release sockets."""
        ...
