"""Direct send to a mailbox that cannot take the message: an NDR to a sender that is a
mailbox, nothing to one that is not (Microsoft's guide: a direct-send device needs a real
sender address to receive NDRs). smtplib is the device; the NDR is parsed with the email
package."""

from __future__ import annotations

import asyncio
import email
import smtplib
from email.message import Message
from typing import cast

from exolab.emulator.server import Lab
from tests.emulator.labs import LabFactory, sessions_recorded
from tests.emulator.smtp.mx.conftest import MX

OFFICE = "127.20.0.10"
SCANNER, ALICE = "scanner@contoso.com", "alice@contoso.com"
FULL = (f"Mailbox[{ALICE}].ProhibitSendReceiveQuota=4096", f"Mailbox[{ALICE}].TotalItemSize=4096")


def scan(sender: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: {ALICE}\r\nSubject: Direct scan\r\n"
        "Message-ID: <direct-1@mfp>\r\n\r\nPDF\r\n"
    ).encode()


def direct_send(lab: Lab, sender: str, rcpt: str) -> dict[str, tuple[int, bytes]]:
    address, port = lab.endpoint(MX, 25)
    with smtplib.SMTP(address, port, source_address=(OFFICE, 0), timeout=20) as c:
        c.ehlo("mfp-01.contoso.local")
        return c.sendmail(sender, [rcpt], scan(sender))


def status_blocks(raw: bytes) -> list[Message]:
    report = email.message_from_bytes(raw)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    status = cast(list[Message], report.get_payload())[1]
    assert status.get_content_type() == "message/delivery-status"
    return cast(list[Message], status.get_payload())[1:]


async def test_a_full_mailbox_sends_the_ndr_to_a_sender_that_is_a_mailbox(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory(*FULL)
    assert await asyncio.to_thread(direct_send, lab, SCANNER, ALICE) == {}
    assert not lab.store.messages(mailbox=ALICE)
    (ndr,) = lab.store.messages(mailbox=SCANNER)
    assert ndr.folder == "Inbox"
    (block,) = status_blocks(ndr.raw)
    assert block["Final-Recipient"] == f"rfc822;{ALICE}"
    assert (block["Action"], block["Status"]) == ("failed", "5.2.2")


async def test_the_ndr_to_a_sender_that_is_no_mailbox_is_dropped(lab_factory: LabFactory) -> None:
    lab = await lab_factory(*FULL)
    printer = "printer@contoso.com"  # the address a direct-send device often makes up
    assert await asyncio.to_thread(direct_send, lab, printer, ALICE) == {}
    assert lab.store.messages() == []
    [session] = await sessions_recorded(lab)
    assert f"NDR for {ALICE} not sent: sender {printer} is no mailbox" in session.notes


async def test_without_dbeb_an_unknown_recipient_comes_back_as_ndr_5_1_10(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory("Tenant.DirectoryBasedEdgeBlocking=false")
    assert await asyncio.to_thread(direct_send, lab, SCANNER, "alcie@contoso.com") == {}
    (ndr,) = lab.store.messages(mailbox=SCANNER)
    (block,) = status_blocks(ndr.raw)
    assert (block["Final-Recipient"], block["Status"]) == ("rfc822;alcie@contoso.com", "5.1.10")
