"""The header-block rules at end of data (From compliance, header size) and the full mailbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from exolab.emulator.mail.scan import scan
from exolab.emulator.policy import directsend, limits, submission
from exolab.emulator.policy.facts import EndOfData, MailCommand
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog
from tests.emulator.policy.factories import session, tenant

SCANNER = "scanner@contoso.com"
Check = Callable[[EndOfData], Verdict | None]
FRONT_ENDS: list[Check] = [submission.check_end_of_data, directsend.check_end_of_data]


def identified(t: Any = None, size: int = 1000, **kw: Any) -> EndOfData:
    facts = session(t, identity=SCANNER)
    return EndOfData(facts, size, ("alice@contoso.com",), (SCANNER,), **kw)


@pytest.mark.parametrize(
    ("head", "compliant"),
    [
        (b"From: scanner@contoso.com\r\n\r\n", True),
        (b'From: "Scan, 3F" <scanner@contoso.com>\r\n\r\n', True),
        (b"From: a@contoso.com, b@contoso.com\r\n\r\n", True),  # a mailbox-list is allowed
        (b"To: alice@contoso.com\r\n\r\n", False),  # no From
        (b"From: Scanner\r\n\r\n", False),  # a name only
        (b"From: \r\n\r\n", False),
        (b"From: <@contoso.com>\r\n\r\n", False),
        (b"From: a@contoso.com\r\nFrom: b@contoso.com\r\n\r\n", False),  # twice
    ],
)
def test_scan_judges_the_from_field(head: bytes, compliant: bool) -> None:
    assert scan(head + b"body\r\n").from_compliant is compliant


def test_scan_measures_the_header_block_only() -> None:
    head = b"From: scanner@contoso.com\r\nSubject: x\r\n\r\n"
    assert scan(head + b"y" * 5000).header_size == len(head)


@pytest.mark.parametrize("check", FRONT_ENDS)
def test_both_front_ends_refuse_a_noncompliant_from_with_5_7_512(check: Check) -> None:
    verdict = check(identified(from_compliant=False))
    assert verdict is not None and verdict.reply is catalog.EOD_FROM_INVALID
    assert (verdict.reply.code, verdict.reply.enhanced) == (550, "5.7.512")


@pytest.mark.parametrize("check", FRONT_ENDS)
def test_both_front_ends_refuse_a_header_over_the_limit(check: Check) -> None:
    ok = check(identified(header_size=262_144))
    assert ok is None or ok.accepted
    verdict = check(identified(header_size=262_145))
    assert verdict is not None and verdict.reply is catalog.EOD_HEADER_TOO_BIG
    assert (verdict.reply.code, verdict.reply.enhanced, verdict.reply.text) == (
        552,
        "5.3.4",
        "Header size exceeds fixed maximum size",
    )


def test_a_missing_from_is_reported_before_send_as() -> None:
    eod = identified(from_compliant=False, header_size=300)
    assert submission.check_end_of_data(eod).reply is catalog.EOD_FROM_INVALID


def test_mailbox_at_its_prohibit_send_quota_gets_554_5_2_2() -> None:
    full = tenant(
        f"Mailbox[{SCANNER}].ProhibitSendQuota=1000",
        f"Mailbox[{SCANNER}].TotalItemSize=1000",
    )
    room = tenant(
        f"Mailbox[{SCANNER}].ProhibitSendQuota=1000", f"Mailbox[{SCANNER}].TotalItemSize=999"
    )

    verdict = submission.check_end_of_data(identified(full, 500))
    assert verdict.reply is catalog.EOD_MAILBOX_FULL
    assert (verdict.reply.code, verdict.reply.enhanced) == (554, "5.2.2")
    assert verdict.reply.text.startswith("mailbox full; STOREDRV.Submission.Exception:")
    assert submission.check_end_of_data(identified(room, 500)).accepted
    assert submission.check_end_of_data(identified(None, 500)).accepted  # the demo mailbox has room


@pytest.mark.parametrize(
    ("helo", "bad"),
    [
        ("contoso-com.mail.protection.outlook.com", True),
        ("CONTOSO-COM.MAIL.PROTECTION.OUTLOOK.COM.", True),
        ("TYZPR04MB1234.apcprd04.prod.outlook.com", True),
        ("outlook.com", True),
        ("mfp-01.contoso.local", False),
        ("[203.0.113.39]", False),
        ("myoutlook.com", False),
    ],
)
def test_mx_refuses_a_helo_with_its_own_name(helo: str, bad: bool) -> None:
    facts = session(
        endpoint="contoso-com.mail.protection.outlook.com", port=25, helo=helo, tls_version=None
    )
    verdict = directsend.check_mail(MailCommand(facts, SCANNER))
    assert (verdict.reply is catalog.MAIL_BAD_HELO) is bad
    assert bad or verdict.accepted


def test_tenant_external_recipient_rate_limit_is_off_unless_set() -> None:
    assert not limits.tenant_external_limit_reached(tenant(), 10**9, 5)
    terrl = tenant("Limits.TenantExternalRecipientsPerDay=10")
    assert not limits.tenant_external_limit_reached(terrl, 8, 2)
    assert limits.tenant_external_limit_reached(terrl, 8, 3)
    assert not limits.tenant_external_limit_reached(terrl, 50, 0)  # internal mail never counts
