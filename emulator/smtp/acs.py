"""smtp.azurecomm.net: the Azure Communication Services Email SMTP relay.

Port 587 with STARTTLS (TLS 1.2 and 1.3), AUTH LOGIN with an SMTP Username
and the Entra app's client secret, and the rules of ``emulator.policy.acs``.
ACS is a sending service: an accepted message goes to the Inbox of each
recipient the tenant holds, and to Outbound (the internet) for everyone
else. Its sending counters are its own, per resource.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field

from exolab.emulator.capture import recording
from exolab.emulator.lab import LabContext
from exolab.emulator.mail.scan import HeadFields, scan
from exolab.emulator.policy import acs as rules
from exolab.emulator.policy.facts import (
    AuthCommand,
    Credentials,
    DataCommand,
    EndOfData,
    MailCommand,
    RcptCommand,
    SessionFacts,
)
from exolab.emulator.policy.submission import check_starttls
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import FrontEndNames, Reply, catalog
from exolab.emulator.smtp.auth import AuthExchange, AuthResult, Mechanism
from exolab.emulator.smtp.base import ExchangeSMTP
from exolab.emulator.smtp.basiclogin import collect_login
from exolab.emulator.smtp.data import Body
from exolab.emulator.smtp.frontend import Connection
from exolab.emulator.smtp.listener import bound_port, listen
from exolab.emulator.smtp.live import LiveConnections, stop_listening
from exolab.emulator.smtp.placements import inbox_and_outbound, received_stamp
from exolab.emulator.smtp.session import SessionState
from exolab.emulator.store import Placement

PORT = 587


@dataclass
class AcsLogin:
    """AUTH LOGIN: an SMTP Username and, as the password, the Entra app's client secret."""

    name: str = "LOGIN"
    secret_initial_response: bool = False

    async def authenticate(self, exchange: AuthExchange, initial: str | None) -> AuthResult:
        collected = await collect_login(exchange, initial, self.name)
        if isinstance(collected, AuthResult):
            return collected
        username, password = collected
        verdict, identity = rules.check_credentials(
            Credentials(exchange.facts(), self.name, username, password)
        )
        return AuthResult(verdict, identity)


@dataclass
class AcsFrontEnd:
    """The relay's listener on (real) port 587."""

    lab: LabContext
    endpoint: str
    port: int
    tls_context: ssl.SSLContext | None
    mechanisms: Mapping[str, Mechanism]
    counters: rules.SendingCounters = field(default_factory=rules.SendingCounters)
    live: LiveConnections = field(default_factory=LiveConnections)

    def names_for(self, session_id: int) -> FrontEndNames:
        rng = self.lab.rng(f"names:{self.endpoint}:{session_id}")
        return FrontEndNames.submission(rng, self.lab.tenant.tenant.region)

    def ehlo_reply(self, tls: bool) -> Reply:
        return catalog.EHLO_ACS_TLS if tls else catalog.EHLO_ACS_PLAIN

    def check_starttls(self, facts: SessionFacts) -> Verdict:
        return check_starttls(facts)

    def check_auth_command(self, facts: SessionFacts, mechanism: str) -> Verdict | None:
        known = mechanism in self.mechanisms
        return rules.check_auth_command(AuthCommand(facts, mechanism, known))

    def authenticated(self, state: SessionState) -> None:
        state.note(f"acs: signed in as SMTP Username {state.identity}")

    def check_mail(
        self, state: SessionState, facts: SessionFacts, address: str | None, size: int | None
    ) -> Verdict:
        resource = rules.resource_of(facts)
        minute, hour = (
            self.counters.usage(resource.name, facts.now.timestamp()) if resource else (0, 0)
        )
        return rules.check_mail(rules.AcsMail(MailCommand(facts, address, size), minute, hour))

    def check_rcpt(self, state: SessionState, facts: SessionFacts, address: str | None) -> Verdict:
        return rules.check_rcpt(RcptCommand(facts, address))

    def check_data(self, state: SessionState, facts: SessionFacts) -> Verdict:
        return rules.check_data(DataCommand(facts))

    async def end_of_data(self, state: SessionState, facts: SessionFacts, body: Body) -> Verdict:
        head = scan(body.data) if body.kept else HeadFields()
        eod = EndOfData(
            facts,
            body.size,
            tuple(state.rcpts),
            head.header_from,
            from_compliant=head.from_compliant,
            header_size=head.header_size,
        )
        verdict = rules.check_end_of_data(eod)
        if not verdict.accepted:
            return verdict
        message_id = head.message_id
        if message_id is None:
            message_id = f"{state.rng.getrandbits(64):016x}@{state.names.mailbox_host.lower()}"
        await self.lab.store.deliver(
            state.id,
            state.mail_from or "",
            body.data,
            self._placements(state),
            message_id=f"<{message_id}>",
            received_at=facts.now,
        )
        resource = rules.resource_of(facts)
        if resource is not None:
            self.counters.sent(resource.name, facts.now.timestamp())
        state.delivered += 1
        state.note(f"delivered: {message_id} to {', '.join(state.rcpts)} (ACS)")
        return Verdict(verdict.reply, verdict.rule, verdict.reason, {"message_id": message_id})

    def _placements(self, state: SessionState) -> list[Placement]:
        stamp = received_stamp(state, self.lab.clock.now())
        sender = (state.mail_from or "").lower()
        return inbox_and_outbound(self.lab.tenant, state.rcpts, stamp, sender)

    def opened(self, protocol: Connection) -> None:
        self.live.add(protocol)

    def closed(self, protocol: Connection) -> None:
        self.live.discard(protocol)
        state = protocol.state
        if state is not None:
            self.lab.store.record_session_soon(state.record(self.lab.clock.now()))


class AcsService:
    """smtp.azurecomm.net on 587."""

    name = "acs"

    def __init__(self) -> None:
        self.frontend: AcsFrontEnd | None = None
        self._servers: list[asyncio.Server] = []

    async def start(self, lab: LabContext) -> None:
        host = rules.HOST
        address = lab.address_of(host)
        sink = lab.capture_sink()
        keylog = sink.keylog if sink is not None else None
        context = lab.ca.server_context((host,), "1.2", "1.3", keylog=keylog)
        self.frontend = AcsFrontEnd(lab, host, PORT, context, {"LOGIN": AcsLogin()})
        server = await listen(
            recording(functools.partial(ExchangeSMTP, self.frontend), sink),
            host,
            address,
            lab.ports.bind_port(PORT),
        )
        self._servers.append(server)
        lab.endpoints.add_port(host, address, PORT, bound_port(server))

    async def stop(self) -> None:
        holders = [self.frontend.live] if self.frontend else []
        await stop_listening(self._servers, holders)
        self._servers.clear()
