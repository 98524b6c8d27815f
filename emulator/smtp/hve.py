"""smtp.hve.mx.microsoft and smtp-hve.office365.com: the High Volume Email front ends.

Port 587 with STARTTLS, TLS 1.2 and 1.3 only (an older handshake fails),
Exchange Online's banner and EHLO, AUTH LOGIN for HVE accounts and XOAUTH2
for their allowed apps, and the rules of ``emulator.policy.hve``. An accepted
message goes to each recipient's Inbox (all are internal) and nowhere else:
an HVE account has no Sent Items. The front ends keep no submission counters,
so HVE traffic never counts towards a mailbox's or the tenant's limits.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from exolab.emulator.capture import recording
from exolab.emulator.entra import lab_public_keys
from exolab.emulator.lab import LabContext
from exolab.emulator.mail.scan import HeadFields, scan
from exolab.emulator.policy import hve as rules
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
from exolab.emulator.smtp.auth import AuthExchange, AuthResult, Mechanism, cancelled
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
class HveLogin:
    """AUTH LOGIN judged by the HVE rules, with Entra ID smart lockout counted as for mailboxes."""

    name: str = "LOGIN"
    secret_initial_response: bool = False

    async def authenticate(self, exchange: AuthExchange, initial: str | None) -> AuthResult:
        collected = await collect_login(exchange, initial, self.name)
        if isinstance(collected, AuthResult):
            return collected
        username, password = collected
        facts = exchange.facts()
        account = facts.tenant.find_hve_account(username)
        lockout = exchange.lab().lockout
        address = account.primary_smtp_address if account else None
        locked = lockout.locked_until(address, facts.now) if address else None
        creds = Credentials(facts, self.name, username, password, locked_until=locked)
        verdict = rules.check_basic_credentials(creds)
        if address is not None:
            policy = facts.tenant.password_rule_settings
            if verdict.rule == "hve_credentials_valid":
                lockout.failed(
                    address,
                    password,
                    facts.now,
                    policy.lockout_threshold,
                    policy.lockout_duration_in_seconds,
                )
            elif verdict.accepted:
                lockout.succeeded(address)
        if not verdict.accepted:
            return AuthResult(verdict)
        return AuthResult(verdict, address)


@dataclass
class HveXOAuth2:
    """AUTH XOAUTH2 with HVE's own argument and token replies (501 5.5.12x, 535 5.7.14x)."""

    name: str = "XOAUTH2"
    secret_initial_response: bool = True
    _keys: dict[Path, dict[str, RSAPublicKey]] = field(default_factory=dict, repr=False)

    async def authenticate(self, exchange: AuthExchange, initial: str | None) -> AuthResult:
        if initial is None:
            initial = await exchange.challenge(catalog.AUTH_XOAUTH2_CONTINUE, secret=True)
            if initial is None:
                return cancelled(self.name)
        data_dir = Path(exchange.lab().data_dir)
        if data_dir not in self._keys:
            self._keys[data_dir] = lab_public_keys(data_dir)
        verdict, identity = rules.check_xoauth2(exchange.facts(), self._keys[data_dir], initial)
        return AuthResult(verdict, identity)


@dataclass
class HveFrontEnd:
    """One HVE listener: a host on (real) port 587."""

    lab: LabContext
    endpoint: str
    port: int
    tls_context: ssl.SSLContext | None
    mechanisms: Mapping[str, Mechanism]
    live: LiveConnections = field(default_factory=LiveConnections)

    def names_for(self, session_id: int) -> FrontEndNames:
        rng = self.lab.rng(f"names:{self.endpoint}:{session_id}")
        return FrontEndNames.submission(rng, self.lab.tenant.tenant.region)

    def ehlo_reply(self, tls: bool) -> Reply:
        return catalog.EHLO_SUBMISSION_TLS if tls else catalog.EHLO_SUBMISSION_PLAIN

    def check_starttls(self, facts: SessionFacts) -> Verdict:
        return check_starttls(facts)

    def check_auth_command(self, facts: SessionFacts, mechanism: str) -> Verdict | None:
        known = mechanism in self.mechanisms
        return rules.check_auth_command(AuthCommand(facts, mechanism, known))

    def authenticated(self, state: SessionState) -> None:
        state.note(f"hve: signed in as {state.identity}")

    def check_mail(
        self, state: SessionState, facts: SessionFacts, address: str | None, size: int | None
    ) -> Verdict:
        return rules.check_mail(MailCommand(facts, address, size))

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
        state.delivered += 1
        state.note(f"delivered: {message_id} to {', '.join(state.rcpts)} (HVE)")
        return Verdict(verdict.reply, verdict.rule, verdict.reason, {"message_id": message_id})

    def _placements(self, state: SessionState) -> list[Placement]:
        stamp = received_stamp(state, self.lab.clock.now())
        return inbox_and_outbound(self.lab.tenant, state.rcpts, stamp, outbound_owner=None)

    def opened(self, protocol: Connection) -> None:
        self.live.add(protocol)

    def closed(self, protocol: Connection) -> None:
        self.live.discard(protocol)
        state = protocol.state
        if state is not None:
            self.lab.store.record_session_soon(state.record(self.lab.clock.now()))


class HveService:
    """Both HVE hosts on 587."""

    name = "hve"

    def __init__(self) -> None:
        self.frontends: list[HveFrontEnd] = []
        self._servers: list[asyncio.Server] = []

    async def start(self, lab: LabContext) -> None:
        mechanisms: dict[str, Mechanism] = {"LOGIN": HveLogin(), "XOAUTH2": HveXOAuth2()}
        sink = lab.capture_sink()
        for host in rules.HOSTS:
            address = lab.address_of(host)
            keylog = sink.keylog if sink is not None else None
            context = lab.ca.server_context((host,), "1.2", "1.3", keylog=keylog)
            frontend = HveFrontEnd(lab, host, PORT, context, mechanisms)
            server = await listen(
                recording(functools.partial(ExchangeSMTP, frontend), sink),
                host,
                address,
                lab.ports.bind_port(PORT),
            )
            self._servers.append(server)
            self.frontends.append(frontend)
            lab.endpoints.add_port(host, address, PORT, bound_port(server))

    async def stop(self) -> None:
        await stop_listening(self._servers, [f.live for f in self.frontends])
        self._servers.clear()
