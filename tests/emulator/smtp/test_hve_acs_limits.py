"""HVE and ACS size, recipient and header limits, and ACS's one mechanism, on real sockets.

Each refusal is met with smtplib over STARTTLS on the lab's loopback
addresses. The size limits are lowered by tenant settings so a test sends
kilobytes, not 10 MB; the defaults themselves are checked on the model.
"""

from __future__ import annotations

import asyncio
import base64
import smtplib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from exolab.emulator.clock import FixedClock, utc
from exolab.emulator.server import Lab
from exolab.emulator.smtp.acs import AcsService
from exolab.emulator.smtp.hve import HveService
from exolab.emulator.tenant import load_default_tenant
from tests.emulator import labs
from tests.emulator.labs import LabFactory, sessions_recorded
from tests.emulator.smtp.conftest import FAST, client_context
from tests.emulator.smtp.wire import MATCHER

T = TypeVar("T")
HVE, ACS = "smtp.hve.mx.microsoft", "smtp.azurecomm.net"
HVE_USER, HVE_PASSWORD = "scan-hve@contoso.com", "Hve-Scan-1!"
ACS_USER, ACS_SECRET = "acs-scanner", "lab-acs-secret~1"
ACS_SENDER = "DoNotReply@notify.contoso.com"
NOW = utc(2026, 6, 1, 9, 0)
"""Inside HVE's basic-auth window (it ends in September 2028, lab clock)."""

SMALL = 4096
"""The lowered size limit the size tests run with (bytes)."""


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[LabFactory]:
    async with labs.lab_factory(tmp_path, lambda: [HveService(), AcsService()], *FAST) as factory:

        async def start_on_now(*pairs: str) -> Lab:
            return await factory(*pairs, clock=FixedClock(NOW))

        yield start_on_now


async def in_thread(fn: Callable[[], T]) -> T:
    return await asyncio.to_thread(fn)


def signed_in(lab: Lab, host: str) -> smtplib.SMTP:
    address, bound = lab.endpoint(host, 587)
    client = smtplib.SMTP(local_hostname="mfp-01", source_address=("127.20.0.10", 0), timeout=10)
    client._host = host  # type: ignore[attr-defined]  # SNI and name check for the simulated host
    client.connect(address, bound)
    client.starttls(context=client_context(lab))
    client.ehlo()
    if host == HVE:
        client.login(HVE_USER, HVE_PASSWORD)
    else:
        client.login(ACS_USER, ACS_SECRET)
    return client


def sender_of(host: str) -> str:
    return HVE_USER if host == HVE else ACS_SENDER


def message(head: str, body_bytes: int = 20) -> bytes:
    return (head + "\r\n" + "x" * body_bytes + "\r\n").encode()


def plain_head(host: str) -> str:
    return f"From: {sender_of(host)}\r\nTo: bob@contoso.com\r\nSubject: Scan\r\n"


def end_of_data(lab: Lab, host: str, raw: bytes) -> tuple[int, str]:
    """MAIL (no SIZE=), RCPT, DATA: the reply after the final dot."""
    with signed_in(lab, host) as client:
        assert client.mail(sender_of(host))[0] == 250
        assert client.rcpt("bob@contoso.com")[0] == 250
        code, text = client.data(raw)
        return code, text.decode().split(" [")[0]


async def decided_by(lab: Lab, rule: str) -> None:
    sessions = await sessions_recorded(lab)
    assert any(note.startswith(rule) for note in sessions[0].notes), sessions[0].notes
    assert all(MATCHER.which(x.line) for x in sessions[0].transcript if x.dir == "S")


def test_the_documented_limits_are_the_defaults() -> None:
    tenant = load_default_tenant()
    assert tenant.high_volume_email.max_message_size == 10 * 1024 * 1024
    (resource,) = tenant.communication_service
    assert resource.max_message_size == 10 * 1024 * 1024
    assert resource.max_recipients_per_message == 50


@pytest.mark.parametrize(
    ("host", "setting", "rule"),
    [
        (HVE, f"HighVolumeEmail.MaxMessageSize={SMALL}", "hve_size_parameter_within_limit"),
        (
            ACS,
            f"CommunicationService[contoso-acs].MaxMessageSize={SMALL}",
            "acs_size_parameter_within_limit",
        ),
    ],
)
async def test_size_parameter_over_the_limit_is_refused_at_mail(
    start: LabFactory, host: str, setting: str, rule: str
) -> None:
    lab = await start(setting)

    def run() -> tuple[int, bytes]:
        with signed_in(lab, host) as client:
            return client.mail(sender_of(host), [f"SIZE={SMALL + 1}"])

    code, text = await in_thread(run)
    assert (code, text.decode().split(" [")[0]) == (
        552,
        "5.3.4 Message size exceeds fixed maximum message size",
    )
    await decided_by(lab, rule)


