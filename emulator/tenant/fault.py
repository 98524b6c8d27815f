"""``[[Fault]]``: a scripted failure, as data in the tenant file.

A fault names the stage of an SMTP session where it fires, what a session
must look like for it to apply (endpoint, port, site, source, user, EHLO name), what it
does (reply, reset, close, stall, slow, lose the 250, a TLS alert) and how often (a count,
a seeded probability, a window on the lab clock, a number of matches to let
pass first). The decision is made by ``emulator.faults`` (pure); the SMTP
adapter carries the action out. These are lab settings, not Microsoft ones.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_pascal
from pydantic_core import PydanticCustomError

FaultStage = Literal[
    "connect", "banner", "ehlo", "starttls", "tls", "auth", "mail", "rcpt", "data", "eod", "quit"
]
FaultAction = Literal["reply", "reset", "close", "stall", "slow", "lose_250", "tls_alert"]
TlsAlert = Literal[
    "handshake_failure",
    "internal_error",
    "protocol_version",
    "insufficient_security",
    "access_denied",
    "unrecognized_name",
]
"""The fatal TLS alerts a ``tls_alert`` fault can send (RFC 8446 section 6.2 names)."""

STAGES: tuple[str, ...] = FaultStage.__args__  # type: ignore[attr-defined]
ACTIONS: tuple[str, ...] = FaultAction.__args__  # type: ignore[attr-defined]
ALERTS: tuple[str, ...] = TlsAlert.__args__  # type: ignore[attr-defined]

_NO_REPLY_STAGES = frozenset({"tls"})
"""Inside the TLS handshake there is no SMTP line to say: reset, close, stall or a TLS alert."""


class Fault(BaseModel):
    """One fault rule (lab setting)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_pascal,
        populate_by_name=True,
    )

    name: str = Field(min_length=1, max_length=64)
    """Names the rule: its counters, its seeded random stream, and ``--set Fault[name].…``."""

    stage: FaultStage
    """Where it fires: connect, banner, ehlo (HELO too), starttls (the command), tls (the
    handshake after 220), auth, mail, rcpt, data (the DATA command), eod (after the last
    byte of the body, before the reply), quit."""

    action: FaultAction = "reply"
    """reply: say ``Reply`` instead of the stage's answer; reset: TCP RST; close: FIN with
    nothing said; stall: wait ``Seconds`` then go on; slow: every reply from here on waits
    ``Seconds``; lose_250 (stage eod): store the message and never say the 250; tls_alert
    (stage tls): answer the client's ClientHello with the fatal TLS alert ``Alert``, then
    close."""

    reply: str | None = None
    """A catalog entry by enhanced code (``4.7.500``) or id, or a whole reply line
    (``451 4.7.500 Server busy. Please try again later from [IP]``)."""

    seconds: float = Field(default=0.0, ge=0, le=3600)
    """For stall and slow: how long; for lose_250: how long the line stays silent before it
    is closed (0: until the client goes away)."""

    alert: TlsAlert = "handshake_failure"
    """For tls_alert: which fatal alert the client gets instead of the ServerHello."""

    endpoint: str | None = None
    """Only on this front end (host name, e.g. smtp.office365.com)."""

    port: int | None = Field(default=None, ge=1, le=65535)
    """Only on this real port (587, 25 …)."""

    site: str | None = None
    """Only for devices at this site (``[[Site]]`` name)."""

    source: str | None = None
    """Only for this client source address or network (CIDR)."""

    user: str | None = None
    """Only for this signed-in user, or (anonymous mail) this envelope sender."""

    ehlo: str | None = Field(default=None, min_length=1, max_length=255)
    """Only for clients whose EHLO/HELO name matches this glob (``MFP-*``, case-insensitive):
    what a server can see of the device model. Known from stage ehlo on."""

    count: int | None = Field(default=None, ge=1)
    """Fire at most this many times (unset: no limit)."""

    after: int = Field(default=0, ge=0)
    """Let this many matching sessions' stages pass first: After=2, Count=1 hits the third."""

    probability: float = Field(default=1.0, ge=0, le=1)
    """Chance to fire on each match, drawn from the lab seed (same seed, same faults)."""

    active_from: datetime | None = Field(default=None, alias="From")
    """Only from this lab time on."""

    active_until: datetime | None = Field(default=None, alias="Until")
    """Only before this lab time."""

    @field_validator("source")
    @classmethod
    def _source(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise PydanticCustomError(
                    "source", "an IP address or network like 127.20.0.2 or 127.20.1.0/24"
                ) from None
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Fault:
        if self.action == "reply" and not self.reply:
            raise ValueError(f"Fault {self.name}: Action reply needs Reply")
        if self.action == "reply" and self.stage in _NO_REPLY_STAGES:
            raise ValueError(f"Fault {self.name}: stage tls has no reply (reset, close or stall)")
        if self.action == "lose_250" and self.stage != "eod":
            raise ValueError(f"Fault {self.name}: Action lose_250 is for Stage eod")
        if self.action == "tls_alert" and self.stage != "tls":
            raise ValueError(f"Fault {self.name}: Action tls_alert is for Stage tls")
        if self.action in ("stall", "slow") and self.seconds <= 0:
            raise ValueError(f"Fault {self.name}: Action {self.action} needs Seconds > 0")
        return self
