"""smtp.hve.mx.microsoft / smtp-hve.office365.com end to end: real sockets, real TLS, smtplib.

Each refusal of High Volume Email is met here on the wire, with the demo
tenant's HVE account scan-hve@contoso.com, while the tenant's
``SmtpClientAuthenticationDisabled`` stays true (the demo default).
"""

from __future__ import annotations

import asyncio
import base64
import random
import smtplib
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.entra import lab_signing_key
from exolab.emulator.entra.tokens import Subject, build_claims, sign
from exolab.emulator.server import Lab
from exolab.emulator.smtp.hve import HveService
from exolab.emulator.smtp.submission import SubmissionService
from tests.emulator import labs
from tests.emulator.labs import LabFactory, sessions_recorded
from tests.emulator.smtp.conftest import FAST, client_context
from tests.emulator.smtp.wire import MATCHER

T = TypeVar("T")
HVE, HVE_OLD = "smtp.hve.mx.microsoft", "smtp-hve.office365.com"
ACCOUNT, PASSWORD = "scan-hve@contoso.com", "Hve-Scan-1!"
APP = "5f0c2a8e-3a51-4c47-9d0e-1b5a6c7d8e90"
TID = "9188040d-6c67-4c5b-b112-36a304b66dad"
NOW = utc(2026, 6, 1, 9, 0)


def message(sender: str = ACCOUNT, to: str = "bob@contoso.com") -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: Scan\r\nMessage-ID: <hve-1@printer>\r\n\r\n"
        "PDF follows\r\n"
    ).encode()


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[LabFactory]:
    """Labs on ``NOW`` unless a test says otherwise: HVE's basic auth ends in September 2028
    (lab clock), and these tests are about what happens while it is supported."""
    async with labs.lab_factory(
        tmp_path, lambda: [HveService(), SubmissionService()], *FAST
    ) as factory:

        async def start_inside_basic_auth(*pairs: str, clock: FixedClock | None = None) -> Lab:
            return await factory(*pairs, clock=clock or FixedClock(NOW))

        yield start_inside_basic_auth


async def in_thread(fn: Callable[[], T]) -> T:
    return await asyncio.to_thread(fn)


def connect(lab: Lab, host: str = HVE) -> smtplib.SMTP:
    address, bound = lab.endpoint(host, 587)
    client = smtplib.SMTP(local_hostname="mfp-01", source_address=("127.20.0.10", 0), timeout=10)
    client._host = host  # type: ignore[attr-defined]  # SNI and name check for the simulated host
    client.connect(address, bound)
    client.starttls(context=client_context(lab))
    client.ehlo()
    return client


def refusal(fn: Callable[[smtplib.SMTP], object], lab: Lab) -> tuple[int, str]:
    """The (code, text) of the first refusal while running ``fn`` on a TLS session."""
    with connect(lab) as client:
        try:
            fn(client)
        except smtplib.SMTPResponseException as exc:
            return exc.smtp_code, _text(exc.smtp_error)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            return code, text.decode()
    raise AssertionError("no refusal")


def send(client: smtplib.SMTP, sender: str = ACCOUNT, to: str = "bob@contoso.com") -> None:
    client.login(ACCOUNT, PASSWORD)
    client.sendmail(sender, [to], message())


async def test_basic_auth_delivers_while_smtp_auth_is_disabled_for_the_tenant(
    start: LabFactory,
) -> None:
    lab = await start()
    assert lab.context.tenant.transport_config.smtp_client_authentication_disabled
    for host in (HVE, HVE_OLD):

        def run(host: str = host) -> dict[str, tuple[int, bytes]]:
            with connect(lab, host) as client:
                client.login(ACCOUNT, PASSWORD)
                return client.sendmail(ACCOUNT, ["bob@contoso.com"], message())

        assert await in_thread(run) == {}
    placed = [(m.mailbox, m.folder) for m in lab.store.messages()]
    # no Sent Items: an HVE account is a mail user, not a mailbox
    assert placed == [("bob@contoso.com", "Inbox")] * 2
    sessions = await sessions_recorded(lab, 2)
    assert all(s.identity == ACCOUNT for s in sessions)
    for s in sessions:
        assert all(MATCHER.which(x.line) for x in s.transcript if x.dir == "S")


