"""The NDR builder: RFC 3464 shape, whatever the client's header block holds."""

from __future__ import annotations

import email
import random
from email.message import Message
from typing import cast

from exolab.emulator.clock import utc
from exolab.emulator.mail.ndr import Failure, build_ndr
from exolab.emulator.replies import catalog

SENDER = "scanner@contoso.com"


def ndr(original: bytes, *failures: Failure) -> bytes:
    return build_ndr(
        sender=SENDER,
        original=original,
        failures=failures or (Failure("alice@contoso.com", 550, "5.2.3", "too large"),),
        reporting_mta="TY1PR01MB0001.jpnprd01.prod.outlook.com",
        when=utc(2026, 11, 27, 9, 30),
        message_id="n1@ty1pr01mb0001.jpnprd01.prod.outlook.com",
        rng=random.Random(1),
    )


def parts(raw: bytes) -> list[Message]:
    report = email.message_from_bytes(raw)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    payload = report.get_payload()
    assert isinstance(payload, list)
    return cast(list[Message], payload)


def test_one_status_block_per_failed_recipient_in_order() -> None:
    full, big = catalog.NDR_MAILBOX_FULL, catalog.NDR_RECIPIENT_SIZE_LIMIT
    raw = ndr(
        b"From: scanner@contoso.com\r\nSubject: Scan\r\n\r\nbody\r\n",
        Failure("alice@contoso.com", full.code, full.enhanced or "", full.text),
        Failure("bob@contoso.com", big.code, big.enhanced or "", big.text),
    )
    readable, status, _ = parts(raw)
    blocks = cast(list[Message], status.get_payload())
    assert blocks[0]["Reporting-MTA"] == "dns;TY1PR01MB0001.jpnprd01.prod.outlook.com"
    assert [b["Final-Recipient"] for b in blocks[1:]] == [
        "rfc822;alice@contoso.com",
        "rfc822;bob@contoso.com",
    ]
    assert [b["Status"] for b in blocks[1:]] == ["5.2.2", "5.2.3"]
    assert all(b["Action"] == "failed" for b in blocks[1:])
    assert "The recipient's mailbox is full" in str(readable.get_payload())
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_a_subject_cannot_add_header_fields_to_the_report() -> None:
    raw = ndr(b"Subject: hi\rBcc: victim@fabrikam.com\r\n\r\nbody\r\n")
    report = email.message_from_bytes(raw)
    assert report["Bcc"] is None
    assert report["To"] == f"<{SENDER}>"


def test_eight_bit_header_bytes_reach_the_headers_part_unchanged() -> None:
    original = "From: scanner@contoso.com\r\nSubject: スキャン\r\n\r\nbody\r\n".encode()
    raw = ndr(original)
    assert "Subject: スキャン".encode() in raw  # carried as 8bit, byte for byte
    headers = parts(raw)[2]
    assert headers.get_content_type() == "text/rfc822-headers"
    assert headers["Content-Transfer-Encoding"] == "8bit"
    assert email.message_from_bytes(raw)["Subject"].startswith("Undeliverable: ")
