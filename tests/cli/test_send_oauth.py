"""`exolab send` with an OAuth device-code profile against a running lab: the person signs in."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from exolab.cli import main
from exolab.emulator.clock import FixedClock
from exolab.emulator.lab import PortPlan
from exolab.emulator.server import Lab
from exolab.emulator.tenant import load_default_tenant, parse_assignment
from tests.lab_date import suite_lab_date


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Lab]:
    tenant = load_default_tenant(
        [parse_assignment("Mailbox[alice@contoso.com].SmtpClientAuthenticationDisabled=false")]
    )
    # The lab runs on the suite's lab date, as `exolab send` (the device clock) does.
    started = await Lab.start(
        tenant,
        tmp_path / "lab",
        ports=PortPlan(ephemeral=True),
        clock=FixedClock(suite_lab_date()),
    )
    yield started
    await started.stop()


def _send(data: Path, *extra: str) -> int:
    return main(
        [
            "send", "--profile", "oauth-device-code", "--json", "--data", str(data),
            "--set", "server=smtp.office365.com", "--set", "username=alice@contoso.com",
            "--to", "bob@contoso.com", "--site", "office", *extra,
        ]
    )  # fmt: skip


async def test_device_code_signed_in_by_the_person_delivers(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    data = lab.endpoints_path.parent
    code = await asyncio.to_thread(_send, data, "--approve-as", "alice@contoso.com")
    captured = capsys.readouterr()
    assert "device panel:" in captured.err and "signed in as alice@contoso.com" in captured.err
    result = json.loads(captured.out)
    assert (code, result["outcome"]) == (0, "delivered")
    assert any(line["line"].startswith("AUTH XOAUTH2") for line in result["transcript"])
    [stored] = lab.context.store.messages(mailbox="bob@contoso.com")
    assert stored.folder == "Inbox"
