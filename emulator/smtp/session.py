"""One connection's mutable state and its transcript, kept by the SMTP adapter.

Policy never sees this object: ``facts()`` freezes what the rules need. The
transcript is recorded here in both directions with lab-relative times;
AUTH secrets are redacted at the moment they are recorded, so they reach
neither the store nor any log. Each credential the session has seen is also
kept (in memory only) so that it is cut out of anything recorded later: a
rule's note that quotes a user name which was really a password, say.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from exolab.emulator.clock import Clock
from exolab.emulator.policy.facts import SessionFacts
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import FrontEndNames, Renderer
from exolab.emulator.store import SessionRecord, TranscriptLine
from exolab.emulator.tenant import Tenant

REDACTED = "<redacted>"
SHORTEST_SECRET = 4
"""Shorter credentials are not cut out of other text: they would mangle it, and hide little."""


@dataclass
class SessionState:
    """What one connection has done so far."""

    id: int
    endpoint: str
    port: int
    client_ip: str
    public_ip: str
    site: str | None
    clock: Clock
    names: FrontEndNames
    rng: random.Random
    started_at: datetime
    started_mono: float
    renderer: Renderer | None = None
    tls_version: str | None = None
    cipher: str | None = None
    peer_certificate: dict[str, Any] | None = None
    """The client's verified certificate (``getpeercert()``), read once at the handshake."""
    helo: str | None = None
    esmtp: bool = False
    identity: str | None = None
    auth_method: str | None = None
    mail_from: str | None = None
    mail_size: int | None = None
    rcpts: list[str] = field(default_factory=list)
    bdat: bytearray | None = None
    bdat_size: int = 0
    bdat_failed: Verdict | None = None
    last_auth_error: Verdict | None = None
    auth_failures: int = 0
    """AUTH commands that failed on this connection (``Limits.MaxLogonFailures``)."""
    secret_lines: int = 0
    """Lines still to be treated as credentials: a refused AUTH's pipelined answers are
    never echoed, logged or stored."""
    delivered: int = 0
    last_refusal: str | None = None
    outcome: str | None = None
    transcript: list[TranscriptLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)
    """The fault rules that fired in this session, in order (``emulator.smtp.faults``)."""
    secrets: set[str] = field(default_factory=set, repr=False)
    """Credentials seen on this connection, cut out of every line recorded after them
    (added through ``keep_secret`` only)."""
    _longest_first: tuple[str, ...] = field(default=(), init=False, repr=False)
    """``secrets``, longest first, sorted when one is added rather than for every line."""

    def facts(self, tenant: Tenant) -> SessionFacts:
        return SessionFacts(
            tenant=tenant,
            endpoint=self.endpoint,
            port=self.port,
            client_ip=self.client_ip,
            public_ip=self.public_ip,
            now=self.clock.now(),
            tls_version=self.tls_version,
            helo=self.helo,
            esmtp=self.esmtp,
            identity=self.identity,
            auth_method=self.auth_method,
            mail_from=self.mail_from,
            rcpt_count=len(self.rcpts),
            last_auth_error=self.last_auth_error,
        )

    def _t(self) -> float:
        return round(self.clock.monotonic() - self.started_mono, 3)

    def keep_secret(self, *values: str | None) -> None:
        """Never record ``values`` from now on (an AUTH answer, a decoded password)."""
        self.secrets.update(v for v in values if v and len(v) >= SHORTEST_SECRET)
        self._longest_first = tuple(sorted(self.secrets, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """``text`` with every credential this session has seen replaced by ``<redacted>``."""
        for secret in self._longest_first:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def heard(self, line: str) -> None:
        """A line from the client (already redacted where it carries a secret)."""
        self.transcript.append(TranscriptLine(self._t(), "C", self.scrub(line)))

    def said(self, lines: list[str]) -> None:
        t = self._t()
        self.transcript.extend(TranscriptLine(t, "S", line) for line in lines)

    def note(self, text: str) -> None:
        self.notes.append(self.scrub(text))

    def decided(self, verdict: Verdict) -> None:
        self.notes.append(self.scrub(verdict.note))
        if verdict.reply.code >= 400:
            self.last_refusal = (
                f"{verdict.reply.code} {verdict.reply.enhanced or ''} ({verdict.rule})"
            )

    def reset_transaction(self) -> None:
        self.mail_from = None
        self.mail_size = None
        self.rcpts = []
        self.bdat = None
        self.bdat_size = 0
        self.bdat_failed = None

    def record(self, ended_at: datetime) -> SessionRecord:
        outcome = self.outcome
        if outcome is None:
            if self.delivered:
                outcome = f"delivered {self.delivered} message(s)"
            elif self.last_refusal:
                outcome = f"refused: {self.last_refusal}"
            else:
                outcome = "closed without a message"
        return SessionRecord(
            id=self.id,
            endpoint=self.endpoint,
            port=self.port,
            client=self.client_ip,
            public_ip=self.public_ip,
            site=self.site,
            started_at=self.started_at,
            ended_at=ended_at,
            tls_version=self.tls_version,
            cipher=self.cipher,
            identity=self.identity,
            auth_method=self.auth_method,
            transcript=tuple(self.transcript),
            notes=tuple(self.notes),
            outcome=outcome,
            extra={"faults": json.dumps(self.faults)} if self.faults else {},
        )
