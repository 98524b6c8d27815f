"""swaks (a client nobody here wrote) delivers through HVE and through the ACS relay."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.server import Lab
from exolab.emulator.smtp.acs import AcsService
from exolab.emulator.smtp.hve import HveService
from tests.emulator import labs
from tests.emulator.smtp.conftest import FAST
from tests.emulator.smtp.test_external_clients import run, server_lines
from tests.emulator.smtp.wire import MATCHER

pytestmark = pytest.mark.external


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Lab]:
    async with labs.lab_factory(tmp_path, lambda: [HveService(), AcsService()], *FAST) as start:
        # HVE's basic auth ends in September 2028 (lab clock): a day inside it, whatever the suite's date
        yield await start(clock=FixedClock(utc(2026, 6, 1, 9, 0)))


async def swaks(lab: Lab, host: str, user: str, password: str, sender: str, to: str) -> str:
    address, port = lab.endpoint(host, 587)
    code, out = await run(
        "swaks",
        "--server",
        f"{address}:{port}",
        "--local-interface",
        "127.20.0.10",
        "--ehlo",
        "mfp-01",
        "--tls",
        "--tls-protocol",
        "tlsv1_2,tlsv1_3",
        "--auth",
        "LOGIN",
        "--auth-user",
        user,
        "--auth-password",
        password,
        "--from",
        sender,
        "--to",
        to,
    )
    assert code == 0, out
    return out


async def test_swaks_through_hve_while_smtp_auth_is_disabled(lab: Lab) -> None:
    assert lab.context.tenant.transport_config.smtp_client_authentication_disabled
    out = await swaks(
        lab,
        "smtp.hve.mx.microsoft",
        "scan-hve@contoso.com",
        "Hve-Scan-1!",
        "scan-hve@contoso.com",
        "bob@contoso.com",
    )
    lines = server_lines(out)
    assert any(line.startswith("235 2.7.0 Authentication successful") for line in lines)
    assert all(MATCHER.which(line) for line in lines), [x for x in lines if not MATCHER.which(x)]
    assert [(m.mailbox, m.folder) for m in lab.store.messages()] == [("bob@contoso.com", "Inbox")]


async def test_swaks_through_acs_with_the_demo_username_and_secret(lab: Lab) -> None:
    out = await swaks(
        lab,
        "smtp.azurecomm.net",
        "acs-scanner",
        "lab-acs-secret~1",
        "DoNotReply@notify.contoso.com",
        "partner@fabrikam.com",
    )
    lines = server_lines(out)
    assert any(line.startswith("250 2.0.0 OK <") for line in lines)
    assert all(MATCHER.which(line) for line in lines), [x for x in lines if not MATCHER.which(x)]
    assert [m.folder for m in lab.store.messages()] == ["Outbound"]
