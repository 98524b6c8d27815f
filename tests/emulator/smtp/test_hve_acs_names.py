"""HVE and ACS name their mailbox servers in the tenant's region, as submission and the MX do.

The end-of-data reply carries the mailbox server (``[Hostname=TY1PR01MB….jpnprd01…]``)
and the Message-ID is made on it, so a Japanese tenant's HVE or ACS mail must not
show a North American or European mailbox server.
"""

from __future__ import annotations

import asyncio
import re
import smtplib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from exolab.emulator.clock import FixedClock
from exolab.emulator.server import Lab
from exolab.emulator.smtp.acs import AcsService
from exolab.emulator.smtp.hve import HveService
from tests.emulator import labs
from tests.emulator.labs import LabFactory
from tests.emulator.smtp import test_acs as acs
from tests.emulator.smtp import test_hve as hve
from tests.emulator.smtp.conftest import FAST

HOSTNAME = re.compile(r"\[Hostname=([A-Z0-9]+)\.([a-z]+)\d\d\.prod\.outlook\.com\]")


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[LabFactory]:
    async with labs.lab_factory(tmp_path, lambda: [HveService(), AcsService()], *FAST) as factory:
        yield factory


def hve_end_of_data(lab: Lab) -> str:
    with hve.connect(lab) as client:
        client.login(hve.ACCOUNT, hve.PASSWORD)
        return end_of_data(client, hve.ACCOUNT, hve.message())


def acs_end_of_data(lab: Lab) -> str:
    with acs.connect(lab) as client:
        client.login(acs.USERNAME, acs.SECRET)
        return end_of_data(client, acs.SENDER, acs.message("bob@contoso.com"))


def end_of_data(client: smtplib.SMTP, sender: str, body: bytes) -> str:
    client.mail(sender)
    client.rcpt("bob@contoso.com")
    code, text = client.data(body)
    assert code == 250, text
    return text.decode()


@pytest.mark.parametrize("region", ["IND", "CAN"])
async def test_hve_and_acs_mailbox_servers_are_in_the_tenants_region(
    start: LabFactory, region: str
) -> None:
    # regions no front end is drawn from, so a name there can only come from Tenant.Region
    lab = await start(f"Tenant.Region={region}", clock=FixedClock(hve.NOW))
    for run in (hve_end_of_data, acs_end_of_data):
        reply = await asyncio.to_thread(run, lab)
        found = HOSTNAME.search(reply)
        assert found, reply
        assert found.group(2) == f"{region.lower()}prd", reply
