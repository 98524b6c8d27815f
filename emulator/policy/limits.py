"""Sending limits of client submission (spec section 6), sans-IO.

``SubmissionCounters`` holds what the limits need across connections: who is
connected as whom, recipients in the last 24 hours, and when the last
messages were released. It is a plain object fed with explicit times (the
lab clock's), so the rules and the throttle are testable without sockets.
The rules read the numbers the adapter took from it (``DataCommand``,
``EndOfData``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from exolab.emulator.policy.facts import DataCommand, EndOfData, MailCommand, RcptCommand
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog
from exolab.emulator.replies.model import Reply
from exolab.emulator.tenant.model import Limits, Tenant

DAY = 86_400.0
HOUR = 3_600.0
MINUTE = 60.0


def rate_delay(releases: Sequence[float], now: float, per_minute: int) -> float:
    """How long a new message waits so that no 60 s window releases more than ``per_minute``.

    Excess messages are "throttled and successively carried over to the
    following minutes": the new message goes out one minute after the
    ``per_minute``-th latest release, or now if that is already past.
    """
    if len(releases) < per_minute:
        return 0.0
    return max(0.0, releases[-per_minute] + MINUTE - now)


@dataclass(frozen=True, slots=True)
class RateDecision:
    """What a message over the per-minute rate meets (``Limits.MessageRateAction``)."""

    hold: float
    """Seconds the reply after DATA waits (hold only)."""
    release_after: float
    """Seconds from now until the message is released (delivered); 0: at once."""
    refuse: bool = False


def message_rate_decision(limits: Limits, delay: float) -> RateDecision:
    """Microsoft delays excess messages ("carried over to the following minutes"); a device
    waiting up to a minute for its 250 would time out, so the default answers at once and
    releases the message when the lab clock passes the minute. ``hold`` keeps the reply
    waiting, at most ``MessageRateMaxHold`` seconds; ``reject`` refuses for a retry."""
    if delay <= 0:
        return RateDecision(0.0, 0.0)
    action = limits.message_rate_action
    if action == "reject":
        return RateDecision(0.0, 0.0, refuse=True)
    if action == "hold":
        return RateDecision(min(delay, limits.message_rate_max_hold), delay)
    return RateDecision(0.0, delay)


@dataclass
class SubmissionCounters:
    """Per-mailbox counters shared by every submission front end of one lab."""

    _connections: dict[str, list[int]] = field(default_factory=dict)
    _recipients: dict[str, deque[tuple[float, int]]] = field(default_factory=dict)
    _recipient_totals: dict[str, int] = field(default_factory=dict)
    _releases: dict[str, deque[float]] = field(default_factory=dict)
    _received: dict[str, deque[float]] = field(default_factory=dict)

    # concurrent authenticated connections
    def connected(self, mailbox: str, session_id: int) -> None:
        self._connections.setdefault(mailbox, []).append(session_id)

    def disconnected(self, mailbox: str, session_id: int) -> None:
        sessions = self._connections.get(mailbox, [])
        if session_id in sessions:
            sessions.remove(session_id)

    def rank(self, mailbox: str, session_id: int) -> int:
        """0 for the oldest live connection of ``mailbox``; the fourth gets 3."""
        sessions = self._connections.get(mailbox, [])
        return sessions.index(session_id) if session_id in sessions else len(sessions)

    # recipients per 24 h (sliding)
    def recipients_last_24h(self, mailbox: str, now: float) -> int:
        window = self._recipients.get(mailbox)
        if not window:
            return 0
        total = self._recipient_totals[mailbox]
        while window and window[0][0] <= now - DAY:
            total -= window.popleft()[1]
        self._recipient_totals[mailbox] = total
        return total

    def add_recipients(self, mailbox: str, now: float, count: int) -> None:
        self._recipients.setdefault(mailbox, deque()).append((now, count))
        self._recipient_totals[mailbox] = self._recipient_totals.get(mailbox, 0) + count

    # messages per minute (delayed, not refused)
    def rate_delay(self, mailbox: str, now: float, per_minute: int) -> float:
        # the window itself, not a copy: it holds up to ``per_minute`` releases
        return rate_delay(self._releases.get(mailbox, ()), now, per_minute)

    # messages one recipient received (per hour, sliding), keyed by recipient or recipient+sender
    def received_last_hour(self, key: str, now: float) -> int:
        window = self._received.get(key)
        if not window:
            return 0
        while window and window[0] <= now - HOUR:
            window.popleft()
        return len(window)

    def received(self, key: str, now: float) -> None:
        self._received.setdefault(key, deque()).append(now)

    def released(self, mailbox: str, at: float, per_minute: int) -> None:
        window = self._releases.setdefault(mailbox, deque(maxlen=max(per_minute, 1)))
        window.append(at)


def connection_allowed(held_by_source: int, total: int, limits: Limits) -> Verdict | None:
    """The cap a new connection meets: the lab's total first, then its source's share."""
    if total >= limits.max_inbound_connection:
        return Verdict(
            catalog.CONNECTION_LIMIT_TOTAL,
            "max_inbound_connection",
            f"the lab holds {total} connections "
            f"(Limits.MaxInboundConnection {limits.max_inbound_connection})",
        )
    if held_by_source >= limits.max_inbound_connection_per_source:
        return Verdict(
            catalog.CONNECTION_LIMIT_SOURCE,
            "max_inbound_connection_per_source",
            f"this source holds {held_by_source} connections "
            f"(Limits.MaxInboundConnectionPerSource {limits.max_inbound_connection_per_source})",
        )
    return None


def data_too_slow(received: int, window: float, min_rate: int) -> bool:
    """Whether ``received`` bytes of a body in one ``window`` of seconds is below the minimum."""
    return min_rate > 0 and received < min_rate * window


def size_parameter_within_limit(cmd: MailCommand) -> Verdict | None:
    limit = cmd.session.tenant.limits.max_message_size
    if cmd.size is not None and cmd.size > limit:
        return Verdict(
            catalog.MAIL_SIZE_EXCEEDED,
            "size_parameter_within_limit",
            f"SIZE={cmd.size} is over the advertised {limit}",
        )
    return None


def recipients_per_message(cmd: RcptCommand) -> Verdict | None:
    limit = cmd.session.tenant.limits.recipients_per_message
    if cmd.session.rcpt_count >= limit:
        return Verdict(
            catalog.RCPT_TOO_MANY,
            "recipients_per_message",
            f"more than {limit} recipients in one message",
        )
    return None


def concurrent_connections_per_mailbox(cmd: DataCommand) -> Verdict | None:
    limit = cmd.session.tenant.limits.max_concurrent_connections_per_mailbox
    if cmd.session.identity is not None and cmd.concurrent_rank >= limit:
        return Verdict(
            catalog.DATA_THREAD_LIMIT,
            "concurrent_connections_per_mailbox",
            f"connection {cmd.concurrent_rank + 1} for {cmd.session.identity}; limit {limit}",
        )
    return None


def message_size_within_limit(eod: EndOfData) -> Verdict | None:
    limit = eod.session.tenant.limits.max_message_size
    if eod.size > limit:
        return Verdict(
            catalog.EOD_MESSAGE_TOO_BIG,
            "message_size_within_limit",
            f"{eod.size} bytes is over the advertised SIZE {limit}",
        )
    return None


def max_send_size(eod: EndOfData) -> Verdict | None:
    mailbox = eod.session.mailbox()
    if mailbox is not None and eod.size > mailbox.max_send_size:
        return Verdict(
            catalog.EOD_MAX_SEND_SIZE,
            "max_send_size",
            f"{eod.size} bytes is over MaxSendSize {mailbox.max_send_size} of "
            f"{mailbox.primary_smtp_address}",
        )
    return None


TENANT_EXTERNAL = "@tenant-external"
"""The SubmissionCounters key that counts the whole tenant's external recipients."""


