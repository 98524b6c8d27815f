"""The lab DNS: a real server (UDP and TCP) for the simulated world, and the resolver and
sender-authentication checks (SPF, the DMARC record) that ask it over the wire."""

from exolab.emulator.dns.resolver import LabDnsClient, LookupFailed, NxDomain, txt_records
from exolab.emulator.dns.server import LabDns
from exolab.emulator.dns.zone import TTL, ZoneDataError, resolve, world

__all__ = [
    "TTL",
    "LabDns",
    "LabDnsClient",
    "LookupFailed",
    "NxDomain",
    "ZoneDataError",
    "resolve",
    "txt_records",
    "world",
]
