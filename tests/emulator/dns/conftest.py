"""A lab context with the default tenant and a running lab DNS on an ephemeral port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.dns import LabDns
from exolab.emulator.lab import LabContext, PortPlan
from exolab.emulator.tenant import load_default_tenant
from exolab.emulator.tls import LabCA


@pytest.fixture(scope="session")
def lab_ca(tmp_path_factory: pytest.TempPathFactory) -> LabCA:
    return LabCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def lab(tmp_path: Path, lab_ca: LabCA) -> LabContext:
    return LabContext(
        tenant=load_default_tenant(),
        clock=FixedClock(utc(2025, 6, 2, 9, 30)),
        data_dir=tmp_path,
        ca=lab_ca,
        ports=PortPlan(ephemeral=True),
        store=None,
    )


@pytest.fixture
async def dns_server(lab: LabContext) -> AsyncIterator[tuple[str, int]]:
    service = LabDns()
    await service.start(lab)
    try:
        yield lab.dns_server
    finally:
        await service.stop()
