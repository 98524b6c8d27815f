"""The composition root: build one lab, start every service, write endpoints.json.

``default_services(tenant)`` is the one list of what a lab runs; adding a
service (the lab DNS, the MX front end, the token service, the API) is one
line there. ``Lab`` is an async context manager::

    async with await Lab.start(tenant, data_dir, ports=PortPlan(ephemeral=True)) as lab:
        json.loads(lab.endpoints_path.read_text())

Stopping closes the listeners, ends the sessions still open (each is
recorded), then closes the store: nothing committed is lost.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from exolab.emulator.api import ApiService
from exolab.emulator.api.console import Explainer
from exolab.emulator.clock import Clock, LabClock
from exolab.emulator.dns import LabDns
from exolab.emulator.entra import EntraService
from exolab.emulator.lab import LabContext, PortPlan, Service, endpoints_document
from exolab.emulator.net import LabStartError
from exolab.emulator.smtp.acs import AcsService
from exolab.emulator.smtp.hve import HveService
from exolab.emulator.smtp.mx import MxService
from exolab.emulator.smtp.submission import SubmissionService
from exolab.emulator.store import Store
from exolab.emulator.tenant import Tenant
from exolab.emulator.tls import LabCA

ENDPOINTS_FILE = "endpoints.json"

__all__ = ["ENDPOINTS_FILE", "Lab", "LabStartError", "default_services", "endpoints_document"]


def default_services(tenant: Tenant, explainer: Explainer | None = None) -> list[Service]:
    """Every service a lab runs, in start order (one line each); ``explainer`` for the console."""
    return [
        LabDns(),  # the lab DNS; first, so every later service can resolve
        SubmissionService(),
        EntraService(),  # login.microsoftonline.com
        MxService(),  # <tenant>-com.mail.protection.outlook.com: direct send
        HveService(),  # smtp.hve.mx.microsoft, smtp-hve.office365.com: High Volume Email
        AcsService(),  # smtp.azurecomm.net: the ACS Email SMTP relay
        ApiService(explainer),  # the lab REST API, page and console
    ]


class Lab:
    """One running lab."""

    def __init__(self, context: LabContext, services: Sequence[Service]) -> None:
        self.context = context
        self.services = list(services)
        self._started: list[Service] = []
        self.endpoints_path = context.data_dir / ENDPOINTS_FILE

    @classmethod
    async def start(
        cls,
        tenant: Tenant,
        data_dir: Path | str,
        ports: PortPlan | None = None,
        clock: Clock | None = None,
        services: Sequence[Service] | None = None,
    ) -> Lab:
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        clock = clock or LabClock(tenant.lab.as_of)
        context = LabContext(
            tenant=tenant,
            clock=clock,
            data_dir=data_dir,
            ca=LabCA(data_dir, clock),
            ports=ports or PortPlan(),
            store=Store.open(data_dir, clock=clock),
        )
        lab = cls(context, services if services is not None else default_services(tenant))
        try:
            for service in lab.services:
                await service.start(context)
                lab._started.append(service)
        except BaseException:
            await lab.stop()
            raise
        lab._write_endpoints()
        return lab

    def _write_endpoints(self) -> None:
        """Atomically, readable by this user only: the file holds the lab API's token."""
        tmp = self.endpoints_path.with_suffix(".json.tmp")
        text = json.dumps(endpoints_document(self.context), indent=2) + "\n"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, self.endpoints_path)

    def endpoint(self, host: str, port: int) -> tuple[str, int]:
        """(address, bound port) of a simulated host's real port."""
        entry = self.context.endpoints.hosts[host]
        return str(entry["address"]), int(entry["ports"][str(port)])

    @property
    def store(self) -> Store:
        store: Store = self.context.store
        return store

    async def stop(self) -> None:
        try:
            for service in reversed(self._started):
                await service.stop()
            await self.context.store.flush()
        finally:
            self._started.clear()
            self.context.store.close()

    async def __aenter__(self) -> Lab:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
