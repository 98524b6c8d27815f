"""XOAUTH2 end to end: a token from the lab's HTTPS token service, then SMTP on real sockets.

Python smtplib (with and without the initial response) and curl (--oauth2-bearer)
deliver; a token signed by another key is refused 535 5.7.3 with the failed check
in the session note; the tenant switch blocks OAuth; after the basic-auth
retirement date basic LOGIN gets 535 5.7.139 (default off) while XOAUTH2 still delivers.
"""

from __future__ import annotations

import asyncio
import random
import smtplib
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.dns import LabDns
from exolab.emulator.entra import EntraService, SigningKey
from exolab.emulator.entra.tokens import Subject, build_claims, sign
from exolab.emulator.lab import PortPlan, Service
from exolab.emulator.server import Lab
from exolab.emulator.smtp.submission import SubmissionService
from exolab.emulator.store.model import SessionRecord as StoredSession
from exolab.emulator.tenant import Tenant, load_default_tenant, parse_assignment
from tests.emulator.entra import conftest
from tests.emulator.entra.lab import HOST, fetch_token

TID = "9188040d-6c67-4c5b-b112-36a304b66dad"
APP_ONLY = "5f0c2a8e-3a51-4c47-9d0e-1b5a6c7d8e90"
SECRET = "lab-secret-Xk7~scan.app"
PANEL_APP = "c0ffee00-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
SUBMISSION = "smtp.office365.com"
MESSAGE = (
    "From: scanner@contoso.com\r\nTo: alice@contoso.com\r\nSubject: Scan\r\n"
    "Message-ID: <scan-1@contoso.com>\r\n\r\nscanned page\r\n"
)


async def start_lab(tmp_path: Path, tenant: Tenant, clock: FixedClock) -> Lab:
    services: list[Service] = [LabDns(), SubmissionService(), EntraService()]
    return await Lab.start(tenant, tmp_path / "lab", PortPlan(ephemeral=True), clock, services)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(utc(2026, 6, 1, 9, 0))


@pytest.fixture
async def lab(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Lab]:
    async with await start_lab(tmp_path, load_default_tenant(), clock) as running:
        yield running


async def token_for(lab: Lab, form: dict[str, str], tenant: str = TID) -> str:
    address, port = lab.endpoint(HOST, 443)
    body = await fetch_token(
        address, port, lab.context.ca.pem_path, f"/{tenant}/oauth2/v2.0/token", form
    )
    assert "access_token" in body, body
    return str(body["access_token"])


async def app_only_token(lab: Lab) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": APP_ONLY,
        "client_secret": SECRET,
        "scope": "https://outlook.office365.com/.default",
    }
    return await token_for(lab, form)


async def delegated_token(lab: Lab, user: str, password: str) -> str:
    form = {
        "grant_type": "password",
        "client_id": PANEL_APP,
        "username": user,
        "password": password,
        "scope": "https://outlook.office.com/SMTP.Send offline_access",
    }
    return await token_for(lab, form, "organizations")


def smtp_session(lab: Lab, host: str = SUBMISSION) -> smtplib.SMTP:
    address, port = lab.endpoint(host, 587)
    client = smtplib.SMTP(timeout=30)
    client.connect(address, port)
    client._host = host  # type: ignore[attr-defined]  # SNI and name check use the real name
    client.ehlo("MFP-OAUTH")
    client.starttls(context=ssl.create_default_context(cafile=str(lab.context.ca.pem_path)))
    client.ehlo("MFP-OAUTH")
    return client


def xoauth2(user: str, token: str) -> str:
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def send_with_token(
    lab: Lab, user: str, token: str, *, initial: bool = True, host: str = SUBMISSION
) -> tuple[int, bytes]:
    client = smtp_session(lab, host)
    try:
        assert "xoauth2" in client.esmtp_features["auth"].lower()
        code, text = client.auth(
            "XOAUTH2", lambda _=None: xoauth2(user, token), initial_response_ok=initial
        )
        client.sendmail(user, ["alice@contoso.com"], MESSAGE)
        return code, text
    finally:
        client.quit()


def auth_reply(lab: Lab, user: str, token: str) -> tuple[int, bytes]:
    client = smtp_session(lab)
    try:
        client.auth("XOAUTH2", lambda _=None: xoauth2(user, token))
    except smtplib.SMTPAuthenticationError as exc:
        assert isinstance(exc.smtp_error, bytes)  # smtplib's own replies are bytes
        return exc.smtp_code, exc.smtp_error
    finally:
        client.close()
    return 235, b""


async def test_smtplib_delivers_with_an_app_only_token(lab: Lab) -> None:
    token = await app_only_token(lab)
    code, text = await asyncio.to_thread(send_with_token, lab, "scanner@contoso.com", token)
    assert (code, text) == (235, b"2.7.0 Authentication successful")


