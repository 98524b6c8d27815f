"""What a tenant file tells the doctor: accepted domains, the SPF networks, the NAT table."""

from __future__ import annotations

import ipaddress

from exolab.emulator.tenant import Tenant

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def accepted_domains(tenant: Tenant) -> tuple[str, ...]:
    return tuple(d.lower() for d in tenant.tenant.accepted_domains)


def spf_records(tenant: Tenant) -> dict[str, str]:
    """Each domain of the tenant's DNS zone -> its SPF record, as written."""
    return {
        name.lower().rstrip("."): record
        for name, texts in tenant.dns.txt.items()
        for record in texts
        if record.lower().startswith("v=spf1")
    }


def spf_networks(tenant: Tenant) -> dict[str, tuple[Network, ...]]:
    """Each domain of the tenant's DNS zone with an SPF record -> the networks it covers.

    The ip4:/ip6: terms, following include: inside the zone (ten levels at most,
    SPF's own lookup limit); a ``-all``/``~all`` domain covers nothing else.
    """
    records = {
        name.lower().rstrip("."): next((r for r in texts if r.lower().startswith("v=spf1")), None)
        for name, texts in tenant.dns.txt.items()
    }

    def walk(domain: str, depth: int) -> list[Network]:
        record = records.get(domain)
        if record is None or depth > 10:
            return []
        nets: list[Network] = []
        for term in record.split()[1:]:
            mech = term.lstrip("+~?-").lower()
            if mech.startswith(("ip4:", "ip6:")):
                try:
                    nets.append(ipaddress.ip_network(mech[4:], strict=False))
                except ValueError:
                    continue
            elif mech.startswith("include:"):
                nets += walk(mech[8:].rstrip("."), depth + 1)
        return nets

    return {domain: tuple(walk(domain, 0)) for domain, record in records.items() if record}


def public_ip(tenant: Tenant, source: str) -> str | None:
    """The site's public address for a device's source address (the tenant's NAT table)."""
    for site in tenant.site:
        if str(site.source) == source:
            return str(site.public_ip)
    return None
