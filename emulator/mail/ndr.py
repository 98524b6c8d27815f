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

The MIME structure is built with the standard ``email`` package, never by
hand: a client's subject or header block may hold anything, and the package
is what keeps the report parseable whatever they hold.

Pure: bytes in, bytes out; the boundary comes from the caller's seeded random.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime

from exolab.emulator.mail.scan import header_section
from exolab.emulator.replies.echo import one_line

POSTMASTER_LOCAL = "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e"
"""The local part Exchange Online sends NDRs from (the same in every tenant)."""

_POLICY = policy.SMTP.clone(max_line_length=998)
"""CRLF line ends; long header values stay on one line where RFC 5322 allows it."""

_READABLE: dict[str, str] = {
    "5.1.10": "{rcpt} wasn't found at {domain}.",
    "5.2.2": "The recipient's mailbox is full and can't accept messages now. Please try "
    "resending your message later, or contact the recipient directly.",
    "5.2.3": "Your message is too large to be delivered to {rcpt}. Send it again without "
    "attachments, or ask the recipient's administrator to raise their message size limit.",
    "5.2.122": "{rcpt} has received more messages in the last hour than the service allows. "
    "Please try resending your message later.",
}
"""The sentence the readable part says per status. The mailbox-full sentence is the one real
Exchange Online NDRs carry (https://pastebin.com/ei6cDaAt, a 2018 NDR from
CO1PR20MB0757.namprd20.prod.outlook.com); the others are CHOSEN paraphrases of the meaning
Microsoft's NDR table gives the code. Any other status gets the diagnostic line itself."""


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

    @property
    def readable(self) -> str:
        template = _READABLE.get(self.enhanced)
        if template is None:
            return f"{self.recipient}: {self.diagnostic}"
        return template.format(rcpt=self.recipient, domain=self.recipient.rpartition("@")[2])


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
    head = header_section(original)
    report = MIMEMultipart(
        "report",
        boundary=f"_exolab_ndr_{rng.getrandbits(64):016x}_",
        report_type="delivery-status",
        policy=_POLICY,
    )
    report["From"] = f"Microsoft Outlook <{POSTMASTER_LOCAL}@{domain}>"
    report["To"] = f"<{sender}>"
    report["Subject"] = f"Undeliverable: {_original_subject(head)}"
    report["Date"] = format_datetime(when)
    report["Message-ID"] = f"<{message_id}>"
    report["X-MS-Exchange-Message-Is-Ndr"] = ""
    report["Auto-Submitted"] = "auto-replied"
    report.attach(_readable_part(failures, reporting_mta))
    report.attach(_status_part(failures, reporting_mta, when))
    report.attach(_headers_part(head))
    return report.as_bytes(policy=_POLICY)


def _readable_part(failures: Sequence[Failure], reporting_mta: str) -> MIMEText:
    rcpts = ", ".join(f.recipient for f in failures)
    lines = [
        f"Your message to {rcpts} couldn't be delivered.",
        "",
        *(f.readable for f in failures),
        "",
        "Diagnostic information for administrators:",
        f"Generating server: {reporting_mta}",
        *(f"{f.recipient}\nRemote server returned '{f.diagnostic}'" for f in failures),
    ]
    part = MIMEText("\n".join(lines) + "\n", "plain", "us-ascii", policy=_POLICY)
    del part["MIME-Version"]  # once, on the report itself
    return part


def _status_part(failures: Sequence[Failure], reporting_mta: str, when: datetime) -> Message:
    """``message/delivery-status``: a per-message block, then one block per recipient."""
    per_message = Message(policy=_POLICY)
    per_message["Reporting-MTA"] = f"dns;{reporting_mta}"
    per_message["Arrival-Date"] = format_datetime(when)
    blocks: list[Message | str] = [per_message]
    for failure in failures:
        block = Message(policy=_POLICY)
        block["Final-Recipient"] = f"rfc822;{failure.recipient}"
        block["Action"] = "failed"
        block["Status"] = failure.enhanced
        block["Diagnostic-Code"] = f"smtp;{failure.diagnostic}"
        blocks.append(block)
    status = Message(policy=_POLICY)
    status.set_type("message/delivery-status")
    del status["MIME-Version"]
    status.set_payload(blocks)
    return status


def _headers_part(head: bytes) -> Message:
    """``text/rfc822-headers``: the original header block, byte for byte where it is ASCII.

    Other bytes are carried as surrogate escapes, which the generator writes back
    unchanged (8bit), so nothing the client sent is lost or re-encoded."""
    part = Message(policy=_POLICY)
    part["Content-Type"] = "text/rfc822-headers"
    text = head.rstrip(b"\r\n").replace(b"\r\n", b"\n").decode("ascii", "surrogateescape")
    if not text.isascii():
        part["Content-Transfer-Encoding"] = "8bit"
    part.set_payload(text + "\n")
    return part


def _original_subject(head: bytes) -> str:
    """The original Subject as one printable ASCII line (the raw encoded words kept)."""
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if line.lower().startswith(b"subject:"):
            text = line[8:].decode("ascii", "replace").strip()
            return one_line(text).encode("ascii", "replace").decode() or "(no subject)"
    return "(no subject)"
