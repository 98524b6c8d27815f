"""What a front end tells the shared adapter: its names, TLS, greeting and decisions.

``ExchangeSMTP`` (base.py) carries bytes, TLS, framing and the transcript for
every front end; a ``FrontEnd`` says what this particular Exchange endpoint
decides at each stage and what happens to an accepted message. The
submission front ends live in ``submission.py``; the MX front end is a
sibling implementation of the same protocol.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Protocol

from exolab.emulator.lab import LabContext
from exolab.emulator.policy.facts import SessionFacts
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import FrontEndNames, Reply
from exolab.emulator.smtp.auth import Mechanism
from exolab.emulator.smtp.data import Body
from exolab.emulator.smtp.session import SessionState


class Connection(Protocol):
    """What a front end sees of one connection: its session, and a way to drop it at stop.

    ``ExchangeSMTP`` (base.py) is the one implementation; naming only this much
    keeps the front ends out of the adapter's wire work, and this module free
    of an import of base.py (which imports this one)."""

    @property
    def state(self) -> SessionState | None: ...

    def _close(self) -> None: ...


class FrontEnd(Protocol):
    lab: LabContext
    endpoint: str
    """The simulated host name, e.g. ``smtp.office365.com``."""
    port: int
    """The real port this listener stands for (587, 25), whatever port was bound."""
    tls_context: ssl.SSLContext | None
    mechanisms: Mapping[str, Mechanism]

    def names_for(self, session_id: int) -> FrontEndNames:
        """The server names one session shows (each connection meets some front-end server)."""
        ...

    def ehlo_reply(self, tls: bool) -> Reply: ...

    def check_starttls(self, facts: SessionFacts) -> Verdict: ...

    def check_auth_command(self, facts: SessionFacts, mechanism: str) -> Verdict | None:
        """None: run the mechanism."""
        ...

    def authenticated(self, state: SessionState) -> None: ...

    def check_mail(
        self, state: SessionState, facts: SessionFacts, address: str | None, size: int | None
    ) -> Verdict: ...

    def check_rcpt(
        self, state: SessionState, facts: SessionFacts, address: str | None
    ) -> Verdict: ...

    def check_data(self, state: SessionState, facts: SessionFacts) -> Verdict: ...

    async def end_of_data(self, state: SessionState, facts: SessionFacts, body: Body) -> Verdict:
        """Decide, and when accepting commit durably BEFORE returning the verdict."""
        ...

    def opened(self, protocol: Connection) -> None: ...

    def closed(self, protocol: Connection) -> None:
        """The session ended: release counters, record it."""
        ...
