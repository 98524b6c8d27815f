"""The SMTP AUTH clients report: sessions made with smtplib (Basic) and XOAUTH2 on real sockets,
then read back from the API as JSON and as a CSV download; the pure function on its own."""

from __future__ import annotations

import asyncio
import csv
import io
import smtplib
import ssl
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from exolab.emulator.api import ApiService
from exolab.emulator.api.auth_report import (
    auth_clients_report,
    report_csv,
    safe_cell,
)
from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.entra import EntraService
from exolab.emulator.lab import Service
from exolab.emulator.server import Lab
from exolab.emulator.smtp.submission import SubmissionService
from exolab.emulator.store import SessionRecord
from tests.emulator import labs
from tests.emulator.entra.lab import HOST, fetch_token

SUBMISSION = "smtp.office365.com"
SCANNER = "scanner@contoso.com"
APP_ONLY = "5f0c2a8e-3a51-4c47-9d0e-1b5a6c7d8e90"
TID = "9188040d-6c67-4c5b-b112-36a304b66dad"
MESSAGE = "From: scanner@contoso.com\r\nTo: alice@contoso.com\r\nSubject: Scan\r\n\r\npage\r\n"


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Lab]:
    def services() -> list[Service]:
        return [SubmissionService(), EntraService(), ApiService()]

    async with labs.lab_factory(tmp_path, services) as start:
        yield await start(clock=FixedClock(utc(2026, 6, 1, 9, 0)))


def _client(lab: Lab, tls: ssl.TLSVersion | None) -> smtplib.SMTP:
    address, port = lab.endpoint(SUBMISSION, 587)
    context = ssl.create_default_context(cafile=str(lab.context.ca.pem_path))
    context.check_hostname = False
    if tls is not None:
        context.maximum_version = tls
    client = smtplib.SMTP(address, port, timeout=30)
    client.starttls(context=context)
    return client


def basic_session(lab: Lab, messages: int) -> None:
    """A scanner with AUTH LOGIN over TLS 1.2 sending ``messages`` messages on one connection."""
    with _client(lab, ssl.TLSVersion.TLSv1_2) as client:
        client.login(SCANNER, "Scan-2-Mail!")
        for _ in range(messages):
            client.sendmail(SCANNER, ["alice@contoso.com"], MESSAGE)


def oauth_session(lab: Lab, token: str) -> None:
    """The same scanner with XOAUTH2 (an app-only token) over TLS 1.3, one message."""
    with _client(lab, None) as client:
        client.ehlo()
        client.auth("XOAUTH2", lambda _=None: f"user={SCANNER}\x01auth=Bearer {token}\x01\x01")
        client.sendmail(SCANNER, ["alice@contoso.com"], MESSAGE)


def refused_session(lab: Lab) -> int:
    """alice follows the tenant's SMTP AUTH switch (off): refused, so not in the report."""
    with _client(lab, None) as client:
        try:
            client.login("alice@contoso.com", "Alice-Pass-1")
        except smtplib.SMTPAuthenticationError as refused:
            return int(refused.smtp_code)
    return 235


async def app_token(lab: Lab) -> str:
    address, port = lab.endpoint(HOST, 443)
    form = {
        "grant_type": "client_credentials",
        "client_id": APP_ONLY,
        "client_secret": "lab-secret-Xk7~scan.app",
        "scope": "https://outlook.office365.com/.default",
    }
    body = await fetch_token(
        address, port, lab.context.ca.pem_path, f"/{TID}/oauth2/v2.0/token", form
    )
    return str(body["access_token"])


