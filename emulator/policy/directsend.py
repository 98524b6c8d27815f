"""Direct send on the tenant MX: the restriction lists per stage, and where a recipient goes.

Pure: facts in, a ``Verdict`` naming a catalog reply out. The RCPT rules, in
this order (Postfix style), first match wins:

1. ``reject_banned_ip``: the public IP is on the block list → 550 5.7.606.
   CHOSEN position: the real service scores IP reputation before anything
   else (a connection-level filter) and real logs show the 5.7.606 reply at
   RCPT; first among the RCPT rules, so a banned sender never learns which
   recipients exist.
2. IP reputation (``emulator.policy.reputation``): a banned sender that
   cannot delist itself → 550 5.7.511; traffic not accepted from the IP →
   550 5.7.708; a temporary throttle → 451 4.7.650 (4.7.500-699) or 451
   4.7.850 (4.7.850-899); the tenant's own IP Block List, for mail to its
   domains → 550 5.7.513. Final refusals before temporary ones.
3. Attribution (``emulator.policy.attribution``), for mail an inbound
   connector attributes to the tenant: over its outbound threshold → 550
   5.7.705; relay from a domain the tenant has not registered (when
   ``Blocklist.RejectUnregisteredSenderDomains``) → 550 5.7.750; the
   connector reaches another region's front ends → 451 4.4.62 ATTR35.
4. ``reject_unauth_destination``: recipient not in an accepted domain, no
   inbound connector admits the client, and the domain is not hosted in
   Microsoft 365 → 550 5.7.64 TenantAttribution. A connector turns it into a
   relay (Outbound); another Microsoft 365 tenant's domain is accepted.
5. ``reject_no_mail_subscription``: that other tenant has no mail-enabled
   subscription → 550 4.4.4 ATTR5 (the published class conflict).
6. ``reject_unknown_recipient``: accepted domain, no such recipient, and
   Directory-Based Edge Blocking on → 550 5.4.1.
7. ``reject_direct_send``: ``RejectDirectSend`` on, the envelope (P1) sender
   is in an accepted domain, and no connector attributes the mail → 550 5.7.68.

Everything that passes is ordinary inbound mail and goes through the same
filtering (``emulator.policy.spam``). AUTH of any kind → 504 5.7.4.
"""

from __future__ import annotations

from typing import Literal

from exolab.emulator.policy import attribution, content, limits, reputation, sequence
from exolab.emulator.policy.facts import (
    AuthCommand,
    DataCommand,
    EndOfData,
    MailCommand,
    RcptCommand,
    SessionFacts,
)
from exolab.emulator.policy.facts import MxRcpt as MxRcpt  # the MX front end's RCPT facts
from exolab.emulator.policy.verdict import Rule, Verdict, evaluate
from exolab.emulator.replies import catalog
from exolab.emulator.tenant.model import InboundConnector, Tenant

Route = Literal["internal", "relay", "hosted", "nowhere"]
"""internal: a mailbox of this tenant; relay: outside via a connector; hosted: another
Microsoft 365 tenant; nowhere: accepted without DBEB but no such recipient (would NDR)."""


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def reject_banned_ip(rcpt: MxRcpt) -> Verdict | None:
    public_ip = rcpt.cmd.session.public_ip
    entry = reputation.listed(public_ip, rcpt.tenant.blocklist.banned_sending_ips)
    if entry is None:
        return None
    return Verdict(
        catalog.RCPT_BANNED_IP,
        "reject_banned_ip",
        f"public IP {public_ip} is on the block list ({entry})",
        {"client_ip": public_ip},
    )


def hosted_elsewhere(tenant: Tenant, domain: str) -> bool:
    """Another Microsoft 365 tenant's domain (direct send "also works" for those)."""
    return any(
        d.name.lower() == domain and d.hosted_in_microsoft365 for d in tenant.external_domain
    )


def reject_unauth_destination(rcpt: MxRcpt) -> Verdict | None:
    domain = _domain(rcpt.recipient)
    tenant = rcpt.tenant
    if tenant.is_accepted_domain(domain) or rcpt.connector is not None:
        return None
    if hosted_elsewhere(tenant, domain):
        return None
    return Verdict(
        catalog.RCPT_RELAY_DENIED,
        "reject_unauth_destination",
        f"{domain} is not an accepted domain and no inbound connector admits "
        f"{rcpt.cmd.session.public_ip}",
    )


def reject_unknown_recipient(rcpt: MxRcpt) -> Verdict | None:
    tenant = rcpt.tenant
    if not tenant.is_accepted_domain(rcpt.recipient):
        return None
    if tenant.find_mailbox(rcpt.recipient) is not None:
        return None
    if not tenant.tenant.directory_based_edge_blocking:
        return None
    return Verdict(
        catalog.RCPT_DBEB,
        "reject_unknown_recipient",
        f"no recipient {rcpt.recipient} (Directory-Based Edge Blocking)",
    )


