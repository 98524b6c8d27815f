"""A running piece of the lab for token-service tests: lab DNS + the Entra service, real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from exolab.devices.network import DnsServer, Endpoint, LabNetwork, Site
from exolab.emulator.clock import Clock
from exolab.emulator.dns import LabDns
from exolab.emulator.entra import EntraService
from exolab.emulator.lab import LabContext, PortPlan
from exolab.emulator.tenant import Tenant
from exolab.emulator.tls import LabCA

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


async def fetch_token(
    address: str, port: int, ca_pem: Path, path: str, form: dict[str, str]
) -> dict[str, object]:
    """POST a form to the lab token service over HTTPS (certificate checked for the real name)."""
    import ssl

    import aiohttp

    ctx = ssl.create_default_context(cafile=str(ca_pem))
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"https://{address}:{port}{path}", data=form, ssl=ctx, server_hostname=HOST
        ) as resp,
    ):
        body: dict[str, object] = await resp.json()
        return body
