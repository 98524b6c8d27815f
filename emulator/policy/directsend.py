"""Direct send on the tenant MX: the per-recipient rules and AUTH, as named restrictions.

Pure: facts about the session and one recipient in, a decision naming a
catalog reply out. Evaluated in this order (Postfix style), first match wins:

1. ``reject_banned_ip``: the public IP is on the block list → 550 5.7.606.
   CHOSEN position: the real service scores IP reputation before anything
   else (it is a connection-level filter), and real logs show the 5.7.606
   reply at RCPT; first among the RCPT rules, so a banned sender never
   learns which recipients exist.
2. ``reject_unauth_destination``: recipient not in an accepted domain, no
   connector admits the client, and the domain is not hosted in Microsoft
   365 → 550 5.7.64 TenantAttribution. A connector turns it into a relay
   (Outbound); another Microsoft 365 tenant's domain is delivered to it.
3. ``reject_unknown_recipient``: accepted domain, no such recipient, and
   Directory-Based Edge Blocking on → 550 5.4.1.
4. ``reject_direct_send``: ``RejectDirectSend`` on, the envelope sender is
   in an accepted domain, and no connector attributes the mail → 550 5.7.68.

Everything that passes is ordinary inbound mail and goes through the same
filtering (``emulator.policy.spam``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from emulator.replies import catalog
from emulator.replies.model import Reply
from emulator.tenant.model import InboundConnector, Tenant

Route = Literal["internal", "relay", "hosted", "nowhere"]
"""internal: a mailbox of this tenant; relay: outside via a connector; hosted: another
Microsoft 365 tenant; nowhere: accepted without DBEB but no such recipient (would NDR)."""


@dataclass(frozen=True)
class RcptFacts:
    """What the RCPT rules look at."""

    public_ip: str
    envelope_from: str
    recipient: str
    connector: InboundConnector | None
    """The inbound connector that admits this client (``connectors.admitting_connector``)."""


@dataclass(frozen=True)
class RcptDecision:
    reply: Reply
    rule: str
    note: str
    route: Route | None = None
    """Where an accepted recipient goes; None when refused."""
    params: tuple[tuple[str, str], ...] = ()

    @property
    def accepted(self) -> bool:
        return self.route is not None


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def reject_banned_ip(tenant: Tenant, facts: RcptFacts) -> RcptDecision | None:
    try:
        ip = ipaddress.ip_address(facts.public_ip)
    except ValueError:
        return None
    for entry in tenant.blocklist.banned_sending_ips:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return RcptDecision(
                    catalog.RCPT_BANNED_IP,
                    "reject_banned_ip",
                    f"public IP {facts.public_ip} is on the block list ({entry})",
                    params=(("client_ip", facts.public_ip),),
                )
        except ValueError:
            continue
    return None


def _hosted_elsewhere(tenant: Tenant, domain: str) -> bool:
    return any(
        d.name.lower() == domain and d.hosted_in_microsoft365 for d in tenant.external_domain
    )


def reject_unauth_destination(tenant: Tenant, facts: RcptFacts) -> RcptDecision | None:
    domain = _domain(facts.recipient)
    if tenant.is_accepted_domain(domain):
        return None
    if facts.connector is not None:
        return None  # accept_relay decides
    if _hosted_elsewhere(tenant, domain):
        return None
    return RcptDecision(
        catalog.RCPT_RELAY_DENIED,
        "reject_unauth_destination",
        f"{domain} is not an accepted domain and no inbound connector admits {facts.public_ip}",
    )


def reject_unknown_recipient(tenant: Tenant, facts: RcptFacts) -> RcptDecision | None:
    if not tenant.is_accepted_domain(facts.recipient):
        return None
    if tenant.find_mailbox(facts.recipient) is not None:
        return None
    if not tenant.tenant.directory_based_edge_blocking:
        return None
    return RcptDecision(
        catalog.RCPT_DBEB,
        "reject_unknown_recipient",
        f"no recipient {facts.recipient} (Directory-Based Edge Blocking)",
    )


def reject_direct_send(tenant: Tenant, facts: RcptFacts) -> RcptDecision | None:
    if not tenant.organization_config.reject_direct_send:
        return None
    if not facts.envelope_from or not tenant.is_accepted_domain(facts.envelope_from):
        return None
    if facts.connector is not None:
        return None
    return RcptDecision(
        catalog.RCPT_REJECT_DIRECT_SEND,
        "reject_direct_send",
        f"RejectDirectSend: {facts.envelope_from} is an accepted-domain sender from "
        f"{facts.public_ip}, which no inbound connector admits",
    )


RCPT_RULES: tuple[Callable[[Tenant, RcptFacts], RcptDecision | None], ...] = (
    reject_banned_ip,
    reject_unauth_destination,
    reject_unknown_recipient,
    reject_direct_send,
)


def check_recipient(tenant: Tenant, facts: RcptFacts) -> RcptDecision:
    """Run the RCPT rules in order; the first refusal wins, else 250 with the route."""
    for rule in RCPT_RULES:
        decision = rule(tenant, facts)
        if decision is not None:
            return decision
    domain = _domain(facts.recipient)
    if tenant.is_accepted_domain(domain):
        if tenant.find_mailbox(facts.recipient) is None:
            return RcptDecision(
                catalog.RCPT_OK, "accept", "no such recipient; DBEB off: would NDR", "nowhere"
            )
        return RcptDecision(catalog.RCPT_OK, "accept", "internal recipient", "internal")
    if facts.connector is not None:
        return RcptDecision(
            catalog.RCPT_OK,
            "accept_relay",
            f"relay to {domain} via inbound connector {facts.connector.name!r}",
            "relay",
        )
    return RcptDecision(
        catalog.RCPT_OK, "accept_hosted", f"{domain} is hosted in Microsoft 365", "hosted"
    )


def auth_on_mx() -> RcptDecision:
    """Any AUTH on the MX: 504 5.7.4 (direct send uses no authentication)."""
    return RcptDecision(catalog.AUTH_UNRECOGNIZED, "auth_on_mx", "AUTH is not offered on the MX")
