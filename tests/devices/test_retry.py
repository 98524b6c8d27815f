"""The firmware's retry decision (pure): which failures are tried again, and the job's fate."""

from __future__ import annotations

import pytest

from exolab.devices.client.replies import Reply
from exolab.devices.errors import ProfileError
from exolab.devices.profile import Retry, load_profile, parse_profile
from exolab.devices.result import DeviceResult
from exolab.devices.retry import final_state, retry_reason


def result(
    outcome: str, stage: str | None, code: int | None = None, panel: str = ""
) -> DeviceResult:
    reply = Reply(code, (f"{code // 100}.0.0 text",)) if code is not None else None
    return DeviceResult(outcome, stage, reply, None, None, (), "", panel_key=panel)  # type: ignore[arg-type]


SHARP = Retry(count=2, interval=180, on_connection_lost=True)


@pytest.mark.parametrize(
    ("policy", "failure", "retried"),
    [
        (SHARP, result("rejected", "EOD", 451), True),
        (SHARP, result("rejected", "EOD", 554), False),
        (Retry(on_5xx=True), result("rejected", "EOD", 554), True),
        (Retry(on_4xx=False), result("rejected", "RCPT", 452), False),
        (SHARP, result("timeout", "EOD"), True),
        (Retry(resend_after_data=False), result("timeout", "EOD"), False),
        (Retry(resend_after_data=False), result("gave_up", "EOD", panel="connection_lost"), False),
        (Retry(), result("gave_up", "EOD", panel="connection_lost"), True),
        (Retry(), result("gave_up", "MAIL", panel="connection_lost"), False),
        (SHARP, result("gave_up", "MAIL", panel="connection_lost"), True),
        (Retry(on_timeout=False), result("timeout", "CONNECT"), False),
        (Retry(), result("refused", "CONNECT"), True),
        (Retry(), result("tls_failure", "STARTTLS"), False),
        (Retry(), result("delivered", "EOD", 250), False),
    ],
)
def test_which_failures_are_tried_again(
    policy: Retry, failure: DeviceResult, retried: bool
) -> None:
    assert (retry_reason(policy, failure) is not None) is retried


def test_the_job_after_its_last_try() -> None:
    failed = result("rejected", "EOD", 451)
    assert final_state(Retry(), result("delivered", "EOD", 250)) == "sent"
    assert [final_state(Retry(give_up=g), failed) for g in ("error", "drop", "queue")] == [
        "error",
        "dropped",
        "queued",
    ]


def test_old_retries_fields_still_mean_what_they_meant() -> None:
    profile = load_profile("starttls-modern").model_copy(update={"retries": 3, "retry_delay": 2.0})
    policy = profile.retry_policy()
    assert (policy.count, policy.interval, policy.on_4xx, policy.on_5xx) == (3, 2.0, True, False)


def test_retry_section_and_old_fields_do_not_mix() -> None:
    data = load_profile("retry-resend").model_dump(exclude_none=True)
    data["retries"] = 1
    with pytest.raises(ProfileError, match="inside \\[retry\\]"):
        parse_profile(data, "test")


def test_shipped_retry_profile_has_the_documented_values() -> None:
    policy = load_profile("retry-resend").retry_policy()
    assert (policy.count, policy.interval, policy.give_up) == (2, 180.0, "error")
