"""Whole sessions compared with golden transcripts (Postfix's smtpd_check.in / .ref idea).

The lab runs on its own pinned clock (not the suite's lab date: the trailers
carry it) and a fixed seed, so names, trailers and ids repeat byte for byte.
Each golden file holds the transcript, the session notes, the outcome and
every stored copy with the header fields the service added, for the
submission front end and for the MX (direct send, with the lab DNS for SPF
and DMARC). To accept an intended change: ``EXOLAB_UPDATE_GOLDEN=1 pytest
tests/emulator/smtp/test_golden.py`` and review the diff of golden/.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.dns import LabDns
from exolab.emulator.lab import Service
from exolab.emulator.server import Lab
from exolab.emulator.smtp.mx import MxService
from exolab.emulator.smtp.submission import SubmissionService
from tests.emulator import labs
from tests.emulator.labs import sessions_recorded
from tests.emulator.smtp.conftest import client_context
from tests.emulator.smtp.wire import RawClient

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_TIME = utc(2026, 11, 27, 9, 30)
B64 = {
    s: base64.b64encode(s.encode()).decode()
    for s in ("scanner@contoso.com", "Scan-2-Mail!", "alice@contoso.com", "Alice-Pass-1")
}
MESSAGE = (
    "From: scanner@contoso.com\r\nSubject: Scan\r\nMessage-ID: <golden-1@mfp>\r\n\r\nscan\r\n.\r\n"
)


def happy(c: RawClient, lab: Lab) -> None:
    c.cmd("EHLO mfp-01")
    c.starttls(client_context(lab))
    c.cmd("EHLO mfp-01")
    c.cmd("AUTH LOGIN")
    c.cmd(B64["scanner@contoso.com"])
    c.cmd(B64["Scan-2-Mail!"])
    c.cmd("MAIL FROM:<scanner@contoso.com> SIZE=80")
    c.cmd("RCPT TO:<bob@contoso.com>")
    c.cmd("DATA")
    c.send(MESSAGE.encode())
    c.reply()
    c.cmd("QUIT")


def tenant_disabled(c: RawClient, lab: Lab) -> None:
    c.cmd("EHLO mfp-01")
    c.cmd("AUTH LOGIN")
    c.starttls(client_context(lab))
    c.cmd("EHLO mfp-01")
    c.cmd("AUTH PLAIN")
    c.cmd("AUTH LOGIN " + B64["alice@contoso.com"])
    c.cmd(B64["Alice-Pass-1"])
    c.cmd("MAIL FROM:<alice@contoso.com>")
    c.cmd("QUIT")


def legacy_tls(c: RawClient, lab: Lab) -> None:
    c.cmd("EHLO mfp-01")
    c.starttls(client_context(lab, "1.0"))
    c.cmd("EHLO mfp-01")
    c.cmd("AUTH LOGIN")


MX = "contoso-com.mail.protection.outlook.com"
OFFICE, BRANCH = "127.20.0.10", "127.20.0.20"
"""Demo sites: the office's public IP is in contoso.com's SPF record, the branch's is not."""
DIRECT = (
    "From: Scanner <scanner@contoso.com>\r\nTo: alice@contoso.com\r\nSubject: Scan\r\n"
    "Message-ID: <golden-mx@mfp>\r\n\r\nscan\r\n.\r\n"
)


def direct_send(c: RawClient, lab: Lab) -> None:
    c.cmd("EHLO mfp-01.contoso.local")
    c.cmd("MAIL FROM:<scanner@contoso.com>")
    c.cmd("RCPT TO:<alice@contoso.com>")
    c.cmd("DATA")
    c.send(DIRECT.encode())
    c.reply()
    c.cmd("QUIT")


def mx_outside_recipient(c: RawClient, lab: Lab) -> None:
    c.cmd("EHLO mfp-01.contoso.local")
    c.cmd("MAIL FROM:<scanner@contoso.com>")
    c.cmd("RCPT TO:<partner@fabrikam.com>")
    c.cmd("QUIT")


Talk = Callable[[RawClient, Lab], None]
SESSIONS: dict[str, tuple[str, int, str, Talk]] = {
    "happy": ("smtp.office365.com", 587, OFFICE, happy),
    "tenant_disabled": ("smtp.office365.com", 587, OFFICE, tenant_disabled),
    "legacy_tls": ("smtp.office365.com", 587, OFFICE, legacy_tls),
    "mx_inbox": (MX, 25, OFFICE, direct_send),
    "mx_spf_fail_junk": (MX, 25, BRANCH, direct_send),
    "mx_outside_recipient": (MX, 25, OFFICE, mx_outside_recipient),
}


@pytest.fixture
async def golden_lab(tmp_path: Path) -> AsyncIterator[Lab]:
    def services() -> list[Service]:
        return [SubmissionService(), LabDns(), MxService()]

    async with labs.lab_factory(
        tmp_path, services, "Lab.UnknownCommandDelay=0", "Lab.Port465Hold=0.3"
    ) as start:
        yield await start(clock=FixedClock(GOLDEN_TIME))


@pytest.mark.parametrize("name", sorted(SESSIONS))
async def test_golden_transcript(golden_lab: Lab, name: str) -> None:
    lab = golden_lab
    host, port, source, session_of = SESSIONS[name]

    def talk() -> None:
        c = RawClient(*lab.endpoint(host, port), source=source)
        c.reply()
        try:
            session_of(c, lab)
        finally:
            c.close()

    await asyncio.to_thread(talk)
    [session] = await sessions_recorded(lab)
    got = "".join(f"{x.dir}: {x.line}\n" for x in session.transcript)
    got += "".join(f"# {note}\n" for note in session.notes if not note.startswith("starttls: TLS"))
    got += f"= {session.outcome}\n"
    for copy in lab.store.messages():
        got += f"> {copy.mailbox}/{copy.folder} scl={copy.scl} {copy.message_id}\n"
        got += "".join(f">   {name}: {value}\n" for name, value in copy.headers_added)
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("EXOLAB_UPDATE_GOLDEN"):
        path.write_text(got, "utf-8")
    assert got == path.read_text("utf-8")