@pytest.mark.parametrize(
    ("host", "setting", "rule"),
    [
        (HVE, f"HighVolumeEmail.MaxMessageSize={SMALL}", "hve_message_size_within_limit"),
        (
            ACS,
            f"CommunicationService[contoso-acs].MaxMessageSize={SMALL}",
            "acs_message_size_within_limit",
        ),
    ],
)
async def test_a_message_over_the_limit_without_size_is_refused_after_data(
    start: LabFactory, host: str, setting: str, rule: str
) -> None:
    lab = await start(setting)
    raw = message(plain_head(host), body_bytes=SMALL + 100)
    assert await in_thread(lambda: end_of_data(lab, host, raw)) == (
        552,
        "5.3.4 Message size exceeds fixed maximum message size",
    )
    assert lab.store.messages() == []
    await decided_by(lab, rule)


async def test_a_message_at_the_limit_is_delivered(start: LabFactory) -> None:
    lab = await start(f"CommunicationService[contoso-acs].MaxMessageSize={SMALL}")
    head = plain_head(ACS)
    # smtplib's data() turns the final line break into CRLF.CRLF: the message is what we pass
    raw = message(head, body_bytes=SMALL - len(head) - 4)
    code, _ = await in_thread(lambda: end_of_data(lab, ACS, raw))
    assert code == 250


async def test_the_acs_fifty_first_recipient(start: LabFactory) -> None:
    lab = await start()

    def run() -> tuple[list[int], tuple[int, bytes]]:
        with signed_in(lab, ACS) as client:
            client.mail(ACS_SENDER)
            codes = [client.rcpt(f"user{n}@fabrikam.com")[0] for n in range(50)]
            return codes, client.rcpt("one-more@fabrikam.com")

    codes, (code, text) = await in_thread(run)
    assert codes == [250] * 50
    assert (code, text.decode().split(" [")[0]) == (452, "4.5.3 Too many recipients")
    await decided_by(lab, "acs_recipients_per_message")


@pytest.mark.parametrize("host", [HVE, ACS])
@pytest.mark.parametrize(
    "from_field",
    ["", "From: Scanner\r\n", "From: {sender}\r\nFrom: {sender}\r\n"],
    ids=["no-from", "name-only", "two-froms"],
)
async def test_a_missing_or_malformed_from_is_5_7_512(
    start: LabFactory, host: str, from_field: str
) -> None:
    lab = await start()
    head = from_field.format(sender=sender_of(host)) + "To: bob@contoso.com\r\nSubject: Scan\r\n"
    assert await in_thread(lambda: end_of_data(lab, host, message(head))) == (
        550,
        "5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant",
    )
    assert lab.store.messages() == []
    # HVE is Exchange Online: the same rule as smtp.office365.com; ACS has its own (CHOSEN)
    await decided_by(lab, "header_from_compliant" if host == HVE else "acs_header_from_compliant")


@pytest.mark.parametrize("host", [HVE, ACS])
async def test_a_header_block_over_the_limit_is_552_5_3_4(start: LabFactory, host: str) -> None:
    lab = await start("Limits.MaxHeaderSize=1024")
    head = plain_head(host) + "".join(f"X-Scan-{n}: {'y' * 60}\r\n" for n in range(20))
    assert await in_thread(lambda: end_of_data(lab, host, message(head))) == (
        552,
        "5.3.4 Header size exceeds fixed maximum size",
    )
    assert lab.store.messages() == []


async def test_acs_refuses_xoauth2_as_a_mechanism_it_never_advertised(start: LabFactory) -> None:
    lab = await start()
    address, bound = lab.endpoint(ACS, 587)
    token = base64.b64encode(f"user={ACS_USER}\x01auth=Bearer abc\x01\x01".encode()).decode()

    def run() -> tuple[str, tuple[int, bytes]]:
        client = smtplib.SMTP(local_hostname="mfp-01", timeout=10)
        client._host = ACS  # type: ignore[attr-defined]
        with client:
            client.connect(address, bound)
            client.starttls(context=client_context(lab))
            client.ehlo()
            return client.esmtp_features["auth"], client.docmd("AUTH", f"XOAUTH2 {token}")

    advertised, (code, text) = await in_thread(run)
    assert advertised.split() == ["LOGIN"]
    assert (code, text.decode().split(" [")[0]) == (504, "5.7.4 Unrecognized authentication type")
    await decided_by(lab, "acs_login_only")