def tenant_external_limit_reached(tenant: Tenant, last_24h: int, external: int) -> bool:
    """True when this message's ``external`` recipients would pass the tenant's TERRL.

    Exchange accepts the message and reports those recipients in an NDR (5.7.233)."""
    limit = tenant.limits.tenant_external_recipients_per_day
    return limit is not None and external > 0 and last_24h + external > limit


def tenant_external_limit_reply(tenant: Tenant) -> Reply:
    """The NDR reply for recipients the TERRL stops: a trial tenant has its own code."""
    if tenant.tenant.trial:
        return catalog.NDR_TENANT_EXTERNAL_LIMIT_TRIAL
    return catalog.NDR_TENANT_EXTERNAL_LIMIT


def mailbox_not_full(eod: EndOfData) -> Verdict | None:
    """A mailbox at its ProhibitSendQuota cannot save the Sent Items copy, so it cannot send."""
    mailbox = eod.session.mailbox()
    if mailbox is not None and mailbox.total_item_size >= mailbox.prohibit_send_quota:
        return Verdict(
            catalog.EOD_MAILBOX_FULL,
            "mailbox_not_full",
            f"{mailbox.primary_smtp_address} holds {mailbox.total_item_size} bytes; "
            f"ProhibitSendQuota {mailbox.prohibit_send_quota}",
        )
    return None


def daily_recipient_quota(eod: EndOfData) -> Verdict | None:
    limit = eod.session.tenant.limits.recipients_per_day
    total = eod.recipients_last_24h + len(eod.recipients)
    if total > limit:
        return Verdict(
            catalog.EOD_QUOTA_EXCEEDED,
            "daily_recipient_quota",
            f"{eod.recipients_last_24h} recipients in the last 24 h + {len(eod.recipients)} "
            f"is over {limit}",
        )
    return None


def recipient_thread_available(eod: EndOfData) -> Verdict | None:
    """An internal recipient whose mailbox store is busy delivering defers the whole message
    (432: the sender retries), before anything is stored."""
    tenant = eod.session.tenant
    for recipient in eod.recipients:
        mailbox = tenant.find_mailbox(recipient)
        if mailbox is not None and mailbox.recipient_thread_limited:
            return Verdict(
                catalog.EOD_RECIPIENT_THREAD_LIMIT,
                "recipient_thread_available",
                f"{mailbox.primary_smtp_address}'s store is busy delivering "
                "(Mailbox.RecipientThreadLimited)",
            )
    return None


def recipient_rate_exceeded(limits: Limits, from_sender: int, total: int) -> Reply | None:
    """The NDR reply for a recipient that already received ``from_sender`` messages from this
    sender and ``total`` in all in the last hour, or None. The per-sender limit (5.2.121) is
    the narrower one, so it is checked first; neither is enforced unless set."""
    per_sender = limits.recipient_messages_per_hour_per_sender
    if per_sender is not None and from_sender >= per_sender:
        return catalog.NDR_RECIPIENT_RATE_FROM_SENDER
    per_recipient = limits.recipient_messages_per_hour
    if per_recipient is not None and total >= per_recipient:
        return catalog.NDR_RECIPIENT_RATE
    return None
