"""What one send produced: the outcome, the reply, TLS facts and the transcript.

``DeviceResult.to_json()`` is a contract (the ``--json`` object): ``outcome``,
``stage``, ``reply`` ({code, enhanced, text} or null), ``tls_version``,
``cipher``, ``device_message``, ``attempts`` and ``transcript`` (a list of
{t, dir, line}; dir is ``C`` device->server, ``S`` server->device, ``*`` a
note from the device: connect, TLS, DNS, reconnect); ``attempt_log`` (each
try: its number, outcome, stage and reply), ``job`` (what became of the scan
job: sent, error, dropped, queued) and ``message_id`` (the one Message-ID every
try of the job carries, so copies can be counted in the lab).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from exolab.devices.client.events import Stage
from exolab.devices.client.replies import Reply
from exolab.devices.clock import Clock

Outcome = Literal["delivered", "rejected", "timeout", "refused", "tls_failure", "gave_up"]
OUTCOMES: tuple[Outcome, ...] = (
    "delivered",
    "rejected",
    "timeout",
    "refused",
    "tls_failure",
    "gave_up",
)
Direction = Literal["C", "S", "*"]


@dataclass(frozen=True)
class TranscriptLine:
    t: float  # seconds since the send started (lab-relative)
    dir: Direction
    line: str

    def to_json(self) -> dict[str, Any]:
        return {"t": self.t, "dir": self.dir, "line": self.line}


@dataclass
class Transcript:
    """Collects lines with timestamps from the injected clock.

    A line is kept as the clock's raw reading until ``lines`` is read: a send
    adds some fifty lines and reads them once or twice, and a busy fleet does
    that a thousand times, so the per-line work is one clock reading and one
    tuple. The lines of one reply (or one write) arrived (or left) together
    and share one reading.
    """

    clock: Clock
    start: float = field(init=False)
    _raw: list[tuple[float, Direction, str]] = field(default_factory=list, init=False, repr=False)
    _made: list[TranscriptLine] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self.start = self.clock.monotonic()

    def add(self, direction: Direction, line: str) -> None:
        self._raw.append((self.clock.monotonic(), direction, line))

    def add_lines(self, direction: Direction, lines: Iterable[str]) -> None:
        """Lines that crossed the wire at one moment (a multi-line reply, a pipelined write)."""
        now = self.clock.monotonic()
        self._raw.extend((now, direction, line) for line in lines)

    @property
    def lines(self) -> list[TranscriptLine]:
        """Every line so far, its time in seconds since the send started (to the millisecond)."""
        made, start = self._made, self.start
        made.extend(
            TranscriptLine(round(at - start, 3), d, line) for at, d, line in self._raw[len(made) :]
        )
        return list(made)


@dataclass(frozen=True)
class DeviceResult:
    outcome: Outcome
    stage: Stage | None
    reply: Reply | None
    tls_version: str | None
    cipher: str | None
    transcript: tuple[TranscriptLine, ...]
    device_message: str
    attempts: int = 1
    source_address: str | None = None
    server_address: str | None = None
    panel_key: str = ""
    """The panel catalog key of ``device_message`` (``connection_lost``, ``timeout`` …)."""
    attempt_log: tuple[dict[str, Any], ...] = ()
    job: str = "sent"
    message_id: str | None = None

    def summary(self, number: int) -> dict[str, Any]:
        """This result as one entry of an ``attempt_log``."""
        return {
            "attempt": number,
            "outcome": self.outcome,
            "stage": self.stage,
            "reply": self.reply.to_json() if self.reply is not None else None,
        }

    @property
    def delivered(self) -> bool:
        return self.outcome == "delivered"

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "stage": self.stage,
            "reply": self.reply.to_json() if self.reply is not None else None,
            "tls_version": self.tls_version,
            "cipher": self.cipher,
            "device_message": self.device_message,
            "attempts": self.attempts,
            "source_address": self.source_address,
            "server_address": self.server_address,
            "attempt_log": [dict(a) for a in self.attempt_log],
            "job": self.job,
            "message_id": self.message_id,
            "transcript": [line.to_json() for line in self.transcript],
        }

    def render(self) -> str:
        """The human transcript with the outcome, as `exolab send` prints it."""
        out = [f"{ln.t:8.3f} {ln.dir} {ln.line}" for ln in self.transcript]
        verdict = f"outcome: {self.outcome}"
        if self.stage:
            verdict += f" at {self.stage}"
        if self.reply is not None:
            verdict += f" ({self.reply.wire_lines[-1]})"
        out.append(verdict)
        if self.tls_version:
            out.append(f"tls: {self.tls_version} {self.cipher or ''}".rstrip())
        out.append(f"device: {self.device_message}")
        return "\n".join(out)
