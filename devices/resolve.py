"""Finding the server's address the way a device on the lab network does.

An IP literal is used as is. A name is asked of the network's DNS server
(dnspython's async resolver, from the site's source address), or of the
system resolver when the network names none.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from functools import lru_cache

import dns.asyncresolver
import dns.exception
import dns.resolver

from exolab.devices.network import LabNetwork


class ResolveFailed(Exception):
    """The name does not resolve (NXDOMAIN, no A record, refused)."""


class ResolveTimeout(Exception):
    """The DNS server did not answer in time."""


def is_ip_literal(server: str) -> bool:
    try:
        ipaddress.ip_address(server)
    except ValueError:
        return False
    return True


async def resolve_server(
    server: str, network: LabNetwork, *, source: str | None, timeout: float
) -> str:
    if is_ip_literal(server):
        return server
    if network.dns is None:
        return await _system(server, timeout)
    resolver = _resolver(network.dns.address, network.dns.port)
    try:
        answer = await resolver.resolve(server, "A", source=source, lifetime=timeout, search=False)
    except dns.resolver.LifetimeTimeout as exc:
        raise ResolveTimeout(str(exc)) from None
    except dns.exception.DNSException as exc:
        raise ResolveFailed(str(exc)) from None
    return str(answer[0])


@lru_cache(maxsize=16)
def _resolver(address: str, port: int) -> dns.asyncresolver.Resolver:
    """The stub resolver asking one DNS server, shared by every lookup of a process.

    Its settings are all a lookup reads of it (no cache, no rotation: each
    lookup asks the one server the same query), so a fleet's thousand lookups
    need not set one up a thousand times.
    """
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [address]
    resolver.port = port
    return resolver


async def _system(server: str, timeout: float) -> str:
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(server, None, family=socket.AF_INET, type=socket.SOCK_STREAM),
            timeout,
        )
    except TimeoutError:
        raise ResolveTimeout(f"no answer for {server}") from None
    except OSError as exc:
        raise ResolveFailed(str(exc)) from None
    return str(infos[0][4][0])
