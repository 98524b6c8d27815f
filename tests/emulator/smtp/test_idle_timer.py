"""The idle timer: one timer per session, pushed back by activity, still firing after silence."""

from __future__ import annotations

import asyncio

from exolab.emulator.server import Lab
from exolab.emulator.smtp.base import ExchangeSMTP
from tests.emulator.labs import LabFactory
from tests.emulator.smtp.wire import MATCHER


def _held(lab: Lab) -> ExchangeSMTP:
    frontends = lab.services[0].frontends  # type: ignore[attr-defined]
    (held,) = [c for f in frontends for c in f.live if isinstance(c, ExchangeSMTP)]
    return held


async def _say(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, line: str) -> str:
    writer.write(line.encode() + b"\r\n")
    while True:
        got = (await reader.readline()).decode()
        if got[3:4] != "-":
            return got.strip()


async def test_commands_push_the_deadline_back_without_scheduling_a_timer_each(
    lab: Lab,
) -> None:
    reader, writer = await asyncio.open_connection(*lab.endpoint("smtp.office365.com", 587))
    try:
        await reader.readline()
        assert (await _say(reader, writer, "EHLO mfp")).startswith("250")
        held = _held(lab)
        timer, deadline = held._timeout_handle, held._idle_deadline
        for _ in range(3):
            assert (await _say(reader, writer, "NOOP")).startswith("250")
        assert held._timeout_handle is timer  # aiosmtpd's own: a new timer per line
        assert held._idle_deadline > deadline
    finally:
        writer.close()


async def test_a_client_busy_past_the_idle_timeout_stays_and_is_cut_once_silent(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory("Lab.IdleTimeout=0.4")
    reader, writer = await asyncio.open_connection(*lab.endpoint("smtp.office365.com", 587))
    try:
        await reader.readline()
        for _ in range(5):  # a command every 0.15 s: 0.75 s in all, never 0.4 s silent
            assert (await _say(reader, writer, "NOOP")).startswith("250")
            await asyncio.sleep(0.15)
        line = (await asyncio.wait_for(reader.readline(), 10)).decode().strip()
        assert MATCHER.which(line) == "session.idle_timeout"
    finally:
        writer.close()
