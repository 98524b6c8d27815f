"""The tenant MX front end (``<tenant>-com.mail.protection.outlook.com:25``): direct send.

A ``FrontEnd`` for core's ``ExchangeSMTP`` adapter. Banner and EHLO of an EOP
front end; STARTTLS offered and optional, TLS 1.2+ only (an older handshake
fails and the client may come back in plaintext, which is accepted); any
AUTH → 504 5.7.4; the recipient rules of ``emulator.policy.directsend``. At
end of data this shell only gathers facts: the header fields (``mail.scan``),
SPF (pyspf, in the SPF helper process, over the lab DNS on the wire) and the
DMARC record, and the inbound connector; ``emulator.policy.inbound.judge``
decides DMARC, compauth, the spam verdict, the EOP header stamp and the
copies. Then the durable commit (Inbox / Junk Email / Quarantine, or Outbound
for a relay; group commit in the store's writer thread, so the loop never
waits for an fsync and messages ending together share one), and only then
``250 2.6.0 … Queued mail for delivery``. Session records ride along in the
next group commit.

The client's certificate is read once, when the STARTTLS handshake completes
(``SessionState.peer_certificate``), for the certificate-based connectors.

The client's source address is mapped to its public IP through the tenant's
sites (core's adapter does that for every front end); a dynamic site is noted
in the session log.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from exolab.emulator.capture import recording
from exolab.emulator.dns.authmemo import SenderAuthMemo
from exolab.emulator.dns.resolver import LIFETIME
from exolab.emulator.dns.senderauth import DnsFacts, check_sender
from exolab.emulator.dns.spfworker import SpfWorker
from exolab.emulator.lab import LabContext
from exolab.emulator.mail.ndr import Failure
from exolab.emulator.mail.scan import HeadFields, scan
from exolab.emulator.policy import directsend as rules
from exolab.emulator.policy.authresults import SpfResult
from exolab.emulator.policy.connectors import admitting_connector
from exolab.emulator.policy.delivery import delivery_refused
from exolab.emulator.policy.directsend import MxRcpt, Route
from exolab.emulator.policy.facts import (
    AuthCommand,
    DataCommand,
    EndOfData,
    MailCommand,
    RcptCommand,
    SessionFacts,
)
from exolab.emulator.policy.inbound import Copy, InboundMessage, judge
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import FrontEndNames, Reply, catalog
from exolab.emulator.smtp import ndrs
from exolab.emulator.smtp.auth import Mechanism
from exolab.emulator.smtp.base import ExchangeSMTP
from exolab.emulator.smtp.data import Body
from exolab.emulator.smtp.frontend import Connection
from exolab.emulator.smtp.listener import bound_port, listen
from exolab.emulator.smtp.live import LiveConnections, stop_listening
from exolab.emulator.smtp.session import SessionState
from exolab.emulator.store import Placement
from exolab.emulator.tenant.model import InboundConnector

SPF_THREADS = 8
"""Worker threads for SPF checks: each waits on lab DNS round trips, so more than the
default executor's handful keep many concurrent sessions moving."""
MX_CERT_NAMES = ("mail.protection.outlook.com", "*.mail.protection.outlook.com")
"""The MX certificate names (docs/guide/tls-identity.md: ``mail.protection.outlook.com``)."""


def mx_microsoft_names(zone: str) -> tuple[str, ...]:
    """The certificate names for the ``mx.microsoft`` namespace (no capture of Microsoft's
    certificate there is public: CN and SANs are a guess that covers the host name)."""
    return ("mx.microsoft", f"*.{zone}.mx.microsoft", "*.mx.microsoft")


def mx_tls_context(lab: LabContext) -> ssl.SSLContext:
    """TLS 1.2 and 1.3 only; a client certificate from the lab CA is asked for, not required
    (certificate-based inbound connectors match on it)."""
    info = lab.tenant.tenant
    names = (
        MX_CERT_NAMES if info.mx_host_style == "protection" else mx_microsoft_names(info.mx_zone)
    )
    sink = lab.capture_sink()
    keylog = sink.keylog if sink is not None else None
    return lab.ca.server_context(names, "1.2", "1.3", client_certificates=True, keylog=keylog)


