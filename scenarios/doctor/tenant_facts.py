"""What a tenant file tells the doctor: accepted domains, the SPF networks, the NAT table."""

from __future__ import annotations

import ipaddress

from exolab.emulator.tenant import Tenant

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def accepted_domains(tenant: Tenant) -> tuple[str, ...]:
    return tuple(d.lower() for d in tenant.tenant.accepted_domains)


def spf_networks(tenant: Tenant) -> tuple[Network, ...]:
    """The ip4:/ip6: terms of every SPF record in the tenant's DNS zone.

    ``include:spf.protection.outlook.com`` covers Microsoft's own servers,
    never a device's site, so only the literal terms can cover a device.
    """
    nets: list[Network] = []
    for records in tenant.dns.txt.values():
        for record in records:
            if not record.lower().startswith("v=spf1"):
                continue
            for term in record.split()[1:]:
                mech = term.lstrip("+~?-").lower()
                if mech.startswith(("ip4:", "ip6:")):
                    try:
                        nets.append(ipaddress.ip_network(mech[4:], strict=False))
                    except ValueError:
                        continue
    return tuple(nets)


def public_ip(tenant: Tenant, source: str) -> str | None:
    """The site's public address for a device's source address (the tenant's NAT table)."""
    for site in tenant.site:
        if str(site.source) == source:
            return str(site.public_ip)
    return None
