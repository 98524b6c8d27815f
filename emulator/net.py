"""Binding the lab's listening sockets, with one error for a port that cannot be had.

Every service of the lab (the SMTP front ends, the lab DNS over UDP and TCP,
the token service, the lab API) binds through ``bind_socket``, so a busy,
privileged or foreign address is reported the same way everywhere: one
``LabStartError`` naming the service, the host it plays, the address and
the port, which the command line prints as one line. This module is ground
floor: it imports nothing of the lab, so any layer may use it.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import ssl
from collections.abc import Callable
from typing import Literal

Transport = Literal["tcp", "udp"]

_BACKLOG = 1024
"""Connections the kernel queues before the loop accepts them: a fleet of a thousand devices
pressing send at once must not lose SYNs (a dropped SYN is retried after 1, 3, 7 … s)."""


class LabStartError(Exception):
    """The lab could not bind a listener; the message names service, host, address and port."""

    def __init__(
        self,
        service: str,
        host: str,
        address: str,
        port: int,
        reason: str,
        transport: Transport = "tcp",
        *,
        show_transport: bool = False,
    ) -> None:
        self.service = service
        self.host = host
        self.address = address
        self.port = port
        self.reason = reason
        self.transport = transport
        who = f"{service} {host}" if host else service
        where = f"{address}:{port}"
        if show_transport or transport == "udp":
            where += f"/{transport}"
        super().__init__(f"{who}: {where} {reason}")


def why_not(exc: OSError, port: int) -> str:
    """What a failed bind means to the person who started the lab, with what to try."""
    if exc.errno == errno.EADDRINUSE:
        return (
            "is already in use (another lab or server?); try --port-offset N or --ephemeral-ports"
        )
    if exc.errno == errno.EACCES:
        return f"needs privileges to bind (port {port} is below 1024); try --port-offset 10000"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "is not an address of this machine"
    return f"cannot be bound ({exc.strerror or exc})"


def bind_socket(
    service: str,
    host: str,
    address: str,
    port: int,
    transport: Transport = "tcp",
    *,
    show_transport: bool = False,
) -> socket.socket:
    """A socket bound to ``address``:``port`` (TCP ones listening), or ``LabStartError``.

    ``address`` is an IP literal: lab addresses are never looked up by name.
    ``show_transport`` names ``/tcp`` in the error too, for a service that binds
    one port over both transports (the lab DNS).
    TCP sockets set SO_REUSEADDR so a restarted lab can rebind while old
    connections sit in TIME_WAIT (on Linux this never lets two listeners share
    a port); UDP sockets do not, since there it would.
    """
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
    except ValueError:
        raise LabStartError(
            service,
            host,
            address,
            port,
            "is not an IP address",
            transport,
            show_transport=show_transport,
        ) from None
    kind, proto = (
        (socket.SOCK_STREAM, socket.IPPROTO_TCP)
        if transport == "tcp"
        else (socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    )
    # The protocol is named, not left 0: asyncio turns Nagle off (TCP_NODELAY) only on
    # sockets whose proto says TCP, and an accepted socket inherits its listener's.
    # With Nagle on, a pipelined client waited a delayed ACK (about 40 ms) for the
    # second of two replies sent back to back.
    sock = socket.socket(family, kind, proto)
    try:
        if transport == "tcp":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        if transport == "tcp":
            sock.listen(_BACKLOG)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        reason = why_not(exc, port)
        raise LabStartError(
            service, host, address, port, reason, transport, show_transport=show_transport
        ) from exc
    return sock


def socket_port(sock: socket.socket) -> int:
    """The port a socket is bound to (the real one when port 0 was asked)."""
    return int(sock.getsockname()[1])


async def listen_tcp(
    factory: Callable[[], asyncio.BaseProtocol],
    service: str,
    host: str,
    address: str,
    port: int,
    ssl_context: ssl.SSLContext | None = None,
) -> asyncio.Server:
    """An asyncio server on a socket from ``bind_socket``."""
    sock = bind_socket(service, host, address, port)
    loop = asyncio.get_running_loop()
    try:
        # asyncio listens again with its own backlog (100 unless given): pass ours
        return await loop.create_server(factory, sock=sock, ssl=ssl_context, backlog=_BACKLOG)
    except BaseException:
        sock.close()
        raise


def server_port(server: asyncio.Server) -> int:
    """The port an asyncio server listens on."""
    return int(server.sockets[0].getsockname()[1])
