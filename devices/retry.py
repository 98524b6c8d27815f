"""Whether the firmware tries a failed send again: a pure decision from the profile's ``[retry]``.

Kept apart from the asyncio driver so each rule is testable on its own: a
temporary refusal, a permanent one, a timeout, a dropped line, and the case
that makes duplicates, no reply after the whole body was sent.
"""

from __future__ import annotations

from typing import Literal

from exolab.devices.profile import Retry
from exolab.devices.result import DeviceResult

JobState = Literal["sent", "error", "dropped", "queued"]


def after_data(result: DeviceResult) -> bool:
    """The body went out and no answer came: the server may hold the message already."""
    return (
        result.stage == "EOD"
        and result.outcome in ("timeout", "gave_up")
        and (result.reply is None)
    )


def retry_reason(policy: Retry, result: DeviceResult) -> str | None:
    """Why this failure is tried again (for the transcript), or None when it is not."""
    if result.outcome == "delivered":
        return None
    if after_data(result):
        return (
            "no reply after the body: the whole job is sent again"
            if (policy.resend_after_data)
            else None
        )
    if result.outcome == "rejected" and result.reply is not None:
        if result.reply.transient:
            return f"temporary refusal {result.reply.code}" if policy.on_4xx else None
        return (
            f"permanent refusal {result.reply.code} (retried like a 4xx)"
            if (policy.on_5xx)
            else None
        )
    if result.outcome in ("timeout", "refused"):
        return result.outcome if policy.on_timeout else None
    if result.outcome == "gave_up" and result.panel_key == "connection_lost":
        return "connection lost" if policy.on_connection_lost else None
    return None


def final_state(policy: Retry, result: DeviceResult) -> JobState:
    """What becomes of the job after its last try."""
    if result.outcome == "delivered":
        return "sent"
    return {"error": "error", "drop": "dropped", "queue": "queued"}[policy.give_up]  # type: ignore[return-value]
