"""A resolver that asks the lab DNS server over the wire, and never anything else.

exolab is offline: sender authentication must see exactly what the lab DNS
serves (so a tenant DNS edit shows in the next message), never the host's
resolver. The resolver keeps no cache for the same reason.
"""

from __future__ import annotations

import dns.exception
import dns.resolver

LIFETIME = 5.0
"""Seconds one lookup may take (the server is on loopback; this only bounds a stuck lab)."""


def lab_resolver(address: str, port: int, lifetime: float = LIFETIME) -> dns.resolver.Resolver:
    """A dnspython resolver bound to the lab DNS at ``address``:``port``, without a cache."""
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [address]
    resolver.port = port
    resolver.lifetime = lifetime
    resolver.timeout = lifetime
    resolver.cache = None
    resolver.search = []
    return resolver


class LookupFailed(Exception):
    """The lab DNS did not answer, or answered SERVFAIL (a temporary error for SPF/DMARC)."""


def txt_records(resolver: dns.resolver.Resolver, name: str) -> list[str]:
    """The TXT strings at ``name`` (each record's strings joined); [] for NXDOMAIN or NODATA."""
    try:
        answer = resolver.resolve(name, "TXT", search=False, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return []
    except (dns.resolver.NoNameservers, dns.exception.Timeout) as exc:
        raise LookupFailed(f"{name} TXT: {exc}") from exc
    except dns.exception.DNSException as exc:
        raise LookupFailed(f"{name} TXT: {exc}") from exc
    if answer.rrset is None:
        return []
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer.rrset]
