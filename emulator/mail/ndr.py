"""A non-delivery report (RFC 3464 ``multipart/report; report-type=delivery-status``).

Exchange Online accepts a submission first and reports a recipient it cannot
deliver to later, as an NDR in the sender's Inbox: a human-readable part, the
machine-readable ``message/delivery-status`` part (one block per failed
recipient, ``Status`` and ``Diagnostic-Code`` from the reply catalog), and
the original message's header block (``text/rfc822-headers``). The layout is
RFC 3464's; the From address (``MicrosoftExchange…@<domain>``), the
``Undeliverable:`` subject and the wording of the readable part are the shape
Microsoft's NDRs have (https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/non-delivery-reports-in-exchange-online),
not a byte copy of one: CHOSEN.

Pure: bytes in, bytes out; the boundary comes from the caller's seeded random.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from exolab.emulator.mail.scan import header_section
from exolab.emulator.replies.echo import one_line

POSTMASTER_LOCAL = "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e"
"""The local part Exchange Online sends NDRs from (the same in every tenant)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """One recipient the message could not reach, and the catalog reply that says why."""

    recipient: str
    code: int
    enhanced: str
    text: str

    @property
    def diagnostic(self) -> str:
        return f"{self.code} {self.enhanced} {self.text}"


def build_ndr(
    *,
    sender: str,
    original: bytes,
    failures: Sequence[Failure],
    reporting_mta: str,
    when: datetime,
    message_id: str,
    rng: random.Random,
) -> bytes:
    """The NDR's bytes (CRLF), addressed to ``sender``; ``original`` gives its header block."""
    domain = sender.rpartition("@")[2] or "localhost"
    boundary = f"_exolab_ndr_{rng.getrandbits(64):016x}_"
    head = header_section(original)
    subject = _original_subject(head)
    rcpts = ", ".join(f.recipient for f in failures)
    readable = "\r\n".join(
        [
            f"Your message to {rcpts} couldn't be delivered.",
            "",
            *(
                f"{f.recipient} wasn't found at {f.recipient.rpartition('@')[2]}."
                if f.enhanced == "5.1.10"
                else f"{f.recipient}: {f.diagnostic}"
                for f in failures
            ),
            "",
            "Diagnostic information for administrators:",
            f"Generating server: {reporting_mta}",
            *(f"{f.recipient}\r\nRemote server returned '{f.diagnostic}'" for f in failures),
        ]
    )
    status_blocks = [f"Reporting-MTA: dns;{reporting_mta}\r\nArrival-Date: {format_datetime(when)}"]
    status_blocks += [
        f"Final-Recipient: rfc822;{f.recipient}\r\nAction: failed\r\nStatus: {f.enhanced}\r\n"
        f"Diagnostic-Code: smtp;{f.diagnostic}"
        for f in failures
    ]
    parts = [
        f"From: Microsoft Outlook <{POSTMASTER_LOCAL}@{domain}>",
        f"To: <{sender}>",
        f"Subject: Undeliverable: {subject}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <{message_id}>",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
        "X-MS-Exchange-Message-Is-Ndr: ",
        "Auto-Submitted: auto-replied",
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        readable,
        "",
        f"--{boundary}",
        "Content-Type: message/delivery-status",
        "",
        "\r\n\r\n".join(status_blocks),
        "",
        f"--{boundary}",
        "Content-Type: text/rfc822-headers",
        "",
    ]
    body = "\r\n".join(parts).encode("ascii", "replace") + b"\r\n"
    return body + head.rstrip(b"\r\n") + f"\r\n\r\n--{boundary}--\r\n".encode()


def _original_subject(head: bytes) -> str:
    """The original Subject as one printable ASCII line (the raw encoded words kept)."""
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if line.lower().startswith(b"subject:"):
            text = line[8:].decode("ascii", "replace").strip()
            return one_line(text).encode("ascii", "replace").decode() or "(no subject)"
    return "(no subject)"
