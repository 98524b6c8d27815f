"""Whole sessions compared with golden transcripts (Postfix's smtpd_check.in / .ref idea).

The lab runs on its own pinned clock (not the suite's lab date: the trailers
carry it) and a fixed seed, so names, trailers and ids repeat byte for byte. To accept an intended change: ``EXOLAB_UPDATE_GOLDEN=1 pytest
tests/emulator/smtp/test_golden.py`` and review the diff of golden/.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.server import Lab
from tests.emulator.labs import LabFactory, sessions_recorded
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


SESSIONS: dict[str, Callable[[RawClient, Lab], None]] = {
    "happy": happy,
    "tenant_disabled": tenant_disabled,
    "legacy_tls": legacy_tls,
}


@pytest.mark.parametrize("name", sorted(SESSIONS))
async def test_golden_transcript(lab_factory: LabFactory, name: str) -> None:
    lab = await lab_factory(clock=FixedClock(GOLDEN_TIME))

    def talk() -> None:
        c = RawClient(*lab.endpoint("smtp.office365.com", 587))
        c.reply()
        try:
            SESSIONS[name](c, lab)
        finally:
            c.close()

    await asyncio.to_thread(talk)
    [session] = await sessions_recorded(lab)
    got = "".join(f"{x.dir}: {x.line}\n" for x in session.transcript)
    got += "".join(f"# {note}\n" for note in session.notes if not note.startswith("starttls: TLS"))
    got += f"= {session.outcome}\n"
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("EXOLAB_UPDATE_GOLDEN"):
        path.write_text(got, "utf-8")
    assert got == path.read_text("utf-8")
