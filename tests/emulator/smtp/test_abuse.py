"""Protection against abuse, over real sockets: brute force, slow clients, connection floods,
credentials that must never echo, a log one client cannot flood, and port 465's silence."""

from __future__ import annotations

import asyncio
import base64
import logging
import smtplib
import ssl
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from exolab.devices.profile import Timeouts
from exolab.emulator.clock import FixedClock
from exolab.emulator.entra import EntraService
from exolab.emulator.lab import Service
from exolab.emulator.server import Lab
from exolab.emulator.smtp.gatekeeper import LOG_LINES_PER_SESSION, LOG_TEXT_LIMIT, SessionLog
from exolab.emulator.smtp.submission import SubmissionService
from exolab.emulator.tenant.model import LabSettings
from tests.emulator import labs
from tests.emulator.labs import TEST_TIME, LabFactory, sessions_recorded
from tests.emulator.smtp.conftest import FAST, client_context
from tests.emulator.smtp.wire import RawClient

ALICE, ALICE_PASSWORD = "alice@contoso.com", "Alice-Pass-1"
SCANNER, SCANNER_PASSWORD = "scanner@contoso.com", "Scan-2-Mail!"
LOCKED = (
    "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be "
    "authenticated successfully."
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def tls_client(lab: Lab, source: str = "127.20.0.10") -> RawClient:
    c = RawClient(*lab.endpoint("smtp.office365.com", 587), source=source)
    c.reply()
    c.cmd("EHLO mfp-01")
    assert c.starttls(client_context(lab))[0].startswith("220")
    c.cmd("EHLO mfp-01")
    return c


def login(c: RawClient, user: str, password: str) -> str:
    assert c.cmd("AUTH LOGIN")[0] == "334 VXNlcm5hbWU6"
    assert c.cmd(b64(user))[0] == "334 UGFzc3dvcmQ6"
    return c.cmd(b64(password))[0]


# -- brute force --------------------------------------------------------------------------


async def test_smart_lockout_refuses_even_the_right_password_until_it_ends(
    lab_factory: LabFactory,
) -> None:
    clock = FixedClock(TEST_TIME)
    lab = await lab_factory(
        "PasswordRuleSettings.LockoutThreshold=3", "Limits.MaxLogonFailures=20", clock=clock
    )

    def talk() -> list[str]:
        c = tls_client(lab)
        said = [login(c, SCANNER, p) for p in ("wrong-1", "wrong-1", "wrong-2", "wrong-3")]
        said.append(login(c, SCANNER, SCANNER_PASSWORD))  # locked: refused although right
        clock.advance(61)  # LockoutDurationInSeconds is 60
        said.append(login(c, SCANNER, SCANNER_PASSWORD))
        c.cmd("QUIT")
        c.close()
        return said

    said = await asyncio.to_thread(talk)
    # the repeated bad password is not counted: the third distinct one locks the account
    assert all(line.startswith("535 5.7.3 Authentication unsuccessful") for line in said[:4])
    assert said[4].startswith(LOCKED)
    assert said[5] == "235 2.7.0 Authentication successful"
    [session] = await sessions_recorded(lab)
    assert any(n.startswith("account_not_locked: smart lockout") for n in session.notes)


async def test_the_lockout_is_shared_with_the_token_endpoint(tmp_path: Path) -> None:
    def services() -> list[Service]:
        return [SubmissionService(), EntraService()]

    async with labs.lab_factory(tmp_path, services, *FAST) as start:
        lab = await start("PasswordRuleSettings.LockoutThreshold=2")

        def lock() -> None:
            c = tls_client(lab)
            assert login(c, ALICE, "wrong-1").startswith("535 5.7.3")
            c.close()
            c = tls_client(
                lab
            )  # a second connection: the count is the account's, not the session's
            assert login(c, ALICE, "wrong-2").startswith("535 5.7.3")
            assert login(c, ALICE, ALICE_PASSWORD).startswith(LOCKED)
            c.close()

        await asyncio.to_thread(lock)
        address, port = lab.endpoint("login.microsoftonline.com", 443)
        form = {
            "grant_type": "password",
            "client_id": "c0ffee00-1d2e-4f3a-9b8c-7d6e5f4a3b2c",
            "scope": "https://outlook.office.com/SMTP.Send offline_access",
            "username": ALICE,
            "password": ALICE_PASSWORD,
        }
        ctx = ssl.create_default_context(cafile=str(lab.context.ca.pem_path))
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"https://{address}:{port}/contoso.com/oauth2/v2.0/token",
                data=form,
                ssl=ctx,
                server_hostname="login.microsoftonline.com",
                headers={"Host": "login.microsoftonline.com"},
            ) as resp,
        ):
            status, body = resp.status, await resp.json()
    assert status == 400 and body["error"] == "invalid_grant"
    assert body["error_codes"] == [50053]
    assert body["error_description"].startswith("AADSTS50053: The account is locked")