async def test_a_mailbox_cannot_sign_in_to_hve(start: LabFactory) -> None:
    lab = await start()
    code, text = await in_thread(
        lambda: refusal(lambda c: c.login("scanner@contoso.com", "Scan-2-Mail!"), lab)
    )
    assert (code, text.split(" [")[0]) == (535, "5.7.3 Authentication unsuccessful")


async def test_wrong_password(start: LabFactory) -> None:
    lab = await start()
    code, text = await in_thread(lambda: refusal(lambda c: c.login(ACCOUNT, "nope"), lab))
    assert code == 535 and text.startswith("5.7.3 Authentication unsuccessful")


@pytest.mark.parametrize(
    "pairs",
    [
        ("HveAccount[scan-hve@contoso.com].AllowBasicAuthSmtp=false",),
        ("SecurityDefaults.IsEnabled=true",),
    ],
)
async def test_organization_configuration_refuses_basic(
    start: LabFactory, pairs: tuple[str, ...]
) -> None:
    lab = await start(*pairs)
    code, text = await in_thread(lambda: refusal(lambda c: c.login(ACCOUNT, PASSWORD), lab))
    assert code == 535
    assert text.startswith(
        "5.7.139 Authentication unsuccessful, the organization configuration doesn't allow"
    )


async def test_the_accounts_own_policy_wins_over_the_default(start: LabFactory) -> None:
    lab = await start("AuthenticationPolicy.AllowBasicAuthSmtp=false")

    def run() -> int:
        with connect(lab) as client:
            return client.login(ACCOUNT, PASSWORD)[0]

    assert await in_thread(run) == 235


async def test_basic_auth_after_september_2028(start: LabFactory) -> None:
    lab = await start(clock=FixedClock(utc(2028, 9, 2, 9, 0)))
    code, text = await in_thread(lambda: refusal(lambda c: c.login(ACCOUNT, PASSWORD), lab))
    assert (code, text.split(" [")[0]) == (
        535,
        "5.7.139 Authentication unsuccessful, basic authentication is disabled.",
    )


async def test_outside_recipient(start: LabFactory) -> None:
    lab = await start()
    code, text = await in_thread(lambda: refusal(lambda c: send(c, to="partner@fabrikam.com"), lab))
    assert (code, text.split(" [")[0]) == (
        550,
        "5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
    )


async def test_fifty_first_recipient(start: LabFactory) -> None:
    lab = await start()

    def run() -> tuple[list[int], int]:
        with connect(lab) as client:
            client.login(ACCOUNT, PASSWORD)
            client.mail(ACCOUNT)
            codes = [client.rcpt("bob@contoso.com")[0] for _ in range(50)]
            return codes, client.rcpt("alice@contoso.com")[0]

    codes, last = await in_thread(run)
    assert codes == [250] * 50 and last == 452


async def test_foreign_sender(start: LabFactory) -> None:
    lab = await start()
    code, text = await in_thread(
        lambda: refusal(lambda c: send(c, sender="scanner@contoso.com"), lab)
    )
    assert code == 550 and text.startswith("5.7.62 ")


async def test_foreign_header_from(start: LabFactory) -> None:
    lab = await start()

    def run(client: smtplib.SMTP) -> None:
        client.login(ACCOUNT, PASSWORD)
        client.sendmail(ACCOUNT, ["bob@contoso.com"], message(sender="alice@contoso.com"))

    code, text = await in_thread(lambda: refusal(run, lab))
    assert code == 550 and text.startswith("5.6.241 ")
    assert lab.store.messages() == []


async def test_missing_billing_policy(start: LabFactory) -> None:
    lab = await start('HveAccount[scan-hve@contoso.com].BillingPolicyId=""')
    code, text = await in_thread(lambda: refusal(send, lab))
    assert code == 550 and "NoProperBillingPolicyStored" in text


async def test_tls_1_1_is_refused_at_the_handshake(start: LabFactory) -> None:
    lab = await start()
    address, bound = lab.endpoint(HVE, 587)

    def run() -> None:
        with smtplib.SMTP(address, bound, local_hostname="mfp-01", timeout=10) as client:
            client.starttls(context=client_context(lab, "1.1", by_name=False))

    with pytest.raises((OSError, smtplib.SMTPException)):
        await in_thread(run)


# -- XOAUTH2 -------------------------------------------------------------------------------------


