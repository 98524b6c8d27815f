"""Client text echoed in a reply or written into a header, on both front ends over real sockets.

A folded or CR-laden Message-ID must not split the 250 after DATA (a
pipelining client would take the rest for the answer to its next command),
and a CR in the EHLO name must not start a header field of the client's
choosing in the stored message.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from exolab.emulator.dns import LabDns
from exolab.emulator.lab import Service
from exolab.emulator.server import Lab
from exolab.emulator.smtp.mx import MxService
from exolab.emulator.smtp.submission import SubmissionService
from tests.emulator import labs
from tests.emulator.smtp.conftest import client_context
from tests.emulator.smtp.wire import MATCHER, RawClient

MX = "contoso-com.mail.protection.outlook.com"
SUBMISSION = "smtp.office365.com"
FRONT_ENDS = (SUBMISSION, MX)


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Lab]:
    def services() -> list[Service]:
        return [SubmissionService(), LabDns(), MxService()]

    async with labs.lab_factory(tmp_path, services, "Lab.UnknownCommandDelay=0") as start:
        yield await start()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _open(lab: Lab, host: str, helo: bytes = b"mfp-01") -> RawClient:
    """A session up to an accepted RCPT: signed in over TLS on submission, plain on the MX."""
    if host == SUBMISSION:
        c = RawClient(*lab.endpoint(SUBMISSION, 587))
        c.reply()
        c.cmd("EHLO mfp-01")
        c.starttls(client_context(lab))
        c.send(b"EHLO " + helo + b"\r\n")
        c.reply()
        c.cmd("AUTH LOGIN")
        c.cmd(_b64("scanner@contoso.com"))
        assert c.cmd(_b64("Scan-2-Mail!"))[0].startswith("235 ")
    else:
        c = RawClient(*lab.endpoint(MX, 25))
        c.reply()
        c.send(b"EHLO " + helo + b"\r\n")
        c.reply()
    assert c.cmd("MAIL FROM:<scanner@contoso.com>")[0].startswith("250 ")
    assert c.cmd("RCPT TO:<bob@contoso.com>")[0].startswith("250 ")
    assert c.cmd("DATA")[0].startswith("354 ")
    return c


def _pipelined(lab: Lab, host: str, message_id: bytes) -> tuple[list[str], list[str]]:
    """The replies to the final dot and to a NOOP sent right behind it in the same packet."""
    c = _open(lab, host)
    try:
        head = b"From: scanner@contoso.com\r\nSubject: Scan\r\nMessage-ID: " + message_id
        c.send(head + b"\r\n\r\nscan\r\n.\r\nNOOP\r\n")
        return c.reply(), c.reply()
    finally:
        c.close()


def _one_printable_line(eod: list[str], noop: list[str]) -> None:
    assert len(eod) == 1 and eod[0].startswith("250 2."), eod
    assert eod[0].isprintable(), eod
    assert MATCHER.which(eod[0]) in ("eod.submitted", "eod.queued"), eod
    assert noop == ["250 2.0.0 OK"], noop


@pytest.mark.parametrize("host", FRONT_ENDS)
async def test_a_folded_message_id_keeps_the_250_on_one_line(lab: Lab, host: str) -> None:
    eod, noop = await asyncio.to_thread(_pipelined, lab, host, b"<fold-1@mfp\r\n X-Split>")
    _one_printable_line(eod, noop)
    assert "<fold-1@mfp X-Split>" in eod[0]


@pytest.mark.parametrize("host", FRONT_ENDS)
async def test_a_bare_cr_in_the_message_id_never_reaches_the_reply(lab: Lab, host: str) -> None:
    eod, noop = await asyncio.to_thread(_pipelined, lab, host, b"<cr-1@mfp\r250 2.0.0 forged>")
    _one_printable_line(eod, noop)
    (message, *_rest) = lab.store.messages(mailbox="bob@contoso.com")
    assert message.message_id == "<cr-1@mfp 250 2.0.0 forged>"


@pytest.mark.parametrize("host", FRONT_ENDS)
async def test_controls_in_the_message_id_become_one_space(lab: Lab, host: str) -> None:
    hostile = b"<c-1@mfp\x00A\x1b[2JB\x7fC\r\r\x00D>"
    eod, noop = await asyncio.to_thread(_pipelined, lab, host, hostile)
    _one_printable_line(eod, noop)
    assert "<c-1@mfp A [2JB C D>" in eod[0]


@pytest.mark.parametrize("host", FRONT_ENDS)
@pytest.mark.parametrize("eol", [b"\n", b"\r\n"])
async def test_a_line_break_ends_the_message_id(lab: Lab, host: str, eol: bytes) -> None:
    eod, noop = await asyncio.to_thread(_pipelined, lab, host, b"<c-2@mfp" + eol + b"X>")
    _one_printable_line(eod, noop)
    assert "<c-2@mfp>" in eod[0]


@pytest.mark.parametrize("host", FRONT_ENDS)
async def test_a_long_message_id_is_bounded_in_the_reply(lab: Lab, host: str) -> None:
    eod, noop = await asyncio.to_thread(_pipelined, lab, host, b"<" + b"x" * 4000 + b"@mfp>")
    _one_printable_line(eod, noop)
    assert len(eod[0]) < 512


def _hostile_ehlo(lab: Lab, host: str) -> None:
    c = _open(lab, host, helo=b"evil.example\rX-Injected: yes")
    try:
        c.send(b"From: scanner@contoso.com\r\nSubject: Scan\r\n\r\nscan\r\n.\r\n")
        assert c.reply()[0].startswith("250 ")
        c.cmd("QUIT")
    finally:
        c.close()


@pytest.mark.parametrize("host", FRONT_ENDS)
async def test_a_cr_in_ehlo_cannot_add_a_header_field(lab: Lab, host: str) -> None:
    await asyncio.to_thread(_hostile_ehlo, lab, host)
    (message,) = lab.store.messages(mailbox="bob@contoso.com")
    head = message.raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r" not in head.replace(b"\r\n", b"")
    assert not any(line.startswith(b"X-Injected") for line in head.split(b"\r\n"))
    received = dict(message.headers_added)["Received"]
    assert received.startswith("from evil.example X-Injected: yes (203.0.113.39) by ")
