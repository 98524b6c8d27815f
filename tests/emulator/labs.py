"""Starting real labs in tests: loopback, ephemeral ports, a fixed clock and seed, stopped after."""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from pathlib import Path

from exolab.emulator.clock import FixedClock
from exolab.emulator.lab import Service
from exolab.emulator.server import Lab
from exolab.emulator.store import SessionRecord
from exolab.emulator.tenant import Tenant, load_default_tenant, parse_assignment
from exolab.pytest_plugin import started_labs
from tests.lab_date import suite_lab_date

LabFactory = Callable[..., Awaitable[Lab]]
TEST_TIME = suite_lab_date()


@contextlib.contextmanager
def submission_client(lab: Lab) -> Iterator[smtplib.SMTP]:
    """smtplib on the lab's smtp.office365.com:587, after STARTTLS with the lab's CA."""
    host, port = lab.endpoint("smtp.office365.com", 587)
    context = ssl.create_default_context(cafile=str(lab.context.ca.pem_path))
    context.check_hostname = False
    with smtplib.SMTP(host, port, timeout=10) as client:
        client.starttls(context=context)
        yield client


SCAN = b"From: scanner@contoso.com\r\nTo: alice@contoso.com\r\nSubject: scan\r\n\r\npage\r\n"


def scanner_sends_one(lab: Lab) -> int:
    """The scan mailbox (SMTP AUTH on) sends one message; the end-of-data reply code."""
    with submission_client(lab) as client:
        client.login("scanner@contoso.com", "Scan-2-Mail!")
        try:
            client.sendmail("scanner@contoso.com", ["alice@contoso.com"], SCAN)
        except smtplib.SMTPDataError as refused:
            return int(refused.smtp_code)
    return 250


def make_tenant(*pairs: str) -> Tenant:
    """The demo tenant with ``Key=Value`` overrides."""
    return load_default_tenant([parse_assignment(p) for p in pairs])


@contextlib.asynccontextmanager
async def lab_factory(
    tmp_path: Path, services: Callable[[], Sequence[Service]], *defaults: str
) -> AsyncIterator[LabFactory]:
    """``start(*pairs, clock=None)`` starts one more lab running ``services()``; all stop at exit.

    ``defaults`` are overrides every lab gets before the test's own ``pairs``. The
    labs are started the way the pytest plugin starts them (``started_labs``)."""
    async with started_labs(tmp_path) as start_lab:

        async def start(*pairs: str, clock: FixedClock | None = None) -> Lab:
            lab: Lab = await start_lab(
                make_tenant(*defaults, *pairs),
                clock=clock or FixedClock(TEST_TIME),
                services=list(services()),
            )
            return lab

        yield start


async def sessions_recorded(lab: Lab, count: int = 1) -> list[SessionRecord]:
    """The store's sessions once ``count`` have ended (sessions are written when they close)."""
    for _ in range(500):
        found = lab.store.sessions()
        if len(found) >= count:
            return found
        await asyncio.sleep(0.01)
    return lab.store.sessions()
