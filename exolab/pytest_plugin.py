"""A pytest plugin that gives other tools' tests a running exolab on ephemeral ports.

Enable it in a test module or conftest.py::

    pytest_plugins = ["exolab.pytest_plugin"]

    async def test_my_mailer(exolab_lab):
        host, port = exolab_lab.address("smtp.office365.com", 587)
        ...

    @pytest.mark.exolab_tenant("TransportConfig.AllowLegacyTLSClients=true", as_of="2027-01-15")
    async def test_with_changes(exolab_lab): ...

    async def test_factory(exolab_lab_factory):
        lab = await exolab_lab_factory("SecurityDefaults.IsEnabled=true")

Each lab gets its own temporary data directory (``tmp_path``) and ephemeral
ports on 127.10.0.x, so tests can run in parallel processes.

The lab date is the marker's ``as_of``, else ``$EXOLAB_AS_OF``, else
2026-06-01T09:00Z; a lab's clock stands still at it, never the wall clock.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from exolab.emulator.clock import FixedClock, lab_date_from_env, parse_lab_date
from exolab.emulator.lab import PortPlan
from exolab.emulator.tenant import Tenant, load_default_tenant, parse_assignment
from exolab.emulator.tenant.loader import as_utc

DEFAULT_AS_OF = datetime.fromisoformat("2026-06-01T09:00:00+00:00")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "exolab_tenant(*set, as_of=None): tenant --set overrides and lab date for exolab_lab",
    )


@dataclass
class RunningLab:
    """What a test needs from a running lab."""

    lab: Any
    """The ``emulator.server.Lab``."""
    data_dir: Path
    tenant: Tenant

    @property
    def endpoints_path(self) -> Path:
        return Path(self.lab.endpoints_path)

    @property
    def store(self) -> Any:
        return self.lab.context.store

    def address(self, host: str, port: int) -> tuple[str, int]:
        """(address, bound port) of a simulated host's real port."""
        entry = self.lab.context.endpoints.hosts[host]
        return str(entry["address"]), int(entry["ports"][str(port)])


def default_lab_date() -> datetime:
    """``$EXOLAB_AS_OF`` when set, else the plugin's fixed date: never today's."""
    return lab_date_from_env(os.environ) or DEFAULT_AS_OF


def build_tenant(overrides: tuple[str, ...], as_of: str | datetime | None) -> Tenant:
    when = parse_lab_date(as_of, "as_of") if isinstance(as_of, str) else as_utc(as_of)
    return load_default_tenant([parse_assignment(o) for o in overrides], when or default_lab_date())


LabFactory = Callable[..., Awaitable[RunningLab]]


@pytest_asyncio.fixture
async def exolab_lab_factory(tmp_path: Path) -> AsyncIterator[LabFactory]:
    """``await factory("Key=Value", ..., as_of="2027-01-15")`` → a started ``RunningLab``."""
    from exolab.emulator.server import Lab

    started: list[Any] = []

    async def start(*overrides: str, as_of: str | datetime | None = None) -> RunningLab:
        tenant = build_tenant(tuple(overrides), as_of)
        data_dir = tmp_path / f"lab{len(started)}"
        data_dir.mkdir()
        assert tenant.lab.as_of is not None
        lab = await Lab.start(
            tenant=tenant,
            data_dir=data_dir,
            ports=PortPlan(ephemeral=True),
            clock=FixedClock(tenant.lab.as_of),
        )
        started.append(lab)
        return RunningLab(lab, data_dir, tenant)

    yield start
    for lab in reversed(started):
        await lab.stop()


@pytest_asyncio.fixture
async def exolab_lab(request: pytest.FixtureRequest, exolab_lab_factory: LabFactory) -> RunningLab:
    """A running lab with the default tenant, changed by an ``exolab_tenant`` marker if any."""
    marker = request.node.get_closest_marker("exolab_tenant")
    overrides: tuple[str, ...] = tuple(marker.args) if marker else ()
    as_of = marker.kwargs.get("as_of") if marker else None
    return await exolab_lab_factory(*overrides, as_of=as_of)
