"""How an SMTP front end listens: through the lab's one binding helper, ``emulator.net``.

A busy or forbidden port raises ``emulator.net.LabStartError`` naming the
host, address and port, like every other service of the lab.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from exolab.emulator.net import listen_tcp, server_port

SERVICE = "SMTP"


async def listen(
    factory: Callable[[], asyncio.BaseProtocol], host: str, address: str, port: int
) -> asyncio.Server:
    return await listen_tcp(factory, SERVICE, host, address, port)


def bound_port(server: asyncio.Server) -> int:
    return server_port(server)
