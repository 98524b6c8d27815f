"""SPF (pyspf) and the DMARC record lookup for one message, against the lab DNS over the wire.

pyspf looks DNS up through its module-level ``spf.DNSLookup``. ``install()``
replaces it once with a dispatcher that reads the lab DNS client from a
``ContextVar``; each check sets that variable inside its own worker thread,
so several labs in one process each ask their own DNS server, and a lookup
outside a check fails (temperror) instead of leaking to the host's DNS.
pyspf blocks, so checks run in a thread executor and the event loop (which
also serves the lab DNS) keeps running.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import dns.exception
import spf

from exolab.emulator.dns.resolver import LIFETIME, LabDnsClient, LookupFailed, NxDomain, txt_records
from exolab.emulator.policy.authresults import SpfResult, organizational_domain

_CLIENT: ContextVar[LabDnsClient | None] = ContextVar("exolab_spf_dns", default=None)
QUERY_TIME = 10.0
"""Seconds an SPF evaluation may take in total (RFC 7208 4.6.4 recommends at least 20 over the
internet; the lab DNS is on loopback)."""


def _dispatch(name: str, qtype: str, strict: Any = True, timeout: float = 30) -> list[Any]:
    """pyspf's DNSLookup contract: ``[((name, type), value), ...]``, TempError on failure."""
    client = _CLIENT.get()
    if client is None:
        raise spf.TempError("DNS: no lab resolver set for this check (exolab never uses host DNS)")
    try:
        records = client.lookup(name, qtype, min(timeout, client.lifetime))
    except NxDomain:
        return []
    except (LookupFailed, dns.exception.DNSException) as exc:
        raise spf.TempError(f"DNS {exc}") from exc
    out: list[Any] = []
    for rdata in records:
        if qtype in ("A", "AAAA"):
            out.append(((name, qtype), rdata.address))  # type: ignore[attr-defined]
        elif qtype == "MX":
            out.append(((name, qtype), (rdata.preference, rdata.exchange)))  # type: ignore[attr-defined]
        elif qtype == "PTR":
            out.append(((name, qtype), rdata.target.to_text(True)))  # type: ignore[attr-defined]
        elif qtype in ("TXT", "SPF"):
            out.append(((name, qtype), rdata.strings))  # type: ignore[attr-defined]
    return out


def install() -> None:
    """Route pyspf's DNS through the per-check lab resolver (idempotent)."""
    if spf.DNSLookup is not _dispatch:
        spf.DNSLookup = _dispatch


@dataclass(frozen=True)
class DnsFacts:
    """What DNS says about one message: the SPF result and the DMARC record that applies."""

    spf: SpfResult
    dmarc_record: str | None
    """The ``v=DMARC1`` TXT for the header From domain (or its organizational domain)."""
    dmarc_error: bool = False
    """The DMARC lookup failed (temperror)."""


def evaluate(
    server: tuple[str, int],
    client_ip: str,
    mail_from: str,
    helo: str,
    from_domain: str | None,
    lifetime: float,
) -> DnsFacts:
    """Runs in a worker thread: sets the DNS client for this thread's context, then asks DNS.

    One ``LabDnsClient`` (one UDP socket) serves every lookup of this check."""
    install()
    with LabDnsClient(*server, lifetime=lifetime) as client:
        token = _CLIENT.set(client)
        try:
            result = spf_check(client_ip, mail_from, helo)
        finally:
            _CLIENT.reset(token)
        record: str | None = None
        error = False
        if from_domain:
            try:
                record = dmarc_record(client, from_domain)
            except LookupFailed:
                error = True
    return DnsFacts(result, record, error)


def spf_check(client_ip: str, mail_from: str, helo: str) -> SpfResult:
    """pyspf with whatever resolver the context holds. The identity is MAIL FROM (HELO if null)."""
    sender = mail_from or ""
    domain = sender.rpartition("@")[2].lower() if sender else helo.lower()
    try:
        ipaddress.ip_address(client_ip)
    except ValueError:
        return SpfResult("permerror", domain, f"bad client address {client_ip!r}")
    try:
        query = spf.query(i=client_ip, s=sender, h=helo or "unknown", querytime=QUERY_TIME)
        result, _code, explanation = query.check()
    except Exception as exc:  # pyspf raises odd things on odd input; never lose the message
        return SpfResult("temperror", domain, f"SPF evaluation error: {exc}")
    if result not in ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"):
        result = "permerror"
    return SpfResult(result, domain, str(explanation))


def dmarc_record(client: LabDnsClient, from_domain: str) -> str | None:
    """RFC 7489 6.6.3: ``_dmarc.<From domain>``, then ``_dmarc.<organizational domain>``."""
    candidates = [from_domain.lower()]
    org = organizational_domain(from_domain)
    if org != candidates[0]:
        candidates.append(org)
    for domain in candidates:
        records = [t for t in txt_records(client, f"_dmarc.{domain}") if _is_dmarc(t)]
        if len(records) == 1:
            return records[0]
        if records:
            return None  # more than one record: as if none (RFC 7489 6.6.3 step 4)
    return None


def _is_dmarc(text: str) -> bool:
    return text.replace(" ", "").upper().startswith("V=DMARC1")


async def check_sender(
    server: tuple[str, int],
    client_ip: str,
    mail_from: str,
    helo: str,
    from_domain: str | None,
    lifetime: float = LIFETIME,
    executor: concurrent.futures.Executor | None = None,
) -> DnsFacts:
    """SPF for (public IP, MAIL FROM, HELO) and the DMARC record, without blocking the loop."""
    install()
    loop = asyncio.get_running_loop()
    job = functools.partial(evaluate, server, client_ip, mail_from, helo, from_domain, lifetime)
    return await loop.run_in_executor(executor, job)