def certificate_names(cert: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Subject CN and DNS subject alternative names of a verified certificate
    (``SSLObject.getpeercert()``, recorded once when the handshake completed)."""
    if not cert:
        return ()
    names = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
    names += [v for k, v in cert.get("subjectAltName", ()) if k == "DNS"]
    return tuple(str(n) for n in names)


@dataclass
class MxFrontEnd:
    """The MX listener on (real) port 25."""

    lab: LabContext
    endpoint: str
    port: int = 25
    tls_context: ssl.SSLContext | None = None
    mechanisms: Mapping[str, Mechanism] = field(default_factory=dict)
    live: LiveConnections = field(default_factory=LiveConnections)
    executor: concurrent.futures.Executor | None = None
    """Where the blocking SPF checks run in-process (None: the loop's default executor)."""
    spf_worker: SpfWorker | None = None
    """The SPF helper process; when set, checks run there instead of in ``executor``."""
    sender_auth_memo: SenderAuthMemo = field(default_factory=SenderAuthMemo)
    """Settled SPF and DMARC answers for the tenant now in the lab (an edit starts it afresh)."""

    # -- names and greeting ------------------------------------------------------------

    def names_for(self, session_id: int) -> FrontEndNames:
        rng = self.lab.rng(f"names:{self.endpoint}:{session_id}")
        return FrontEndNames.mx(rng, self.lab.tenant.tenant.region)

    def ehlo_reply(self, tls: bool) -> Reply:
        return catalog.EHLO_MX_TLS if tls else catalog.EHLO_MX_PLAIN

    def check_starttls(self, facts: SessionFacts) -> Verdict:
        return rules.check_starttls(facts)

    def check_auth_command(self, facts: SessionFacts, mechanism: str) -> Verdict | None:
        return rules.check_auth(AuthCommand(facts, mechanism, known=False))

    def authenticated(self, state: SessionState) -> None:  # pragma: no cover - no AUTH here
        raise AssertionError("the MX authenticates nobody")

    # -- the transaction -----------------------------------------------------------------

    def check_mail(
        self, state: SessionState, facts: SessionFacts, address: str | None, size: int | None
    ) -> Verdict:
        return rules.check_mail(MailCommand(facts, address, size))

    def _connector(self, state: SessionState) -> InboundConnector | None:
        return admitting_connector(
            self.lab.tenant,
            state.public_ip,
            state.tls_version is not None,
            certificate_names(state.peer_certificate),
        )

    def check_rcpt(self, state: SessionState, facts: SessionFacts, address: str | None) -> Verdict:
        connector = self._connector(state)
        return rules.check_rcpt(MxRcpt(RcptCommand(facts, address), connector))

    def check_data(self, state: SessionState, facts: SessionFacts) -> Verdict:
        return rules.check_data(DataCommand(facts))

    async def end_of_data(self, state: SessionState, facts: SessionFacts, body: Body) -> Verdict:
        """Gather the facts (the header fields, the DNS answers), let ``judge`` decide, store."""
        started = self.lab.clock.monotonic()
        head = scan(body.data) if body.kept else HeadFields()
        eod = EndOfData(
            facts,
            body.size,
            tuple(state.rcpts),
            head.header_from,
            from_compliant=head.from_compliant,
            header_size=head.header_size,
        )
        refusal = rules.check_end_of_data(eod)
        if refusal is not None:
            return refusal
        dns_facts = await self._sender_auth(state, head.from_domain)
        judgement = judge(
            InboundMessage(
                eod=eod,
                head=head,
                spf=dns_facts.spf,
                dmarc_record=dns_facts.dmarc_record,
                dmarc_lookup_failed=dns_facts.dmarc_error,
                connector=self._connector(state),
                receiving_host=state.names.trailer_host,
                receiving_ip=self.frontend_ip(state.id),
                cipher=state.cipher,
                dmarc_sample=self.lab.rng(f"dmarc:{self.endpoint}:{state.id}:{state.delivered}"),
            )
        )
        for note in judgement.notes:
            state.note(note)
        message_id = head.message_id
        if message_id is None:
            message_id = f"{state.rng.getrandbits(64):016x}@{state.names.mailbox_host.lower()}"
        kept, failures = self._deliverable(judgement.copies, judgement.routes, body.size)
        if kept:
            await self.lab.store.deliver(
                state.id,
                state.mail_from or "",
                body.data,
                [
                    Placement(c.mailbox, c.folder, judgement.headers, c.scl, c.recipients)
                    for c in kept
                ],
                message_id=f"<{message_id}>",
                received_at=facts.now,
            )
            state.delivered += 1
            where = ", ".join(f"{c.mailbox}/{c.folder}" for c in kept)
            state.note(f"delivered: {message_id} to {where}")
        if failures:
            await ndrs.report(self.lab, state, facts.now, body.data, failures)
        seconds = max(self.lab.clock.monotonic() - started, 0.001)
        return judgement.verdict.with_params(
            message_id=message_id,
            internal_id=state.rng.randrange(10**14, 10**15),
            mailbox_host=state.names.mailbox_host,
            size=body.size,
            seconds=f"{seconds:.3f}",
            rate=f"{body.size / 1024 / seconds:.3f}",
        )

    def _deliverable(
        self, copies: Sequence[Copy], routes: Sequence[tuple[str, Route]], size: int
    ) -> tuple[list[Copy], list[Failure]]:
        """The copies the mailboxes take, and the recipients to report in an NDR: a mailbox
        that refuses the message (full, or over its MaxReceiveSize) and, with DBEB off, an
        address of an accepted domain that no mailbox has."""
        kept: list[Copy] = []
        failures = [
            ndrs.failure(address, catalog.NDR_RECIPIENT_NOT_FOUND)
            for address, route in routes
            if route == "nowhere"
        ]
        for copy in copies:
            mailbox = (
                self.lab.tenant.find_mailbox(copy.mailbox) if copy.folder != "Outbound" else None
            )
            reply = delivery_refused(mailbox, size) if mailbox is not None else None
            if reply is None:
                kept.append(copy)
            else:
                failures += [ndrs.failure(r, reply) for r in copy.recipients]
        return kept, failures

    async def _sender_auth(self, state: SessionState, from_domain: str | None) -> DnsFacts:
        if not self.lab.endpoints.dns:
            state.note("lab DNS is not running: SPF temperror")
            domain = _spf_domain(state.mail_from or "", state.helo or "")
            return DnsFacts(SpfResult("temperror", domain, "lab DNS not running"), None, True)
        tenant = self.lab.tenant
        key = (state.public_ip, state.mail_from or "", state.helo or "", from_domain)
        known = self.sender_auth_memo.get(tenant, key)
        if known is not None:
            return known
        facts = await self._check_sender(state, *key)
        self.sender_auth_memo.put(tenant, key, facts)
        return facts

    async def _check_sender(
        self, state: SessionState, ip: str, mail_from: str, helo: str, from_domain: str | None
    ) -> DnsFacts:
        """SPF and the DMARC lookup over the lab DNS, in the helper process or in threads."""
        args = (self.lab.dns_server, ip, mail_from, helo)
        if self.spf_worker is None:
            return await check_sender(*args, from_domain, executor=self.executor)
        try:
            return await self.spf_worker.check(*args, from_domain, LIFETIME)
        except (ConnectionError, RuntimeError) as exc:
            state.note(f"SPF helper failed ({exc}): SPF temperror")
            domain = _spf_domain(mail_from, helo)
            return DnsFacts(SpfResult("temperror", domain, str(exc)), None, True)

    # -- session life --------------------------------------------------------------------

    def frontend_ip(self, session_id: int) -> str:
        """The internal address of the EOP server that took this session (seeded per session)."""
        rng = self.lab.rng(f"frontend-ip:{self.endpoint}:{session_id}")
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"

    def opened(self, protocol: Connection) -> None:
        state = protocol.state
        assert state is not None
        self.live.add(protocol)
        site = self.lab.tenant.site_for_source(state.client_ip)
        state.note(f"client {state.client_ip} -> public {state.public_ip} (site {state.site})")
        if site is not None and site.dynamic:
            state.note(
                f"site {site.name!r} is dynamic: no stable public IP, so SPF and IP-based "
                "connectors cannot rely on it"
            )

    def closed(self, protocol: Connection) -> None:
        state = protocol.state
        if state is None:
            return
        self.live.discard(protocol)
        self.lab.store.record_session_soon(state.record(self.lab.clock.now()))


def _spf_domain(mail_from: str, helo: str) -> str:
    """The domain SPF checks: the MAIL FROM domain, or the HELO name for a null sender."""
    return mail_from.rpartition("@")[2] or helo


class MxService:
    """The ``mx`` service: the tenant's MX host on 25 (or per PortPlan)."""

    name = "mx"

    def __init__(self, spf: Literal["process", "thread"] = "process") -> None:
        self.frontend: MxFrontEnd | None = None
        self._server: asyncio.Server | None = None
        self._spf = spf
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._worker: SpfWorker | None = None

    async def start(self, lab: LabContext) -> None:
        host = lab.tenant.tenant.mx_endpoint
        address = lab.address_of(host)
        if self._spf == "process":
            # started by the first check, so labs that get no MX mail pay nothing
            self._worker = SpfWorker()
        else:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                SPF_THREADS, thread_name_prefix="exolab-spf"
            )
        self.frontend = MxFrontEnd(
            lab, host, 25, mx_tls_context(lab), executor=self._executor, spf_worker=self._worker
        )
        self._server = await listen(
            recording(functools.partial(ExchangeSMTP, self.frontend), lab.capture_sink()),
            host,
            address,
            lab.ports.bind_port(25),
        )
        lab.endpoints.add_port(host, address, 25, bound_port(self._server))
        info = lab.tenant.tenant
        lab.endpoints.extra["mx"] = {
            "host": host,
            "style": info.mx_host_style,
            "dnssec": False,  # the lab DNS signs nothing, whatever the namespace
        }

    async def stop(self) -> None:
        if self._server is None or self.frontend is None:
            return
        await stop_listening([self._server], [self.frontend.live])
        self._server = None
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self._worker is not None:
            await self._worker.stop()
