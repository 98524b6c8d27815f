"""Binding a listener, with the one clear error a busy or forbidden port gets."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable


class LabStartError(Exception):
    """The lab could not start a listener; the message names host, address and port."""


async def listen(
    factory: Callable[[], asyncio.BaseProtocol], host: str, address: str, port: int
) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    try:
        return await loop.create_server(factory, address, port, reuse_address=True)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            why = "is already in use (another lab or mail server?); try --port-offset N or --ephemeral-ports"
        elif exc.errno == errno.EACCES:
            why = "needs privileges to bind (ports below 1024); try --port-offset 10000"
        elif exc.errno == errno.EADDRNOTAVAIL:
            why = "is not an address of this machine"
        else:
            why = f"cannot be bound ({exc.strerror})"
        raise LabStartError(f"{host}: {address}:{port} {why}") from exc


def bound_port(server: asyncio.Server) -> int:
    return int(server.sockets[0].getsockname()[1])
