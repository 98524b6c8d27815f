"""The message rate, federated sign-in and a busy recipient store over real sockets (smtplib)."""

from __future__ import annotations

import asyncio
import smtplib
from datetime import timedelta

import pytest

from exolab.emulator.server import Lab
from tests.emulator import labs
from tests.emulator.labs import LabFactory
from tests.emulator.smtp.conftest import client_context

SCANNER, PASSWORD = "scanner@contoso.com", "Scan-2-Mail!"
MESSAGE = b"From: scanner@contoso.com\r\nTo: bob@contoso.com\r\nSubject: Scan\r\n\r\nPDF\r\n"


def connect(lab: Lab) -> smtplib.SMTP:
    address, port = lab.endpoint("smtp.office365.com", 587)
    client = smtplib.SMTP(address, port, source_address=("127.20.0.10", 0), timeout=20)
    client._host = "smtp.office365.com"  # type: ignore[attr-defined]  # SNI, as a device sends
    client.starttls(context=client_context(lab, by_name=False))
    return client


def send_several(lab: Lab, count: int) -> list[int]:
    """``count`` messages on one connection; the DATA reply code of each."""
    codes = []
    with connect(lab) as client:
        client.login(SCANNER, PASSWORD)
        for _ in range(count):
            client.mail(SCANNER)
            client.rcpt("bob@contoso.com")
            codes.append(client.data(MESSAGE)[0])
    return codes


async def test_a_message_over_the_rate_gets_250_at_once_and_is_released_a_minute_later(
    lab_factory: LabFactory,
) -> None:
    # smtplib's 20 s timeout fails the send if the reply is held for the minute
    lab = await lab_factory("Limits.MessagesPerMinute=2")
    now = lab.context.clock.now()
    assert await asyncio.to_thread(send_several, lab, 3) == [250, 250, 250]
    inbox = lab.store.messages("bob@contoso.com", "Inbox")
    assert [m.received_at - now for m in inbox] == [
        timedelta(0),
        timedelta(0),
        timedelta(seconds=60),
    ]
    sessions = await labs.sessions_recorded(lab)
    assert any("delayed, released at" in note for s in sessions for note in s.notes)


async def test_reject_gives_a_temporary_refusal_and_stores_nothing_more(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory("Limits.MessagesPerMinute=2", "Limits.MessageRateAction=reject")
    assert await asyncio.to_thread(send_several, lab, 3) == [250, 250, 451]
    assert len(lab.store.messages("bob@contoso.com", "Inbox")) == 2


@pytest.mark.parametrize(
    ("state", "text"),
    [
        ("unreachable", "5.7.139 Authentication unsuccessful, federated STS service was unreachable."),
        ("not_https", "5.7.139 Authentication unsuccessful, the federated STS URL does not support HTTPS."),
    ],
)  # fmt: skip
async def test_a_federated_user_whose_sts_fails_cannot_sign_in(
    lab_factory: LabFactory, state: str, text: str
) -> None:
    lab = await lab_factory(f"Mailbox[{SCANNER}].FederatedSts={state}")

    def login() -> tuple[int, str]:
        with connect(lab) as client:
            try:
                client.login(SCANNER, PASSWORD)
            except smtplib.SMTPAuthenticationError as refused:
                error = refused.smtp_error
                return refused.smtp_code, error.decode() if isinstance(error, bytes) else error
        raise AssertionError("signed in")

    code, reply = await asyncio.to_thread(login)
    assert code == 535 and reply.startswith(text)


async def test_a_busy_recipient_store_gets_432_and_nothing_is_stored(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory("Mailbox[bob@contoso.com].RecipientThreadLimited=true")

    def send() -> tuple[int, bytes]:
        with connect(lab) as client:
            client.login(SCANNER, PASSWORD)
            client.mail(SCANNER)
            client.rcpt("bob@contoso.com")
            return client.data(MESSAGE)

    code, reply = await asyncio.to_thread(send)
    assert code == 432
    assert reply.decode().startswith("4.3.2 STOREDRV.Deliver; recipient thread limit exceeded")
    assert lab.store.messages() == []


async def test_over_the_hourly_limit_from_one_sender_the_recipient_is_reported_in_an_ndr(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory("Limits.RecipientMessagesPerHourPerSender=1")
    assert await asyncio.to_thread(send_several, lab, 2) == [250, 250]
    assert len(lab.store.messages("bob@contoso.com", "Inbox")) == 1
    [ndr] = lab.store.messages(SCANNER, "Inbox")
    assert b"5.2.121" in ndr.raw and b"bob@contoso.com" in ndr.raw


async def test_a_trial_tenant_over_its_external_limit_reports_5_7_232(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory("Limits.TenantExternalRecipientsPerDay=1", "Tenant.Trial=true")

    def send() -> tuple[int, bytes]:
        with connect(lab) as client:
            client.login(SCANNER, PASSWORD)
            client.mail(SCANNER)
            client.rcpt("partner@fabrikam.com")
            client.rcpt("sales@fabrikam.com")
            return client.data(MESSAGE)

    code, _ = await asyncio.to_thread(send)
    assert code == 250
    [ndr] = lab.store.messages(SCANNER, "Inbox")
    assert b"5.7.232" in ndr.raw and b"trial tenant" in ndr.raw
