"""The header-block checks over real sockets, on both front ends: smtplib as the device."""

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
from exolab.emulator.smtp.mx import MxService
from exolab.emulator.smtp.submission import SubmissionService
from tests.emulator import labs
from tests.emulator.labs import LabFactory
from tests.emulator.smtp.conftest import client_context

MX = "contoso-com.mail.protection.outlook.com"
SCANNER, PASSWORD = "scanner@contoso.com", "Scan-2-Mail!"
HEAD = b"To: alice@contoso.com\r\nSubject: Scan 001\r\nMessage-ID: <scan-001@printer>\r\n"
GOOD = b"From: scanner@contoso.com\r\n" + HEAD + b"\r\nPDF follows\r\n"
NO_FROM = HEAD + b"\r\nPDF follows\r\n"
NAME_ONLY = b"From: Scanner\r\n" + HEAD + b"\r\nPDF follows\r\n"
BIG_HEAD = b"From: scanner@contoso.com\r\n" + HEAD + b"X-Pad: " + b"p" * 990 + b"\r\n\r\nok\r\n"


@pytest.fixture
async def lab_factory(tmp_path: Path) -> AsyncIterator[LabFactory]:
    def services() -> list[Service]:
        return [LabDns(), SubmissionService(), MxService()]

    async with labs.lab_factory(tmp_path, services, "Lab.UnknownCommandDelay=0") as start:
        yield start


def submit(lab: Lab, message: bytes) -> tuple[int, bytes]:
    address, port = lab.endpoint("smtp.office365.com", 587)
    with smtplib.SMTP(address, port, source_address=("127.20.0.10", 0), timeout=20) as c:
        c._host = "smtp.office365.com"  # type: ignore[attr-defined]  # SNI, as a device sends
        c.starttls(context=client_context(lab))
        c.login(SCANNER, PASSWORD)
        c.mail(SCANNER)
        c.rcpt("alice@contoso.com")
        return c.data(message)


def direct_send(lab: Lab, message: bytes) -> tuple[int, bytes]:
    address, port = lab.endpoint(MX, 25)
    with smtplib.SMTP(address, port, source_address=("127.20.0.10", 0), timeout=20) as c:
        c.ehlo("mfp-01.contoso.local")
        c.mail(SCANNER)
        c.rcpt("alice@contoso.com")
        return c.data(message)


@pytest.mark.parametrize("send", [submit, direct_send])
async def test_a_message_without_a_valid_from_gets_550_5_7_512(
    lab_factory: LabFactory, send: object
) -> None:
    lab = await lab_factory()
    assert callable(send)
    for message in (NO_FROM, NAME_ONLY):
        code, text = await asyncio.to_thread(send, lab, message)
        assert code == 550
        assert text.startswith(
            b"5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant"
        )
    assert lab.store.messages() == []
    code, _ = await asyncio.to_thread(send, lab, GOOD)
    assert code == 250


@pytest.mark.parametrize("send", [submit, direct_send])
async def test_a_header_block_over_the_limit_gets_552_5_3_4(
    lab_factory: LabFactory, send: object
) -> None:
    lab = await lab_factory("Limits.MaxHeaderSize=1024")
    assert callable(send)
    code, text = await asyncio.to_thread(send, lab, BIG_HEAD)
    assert (code, text.split(b" [")[0]) == (552, b"5.3.4 Header size exceeds fixed maximum size")
    assert lab.store.messages() == []


async def test_a_full_mailbox_cannot_send(lab_factory: LabFactory) -> None:
    lab = await lab_factory(
        f"Mailbox[{SCANNER}].ProhibitSendQuota=4096", f"Mailbox[{SCANNER}].TotalItemSize=4096"
    )
    code, text = await asyncio.to_thread(submit, lab, GOOD)
    assert code == 554
    assert text.startswith(
        b"5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException."
        b"MapiExceptionQuotaExceeded"
    )
    assert lab.store.messages() == []