async def test_basic_and_oauth_sessions_appear_with_counts_and_tls_versions(lab: Lab) -> None:
    await asyncio.to_thread(basic_session, lab, 2)
    await asyncio.to_thread(oauth_session, lab, await app_token(lab))
    assert await asyncio.to_thread(refused_session, lab) == 535
    await labs.sessions_recorded(lab, 3)
    base = f"{lab.context.endpoints.api}/api/reports/smtp-auth-clients"
    async with aiohttp.ClientSession() as http:
        async with http.get(base) as r:
            assert r.status == 200
            rows = await r.json()
        async with http.get(f"{base}?format=csv") as r:
            assert r.status == 200
            assert r.headers["Content-Type"].startswith("text/csv")
            disposition = r.headers["Content-Disposition"]
            text = await r.text()
    (row,) = rows  # alice's refused sign-in sent nothing and is not listed
    assert row["sender"] == SCANNER and row["domain"] == "contoso.com"
    assert (row["basic_sign_ins"], row["oauth_sign_ins"]) == (1, 1)
    assert row["protocol"] == "Basic, OAuth"
    assert row["messages"] == 3
    assert row["tls_versions"] == ["TLSv1.2", "TLSv1.3"]
    assert row["tls_percent"] == {"TLS 1.0": 0, "TLS 1.1": 0, "TLS 1.2": 67, "TLS 1.3": 33}
    assert disposition.startswith("attachment;") and "smtp-auth-clients.csv" in disposition
    header, *records = list(csv.reader(io.StringIO(text)))
    assert header[0] == "Sender address" and "Messages sent" in header
    (record,) = records
    parsed = dict(zip(header, record, strict=True))
    assert parsed["Sender address"] == SCANNER
    assert parsed["Authentication protocol"] == "Basic, OAuth"
    assert (parsed["Basic sign-ins"], parsed["OAuth sign-ins"]) == ("1", "1")
    assert parsed["TLS versions"] == "TLS 1.2 TLS 1.3"
    assert parsed["Messages sent"] == "3"


async def test_an_unknown_format_is_refused(lab: Lab) -> None:
    url = f"{lab.context.endpoints.api}/api/reports/smtp-auth-clients?format=xlsx"
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        assert r.status == 400


RECORD = SessionRecord(
    id=1,
    endpoint=SUBMISSION,
    port=587,
    client="127.20.0.10",
    public_ip="203.0.113.39",
    site="office",
    started_at=utc(2026, 6, 1, 9),
    tls_version="TLSv1.2",
    identity='=HYPERLINK("http://x")@contoso.com',
    auth_method="LOGIN",
    outcome="delivered 1 message(s)",
)


def test_csv_cells_a_spreadsheet_would_run_are_neutralised() -> None:
    text = report_csv(auth_clients_report([RECORD]))
    _, record = list(csv.reader(io.StringIO(text)))
    assert record[0] == '\'=hyperlink("http://x")@contoso.com'  # addresses are compared lower-cased
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in record)
    assert [safe_cell(v) for v in ("+1", "-1", "@SUM(A1)", "\tx", "plain", 3)] == [
        "'+1", "'-1", "'@SUM(A1)", "'\tx", "plain", "3",
    ]  # fmt: skip


def test_only_successful_sign_ins_on_client_submission_count() -> None:
    sessions = [
        RECORD,
        replace(RECORD, id=2, identity=None, auth_method=None, outcome="refused: 535 5.7.139"),
        replace(RECORD, id=3, endpoint="smtp.hve.mx.microsoft"),
        replace(RECORD, id=4, auth_method="XOAUTH2", tls_version="TLSv1.3",
                outcome="fault f1: delivered 2 message(s), 250 lost"),
    ]  # fmt: skip
    (row,) = auth_clients_report(sessions)
    assert (row.basic_sign_ins, row.oauth_sign_ins, row.messages) == (1, 1, 3)
    assert row.tls_sign_ins == {"TLSv1.2": 1, "TLSv1.3": 1}


def test_raw_bytes_in_a_recorded_identity_still_make_a_utf8_csv() -> None:
    raw = replace(RECORD, identity="scan\udcffner@contoso.com")
    text = report_csv(auth_clients_report([raw]))
    assert "scan\\xffner@contoso.com" in text
    text.encode("utf-8")