async def test_smtplib_without_initial_response_and_on_the_legacy_endpoint(lab: Lab) -> None:
    token = await delegated_token(lab, "scanner@contoso.com", "Scan-2-Mail!")
    code, _ = await asyncio.to_thread(
        send_with_token, lab, "scanner@contoso.com", token, initial=False
    )
    assert code == 235
    code, _ = await asyncio.to_thread(
        send_with_token, lab, "scanner@contoso.com", token, host="smtp-legacy.office365.com"
    )
    assert code == 235


async def test_token_signed_by_another_key_is_refused(lab: Lab, clock: FixedClock) -> None:
    other: SigningKey = conftest._OTHER_KEY
    claims = build_claims(
        tenant_id=TID,
        app_id=APP_ONLY,
        audience="https://outlook.office365.com",
        subject=Subject("app", "6a1d3c9b-2f4e-4d8a-b7c6-5e4f3a2b1c0d"),
        now=clock.now(),
        lifetime=3600,
        rng=random.Random(1),
        roles=("SMTP.SendAsApp",),
    )
    forged = sign(claims, other)
    code, text = await asyncio.to_thread(auth_reply, lab, "scanner@contoso.com", forged)
    assert code == 535
    assert text.startswith(b"5.7.3 Authentication unsuccessful [")
    record = await recorded_session(lab, "token.signature")
    transcript = "\n".join(line.line for line in record.transcript)
    assert forged not in transcript  # the bearer token is redacted in the stored transcript


async def recorded_session(lab: Lab, check: str) -> StoredSession:
    """The stored session whose notes name ``check`` (sessions are written when they end)."""
    for _ in range(200):
        for record in lab.store.sessions():
            if any(check in note for note in record.notes):
                return record
        await asyncio.sleep(0.02)
    raise AssertionError(
        f"no session note names {check}: {[r.notes for r in lab.store.sessions()]}"
    )


async def test_wrong_user_for_the_token_is_refused(lab: Lab) -> None:
    token = await app_only_token(lab)
    code, text = await asyncio.to_thread(auth_reply, lab, "alice@contoso.com", token)
    assert code == 535 and text.startswith(b"5.7.3 ")


async def test_tenant_switch_blocks_oauth(lab: Lab) -> None:
    # alice follows the tenant-wide SmtpClientAuthenticationDisabled = true of the demo tenant
    token = await delegated_token(lab, "alice@contoso.com", "Alice-Pass-1")
    code, text = await asyncio.to_thread(auth_reply, lab, "alice@contoso.com", token)
    assert code == 535
    assert text.startswith(
        b"5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
    )


async def test_after_retirement_basic_fails_and_oauth_delivers(tmp_path: Path) -> None:
    tenant = load_default_tenant(
        [
            parse_assignment(p)
            for p in ("Lab.AsOf=2027-01-15", "BasicAuthRetirement.ReEnabled=false")
        ]
    )
    clock = FixedClock(utc(2027, 1, 15, 9, 0))
    async with await start_lab(tmp_path, tenant, clock) as lab:

        def basic() -> tuple[int, bytes]:
            client = smtp_session(lab)
            try:
                client.login("scanner@contoso.com", "Scan-2-Mail!")
            except smtplib.SMTPAuthenticationError as exc:
                assert isinstance(exc.smtp_error, bytes)  # smtplib's own replies are bytes
                return exc.smtp_code, exc.smtp_error
            finally:
                client.close()
            return 235, b""

        code, text = await asyncio.to_thread(basic)
        assert code == 535
        assert text.startswith(
            b"5.7.139 Authentication unsuccessful, basic authentication is disabled."
        )
        token = await app_only_token(lab)
        code, _ = await asyncio.to_thread(send_with_token, lab, "scanner@contoso.com", token)
        assert code == 235


@pytest.mark.external
async def test_curl_delivers_with_oauth2_bearer(lab: Lab, tmp_path: Path) -> None:
    token = await app_only_token(lab)
    address, port = lab.endpoint(SUBMISSION, 587)
    mail = tmp_path / "scan.eml"
    mail.write_text(MESSAGE)
    args = [
        "curl", "--silent", "--show-error", "--ssl-reqd",
        "--cacert", str(lab.context.ca.pem_path),
        "--resolve", f"{SUBMISSION}:{port}:{address}",
        "--login-options", "AUTH=XOAUTH2",
        "--user", "scanner@contoso.com",
        "--oauth2-bearer", token,
        "--mail-from", "scanner@contoso.com",
        "--mail-rcpt", "alice@contoso.com",
        "--upload-file", str(mail),
        f"smtp://{SUBMISSION}:{port}",
    ]  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
