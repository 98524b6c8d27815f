"""The facts rules read: frozen snapshots the SMTP adapter builds per command.

Nothing here touches a socket. ``SessionFacts`` is what is known about the
connection; the per-stage facts add the command's own arguments and, for the
limits, the counter readings the adapter took from ``limits.SubmissionCounters``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.tenant import Mailbox, Tenant
from exolab.emulator.tenant.model import InboundConnector

LEGACY_TLS = frozenset({"TLSv1", "TLSv1.1", "SSLv3"})
DEFAULT_ENDPOINT = "smtp.office365.com"
LEGACY_ENDPOINT = "smtp-legacy.office365.com"


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """One connection as policy sees it."""

    tenant: Tenant
    endpoint: str
    port: int
    client_ip: str
    public_ip: str
    now: datetime
    tls_version: str | None = None
    """``ssl`` naming: ``TLSv1``, ``TLSv1.1``, ``TLSv1.2``, ``TLSv1.3``; None before STARTTLS."""
    helo: str | None = None
    esmtp: bool = False
    identity: str | None = None
    """The authenticated mailbox's primary address."""
    auth_method: str | None = None
    mail_from: str | None = None
    rcpt_count: int = 0
    last_auth_error: Verdict | None = None

    @property
    def legacy_tls(self) -> bool:
        return self.tls_version in LEGACY_TLS

    def mailbox(self) -> Mailbox | None:
        return self.tenant.find_mailbox(self.identity) if self.identity else None


@dataclass(frozen=True, slots=True)
class AuthCommand:
    """``AUTH <mechanism>`` before any challenge."""

    session: SessionFacts
    mechanism: str
    known: bool
    """The front end has this mechanism registered (and advertises it)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a basic mechanism (LOGIN) collected."""

    session: SessionFacts
    mechanism: str
    username: str
    password: str
    locked_until: datetime | None = None
    """When the account's smart lockout ends (``lockout.SmartLockout``); None: not locked."""


@dataclass(frozen=True, slots=True)
class MailCommand:
    session: SessionFacts
    address: str | None
    """None when the argument could not be parsed."""
    size: int | None = None
    """The SIZE= parameter, when given."""


@dataclass(frozen=True, slots=True)
class RcptCommand:
    session: SessionFacts
    address: str | None


@dataclass(frozen=True, slots=True)
class MxRcpt:
    """RCPT on the MX: the command plus the inbound connector that admits this client, if any."""

    cmd: RcptCommand
    connector: InboundConnector | None = None

    @property
    def tenant(self) -> Tenant:
        return self.cmd.session.tenant

    @property
    def recipient(self) -> str:
        return self.cmd.address or ""


@dataclass(frozen=True, slots=True)
class DataCommand:
    session: SessionFacts
    concurrent_rank: int = 0
    """0 for the first connection authenticated as this mailbox, 3 for the fourth."""


@dataclass(frozen=True, slots=True)
class EndOfData:
    session: SessionFacts
    size: int
    recipients: tuple[str, ...]
    header_from: tuple[str, ...] = ()
    """Addresses in the From header field."""
    recipients_last_24h: int = 0
    rate_delay: float = 0.0
    """Seconds the message-rate throttle holds this message (computed by limits)."""
    from_compliant: bool = True
    """The From header is RFC 5322 3.6.2 compliant (one field, real addresses)."""
    header_size: int = 0
    """Bytes of the header block."""
