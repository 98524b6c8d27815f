"""The simulated world as DNS data: which records exist for a name, read fresh per query.

The zone is a pure function of the tenant and the lab's host addresses, so a
tenant swapped at run time (an SPF record added by a trainer) is visible to
the very next query: nothing here is cached. Records come from two places:

- the service hosts (smtp.office365.com, smtp-legacy.office365.com, the
  tenant's MX host, login.microsoftonline.com) at their lab loopback
  addresses;
- ``tenant.dns`` (``[Dns.A]``, ``[Dns.MX]``, ``[Dns.TXT]``), plus an MX for each
  accepted domain that has none, pointing at the tenant's MX host (what
  Microsoft 365 tells an admin to publish).

Answers follow RFC 1034/2308: a name with records of another type (or an
empty non-terminal such as ``protection.outlook.com``) gives NODATA, an
unknown name under a zone we serve gives NXDOMAIN, both with the zone's SOA
in the authority section. dnspython builds every record; no wire bytes here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset

from exolab.emulator.tenant import Tenant

TTL = 0
"""Zero: every edit is visible to the next query, even through a caching stub resolver."""

SERVICE_HOSTS = (
    "smtp.office365.com",
    "smtp-legacy.office365.com",
    "login.microsoftonline.com",
    "smtp.hve.mx.microsoft",
    "smtp-hve.office365.com",
    "smtp.azurecomm.net",
)
"""Hosts the lab serves besides the tenant's MX host, which comes from the tenant."""

_TXT_CHUNK = 255
_SERIAL = 2024010101


class ZoneDataError(ValueError):
    """A record in the tenant's DNS data cannot be served (the query gets SERVFAIL)."""


@dataclass(frozen=True)
class Records:
    """Everything the world holds for one owner name, by type (text form, as in the tenant)."""

    a: tuple[str, ...] = ()
    mx: tuple[str, ...] = ()
    txt: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """What the server puts in a response: rcode, answer RRsets, authority RRsets."""

    rcode: str  # "NOERROR" | "NXDOMAIN" | "SERVFAIL"
    answer: list[dns.rrset.RRset] = field(default_factory=list)
    authority: list[dns.rrset.RRset] = field(default_factory=list)
    authoritative: bool = True


def world(tenant: Tenant, address_of: Callable[[str], str]) -> dict[str, Records]:
    """Every owner name (lower case, no trailing dot) and its records."""
    a: dict[str, list[str]] = {}
    mx: dict[str, list[str]] = {}
    txt: dict[str, list[str]] = {}
    for host in (*SERVICE_HOSTS, tenant.tenant.mx_endpoint):
        a.setdefault(host.lower(), []).append(address_of(host))
    for name, values in tenant.dns.a.items():
        a.setdefault(name.rstrip("."), []).extend(values)
    for name, values in tenant.dns.mx.items():
        mx.setdefault(name.rstrip("."), []).extend(_in_mx_namespace(tenant, v) for v in values)
    for name, values in tenant.dns.txt.items():
        txt.setdefault(name.rstrip("."), []).extend(values)
    for domain in tenant.tenant.accepted_domains:
        mx.setdefault(domain, [f"0 {tenant.tenant.mx_endpoint}."])
    names = set(a) | set(mx) | set(txt)
    return {
        n: Records(tuple(a.get(n, ())), tuple(mx.get(n, ())), tuple(txt.get(n, ()))) for n in names
    }


def _in_mx_namespace(tenant: Tenant, record: str) -> str:
    """An MX record naming the tenant's MX host names it in the tenant's MX namespace: a
    tenant switched to ``mx.microsoft`` has its domains point there, as Microsoft moves them."""
    preference, _, host = record.partition(" ")
    if host.rstrip(".").lower() == tenant.tenant.mx_host.lower():
        return f"{preference} {tenant.tenant.mx_endpoint}."
    return record


def zone_apex(name: str) -> str:
    """The zone a name belongs to: its last two labels (every zone of the lab world is one)."""
    labels = name.split(".")
    return ".".join(labels[-2:])


def resolve(
    tenant: Tenant,
    address_of: Callable[[str], str],
    qname: dns.name.Name,
    qtype: dns.rdatatype.RdataType,
) -> Answer:
    """The answer to one question, computed from the tenant as it is now."""
    records = world(tenant, address_of)
    name = qname.to_text(omit_final_dot=True).lower()
    apexes = {zone_apex(n) for n in records}
    apex = zone_apex(name)
    if apex not in apexes:
        # Outside the simulated world: nothing exists (the lab is offline).
        return Answer("NXDOMAIN", authoritative=False)
    soa = [_soa(apex)]
    try:
        if qtype == dns.rdatatype.SOA and name == apex:
            return Answer("NOERROR", soa)
        entry = records.get(name)
        if entry is None:
            if name == apex or any(n.endswith("." + name) for n in records):
                return Answer("NOERROR", authority=soa)  # empty non-terminal: NODATA
            return Answer("NXDOMAIN", authority=soa)
        answer = _rrsets(qname, entry, qtype)
    except (ValueError, SyntaxError) as exc:
        raise ZoneDataError(f"{name}: {exc}") from exc
    if not answer and name == apex and qtype == dns.rdatatype.ANY:
        answer = soa
    return Answer("NOERROR", answer, [] if answer else soa)


def _rrsets(
    qname: dns.name.Name, entry: Records, qtype: dns.rdatatype.RdataType
) -> list[dns.rrset.RRset]:
    wanted = {dns.rdatatype.A, dns.rdatatype.MX, dns.rdatatype.TXT}
    if qtype != dns.rdatatype.ANY:
        wanted &= {qtype}
    out: list[dns.rrset.RRset] = []
    if dns.rdatatype.A in wanted and entry.a:
        out.append(_rrset(qname, dns.rdatatype.A, [_rdata(dns.rdatatype.A, v) for v in entry.a]))
    if dns.rdatatype.MX in wanted and entry.mx:
        out.append(_rrset(qname, dns.rdatatype.MX, [_rdata(dns.rdatatype.MX, v) for v in entry.mx]))
    if dns.rdatatype.TXT in wanted and entry.txt:
        out.append(_rrset(qname, dns.rdatatype.TXT, [_txt(v) for v in entry.txt]))
    return out


def _rrset(
    qname: dns.name.Name, rdtype: dns.rdatatype.RdataType, items: list[dns.rdata.Rdata]
) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(qname, dns.rdataclass.IN, rdtype)
    for item in items:
        rrset.add(item, TTL)
    return rrset


def _rdata(rdtype: dns.rdatatype.RdataType, text: str) -> dns.rdata.Rdata:
    try:
        return dns.rdata.from_text(
            dns.rdataclass.IN, rdtype, text, origin=dns.name.root, relativize=False
        )
    except dns.exception.DNSException as exc:
        kind = dns.rdatatype.to_text(rdtype)
        raise ValueError(f"{kind} record {text!r} is not valid ({exc})") from exc


def _txt(text: str) -> dns.rdata.Rdata:
    """A TXT record; values over 255 bytes become several strings (RFC 7208 3.3)."""
    raw = text.encode("utf-8")
    chunks = [raw[i : i + _TXT_CHUNK] for i in range(0, len(raw), _TXT_CHUNK)] or [b""]
    return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, chunks)


def _soa(apex: str) -> dns.rrset.RRset:
    origin = dns.name.from_text(apex)
    soa = _rdata(
        dns.rdatatype.SOA,
        f"ns.exolab.invalid. hostmaster.{apex}. {_SERIAL} 3600 600 86400 {TTL}",
    )
    return _rrset(origin, dns.rdatatype.SOA, [soa])
