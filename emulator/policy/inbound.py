"""Direct send at end of data: from the facts of one message to everything the MX does with it.

Pure. The MX front end gathers the facts that need I/O (the SPF result and
the DMARC record come from the lab DNS; the inbound connector from the
client's address and certificate) and hands them to ``judge`` with the
message's header fields; what comes back is the whole decision: the
sender-authentication results (SPF as given, DMARC, compauth), the spam
verdict (SCL and folder), the header block EOP stamps on every copy, the
copies to commit (one per internal mailbox in the verdict's folder, one in
``Outbound`` per recipient outside the tenant) and the notes for the
session log. The front end only stores the copies and sends the reply.

The size rule (``directsend.check_end_of_data``) runs before the DNS is
asked anything, so it stays a separate first step in the front end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from exolab.emulator.mail.headers import Header, Hop, Stamp, inbound_headers
from exolab.emulator.mail.scan import HeadFields
from exolab.emulator.policy.authresults import (
    Compauth,
    DmarcResult,
    SpfResult,
    composite_auth,
    evaluate_dmarc,
)
from exolab.emulator.policy.directsend import Route, route_for
from exolab.emulator.policy.facts import EndOfData
from exolab.emulator.policy.spam import SpamVerdict, spam_verdict
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog
from exolab.emulator.tenant.model import InboundConnector, Tenant

CopyFolder = Literal["Inbox", "Junk Email", "Quarantine", "Outbound"]
AUTH_AS = {"OnPremises": "Internal", "Partner": "Partner"}
"""``X-MS-Exchange-Organization-AuthAs`` for mail attributed to a connector of that type."""


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """The facts of one message at end of data on the MX."""

    eod: EndOfData
    head: HeadFields
    spf: SpfResult
    """The SPF check of MAIL FROM (HELO for a null sender), done over the lab DNS."""
    dmarc_record: str | None
    """The From domain's ``_dmarc`` TXT record, None when there is none."""
    dmarc_lookup_failed: bool
    connector: InboundConnector | None
    """The inbound connector that admits this client, if any."""
    receiving_host: str
    """The EOP front end that took the message (trailer host)."""
    receiving_ip: str
    """That front end's internal address, shown in Received."""
    cipher: str | None
    dmarc_sample: random.Random
    """Draws the ``pct`` sample of a DMARC policy (seeded per message)."""


@dataclass(frozen=True, slots=True)
class Copy:
    """One copy to commit: a mailbox (or an outside address) and its folder."""

    mailbox: str
    folder: CopyFolder
    scl: int
    recipients: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InboundJudgement:
    """What the MX does with one accepted message."""

    verdict: Verdict
    """The accept (``eod.queued``); the front end adds the message id and the timing."""
    spf: SpfResult
    dmarc: DmarcResult
    compauth: Compauth
    spam: SpamVerdict
    headers: tuple[Header, ...]
    """The EOP block every copy carries above the message's own header."""
    routes: tuple[tuple[str, Route], ...]
    copies: tuple[Copy, ...]
    notes: tuple[str, ...]


def judge(msg: InboundMessage) -> InboundJudgement:
    """SPF → DMARC → compauth → spam verdict → headers → copies, for one message."""
    session = msg.eod.session
    tenant = session.tenant
    kind = msg.connector.connector_type if msg.connector else None
    from_domain = msg.head.from_domain
    dmarc = evaluate_dmarc(
        msg.spf, from_domain, msg.dmarc_record, msg.dmarc_lookup_failed, msg.dmarc_sample
    )
    own = tenant.is_accepted_domain(from_domain or msg.spf.domain)
    compauth = composite_auth(dmarc, own, kind)
    spam = spam_verdict(tenant.spam_filter, msg.spf, dmarc, compauth, kind)
    hop = Hop(
        helo=session.helo,
        client_ip=session.public_ip,
        by_host=msg.receiving_host,
        by_ip=msg.receiving_ip,
        when=session.now,
        tls_version=session.tls_version,
        cipher=msg.cipher,
    )
    stamp = Stamp(
        hop=hop,
        spf=msg.spf.result,
        spf_domain=msg.spf.domain,
        dmarc=dmarc.result,
        dmarc_action=dmarc.action,
        header_from=dmarc.header_from,
        compauth=compauth.result,
        compauth_reason=compauth.reason,
        scl=spam.scl,
        sfv=spam.sfv,
        cat=spam.cat,
        auth_as=AUTH_AS.get(kind or "", "Anonymous"),
    )
    routes = tuple((r, route_for(tenant, r, msg.connector)) for r in msg.eod.recipients)
    notes: list[str] = []
    if msg.connector is not None:
        notes.append(f"attributed to inbound connector {msg.connector.name!r} ({kind})")
    notes.append(
        f"spf={msg.spf.result} ({msg.spf.explanation or 'no explanation'}) "
        f"dmarc={dmarc.result} action={dmarc.action} "
        f"compauth={compauth.result} reason={compauth.reason}"
    )
    notes.append(f"verdict: {spam.reason}")
    notes += [
        f"no mailbox {a} (DBEB off): accepted, would NDR" for a, r in routes if r == "nowhere"
    ]
    accept = Verdict(
        catalog.EOD_QUEUED, "queued", f"{msg.eod.size} bytes, SCL {spam.scl}, {spam.folder}"
    )
    return InboundJudgement(
        accept,
        msg.spf,
        dmarc,
        compauth,
        spam,
        inbound_headers(stamp),
        routes,
        copies(tenant, routes, spam),
        tuple(notes),
    )


def copies(
    tenant: Tenant, routes: tuple[tuple[str, Route], ...], spam: SpamVerdict
) -> tuple[Copy, ...]:
    """One copy per internal mailbox (two addresses of one mailbox make one copy) in the
    verdict's folder, then one in Outbound per outside recipient; ``nowhere`` gets none."""
    internal: dict[str, list[str]] = {}
    outside: list[str] = []
    for address, route in routes:
        if route == "internal":
            mailbox = tenant.find_mailbox(address)
            if mailbox is not None:
                internal.setdefault(mailbox.primary_smtp_address, []).append(address)
        elif route in ("relay", "hosted"):
            outside.append(address)
    out = [Copy(box, spam.folder, spam.scl, tuple(addrs)) for box, addrs in internal.items()]
    out += [Copy(address, "Outbound", spam.scl, (address,)) for address in outside]
    return tuple(out)