async def test_the_third_failed_auth_closes_the_connection(lab: Lab) -> None:
    def talk() -> tuple[list[str], bool]:
        c = tls_client(lab)
        said = [login(c, ALICE, p) for p in ("wrong-1", "wrong-2", "wrong-3")]
        closed = c.closed()
        c.close()
        return said, closed

    said, closed = await asyncio.to_thread(talk)
    assert all(line.startswith("535 5.7.3") for line in said) and closed
    [session] = await sessions_recorded(lab)
    assert any(n.startswith("max_logon_failures: 3") for n in session.notes)


# -- credentials never echo ------------------------------------------------------------------


async def test_a_password_pipelined_after_a_refused_auth_never_echoes(
    lab: Lab, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = b64(ALICE_PASSWORD)

    def talk() -> list[str]:
        c = RawClient(*lab.endpoint("smtp.office365.com", 587))
        c.reply()
        c.cmd("EHLO mfp-01")
        # before STARTTLS AUTH is refused; a pipelining device has already sent its answers
        c.send(f"AUTH LOGIN\r\n{b64(ALICE)}\r\n{secret}\r\n".encode())
        said = [c.reply()[0] for _ in range(3)]
        c.cmd("QUIT")
        c.close()
        return said

    said = await asyncio.to_thread(talk)
    assert said[0].startswith("504 5.7.4")
    assert said[1].startswith("500 5.3.3 Unrecognized command 'unknown'")
    [session] = await sessions_recorded(lab)
    stored = [line.line for line in session.transcript] + list(session.notes) + said
    logged = [record.getMessage() for record in caplog.records]
    for text in (secret, secret.upper(), b64(ALICE).upper()):
        assert not any(text in line for line in stored), text
        assert not any(text in line for line in logged), text


# -- the log ---------------------------------------------------------------------------------


async def test_client_text_in_the_log_is_bounded(
    lab: Lab, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    junk = [(f"X{i}" + "\x01\x1b[31m" + "A" * 1000) for i in range(4)]

    def fuzz() -> None:
        c = RawClient(*lab.endpoint("smtp.office365.com", 587))
        c.reply()
        for line in junk:
            c.cmd(line)
        c.cmd("MAIL FROM:<" + "B" * 1500 + "@contoso.com>")
        c.cmd("QUIT")
        c.close()

    await asyncio.to_thread(fuzz)
    await sessions_recorded(lab)
    messages = [record.getMessage() for record in caplog.records]
    assert messages, "the session logged its unrecognized commands"
    assert all(len(m) <= 2 * LOG_TEXT_LIMIT for m in messages), max(map(len, messages))
    assert not any("\x1b" in m or "\x01" in m for m in messages)


def test_a_session_log_stops_after_its_budget(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    session = SessionLog(logging.getLogger("exolab.test"), "7")
    for i in range(3 * LOG_LINES_PER_SESSION):
        session.log(logging.INFO, "line %s", f"{i}")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == LOG_LINES_PER_SESSION + 1
    assert lines[-1] == "session 7: further log lines of this session are suppressed"
    assert session.suppressed == 2 * LOG_LINES_PER_SESSION


# -- slow clients and connection floods ------------------------------------------------------


def drip(c: RawClient, data: bytes, gap: float) -> str:
    """Send ``data`` a byte at a time; the first line the server says (it should cut us off)."""
    c.sock.settimeout(gap)
    try:
        for byte in data:
            try:
                c.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            try:
                return c.line()
            except TimeoutError:
                continue
    finally:
        c.sock.settimeout(10)
    return c.line()


def send_one(lab: Lab, source: str) -> dict[str, tuple[int, bytes]]:
    address, port = lab.endpoint("smtp.office365.com", 587)
    with smtplib.SMTP(local_hostname="mfp-02", source_address=(source, 0), timeout=10) as s:
        s._host = "smtp.office365.com"  # type: ignore[attr-defined]
        s.connect(address, port)
        s.starttls(context=client_context(lab))
        s.login(SCANNER, SCANNER_PASSWORD)
        return s.sendmail(
            SCANNER,
            ["bob@contoso.com"],
            b"From: scanner@contoso.com\r\nSubject: next door\r\n\r\nok\r\n",
        )


async def test_a_dripping_body_is_cut_at_the_session_deadline(lab_factory: LabFactory) -> None:
    lab = await lab_factory("Limits.ConnectionTimeout=2", "Lab.MinDataRate=0")
    in_data = threading.Event()

    def dripper() -> tuple[str, bool]:
        c = tls_client(lab)
        assert login(c, SCANNER, SCANNER_PASSWORD).startswith("235")
        c.cmd("MAIL FROM:<scanner@contoso.com>")
        c.cmd("RCPT TO:<alice@contoso.com>")
        assert c.cmd("DATA")[0].startswith("354")
        in_data.set()
        line = drip(c, b"Subject: slow\r\n\r\n" + b"x" * 400, 0.05)
        closed = c.closed()
        c.close()
        return line, closed

    def neighbour() -> dict[str, tuple[int, bytes]]:
        assert in_data.wait(10)
        return send_one(lab, "127.20.0.20")

    (line, closed), refused = await asyncio.gather(
        asyncio.to_thread(dripper), asyncio.to_thread(neighbour)
    )
    assert line.startswith("421 4.4.1 Connection timed out. Total session duration: ") and closed
    assert refused == {}, "the client next to the dripping one delivered"
    sessions = await sessions_recorded(lab, 2)
    assert any(any(n.startswith("connection_timeout") for n in s.notes) for s in sessions)


async def test_a_slow_bdat_chunk_is_cut_by_the_minimum_data_rate(lab_factory: LabFactory) -> None:
    lab = await lab_factory("Lab.MinDataRate=1000", "Lab.DataRateWindow=0.3")

    def talk() -> tuple[str, bool]:
        c = tls_client(lab)
        assert login(c, SCANNER, SCANNER_PASSWORD).startswith("235")
        c.cmd("MAIL FROM:<scanner@contoso.com>")
        c.cmd("RCPT TO:<alice@contoso.com>")
        c.send(b"BDAT 5000 LAST\r\n")
        line = drip(c, b"y" * 400, 0.02)  # 50 bytes a second at best
        closed = c.closed()
        c.close()
        return line, closed

    line, closed = await asyncio.to_thread(talk)
    assert line.startswith("421 4.4.1 Connection timed out.") and closed
    [session] = await sessions_recorded(lab)
    assert any(n.startswith("min_data_rate") for n in session.notes)


async def test_the_connection_caps_refuse_with_a_catalog_reply(lab_factory: LabFactory) -> None:
    lab = await lab_factory(
        "Limits.MaxInboundConnectionPerSource=2", "Limits.MaxInboundConnection=3"
    )
    address, port = lab.endpoint("smtp.office365.com", 587)

    def talk() -> tuple[list[str], list[str]]:
        held = [RawClient(address, port) for _ in range(2)]
        banners = [c.reply()[0] for c in held]
        third = RawClient(address, port)  # the same source: over its share
        over_source = third.line()
        assert third.closed()
        other = RawClient(address, port, source="127.20.0.20")  # another source still gets in
        banners.append(other.reply()[0])
        fourth = RawClient(address, port, source="127.20.0.30")  # the lab is full
        over_total = fourth.line()
        assert fourth.closed()
        for c in [*held, third, other, fourth]:
            c.close()
        return banners, [over_source, over_total]

    banners, refusals = await asyncio.to_thread(talk)
    assert all(b.startswith("220 ") for b in banners)
    assert refusals[0].startswith(
        "421 4.3.2 The maximum number of concurrent connections has exceeded a limit"
    )
    assert refusals[1].startswith("421 4.3.2 Service not available, closing transmission channel")
    assert lab.context.connections.refused == 2


# -- port 465 ----------------------------------------------------------------------------------


def test_port_465_is_held_far_longer_than_any_device_waits() -> None:
    waits = Timeouts()
    hold = LabSettings().port_465_hold
    assert hold >= 10 * waits.connect and hold > waits.banner


@pytest.fixture
async def default_lab(tmp_path: Path) -> AsyncIterator[Lab]:
    async with labs.lab_factory(tmp_path, lambda: [SubmissionService()]) as start:
        yield await start()


async def test_a_client_on_465_always_meets_its_own_timeout(default_lab: Lab) -> None:
    def talk() -> tuple[bool, bool]:
        c = RawClient(*default_lab.endpoint("smtp.office365.com", 465), timeout=1.0)
        c.send(b"\x16\x03\x01\x00\x05hello")  # a ClientHello, never answered
        try:
            c.sock.recv(100)
            timed_out = False
        except TimeoutError:
            timed_out = True
        c.sock.setblocking(False)
        try:
            still_open = c.sock.recv(1) != b""
        except BlockingIOError:
            still_open = True
        c.close()
        return timed_out, still_open

    timed_out, still_open = await asyncio.to_thread(talk)
    assert timed_out and still_open, "nothing received and the server never closed first"
    [session] = await sessions_recorded(default_lab)
    assert session.port == 465
