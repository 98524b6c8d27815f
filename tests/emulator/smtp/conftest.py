"""A real lab on loopback with ephemeral ports, per test, with a fixed clock and seed."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from exolab.emulator.server import Lab
from exolab.emulator.smtp.submission import SubmissionService
from exolab.emulator.tenant import Tenant
from tests.emulator import labs
from tests.emulator.labs import LabFactory
from tests.emulator.smtp.wire import RawClient

FAST = ("Lab.UnknownCommandDelay=0", "Lab.Port465Hold=0.3")


def make_tenant(*pairs: str) -> Tenant:
    return labs.make_tenant(*FAST, *pairs)


@pytest.fixture
async def lab_factory(tmp_path: Path) -> AsyncIterator[LabFactory]:
    async with labs.lab_factory(tmp_path, lambda: [SubmissionService()], *FAST) as start:
        yield start


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


def secured_submission(lab: Lab) -> RawClient:
    """A raw client on smtp.office365.com:587 that has read the banner, said EHLO, taken
    STARTTLS (lab CA, by name) and said EHLO again: where most wire tests start."""
    c = RawClient(*lab.endpoint("smtp.office365.com", 587))
    c.reply()
    c.cmd("EHLO mfp")
    c.starttls(client_context(lab))
    c.cmd("EHLO mfp")
    return c
