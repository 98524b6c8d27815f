"""The store under hostile input and a full disk: real lab, real sockets.

Clients that send an envelope sender in invalid UTF-8 on the MX commit at the
same moments as ordinary MX and submission clients; every ordinary message
must be acknowledged and stored. A store that runs out of space answers the
storage reply and keeps everything it acknowledged.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import ssl
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from exolab.emulator.dns import LabDns
from exolab.emulator.lab import Service
from exolab.emulator.server import Lab
from exolab.emulator.smtp.mx import MxService
from exolab.emulator.smtp.submission import SubmissionService
from tests.emulator import labs
from tests.emulator.labs import LabFactory
from tests.emulator.smtp.conftest import client_context
from tests.emulator.smtp.wire import RawClient

MX = "contoso-com.mail.protection.outlook.com"
SUBMISSION = "smtp.office365.com"
OFFICE = "127.20.0.10"
SCANNER, PASSWORD = "scanner@contoso.com", "Scan-2-Mail!"
POISONED_FROM = b"MAIL FROM:<\xff@contoso.com>\r\n"
ROUNDS = 12


@pytest.fixture
async def lab_factory(tmp_path: Path) -> AsyncIterator[LabFactory]:
    def services() -> list[Service]:
        return [LabDns(), MxService(), SubmissionService()]

    quiet = ("Lab.UnknownCommandDelay=0", "Limits.MessagesPerMinute=100000")
    async with labs.lab_factory(tmp_path, services, *quiet) as start:
        yield start


def _message(token: str) -> bytes:
    return (
        f"From: Scanner <{SCANNER}>\r\nTo: alice@contoso.com\r\nSubject: {token}\r\n\r\n"
        f"scan {token}\r\n.\r\n"
    ).encode()


def _mx_send(lab: Lab, mail_from: bytes, token: str) -> str:
    """One message on the MX; the reply to the final dot."""
    c = RawClient(*lab.endpoint(MX, 25), source=OFFICE)
    try:
        c.reply()
        c.cmd("EHLO mfp-01.contoso.local")
        c.send(mail_from)
        c.reply()
        c.cmd("RCPT TO:<alice@contoso.com>")
        c.cmd("DATA")
        c.send(_message(token))
        return c.reply()[-1]
    finally:
        c.close()


def _submit(lab: Lab, context: ssl.SSLContext, token: str) -> str:
    """One message through client submission (STARTTLS, AUTH LOGIN); the reply to the dot."""
    c = RawClient(*lab.endpoint(SUBMISSION, 587), source=OFFICE)
    try:
        c.reply()
        c.cmd("EHLO mfp")
        c.starttls(context)
        c.cmd("EHLO mfp")
        c.cmd("AUTH LOGIN")
        c.cmd(base64.b64encode(SCANNER.encode()).decode())
        c.cmd(base64.b64encode(PASSWORD.encode()).decode())
        c.cmd(f"MAIL FROM:<{SCANNER}>")
        c.cmd("RCPT TO:<alice@contoso.com>")
        c.cmd("DATA")
        c.send(_message(token))
        return c.reply()[-1]
    finally:
        c.close()


async def test_invalid_utf8_senders_do_not_fail_other_clients_mail(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory()
    context = client_context(lab)
    ledger: dict[str, str] = {}
    start = threading.Barrier(6)

    def worker(send: Callable[[str], str], prefix: str, keep: bool) -> None:
        start.wait()
        for n in range(ROUNDS):
            token = f"{prefix}-{n}"
            reply = send(token)
            if keep:
                ledger[token] = reply

    workers = [
        (lambda t: _mx_send(lab, POISONED_FROM, t), "poison-a", False),
        (lambda t: _mx_send(lab, POISONED_FROM, t), "poison-b", False),
        (lambda t: _mx_send(lab, POISONED_FROM, t), "poison-c", False),
        (lambda t: _mx_send(lab, f"MAIL FROM:<{SCANNER}>\r\n".encode(), t), "mx", True),
        (lambda t: _submit(lab, context, t), "sub-a", True),
        (lambda t: _submit(lab, context, t), "sub-b", True),
    ]
    await asyncio.gather(*(asyncio.to_thread(worker, *w) for w in workers))

    refused = {t: r for t, r in ledger.items() if not r.startswith("250 ")}
    assert not refused, refused
    assert len(ledger) == 3 * ROUNDS
    await lab.store.flush()
    stored = b"".join(m.body for m in lab.store.messages())
    missing = [t for t in ledger if f"scan {t}\r\n".encode() not in stored]
    assert not missing, missing


async def test_a_full_store_answers_452_and_keeps_what_it_acknowledged(
    lab_factory: LabFactory, caplog: pytest.LogCaptureFixture
) -> None:
    lab = await lab_factory()
    context = client_context(lab)
    first = await asyncio.to_thread(_submit, lab, context, "before-full")
    assert first.startswith("250 ")
    lab.store.limit_pages(1)  # SQLite caps at the current size: the next new page is SQLITE_FULL
    with caplog.at_level(logging.ERROR):
        refused = await asyncio.to_thread(_submit, lab, context, "after-full " + "x" * 200_000)
    assert refused.startswith("452 4.3.1 Insufficient system resources"), refused
    (message,) = lab.store.messages(folder="Inbox")
    assert b"scan before-full\r\n" in message.body
    causes = [r for r in caplog.records if "database or disk is full" in r.getMessage()]
    assert len(causes) == 1 and causes[0].exc_info is None, caplog.text
    assert "no transaction is active" not in caplog.text
