"""A real lab on loopback with ephemeral ports, per test, with a fixed clock and seed."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from emulator.clock import FixedClock, utc
from emulator.lab import PortPlan
from emulator.server import Lab
from emulator.smtp.submission import SubmissionService
from emulator.store import SessionRecord
from emulator.tenant import Tenant, load_default_tenant, parse_assignment

FAST = ("Lab.UnknownCommandDelay=0", "Lab.Port465Hold=0.3")
LabFactory = Callable[..., Awaitable[Lab]]


def make_tenant(*pairs: str) -> Tenant:
    return load_default_tenant([parse_assignment(p) for p in (*FAST, *pairs)])


@pytest.fixture
async def lab_factory(tmp_path: Path) -> AsyncIterator[LabFactory]:
    labs: list[Lab] = []

    async def start(*pairs: str, clock: FixedClock | None = None) -> Lab:
        lab = await Lab.start(
            make_tenant(*pairs),
            tmp_path / f"lab{len(labs)}",
            ports=PortPlan(ephemeral=True),
            clock=clock or FixedClock(utc(2026, 11, 27, 9, 30)),
            services=[SubmissionService()],
        )
        labs.append(lab)
        return lab

    yield start
    for lab in labs:
        await lab.stop()


@pytest.fixture
async def lab(lab_factory: LabFactory) -> Lab:
    return await lab_factory()


def client_context(lab: Lab, version: str | None = None, by_name: bool = True) -> ssl.SSLContext:
    """Trusts the lab CA; ``version`` pins TLS 1.0 / 1.1 / 1.2 (security level lowered for 1.0/1.1).

    ``by_name=False`` for smtplib, which checks the certificate against the
    address it connected to (the lab has no DNS in these tests); the chain is
    still verified against the lab CA.
    """
    context = ssl.create_default_context(cafile=str(lab.context.ca.pem_path))
    context.check_hostname = by_name
    if version is not None:
        pinned = {
            "1.0": ssl.TLSVersion.TLSv1,
            "1.1": ssl.TLSVersion.TLSv1_1,
            "1.2": ssl.TLSVersion.TLSv1_2,
        }[version]
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = pinned
            context.maximum_version = pinned
        if pinned < ssl.TLSVersion.TLSv1_2:
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


async def sessions_recorded(lab: Lab, count: int = 1) -> list[SessionRecord]:
    """The store's sessions once ``count`` have ended (sessions are written when they close)."""
    for _ in range(500):
        found = lab.store.sessions()
        if len(found) >= count:
            return found
        await asyncio.sleep(0.01)
    return lab.store.sessions()
