"""IP reputation on the MX: the connection-filtering verdicts about the client's public IP.

Pure. Each rule reads one list of ``[Blocklist]`` (public IPs or CIDR ranges)
and names one catalog reply; ``directsend.RCPT_RULES`` runs them first among
its own rules, most final first: a banned IP (5.7.606, 5.7.511) or one whose
traffic is not accepted at all (5.7.708) is refused for good before a
temporary throttle (4.7.650, 4.7.850) is considered, and the tenant's own IP
Block List (5.7.513) comes after Microsoft's lists, as the connection filter
applies the tenant's policy to what Microsoft's lists let through.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from exolab.emulator.policy.facts import MxRcpt
from exolab.emulator.policy.verdict import Verdict
from exolab.emulator.replies import catalog
from exolab.emulator.replies.model import Reply

PARSED_CACHE = 1024
"""Addresses and list entries kept parsed: the lists are the tenant's, the addresses the
sites' public IPs, so a lab sees few of each and every RCPT reads them all."""


@lru_cache(maxsize=PARSED_CACHE)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@lru_cache(maxsize=PARSED_CACHE)
def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None


def listed(public_ip: str, entries: Iterable[str]) -> str | None:
    """The entry of ``entries`` that holds ``public_ip``, if any (bad entries never match).

    Parsing is cached (both are immutable values of their text), so the
    five lists each RCPT consults cost a lookup per entry, not a parse.
    """
    ip = _address(public_ip)
    if ip is None:
        return None
    for entry in entries:
        network = _network(entry)
        if network is not None and ip in network:
            return entry
    return None


def _ip_rule(
    rcpt: MxRcpt, entries: Iterable[str], reply: Reply, rule: str, what: str
) -> Verdict | None:
    public_ip = rcpt.cmd.session.public_ip
    entry = listed(public_ip, entries)
    if entry is None:
        return None
    return Verdict(
        reply, rule, f"public IP {public_ip} is {what} ({entry})", {"client_ip": public_ip}
    )


def reject_banned_sender(rcpt: MxRcpt) -> Verdict | None:
    blocklist = rcpt.tenant.blocklist
    return _ip_rule(
        rcpt,
        blocklist.banned_senders,
        catalog.RCPT_BANNED_SENDER,
        "reject_banned_sender",
        "a banned sender that cannot delist itself (Blocklist.BannedSenders)",
    )


def reject_ip_not_accepted(rcpt: MxRcpt) -> Verdict | None:
    return _ip_rule(
        rcpt,
        rcpt.tenant.blocklist.not_accepted_ips,
        catalog.RCPT_IP_NOT_ACCEPTED,
        "reject_ip_not_accepted",
        "an IP whose traffic is not accepted (Blocklist.NotAcceptedIps)",
    )


def defer_throttled_ip(rcpt: MxRcpt) -> Verdict | None:
    return _ip_rule(
        rcpt,
        rcpt.tenant.blocklist.throttled_ips,
        catalog.RCPT_IP_THROTTLED,
        "defer_throttled_ip",
        "rate limited for its reputation (Blocklist.ThrottledIps)",
    )


def defer_suspicious_ip(rcpt: MxRcpt) -> Verdict | None:
    return _ip_rule(
        rcpt,
        rcpt.tenant.blocklist.suspicious_ips,
        catalog.RCPT_IP_SUSPICIOUS,
        "defer_suspicious_ip",
        "temporarily blocked for suspicious activity (Blocklist.SuspiciousIps)",
    )


def reject_customer_block_list(rcpt: MxRcpt) -> Verdict | None:
    """The tenant's own IP Block List guards mail to the tenant's domains only."""
    domain = rcpt.recipient.rpartition("@")[2].strip().lower()
    if not rcpt.tenant.is_accepted_domain(domain):
        return None
    verdict = _ip_rule(
        rcpt,
        rcpt.tenant.blocklist.ip_block_list,
        catalog.RCPT_CUSTOMER_BLOCK_LIST,
        "reject_customer_block_list",
        f"on the IP Block List of {domain}'s tenant (Blocklist.IPBlockList)",
    )
    return verdict.with_params(recipient_domain=domain) if verdict else None
