"""Mailboxes that cannot take a submitted message: the sender gets an RFC 3464 NDR.

smtplib is the device; the NDR is read back from the store and parsed with the
standard email package, as a mail client would read it.
"""

from __future__ import annotations

import asyncio
import email
import smtplib
from collections.abc import AsyncIterator
from email.message import Message
from pathlib import Path
from typing import cast

import pytest

from exolab.emulator.dns import LabDns
from exolab.emulator.lab import Service
from exolab.emulator.server import Lab
from exolab.emulator.smtp.submission import SubmissionService
from exolab.emulator.store import StoredMessage
from tests.emulator import labs
from tests.emulator.labs import LabFactory
from tests.emulator.smtp.conftest import client_context

SCANNER, PASSWORD = "scanner@contoso.com", "Scan-2-Mail!"
ALICE, BOB = "alice@contoso.com", "bob@contoso.com"
MESSAGE = (
    b"From: scanner@contoso.com\r\nTo: alice@contoso.com\r\nSubject: Scan 002\r\n"
    b"Message-ID: <scan-002@printer>\r\n\r\n" + b"PDF " * 1024 + b"\r\n"
)


@pytest.fixture
async def lab_factory(tmp_path: Path) -> AsyncIterator[LabFactory]:
    def services() -> list[Service]:
        return [LabDns(), SubmissionService()]

    async with labs.lab_factory(tmp_path, services) as start:
        yield start


def send(lab: Lab, sender: str, rcpts: list[str]) -> dict[str, tuple[int, bytes]]:
    address, port = lab.endpoint("smtp.office365.com", 587)
    with smtplib.SMTP(address, port, source_address=("127.20.0.10", 0), timeout=20) as c:
        c._host = "smtp.office365.com"  # type: ignore[attr-defined]  # SNI, as a device sends
        c.starttls(context=client_context(lab))
        c.login(SCANNER, PASSWORD)
        return c.sendmail(sender, rcpts, MESSAGE)


def the_ndr(lab: Lab) -> StoredMessage:
    (ndr,) = [m for m in lab.store.messages(mailbox=SCANNER) if m.folder == "Inbox"]
    return ndr


def report_parts(raw: bytes) -> tuple[Message, Message, Message, list[Message]]:
    """The report's three parts and its per-recipient status blocks, checked for shape."""
    report = email.message_from_bytes(raw)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    assert report["Subject"] == "Undeliverable: Scan 002"
    parts = report.get_payload()
    assert isinstance(parts, list) and len(parts) == 3
    readable, status, headers = cast(list[Message], parts)
    assert status.get_content_type() == "message/delivery-status"
    blocks = status.get_payload()
    assert isinstance(blocks, list)
    assert headers.get_content_type() == "text/rfc822-headers"
    assert "Message-ID: <scan-002@printer>" in str(headers.get_payload())
    return readable, status, headers, cast(list[Message], blocks)[1:]


async def test_a_full_recipient_mailbox_comes_back_as_ndr_5_2_2(lab_factory: LabFactory) -> None:
    lab = await lab_factory(
        f"Mailbox[{ALICE}].ProhibitSendReceiveQuota=4096", f"Mailbox[{ALICE}].TotalItemSize=4096"
    )
    assert await asyncio.to_thread(send, lab, SCANNER, [ALICE, BOB]) == {}  # accepted: 250
    assert lab.store.messages(mailbox=BOB)
    assert not lab.store.messages(mailbox=ALICE)
    readable, _, _, (block,) = report_parts(the_ndr(lab).raw)
    assert block["Final-Recipient"] == f"rfc822;{ALICE}"
    assert block["Action"] == "failed"
    assert block["Status"] == "5.2.2"
    assert str(block["Diagnostic-Code"]).startswith(
        "smtp;554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException."
        "MapiExceptionShutoffQuotaExceeded"
    )
    assert "The recipient's mailbox is full" in str(readable.get_payload())


async def test_a_message_too_large_for_the_recipient_comes_back_as_ndr_5_2_3(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory(f"Mailbox[{ALICE}].MaxReceiveSize=2048")
    assert await asyncio.to_thread(send, lab, SCANNER, [ALICE]) == {}
    assert not lab.store.messages(mailbox=ALICE)
    sent = [m for m in lab.store.messages(mailbox=SCANNER) if m.folder == "Sent Items"]
    assert len(sent) == 1  # the sender's copy is kept, as Outlook keeps it
    _, _, _, (block,) = report_parts(the_ndr(lab).raw)
    assert block["Final-Recipient"] == f"rfc822;{ALICE}"
    assert block["Status"] == "5.2.3"
    assert block["Diagnostic-Code"] == (
        "smtp;550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient"
    )
