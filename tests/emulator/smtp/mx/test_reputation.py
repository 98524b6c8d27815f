"""IP reputation, tenant attribution and the ATTR55 fault over real sockets: smtplib as the device."""

from __future__ import annotations

import asyncio
import smtplib

from exolab.emulator.server import Lab
from tests.emulator.labs import LabFactory
from tests.emulator.smtp.mx.conftest import MX

MESSAGE = b"From: scanner@contoso.com\r\nTo: alice@contoso.com\r\nSubject: Scan\r\n\r\nPDF\r\n"
OFFICE, BRANCH, HOME, ELSEWHERE = "127.20.0.10", "127.20.0.20", "127.20.0.30", "127.20.0.99"


def rcpt_reply(lab: Lab, source: str, sender: str, recipient: str) -> tuple[int, str]:
    address, port = lab.endpoint(MX, 25)
    with smtplib.SMTP(address, port, source_address=(source, 0), timeout=20) as client:
        client.ehlo("mfp-01.contoso.local")
        code, _ = client.mail(sender)
        assert code == 250
        code, text = client.rcpt(recipient)
        return code, text.decode()


async def test_each_reputation_and_attribution_reply_reaches_the_wire(
    lab_factory: LabFactory,
) -> None:
    lab = await lab_factory(
        'Blocklist.BannedSenders=["203.0.113.39"]',
        'Blocklist.ThrottledIps=["198.51.100.77"]',
        'Blocklist.IPBlockList=["198.51.100.250"]',
        'InboundConnector[Branch].SenderIPAddresses=["198.51.100.20"]',
        "InboundConnector[Branch].SendsToRegion=EUR",
        "ExternalDomain[tailspin.com].HostedInMicrosoft365=true",
        "ExternalDomain[tailspin.com].MailEnabledSubscriptions=false",
    )
    cases = [
        (OFFICE, "alice@contoso.com", 550, "5.7.511 Access denied, banned sender[203.0.113.39]. "
         "To request removal from this list, forward this message to delist@microsoft.com."),
        (HOME, "alice@contoso.com", 451, "4.7.650 The mail server [198.51.100.77] has been "
         "temporarily rate limited due to IP reputation."),
        (ELSEWHERE, "alice@contoso.com", 550, "5.7.513 Service unavailable, Client host "
         "[198.51.100.250] blocked by contoso.com using Customer Block list (AS16012607)"),
        (BRANCH, "partner@fabrikam.com", 451, "4.4.62 Mail sent to the wrong Office 365 region. "
         "ATTR35. For more information go to <https://go.microsoft.com/fwlink/p/?linkid=865268>."),
        (ELSEWHERE, "bo@tailspin.com", 550, "4.4.4 Mail received as unauthenticated, incoming to "
         "a recipient domain configured in a hosted tenant which has no mail-enabled "
         "subscriptions. ATTR5"),
    ]  # fmt: skip
    for source, recipient, code, text in cases:
        got = await asyncio.to_thread(rcpt_reply, lab, source, "scanner@contoso.com", recipient)
        assert got[0] == code, (source, got)
        assert got[1].startswith(text), (source, got)
    assert lab.store.messages() == []


async def test_a_fault_rule_naming_4_3_2_sends_the_attr55_text(lab_factory: LabFactory) -> None:
    lab = await lab_factory(
        "Fault[attr55].Stage=rcpt", "Fault[attr55].Reply=4.3.2", "Fault[attr55].Count=1"
    )
    first = await asyncio.to_thread(
        rcpt_reply, lab, OFFICE, "scanner@contoso.com", "alice@contoso.com"
    )
    assert first == (451, "4.3.2 Temporary server error. Please try again later ATTR55")
    again = await asyncio.to_thread(
        rcpt_reply, lab, OFFICE, "scanner@contoso.com", "alice@contoso.com"
    )
    assert again[0] == 250
