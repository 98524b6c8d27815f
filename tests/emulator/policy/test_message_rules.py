"""MAIL, RCPT, DATA and end-of-data rules, and the sans-IO limit counters."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from exolab.emulator.policy import submission
from exolab.emulator.policy.auth import auth_success
from exolab.emulator.policy.facts import DataCommand, EndOfData, MailCommand, RcptCommand
from exolab.emulator.policy.limits import SubmissionCounters, rate_delay
from exolab.emulator.replies import catalog
from tests.emulator.policy.factories import session, tenant

SCANNER = "scanner@contoso.com"


def mail(address: str | None = SCANNER, size: int | None = None, **kw: Any) -> MailCommand:
    kw.setdefault("identity", SCANNER)
    return MailCommand(session(**kw), address, size)


def test_mail_without_auth_gets_530_and_names_the_last_error() -> None:
    v = submission.check_mail(mail(identity=None))
    assert v.reply is catalog.MAIL_NOT_AUTHENTICATED
    failed = auth_success(SCANNER, "LOGIN")  # any verdict stands in for the last error
    v = submission.check_mail(mail(identity=None, last_auth_error=failed))
    assert "last AUTH failed" in v.reason


def test_mail_checks() -> None:
    assert submission.check_mail(mail()).reply is catalog.MAIL_OK
    assert submission.check_mail(mail(helo=None)).reply is catalog.HELLO_FIRST
    assert submission.check_mail(mail("alice@contoso.com")).reply is catalog.MAIL_SEND_AS_DENIED
    assert submission.check_mail(mail("")).reply is catalog.MAIL_SEND_AS_DENIED
    assert submission.check_mail(mail(None)).reply is catalog.MAIL_SYNTAX
    assert submission.check_mail(mail(size=157_286_401)).reply is catalog.MAIL_SIZE_EXCEEDED
    assert submission.check_mail(mail(size=157_286_400)).reply is catalog.MAIL_OK
    assert submission.check_mail(mail(mail_from=SCANNER)).reply is catalog.MAIL_NESTED
    t = tenant("Mailbox[scanner@contoso.com].RestrictedSender=true")
    assert submission.check_mail(mail(t=t)).reply is catalog.MAIL_BAD_OUTBOUND_SENDER


def test_send_as_grant_and_proxy_address() -> None:
    t = tenant('Mailbox[frontdesk@contoso.com].SendAsTrustees=["scanner@contoso.com"]')
    assert submission.check_mail(mail("frontdesk@contoso.com", t=t)).accepted
    t = tenant('Mailbox[scanner@contoso.com].EmailAddresses=["scan@contoso.com"]')
    assert submission.check_mail(mail("SCAN@contoso.com", t=t)).accepted


def test_rcpt_and_data_order() -> None:
    assert (
        submission.check_rcpt(RcptCommand(session(), "bob@contoso.com")).reply
        is catalog.RCPT_NEED_MAIL
    )
    s = session(identity=SCANNER, mail_from=SCANNER)
    assert submission.check_rcpt(RcptCommand(s, "bob@contoso.com")).reply is catalog.RCPT_OK
    assert submission.check_rcpt(RcptCommand(s, None)).reply is catalog.MAIL_SYNTAX
    full = session(identity=SCANNER, mail_from=SCANNER, rcpt_count=1000)
    assert submission.check_rcpt(RcptCommand(full, "x@y.com")).reply is catalog.RCPT_TOO_MANY
    assert (
        submission.check_data(DataCommand(session(identity=SCANNER))).reply
        is catalog.RCPT_NEED_MAIL
    )
    assert submission.check_data(DataCommand(s)).reply is catalog.DATA_NEED_RCPT
    ready = session(identity=SCANNER, mail_from=SCANNER, rcpt_count=1)
    assert submission.check_data(DataCommand(ready, 2)).reply is catalog.DATA_START
    assert submission.check_data(DataCommand(ready, 3)).reply is catalog.DATA_THREAD_LIMIT


def eod(**kw: object) -> EndOfData:
    s = session(identity=SCANNER, mail_from=SCANNER, rcpt_count=1)
    base: dict[str, object] = {"session": s, "size": 1000, "recipients": ("bob@contoso.com",)}
    base.update(kw)
    return EndOfData(**base)  # type: ignore[arg-type]


def test_end_of_data() -> None:
    assert submission.check_end_of_data(eod()).reply is catalog.EOD_SUBMITTED
    v = submission.check_end_of_data(eod(header_from=("alice@contoso.com",)))
    assert v.reply is catalog.EOD_SEND_AS_DENIED and v.params["sender"] == "alice@contoso.com"
    assert submission.check_end_of_data(eod(size=36_700_161)).reply is catalog.EOD_MAX_SEND_SIZE
    assert submission.check_end_of_data(eod(size=157_286_401)).reply is catalog.EOD_MESSAGE_TOO_BIG
    assert submission.check_end_of_data(eod(recipients_last_24h=9_999)).accepted
    assert (
        submission.check_end_of_data(eod(recipients_last_24h=10_000)).reply
        is catalog.EOD_QUOTA_EXCEEDED
    )
    delayed = submission.check_end_of_data(eod(rate_delay=12.5))
    assert delayed.accepted and delayed.delay == 0  # 250 at once; released later


def test_counters_rank_and_window() -> None:
    c = SubmissionCounters()
    for sid in (1, 2, 3, 4):
        c.connected(SCANNER, sid)
    assert [c.rank(SCANNER, s) for s in (1, 2, 3, 4)] == [0, 1, 2, 3]
    c.disconnected(SCANNER, 2)
    assert c.rank(SCANNER, 4) == 2
    c.add_recipients(SCANNER, 0.0, 6000)
    c.add_recipients(SCANNER, 50_000.0, 4000)
    assert c.recipients_last_24h(SCANNER, 86_399.0) == 10_000
    assert c.recipients_last_24h(SCANNER, 86_400.0) == 4000


@settings(max_examples=200, deadline=None)
@given(
    gaps=st.lists(st.floats(min_value=0, max_value=10, allow_nan=False), min_size=1, max_size=120),
    per_minute=st.integers(1, 40),
)
def test_throttle_never_releases_more_than_the_rate_in_any_minute(
    gaps: list[float], per_minute: int
) -> None:
    c = SubmissionCounters()
    now = 0.0
    releases: list[float] = []
    for gap in gaps:
        now += gap
        delay = c.rate_delay(SCANNER, now, per_minute)
        assert delay >= 0
        release = now + delay
        assert not releases or release >= releases[-1] - 1e-9 or delay == 0
        c.released(SCANNER, release, per_minute)
        releases.append(release)
    ordered = sorted(releases)
    for i in range(len(ordered) - per_minute):
        assert ordered[i + per_minute] - ordered[i] >= 60 - 1e-6


def test_rate_delay_is_zero_below_the_rate() -> None:
    assert rate_delay([1.0] * 29, 1.0, 30) == 0
    assert rate_delay([1.0] * 30, 1.0, 30) == 60
    assert rate_delay([1.0] * 30, 61.0, 30) == 0
