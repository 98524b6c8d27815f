"""What the state machine emits for its driver to carry out (commands, h11/mitmproxy style)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from exolab.devices.client.replies import Reply
from exolab.devices.client.stages import Stage

__all__ = [
    "Close",
    "Event",
    "Finished",
    "Received",
    "Send",
    "SessionOutcome",
    "Stage",
    "StartTls",
    "Verdict",
]

Verdict = Literal["delivered", "rejected", "gave_up"]


@dataclass(frozen=True)
class Send:
    """Write these bytes; ``lines`` is how they appear in the transcript."""

    data: bytes
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Received:
    """A complete reply was read (for the transcript)."""

    reply: Reply


@dataclass(frozen=True)
class StartTls:
    """Upgrade the connection now; then call ``tls_started()``."""


@dataclass(frozen=True)
class Close:
    """Close the connection."""


@dataclass(frozen=True)
class SessionOutcome:
    """How the session ended, as the machine saw it."""

    outcome: Verdict
    stage: Stage
    reply: Reply | None = None
    panel: str | None = None  # key into devices.panel for gave_up / rejected


@dataclass(frozen=True)
class Finished:
    """The session is over; no more events will follow."""

    result: SessionOutcome


Event = Send | Received | StartTls | Close | Finished
