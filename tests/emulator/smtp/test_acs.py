"""smtp.azurecomm.net end to end: real sockets, real TLS, smtplib, the demo SMTP Username."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from exolab.emulator.entra import EntraService
from exolab.emulator.server import Lab
from exolab.emulator.smtp.acs import AcsService
from tests.emulator import labs
from tests.emulator.entra.lab import fetch_token
from tests.emulator.labs import LabFactory, sessions_recorded
from tests.emulator.smtp.conftest import FAST, client_context

T = TypeVar("T")
ACS = "smtp.azurecomm.net"
USERNAME, SECRET = "acs-scanner", "lab-acs-secret~1"
SENDER = "DoNotReply@notify.contoso.com"
APP = "3c0a5e11-ac50-4d1e-9f2a-6b7c8d9e0f1a"
TID = "9188040d-6c67-4c5b-b112-36a304b66dad"


def message(to: str) -> bytes:
    return f"From: {SENDER}\r\nTo: {to}\r\nSubject: Scan\r\n\r\nPDF follows\r\n".encode()


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[LabFactory]:
    async with labs.lab_factory(tmp_path, lambda: [AcsService()], *FAST) as factory:
        yield factory


async def in_thread(fn: Callable[[], T]) -> T:
    return await asyncio.to_thread(fn)


def connect(lab: Lab) -> smtplib.SMTP:
    address, bound = lab.endpoint(ACS, 587)
    client = smtplib.SMTP(local_hostname="mfp-01", source_address=("127.20.0.10", 0), timeout=10)
    client._host = ACS  # type: ignore[attr-defined]  # SNI and name check for the simulated host
    client.connect(address, bound)
    client.starttls(context=client_context(lab))
    client.ehlo()
    return client


def attempt(lab: Lab, user: str = USERNAME, secret: str = SECRET, sender: str = SENDER) -> str:
    """``ok`` or the first refusal as ``code enhanced text``."""
    with connect(lab) as client:
        try:
            client.login(user, secret)
            client.sendmail(sender, ["bob@contoso.com", "partner@fabrikam.com"], message("bob"))
        except smtplib.SMTPResponseException as exc:
            return f"{exc.smtp_code} {_text(exc.smtp_error)}".split(" [")[0]
    return "ok"


async def test_delivers_inside_and_outside_the_tenant(start: LabFactory) -> None:
    lab = await start()
    assert await in_thread(lambda: attempt(lab)) == "ok"
    placed = sorted((m.mailbox, m.folder) for m in lab.store.messages())
    assert placed == [("bob@contoso.com", "Inbox"), ("donotreply@notify.contoso.com", "Outbound")]


async def test_the_older_username_form_signs_in(start: LabFactory) -> None:
    lab = await start()
    assert await in_thread(lambda: attempt(lab, user=f"contoso-acs.{APP}.{TID}")) == "ok"


@pytest.mark.parametrize(
    ("pairs", "kwargs", "expected", "rule"),
    [
        ((), {"user": "nobody"}, "535 5.7.3 Authentication unsuccessful", "acs_username_known"),
        (
            (),
            {"secret": "wrong"},
            "535 5.7.3 Authentication unsuccessful",
            "acs_client_secret_valid",
        ),
        (
            (f"App[{APP}].ClientSecretEndDateTime=2020-01-01T00:00:00Z",),
            {},
            "535 5.7.3 Authentication unsuccessful",
            "acs_client_secret_not_expired",
        ),
        (
            ("CommunicationService[contoso-acs].RoleAssignment=[]",),
            {},
            "535 5.7.3 Authentication unsuccessful",
            "acs_app_has_role",
        ),
        ((), {"sender": "scanner@contoso.com"}, "550 5.7.1 Sender", "acs_sender_verified"),
        (
            ("EmailDomain[notify.contoso.com].Verified=false",),
            {},
            "550 5.7.1 Sender",
            "acs_sender_verified",
        ),
    ],
)
async def test_refusals(
    start: LabFactory,
    pairs: tuple[str, ...],
    kwargs: dict[str, str],
    expected: str,
    rule: str,
) -> None:
    lab = await start(*pairs)
    assert (await in_thread(lambda: attempt(lab, **kwargs))).startswith(expected)
    sessions = await sessions_recorded(lab)
    assert any(note.startswith(rule) for note in sessions[0].notes), sessions[0].notes


async def test_mail_without_auth(start: LabFactory) -> None:
    lab = await start()

    def run() -> tuple[int, bytes]:
        with connect(lab) as client:
            return client.mail(SENDER)

    code, text = await in_thread(run)
    assert code == 530 and text.startswith(b"5.7.57 Client not authenticated to send mail.")


async def test_the_thirty_first_message_in_a_minute(start: LabFactory) -> None:
    lab = await start()

    def run() -> tuple[list[int], tuple[int, bytes]]:
        with connect(lab) as client:
            client.login(USERNAME, SECRET)
            codes = []
            for _ in range(30):
                client.sendmail(SENDER, ["bob@contoso.com"], message("bob"))
                codes.append(250)
            return codes, client.mail(SENDER)

    codes, (code, text) = await in_thread(run)
    assert len(codes) == 30
    assert code == 451 and b"30 messages per minute" in text


async def test_the_hourly_limit(start: LabFactory) -> None:
    lab = await start("CommunicationService[contoso-acs].MessagesPerHour=2")

    def run() -> tuple[int, bytes]:
        with connect(lab) as client:
            client.login(USERNAME, SECRET)
            for _ in range(2):
                client.sendmail(SENDER, ["bob@contoso.com"], message("bob"))
            return client.mail(SENDER)

    code, text = await in_thread(run)
    assert code == 451 and b"2 messages per hour" in text


async def test_an_expired_secret_is_refused_by_the_token_service_and_the_relay(
    tmp_path: Path,
) -> None:
    """The same expired secret: AADSTS7000222 over HTTPS, 535 5.7.3 over SMTP."""
    expired = f"App[{APP}].ClientSecretEndDateTime=2020-01-01T00:00:00Z"
    async with labs.lab_factory(tmp_path, lambda: [AcsService(), EntraService()], *FAST) as start:
        lab = await start(expired)
        address, port = lab.endpoint("login.microsoftonline.com", 443)
        form = {
            "grant_type": "client_credentials",
            "client_id": APP,
            "client_secret": SECRET,
            "scope": "https://communication.azure.com/.default",
        }
        answer = await fetch_token(
            address, port, lab.context.ca.pem_path, f"/{TID}/oauth2/v2.0/token", form
        )
        assert answer["error"] == "invalid_client"
        assert answer["error_codes"] == [7000222]
        assert f"client secret keys for app '{APP}' are expired" in str(answer["error_description"])
        assert await in_thread(lambda: attempt(lab)) == "535 5.7.3 Authentication unsuccessful"
        sessions = await sessions_recorded(lab)
        assert any(n.startswith("acs_client_secret_not_expired") for n in sessions[0].notes)