def token(lab: Lab, now: datetime, app: str = APP, lifetime: int = 3600) -> str:
    claims = build_claims(
        tenant_id=TID,
        app_id=app,
        audience="https://outlook.office365.com",
        subject=Subject("app", "6a1d3c9b-2f4e-4d8a-b7c6-5e4f3a2b1c0d"),
        now=now,
        lifetime=lifetime,
        rng=random.Random(1),
        roles=("SMTP.SendAsApp",),
    )
    return sign(claims, lab_signing_key(lab.context.data_dir))


def xoauth2(user: str, bearer: str) -> str:
    return base64.b64encode(f"user={user}\x01auth=Bearer {bearer}\x01\x01".encode()).decode()


def auth_reply(lab: Lab, argument: str) -> tuple[int, str]:
    with connect(lab) as client:
        code, text = client.docmd("AUTH", f"XOAUTH2 {argument}")
        return code, text.decode()


ALLOWED = (
    f'HveAccount[scan-hve@contoso.com].AllowedAppIds=["{APP}"]',
    "HveAccount[scan-hve@contoso.com].AppAccessChanged=2026-05-01T00:00:00Z",
)


async def test_xoauth2_for_an_allowed_app_delivers(start: LabFactory) -> None:
    lab = await start(*ALLOWED, clock=FixedClock(NOW))
    bearer = token(lab, NOW)

    def run() -> dict[str, tuple[int, bytes]]:
        with connect(lab) as client:
            code, _ = client.docmd("AUTH", f"XOAUTH2 {xoauth2(ACCOUNT, bearer)}")
            assert code == 235
            return client.sendmail(ACCOUNT, ["alice@contoso.com"], message(to="alice@contoso.com"))

    assert await in_thread(run) == {}


async def test_xoauth2_app_not_on_the_allowed_list(start: LabFactory) -> None:
    lab = await start(clock=FixedClock(NOW))
    code, text = await in_thread(lambda: auth_reply(lab, xoauth2(ACCOUNT, token(lab, NOW))))
    assert code == 535 and text.startswith("5.7.144 XOAUTH2 authentication failed.")
    sessions = await sessions_recorded(lab)
    assert any("app.not_allowed" in n for n in sessions[0].notes)


async def test_xoauth2_allowed_app_waits_for_the_change_to_take_effect(
    start: LabFactory,
) -> None:
    just_now = (NOW - timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lab = await start(
        ALLOWED[0],
        f"HveAccount[scan-hve@contoso.com].AppAccessChanged={just_now}",
        clock=FixedClock(NOW),
    )
    code, _ = await in_thread(lambda: auth_reply(lab, xoauth2(ACCOUNT, token(lab, NOW))))
    assert code == 535


async def test_xoauth2_expired_and_expiring_tokens(start: LabFactory) -> None:
    lab = await start(*ALLOWED, clock=FixedClock(NOW))
    old = token(lab, NOW - timedelta(hours=2))
    soon = token(lab, NOW - timedelta(seconds=3570))
    assert (await in_thread(lambda: auth_reply(lab, xoauth2(ACCOUNT, old))))[1].startswith(
        "5.7.143 Expired token"
    )
    assert (await in_thread(lambda: auth_reply(lab, xoauth2(ACCOUNT, soon))))[1].startswith(
        "5.7.142 Token will expire soon"
    )


@pytest.mark.parametrize(
    ("raw", "enhanced"),
    [
        ("not base64!", "5.5.121"),
        (base64.b64encode(b"garbage").decode(), "5.5.122"),
        (base64.b64encode(b"auth=Bearer x\x01\x01").decode(), "5.5.123"),
        (base64.b64encode(b"user=scan-hve@contoso.com\x01\x01").decode(), "5.5.124"),
        (base64.b64encode(b"user=a@contoso.com\x01auth=Basic x\x01\x01").decode(), "5.5.125"),
        (base64.b64encode(b"user=a@contoso.com\x01auth=Bearer \x01\x01").decode(), "5.5.126"),
    ],
)
async def test_xoauth2_argument_errors(start: LabFactory, raw: str, enhanced: str) -> None:
    lab = await start()
    code, text = await in_thread(lambda: auth_reply(lab, raw))
    assert code == 501 and text.startswith(f"{enhanced} Invalid XOAUTH2 argument")
