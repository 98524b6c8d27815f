"""The message rate's three actions, federated sign-in, the recipient thread limit (pure)."""

from __future__ import annotations

import pytest

from exolab.emulator.policy import directsend, submission
from exolab.emulator.policy.facts import EndOfData
from exolab.emulator.policy.limits import (
    SubmissionCounters,
    daily_recipient_quota,
    message_rate_decision,
    recipient_rate_exceeded,
    tenant_external_limit_reply,
)
from exolab.emulator.replies import catalog
from exolab.emulator.tenant import Tenant
from tests.emulator.policy.factories import creds, session, tenant

SCANNER = "scanner@contoso.com"


def eod(t: Tenant | None = None, **kw: object) -> EndOfData:
    s = session(t, identity=SCANNER, mail_from=SCANNER, rcpt_count=1)
    base: dict[str, object] = {"session": s, "size": 1000, "recipients": ("bob@contoso.com",)}
    base.update(kw)
    return EndOfData(**base)  # type: ignore[arg-type]


def test_by_default_a_message_over_the_rate_is_accepted_at_once_and_released_later() -> None:
    verdict = submission.check_end_of_data(eod(rate_delay=42.0))
    assert verdict.reply is catalog.EOD_SUBMITTED
    assert verdict.delay == 0  # the device gets its 250 without waiting
    decision = message_rate_decision(tenant().limits, 42.0)
    assert (decision.hold, decision.release_after, decision.refuse) == (0.0, 42.0, False)


def test_hold_keeps_the_reply_waiting_no_longer_than_the_maximum() -> None:
    hold = tenant("Limits.MessageRateAction=hold", "Limits.MessageRateMaxHold=10")
    verdict = submission.check_end_of_data(eod(hold, rate_delay=42.0))
    assert verdict.accepted and verdict.delay == 10
    assert message_rate_decision(hold.limits, 42.0).release_after == 42.0
    assert submission.check_end_of_data(eod(hold, rate_delay=4.0)).delay == 4.0


def test_reject_refuses_with_a_temporary_reply_naming_the_limit() -> None:
    reject = tenant("Limits.MessageRateAction=reject")
    verdict = submission.check_end_of_data(eod(reject, rate_delay=1.0))
    assert verdict.reply is catalog.EOD_MESSAGE_RATE and verdict.params == {"limit": 30}
    assert verdict.reply.code == 451
    assert submission.check_end_of_data(eod(reject)).reply is catalog.EOD_SUBMITTED


def test_other_refusals_come_before_the_rate() -> None:
    reject = tenant("Limits.MessageRateAction=reject")
    verdict = submission.check_end_of_data(eod(reject, rate_delay=1.0, size=157_286_401))
    assert verdict.reply is catalog.EOD_MESSAGE_TOO_BIG


@pytest.mark.parametrize(
    ("state", "reply"),
    [
        ("unreachable", catalog.AUTH_FEDERATED_STS_UNREACHABLE),
        ("not_https", catalog.AUTH_FEDERATED_STS_NOT_HTTPS),
    ],
)
def test_a_federated_user_whose_sts_fails_gets_its_5_7_139(state: str, reply: object) -> None:
    t = tenant(f"Mailbox[{SCANNER}].FederatedSts={state}")
    assert submission.check_basic_credentials(creds(t=t)).reply is reply
    # before the password: the STS is what would have checked it
    assert submission.check_basic_credentials(creds(password="wrong", t=t)).reply is reply
    ok = tenant(f"Mailbox[{SCANNER}].FederatedSts=reachable")
    assert submission.check_basic_credentials(creds(t=ok)).reply is catalog.AUTH_SUCCESS


def test_a_busy_recipient_store_defers_the_message_on_both_front_ends() -> None:
    t = tenant("Mailbox[bob@contoso.com].RecipientThreadLimited=true")
    assert submission.check_end_of_data(eod(t)).reply is catalog.EOD_RECIPIENT_THREAD_LIMIT
    assert directsend.check_end_of_data(eod(t)) is not None
    assert submission.check_end_of_data(eod(t, recipients=("alice@contoso.com",))).accepted
    assert catalog.EOD_RECIPIENT_THREAD_LIMIT.code == 432


def test_no_per_mailbox_cap_of_2000_external_recipients_a_day() -> None:
    # Microsoft cancelled the mailbox external recipient rate limit (January 2026)
    outside = tuple(f"user{n}@fabrikam.com" for n in range(2_001))
    assert daily_recipient_quota(eod(recipients=outside)) is None
    assert submission.check_end_of_data(eod(recipients=outside)).accepted


def test_hourly_receive_limits_per_sender_first_and_only_when_set() -> None:
    t = tenant("Limits.RecipientMessagesPerHour=5", "Limits.RecipientMessagesPerHourPerSender=2")
    assert recipient_rate_exceeded(t.limits, 1, 4) is None
    assert recipient_rate_exceeded(t.limits, 2, 5) is catalog.NDR_RECIPIENT_RATE_FROM_SENDER
    assert recipient_rate_exceeded(t.limits, 0, 5) is catalog.NDR_RECIPIENT_RATE
    assert recipient_rate_exceeded(tenant().limits, 10**6, 10**6) is None


def test_the_hourly_window_slides() -> None:
    counters = SubmissionCounters()
    for at in (0.0, 10.0, 20.0):
        counters.received("bob@contoso.com", at)
    assert counters.received_last_hour("bob@contoso.com", 3_599.0) == 3
    assert counters.received_last_hour("bob@contoso.com", 3_605.0) == 2
    assert counters.received_last_hour("nobody@contoso.com", 0.0) == 0


def test_a_trial_tenant_over_its_external_limit_gets_5_7_232() -> None:
    assert tenant_external_limit_reply(tenant()) is catalog.NDR_TENANT_EXTERNAL_LIMIT
    trial = tenant("Tenant.Trial=true")
    assert tenant_external_limit_reply(trial) is catalog.NDR_TENANT_EXTERNAL_LIMIT_TRIAL
    assert catalog.NDR_TENANT_EXTERNAL_LIMIT_TRIAL.enhanced == "5.7.232"
