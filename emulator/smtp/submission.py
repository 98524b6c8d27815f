"""smtp.office365.com and smtp-legacy.office365.com: the client submission front ends.

Ports 587 and 25 with STARTTLS (TLS 1.0 to 1.3 really negotiate; the rules
decide what a version may do), AUTH through the mechanism registry, the
submission restriction lists of ``emulator.policy.submission``, and delivery:
each internal recipient's Inbox, a copy in the sender's Sent Items, and
everything else in Outbound (the internet), committed durably before the
250. Port 465 of smtp.office365.com is ``SilentPort`` (silent.py).
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from exolab.emulator.capture import recording
from exolab.emulator.lab import LabContext
from exolab.emulator.mail.scan import HeadFields, scan
from exolab.emulator.policy import submission as rules
from exolab.emulator.policy.delivery import delivery_refused
from exolab.emulator.policy.facts import (
    AuthCommand,
    DataCommand,
    EndOfData,
    MailCommand,
    RcptCommand,
    SessionFacts,
)
from exolab.emulator.policy.limits import (
    TENANT_EXTERNAL,
    SubmissionCounters,
    message_rate_decision,
    recipient_rate_exceeded,
    tenant_external_limit_reached,
    tenant_external_limit_reply,
)
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import FrontEndNames, Reply, catalog
from exolab.emulator.smtp import ndrs
from exolab.emulator.smtp.auth import Mechanism
from exolab.emulator.smtp.base import ExchangeSMTP
from exolab.emulator.smtp.data import Body
from exolab.emulator.smtp.frontend import Connection
from exolab.emulator.smtp.listener import bound_port, listen
from exolab.emulator.smtp.live import LiveConnections, stop_listening
from exolab.emulator.smtp.mechanisms import registry
from exolab.emulator.smtp.placements import inbox_and_outbound, received_stamp
from exolab.emulator.smtp.session import SessionState
from exolab.emulator.smtp.silent import SilentPort
from exolab.emulator.store import Placement

HOSTS = ("smtp.office365.com", "smtp-legacy.office365.com")
PORTS = (587, 25)


@dataclass
class SubmissionFrontEnd:
    """One submission listener: a host and a real port."""

    lab: LabContext
    endpoint: str
    port: int
    tls_context: ssl.SSLContext | None
    counters: SubmissionCounters
    mechanisms: Mapping[str, Mechanism]
    live: LiveConnections = field(default_factory=LiveConnections)

    def names_for(self, session_id: int) -> FrontEndNames:
        rng = self.lab.rng(f"names:{self.endpoint}:{session_id}")
        return FrontEndNames.submission(rng, self.lab.tenant.tenant.region)

    def ehlo_reply(self, tls: bool) -> Reply:
        return catalog.EHLO_SUBMISSION_TLS if tls else catalog.EHLO_SUBMISSION_PLAIN

    def check_starttls(self, facts: SessionFacts) -> Verdict:
        return rules.check_starttls(facts)

    def check_auth_command(self, facts: SessionFacts, mechanism: str) -> Verdict | None:
        return rules.check_auth_command(AuthCommand(facts, mechanism, mechanism in self.mechanisms))

    def authenticated(self, state: SessionState) -> None:
        assert state.identity is not None
        self.counters.connected(state.identity, state.id)

    def check_mail(
        self, state: SessionState, facts: SessionFacts, address: str | None, size: int | None
    ) -> Verdict:
        verdict = rules.check_mail(MailCommand(facts, address, size))
        if verdict.reply is catalog.MAIL_NOT_AUTHENTICATED:
            last = facts.last_auth_error
            appended = ""
            if last is not None and state.renderer is not None:
                appended = " Error: " + state.renderer.summary(last.reply, **last.params)
            verdict = verdict.with_params(last_error=appended)
        return verdict

    def check_rcpt(self, state: SessionState, facts: SessionFacts, address: str | None) -> Verdict:
        return rules.check_rcpt(RcptCommand(facts, address))

    def check_data(self, state: SessionState, facts: SessionFacts) -> Verdict:
        rank = self.counters.rank(state.identity, state.id) if state.identity else 0
        return rules.check_data(DataCommand(facts, rank))

    async def end_of_data(self, state: SessionState, facts: SessionFacts, body: Body) -> Verdict:
        head = scan(body.data) if body.kept else HeadFields()
        identity = state.identity or ""
        now = facts.now.timestamp()
        per_minute = facts.tenant.limits.messages_per_minute
        eod = EndOfData(
            facts,
            body.size,
            tuple(state.rcpts),
            head.header_from,
            self.counters.recipients_last_24h(identity, now),
            self.counters.rate_delay(identity, now, per_minute),
            head.from_compliant,
            head.header_size,
        )
        verdict = rules.check_end_of_data(eod)
        if not verdict.accepted:
            return verdict
        rate = message_rate_decision(facts.tenant.limits, eod.rate_delay)
        self.counters.add_recipients(identity, now, len(state.rcpts))
        self.counters.released(identity, now + rate.release_after, per_minute)
        if verdict.delay > 0:
            await asyncio.sleep(verdict.delay)  # MessageRateAction = hold: the reply waits
        released_at = facts.now + timedelta(seconds=rate.release_after)
        if rate.release_after > 0:
            state.note(
                f"message rate over {per_minute} a minute: delayed, released at "
                f"{released_at.isoformat()} (lab clock)"
            )
        message_id = head.message_id
        if message_id is None:
            message_id = f"{state.rng.getrandbits(64):016x}@{state.names.mailbox_host.lower()}"
        blocked = self._over_tenant_external_limit(state, now)
        refused = self._refused_by_mailboxes(state, body.size)
        refused.update(self._over_recipient_rate(state, now, refused))
        unknown: list[str] = []
        await self.lab.store.deliver(
            state.id,
            state.mail_from or "",
            body.data,
            self._placements(state, identity, unknown, [*blocked, *refused]),
            message_id=f"<{message_id}>",
            received_at=released_at,
        )
        state.delivered += 1
        state.note(f"delivered: {message_id} to {', '.join(state.rcpts)}")
        failures = [ndrs.failure(r, catalog.NDR_RECIPIENT_NOT_FOUND) for r in unknown]
        failures += [ndrs.failure(r, reply) for r, reply in refused.items()]
        terrl = tenant_external_limit_reply(self.lab.tenant)
        failures += [ndrs.failure(r, terrl) for r in blocked]
        if failures:
            await ndrs.report(self.lab, state, facts.now, body.data, failures)
        return Verdict(verdict.reply, verdict.rule, verdict.reason, {"message_id": message_id})

    def _over_tenant_external_limit(self, state: SessionState, now: float) -> list[str]:
        """The external recipients the tenant's TERRL stops (all of this message's, or none)."""
        tenant = self.lab.tenant
        external = [
            r
            for r in state.rcpts
            if tenant.find_mailbox(r) is None and not tenant.is_accepted_domain(r)
        ]
        sent = self.counters.recipients_last_24h(TENANT_EXTERNAL, now)
        if tenant_external_limit_reached(tenant, sent, len(external)):
            return external
        self.counters.add_recipients(TENANT_EXTERNAL, now, len(external))
        return []

    def _refused_by_mailboxes(self, state: SessionState, size: int) -> dict[str, Reply]:
        """The internal recipients whose mailbox cannot take the message, and the NDR reply."""
        refused: dict[str, Reply] = {}
        for rcpt in state.rcpts:
            mailbox = self.lab.tenant.find_mailbox(rcpt)
            reply = delivery_refused(mailbox, size) if mailbox is not None else None
            if reply is not None:
                refused[rcpt] = reply
        return refused

    def _over_recipient_rate(
        self, state: SessionState, now: float, refused: dict[str, Reply]
    ) -> dict[str, Reply]:
        """Internal recipients over their hourly receive limits (NDR 5.2.121 / 5.2.122); the
        others count this message. Only submission counts: MX deliveries are not metered."""
        limits = self.lab.tenant.limits
        sender = (state.mail_from or state.identity or "").lower()
        over: dict[str, Reply] = {}
        for rcpt in state.rcpts:
            if rcpt in refused or self.lab.tenant.find_mailbox(rcpt) is None:
                continue
            key, pair = rcpt.lower(), f"{rcpt.lower()} from {sender}"
            reply = recipient_rate_exceeded(
                limits,
                self.counters.received_last_hour(pair, now),
                self.counters.received_last_hour(key, now),
            )
            if reply is not None:
                over[rcpt] = reply
                continue
            self.counters.received(pair, now)
            self.counters.received(key, now)
        return over

    def _placements(
        self, state: SessionState, identity: str, unknown: list[str], blocked: list[str]
    ) -> list[Placement]:
        stamp = received_stamp(state, self.lab.clock.now())
        rcpts = [r for r in state.rcpts if r not in blocked]
        placements = inbox_and_outbound(self.lab.tenant, rcpts, stamp, identity, unknown)
        placements.append(Placement(identity, "Sent Items", recipients=tuple(state.rcpts)))
        return placements

    def opened(self, protocol: Connection) -> None:
        self.live.add(protocol)

    def closed(self, protocol: Connection) -> None:
        self.live.discard(protocol)
        state = protocol.state
        if state is None:
            return
        if state.identity:
            self.counters.disconnected(state.identity, state.id)
        self.lab.store.record_session_soon(state.record(self.lab.clock.now()))


class SubmissionService:
    """Both submission hosts on 587 and 25, and the silent 465 of smtp.office365.com."""

    name = "submission"

    def __init__(self, mechanisms: Mapping[str, Mechanism] | None = None) -> None:
        self._extra = mechanisms
        self.frontends: list[SubmissionFrontEnd] = []
        self.silent: list[SilentPort] = []
        self._servers: list[asyncio.Server] = []

    async def start(self, lab: LabContext) -> None:
        counters = SubmissionCounters()
        mechanisms = registry(self._extra)
        sink = lab.capture_sink()
        for host in HOSTS:
            address = lab.address_of(host)
            keylog = sink.keylog if sink is not None else None
            context = lab.ca.server_context((host,), "1.0", "1.3", keylog=keylog)
            for real in PORTS:
                frontend = SubmissionFrontEnd(lab, host, real, context, counters, mechanisms)
                server = await listen(
                    recording(functools.partial(ExchangeSMTP, frontend), sink),
                    host,
                    address,
                    lab.ports.bind_port(real),
                )
                self._servers.append(server)
                self.frontends.append(frontend)
                lab.endpoints.add_port(host, address, real, bound_port(server))
        host = HOSTS[0]
        silent = SilentPort(lab, host, 465)
        server = await listen(silent.protocol, host, lab.address_of(host), lab.ports.bind_port(465))
        self._servers.append(server)
        self.silent.append(silent)
        lab.endpoints.add_port(host, lab.address_of(host), 465, bound_port(server))

    async def stop(self) -> None:
        await stop_listening(self._servers, [*(f.live for f in self.frontends), *self.silent])
        self._servers.clear()
