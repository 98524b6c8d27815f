"""The connections a listener holds open, and the one way every SMTP service stops.

Stopping the lab closes the listening sockets, drops every open connection and
waits briefly for each to run ``connection_lost``, which records its session:
a session in progress at stop is in the store afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Sequence
from typing import Protocol

from exolab.emulator.smtp.frontend import Connection

DRAIN_SECONDS = 1.0
"""How long a stop waits for dropped connections to record their sessions."""


class Drains(Protocol):
    """Anything holding connections a stop must drop: front ends, the silent 465."""

    def close_all(self) -> None: ...

    def __len__(self) -> int: ...


class LiveConnections:
    """The open connections of one front end."""

    def __init__(self) -> None:
        self._open: set[Connection] = set()

    def add(self, connection: Connection) -> None:
        self._open.add(connection)

    def discard(self, connection: Connection) -> None:
        self._open.discard(connection)

    def __len__(self) -> int:
        return len(self._open)

    def __iter__(self) -> Iterator[Connection]:
        return iter(list(self._open))

    def close_all(self) -> None:
        for connection in self:
            connection._close()


async def stop_listening(servers: Sequence[asyncio.Server], holders: Sequence[Drains]) -> None:
    """Stop accepting, drop every open connection, and let each record its session."""
    for server in servers:
        server.close()
    for holder in holders:
        holder.close_all()
    for server in servers:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.wait_closed(), 2.0)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DRAIN_SECONDS
    while any(len(h) for h in holders) and loop.time() < deadline:
        await asyncio.sleep(0.01)