def reject_direct_send(rcpt: MxRcpt) -> Verdict | None:
    tenant, sender = rcpt.tenant, rcpt.cmd.session.mail_from or ""
    if not tenant.organization_config.reject_direct_send:
        return None
    if not sender or not tenant.is_accepted_domain(sender) or rcpt.connector is not None:
        return None
    return Verdict(
        catalog.RCPT_REJECT_DIRECT_SEND,
        "reject_direct_send",
        f"RejectDirectSend: {sender} is an accepted-domain sender from "
        f"{rcpt.cmd.session.public_ip}, which no inbound connector admits",
    )


def _sequence_first(rule: Rule[RcptCommand]) -> Rule[MxRcpt]:
    def wrapped(rcpt: MxRcpt) -> Verdict | None:
        return rule(rcpt.cmd)

    wrapped.__name__ = getattr(rule, "__name__", "sequence")
    return wrapped


def reject_bad_helo(cmd: MailCommand) -> Verdict | None:
    """A client that greets with the receiving server's own name is refused (NDR table)."""
    helo = (cmd.session.helo or "").strip().strip("[]").rstrip(".").lower()
    own = cmd.session.endpoint.lower()
    if helo and (helo == own or helo == "outlook.com" or helo.endswith(".outlook.com")):
        return Verdict(
            catalog.MAIL_BAD_HELO,
            "reject_bad_helo",
            f"EHLO/HELO {helo!r} is the receiving server's own name ({own})",
        )
    return None


MAIL_RULES: tuple[Rule[MailCommand], ...] = (
    sequence.require_hello_before_mail,
    sequence.reject_nested_mail,
    sequence.require_valid_mail_syntax,
    reject_bad_helo,
    limits.size_parameter_within_limit,
)

RCPT_RULES: tuple[Rule[MxRcpt], ...] = (
    _sequence_first(sequence.require_mail_before_rcpt),
    _sequence_first(sequence.require_valid_rcpt_syntax),
    _sequence_first(limits.recipients_per_message),
    reject_banned_ip,
    reputation.reject_banned_sender,
    reputation.reject_ip_not_accepted,
    reputation.defer_throttled_ip,
    reputation.defer_suspicious_ip,
    reputation.reject_customer_block_list,
    attribution.reject_tenant_over_threshold,
    attribution.reject_unregistered_sender_domain,
    attribution.reject_wrong_region,
    reject_unauth_destination,
    attribution.reject_no_mail_subscription,
    reject_unknown_recipient,
    reject_direct_send,
)

DATA_RULES: tuple[Rule[DataCommand], ...] = (
    sequence.require_mail_before_data,
    sequence.require_rcpt_before_data,
)


def route_for(tenant: Tenant, recipient: str, connector: InboundConnector | None) -> Route:
    """Where an accepted recipient goes."""
    domain = _domain(recipient)
    if tenant.is_accepted_domain(domain):
        return "internal" if tenant.find_mailbox(recipient) is not None else "nowhere"
    return "relay" if connector is not None else "hosted"


def check_mail(cmd: MailCommand) -> Verdict:
    """MAIL on the MX: no authentication needed (direct send is anonymous)."""
    ok = Verdict(catalog.MAIL_OK, "mail_ok", f"sender {cmd.address or '<>'}")
    return evaluate(MAIL_RULES, cmd, ok)


def check_rcpt(rcpt: MxRcpt) -> Verdict:
    """The RCPT rules in order; the accept names the route in its reason."""
    route = route_for(rcpt.tenant, rcpt.recipient, rcpt.connector)
    reason = {
        "internal": "internal recipient",
        "relay": f"relay via inbound connector {rcpt.connector.name!r}" if rcpt.connector else "",
        "hosted": "domain hosted in Microsoft 365",
        "nowhere": "no such recipient; DBEB off: would NDR",
    }[route]
    return evaluate(RCPT_RULES, rcpt, Verdict(catalog.RCPT_OK, f"accept_{route}", reason))


def check_data(cmd: DataCommand) -> Verdict:
    return evaluate(DATA_RULES, cmd, Verdict(catalog.DATA_START, "data_ok", "go ahead"))


EOD_RULES: tuple[Rule[EndOfData], ...] = (
    limits.message_size_within_limit,
    content.header_size_within_limit,
    content.header_from_compliant,
    limits.recipient_thread_available,
)


def check_end_of_data(eod: EndOfData) -> Verdict | None:
    """A refusal at end of data, or None: go on to filtering and delivery."""
    for rule in EOD_RULES:
        verdict = rule(eod)
        if verdict is not None:
            return verdict
    return None


def check_starttls(session: SessionFacts) -> Verdict:
    """STARTTLS is offered and optional on the MX; only EHLO must come first."""
    hello = sequence.require_hello_before_starttls(session)
    return hello or Verdict(catalog.STARTTLS_READY, "starttls_ok", "handshake follows")


AUTH_RULES: tuple[Rule[AuthCommand], ...] = (sequence.require_ehlo_before_auth,)


def check_auth(cmd: AuthCommand) -> Verdict:
    """Any AUTH on the MX: 504 5.7.4 (direct send uses no authentication); 503 before EHLO."""
    refuse = Verdict(catalog.AUTH_UNRECOGNIZED, "auth_on_mx", "AUTH is not offered on the MX")
    return evaluate(AUTH_RULES, cmd, refuse)
