"""The JSON shapes of messages and sessions: always valid UTF-8 JSON, whatever a client sent.

A client's bytes that are not UTF-8 are kept exactly in the store (as lone
surrogates once read); every view shows each such byte as ``\\xNN``.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.dns import LabDns
from exolab.emulator.lab import Service
from exolab.emulator.smtp.mx import MxService
from exolab.emulator.store import Placement, SessionRecord, Store, TranscriptLine
from exolab.emulator.store.views import message_json, session_json, shown
from tests.emulator import labs
from tests.emulator.labs import LabFactory
from tests.emulator.smtp.wire import RawClient

MX = "contoso-com.mail.protection.outlook.com"
EXOLAB = [sys.executable, "-m", "exolab.cli"]
ROOT = Path(__file__).resolve().parents[3]
CLOCK = FixedClock(utc(2026, 11, 27, 9, 30))


@pytest.fixture
async def lab_factory(tmp_path: Path) -> AsyncIterator[LabFactory]:
    def services() -> list[Service]:
        return [LabDns(), MxService()]

    async with labs.lab_factory(tmp_path, services, "Lab.UnknownCommandDelay=0") as start:
        yield start


def test_shown_escapes_raw_bytes_and_leaves_text_alone() -> None:
    assert shown("\udcff@contoso.com") == "\\xff@contoso.com"
    assert shown("スキャン <scan@contoso.com>") == "スキャン <scan@contoso.com>"
    assert shown("\ud800 lone") == "\\ud800 lone"  # no byte stands for it: still printable


def test_views_hold_no_surrogates(tmp_path: Path) -> None:
    store = Store.open(tmp_path, clock=CLOCK)
    try:
        raw_from = "\udcff\udcfe@contoso.com"
        placement = Placement("alice@contoso.com", "Inbox", (("Received", "from \udce9vil"),))
        (row,) = store.commit_delivery(1, raw_from, b"Subject: \xff\r\n\r\nx", [placement])
        record = SessionRecord(
            1,
            "mx",
            25,
            "127.20.0.10",
            "203.0.113.39",
            None,
            CLOCK.now(),
            transcript=(TranscriptLine(0.0, "C", "MAIL FROM:<\udcff@contoso.com>"),),
            notes=("sender \udcff",),
            outcome="refused \udcff",
            extra={"helo": "\udcff"},
        )
        store.record_session(record)
        views = [message_json(m) for m in store.messages(id=row)]
        views += [session_json(s) for s in store.sessions()]
    finally:
        store.close()
    text = json.dumps(views, ensure_ascii=False)
    text.encode("utf-8")  # strict: raises on any surrogate left
    assert views[0]["envelope_from"] == "\\xff\\xfe@contoso.com"
    assert views[1]["transcript"][0]["line"] == "MAIL FROM:<\\xff@contoso.com>"


def _hostile_session(address: str, port: int) -> None:
    c = RawClient(address, port, source="127.20.0.10")
    try:
        c.reply()
        c.send(b"EHLO mfp-\xff\xfe.contoso.local\r\n")
        c.reply()
        c.send(b"MAIL FROM:<\xff@contoso.com>\r\n")
        c.reply()
        c.cmd("RCPT TO:<alice@contoso.com>")
        c.cmd("DATA")
        c.send(
            b"From: <\xff@contoso.com>\r\nSubject: caf\xe9\r\nMessage-ID: <\xfe@mfp>\r\n\r\nx\r\n.\r\n"
        )
        c.reply()
        c.send(b"X\xff\xfe\r\n")
        c.reply()
        c.cmd("QUIT")
    finally:
        c.close()


def _cli(*argv: str) -> str:
    """A real ``exolab`` process whose stdout refuses anything but UTF-8; its output."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    proc = subprocess.run(
        [*EXOLAB, *argv], cwd=ROOT, env=env, capture_output=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return proc.stdout.decode("utf-8")  # strict


def _cli_json(*argv: str) -> object:
    proc = subprocess.run(
        [*EXOLAB, *argv, "--json"], cwd=ROOT, capture_output=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return json.loads(proc.stdout.decode("utf-8"))  # strict UTF-8, then JSON


async def test_cli_json_is_valid_utf8_after_a_client_sent_raw_bytes(
    lab_factory: LabFactory, tmp_path: Path
) -> None:
    lab = await lab_factory()
    await asyncio.to_thread(_hostile_session, *lab.endpoint(MX, 25))
    await labs.sessions_recorded(lab)
    await lab.stop()
    data = tmp_path / "lab0"
    sessions = _cli_json("sessions", "--data", str(data))
    messages = _cli_json("messages", "--data", str(data))
    assert isinstance(sessions, list) and isinstance(messages, list)
    lines = [x["line"] for s in sessions for x in s["transcript"]]
    assert "MAIL FROM:<\\xff@contoso.com>" in lines, lines
    assert [m["envelope_from"] for m in messages] == ["\\xff@contoso.com"]
    assert "\\xff@contoso.com" in _cli("messages", "--data", str(data))
    assert "delivered 1 message(s)" in _cli("sessions", "--data", str(data))


def test_decoded_subject_and_attachment_names_of_a_japanese_scan() -> None:
    from exolab.emulator.store.model import StoredMessage
    from exolab.emulator.store.views import (
        attachments_of,
        decoded_subject,
        message_json,
        subject_of,
    )
    from tests.cli.test_listings import FILE_NAME, SUBJECT, japanese_scan

    stored = StoredMessage(
        1, "", "alice@contoso.com", "Inbox", "s@contoso.com", ("alice@contoso.com",),
        10, None, (), japanese_scan(), None, utc(2026, 6, 1),
    )  # fmt: skip
    assert subject_of(stored).startswith("=?iso-2022-jp?")
    assert decoded_subject(subject_of(stored)) == SUBJECT
    assert [a["filename"] for a in attachments_of(stored)] == [FILE_NAME]
    shape = message_json(stored)
    assert shape["subject_decoded"] == SUBJECT and shape["attachments"][0]["size"] == 9


def test_a_broken_message_has_no_attachments_and_keeps_its_subject() -> None:
    from exolab.emulator.store.model import StoredMessage
    from exolab.emulator.store.views import attachments_of, decoded_subject

    body = b"Subject: =?x-unknown?B?AAAA?=\r\nContent-Type: multipart/mixed\r\n\r\n\xff\xfe"
    stored = StoredMessage(
        1, "", "a@contoso.com", "Inbox", "", (), len(body), None, (), body, None, utc(2026, 6, 1)
    )
    assert attachments_of(stored) == []
    assert decoded_subject("=?x-unknown?B?AAAA?=") == "=?x-unknown?B?AAAA?="