async def test_mx_refuses_a_helo_with_its_own_name_at_mail_from(lab_factory: LabFactory) -> None:
    lab = await lab_factory()
    address, port = lab.endpoint(MX, 25)

    def talk(name: str) -> tuple[int, bytes]:
        with smtplib.SMTP(address, port, source_address=("127.20.0.10", 0), timeout=20) as c:
            c.ehlo(name)
            return c.mail(SCANNER)

    code, text = await asyncio.to_thread(talk, MX)
    assert (code, text.split(b" [")[0]) == (550, b"5.7.506 Access Denied, Bad HELO")
    assert (await asyncio.to_thread(talk, "mfp-01.contoso.local"))[0] == 250


async def test_unknown_internal_recipient_gets_an_ndr_in_the_senders_inbox(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory()
    address, port = lab.endpoint("smtp.office365.com", 587)

    def talk() -> dict[str, tuple[int, bytes]]:
        with smtplib.SMTP(address, port, source_address=("127.20.0.10", 0), timeout=20) as c:
            c._host = "smtp.office365.com"  # type: ignore[attr-defined]  # SNI, as a device sends
            c.starttls(context=client_context(lab))
            c.login(SCANNER, PASSWORD)
            return c.sendmail(SCANNER, ["nobody@contoso.com", "alice@contoso.com"], GOOD)

    assert await asyncio.to_thread(talk) == {}  # accepted for both: the NDR comes later
    assert lab.store.messages(mailbox="alice@contoso.com")
    assert not [m for m in lab.store.messages() if m.folder == "Outbound"]
    (ndr,) = [m for m in lab.store.messages(mailbox=SCANNER) if m.folder == "Inbox"]
    report = email.message_from_bytes(ndr.raw)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    assert report["Subject"] == "Undeliverable: Scan 001"
    assert report["From"].startswith("Microsoft Outlook <MicrosoftExchange")
    parts = report.get_payload()
    assert isinstance(parts, list) and all(isinstance(p, Message) for p in parts)
    readable, status, headers = cast(list[Message], parts)
    assert "nobody@contoso.com wasn't found at contoso.com." in readable.get_payload()
    assert status.get_content_type() == "message/delivery-status"
    text = status.as_string()
    assert "Final-Recipient: rfc822;nobody@contoso.com" in text
    assert "Status: 5.1.10" in text
    assert "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound;" in text
    assert headers.get_content_type() == "text/rfc822-headers"
    assert "Message-ID: <scan-001@printer>" in headers.get_payload()


async def test_tenant_external_recipient_limit_turns_outside_recipients_into_an_ndr(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory("Limits.TenantExternalRecipientsPerDay=2")
    address, port = lab.endpoint("smtp.office365.com", 587)

    def send(rcpts: list[str]) -> dict[str, tuple[int, bytes]]:
        with smtplib.SMTP(address, port, source_address=("127.20.0.10", 0), timeout=20) as c:
            c._host = "smtp.office365.com"  # type: ignore[attr-defined]  # SNI, as a device sends
            c.starttls(context=client_context(lab))
            c.login(SCANNER, PASSWORD)
            return c.sendmail(SCANNER, rcpts, GOOD)

    outside = ["partner@fabrikam.com", "other@fabrikam.com"]
    assert await asyncio.to_thread(send, outside) == {}  # 2 of 2: within the limit
    assert await asyncio.to_thread(send, ["third@fabrikam.com", "alice@contoso.com"]) == {}
    outbound = [m for m in lab.store.messages() if m.folder == "Outbound"]
    assert len(outbound) == 1  # only the first message went out
    assert lab.store.messages(mailbox="alice@contoso.com")  # internal mail is not limited
    (ndr,) = [m for m in lab.store.messages(mailbox=SCANNER) if m.folder == "Inbox"]
    text = ndr.raw.decode()
    assert "Final-Recipient: rfc822;third@fabrikam.com" in text
    assert (
        "Diagnostic-Code: smtp;550 5.7.233 Your message can't be sent because your tenant" in text
    )
