"""A real lab with the lab DNS and the MX on loopback, ephemeral ports, fixed clock and seed."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from exolab.emulator.dns import LabDns
from exolab.emulator.lab import Service
from exolab.emulator.server import Lab
from exolab.emulator.smtp.mx import MxService
from tests.emulator import labs
from tests.emulator.labs import LabFactory

MX = "contoso-com.mail.protection.outlook.com"


@pytest.fixture
async def lab_factory(tmp_path: Path) -> AsyncIterator[LabFactory]:
    def services() -> list[Service]:
        return [LabDns(), MxService()]

    async with labs.lab_factory(tmp_path, services, "Lab.UnknownCommandDelay=0") as start:
        yield start


@pytest.fixture
async def lab(lab_factory: LabFactory) -> Lab:
    return await lab_factory()


async def run(*argv: str) -> tuple[int, str]:
    """Run an outside client while the lab keeps serving on this event loop."""
    assert shutil.which(argv[0]), f"{argv[0]} is needed (make tools)"
    proc = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode("utf-8", "replace")


def server_lines(output: str) -> list[str]:
    """The reply lines in swaks output (marked ``<-``, ``<~`` or ``<**``)."""
    lines = []
    for raw in output.splitlines():
        text = raw.strip()
        for mark in ("<~ ", "<** ", "<- "):
            if text.startswith(mark):
                lines.append(text[len(mark) :].strip())
    return lines


async def swaks(
    lab: Lab,
    source: str,
    *extra: str,
    sender: str = "scanner@contoso.com",
    to: str = "alice@contoso.com",
) -> tuple[int, list[str]]:
    address, port = lab.endpoint(MX, 25)
    code, out = await run(
        "swaks",
        "--server",
        f"{address}:{port}",
        "--local-interface",
        source,
        "--ehlo",
        "mfp-01.contoso.local",
        "--from",
        sender,
        "--to",
        to,
        "--header",
        f"From: Scanner <{sender}>",
        "--timeout",
        "20",
        *extra,
    )
    return code, server_lines(out)
