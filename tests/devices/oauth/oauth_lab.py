"""The lab token service plus lab DNS on real sockets, for device token-source tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from devices.network import DnsServer, Endpoint, LabNetwork, Site
from emulator.clock import Clock
from emulator.dns import LabDns
from emulator.entra import EntraService
from emulator.lab import LabContext, PortPlan
from emulator.tenant import Tenant
from emulator.tls import LabCA

HOST = "login.microsoftonline.com"


@dataclass
class RunningLab:
    lab: LabContext
    entra: EntraService

    @property
    def address(self) -> str:
        return str(self.lab.endpoints.hosts[HOST]["address"])

    @property
    def port(self) -> int:
        return int(self.lab.endpoints.hosts[HOST]["ports"]["443"])

    @property
    def base(self) -> str:
        return f"https://{HOST}:{self.port}"

    def network(self) -> LabNetwork:
        """The lab as a device sees it (what endpoints.json tells it)."""
        endpoints = {
            name: Endpoint(address=entry["address"], ports=entry["ports"])
            for name, entry in self.lab.endpoints.hosts.items()
        }
        return LabNetwork(
            endpoints=endpoints,
            dns=DnsServer(**self.lab.endpoints.dns),
            sites={"office": Site(source="127.20.0.10", public="203.0.113.39")},
            ca_pem=self.lab.ca.pem_path,
        )


@asynccontextmanager
async def running_lab(data_dir: Path, tenant: Tenant, clock: Clock) -> AsyncIterator[RunningLab]:
    lab = LabContext(
        tenant=tenant,
        clock=clock,
        data_dir=data_dir,
        ca=LabCA(data_dir / "ca"),
        ports=PortPlan(ephemeral=True),
        store=None,
    )
    dns, entra = LabDns(), EntraService()
    await dns.start(lab)
    await entra.start(lab)
    try:
        yield RunningLab(lab, entra)
    finally:
        await entra.stop()
        await dns.stop()
