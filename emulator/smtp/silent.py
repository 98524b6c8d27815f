"""Port 465 of smtp.office365.com: accept, say nothing, drop.

The real endpoint does not serve implicit TLS: packets are silently dropped
and the client sees a timeout, never a banner. On loopback a SYN cannot be
dropped, so the lab accepts and stays silent for ``Lab.Port465Hold``
seconds, then closes. Each attempt is recorded as a session.
"""

from __future__ import annotations

import asyncio

from exolab.emulator.lab import LabContext
from exolab.emulator.store import SessionRecord

OUTCOME = "port 465: silently dropped"


class SilentPort:
    def __init__(self, lab: LabContext, endpoint: str, port: int) -> None:
        self.lab = lab
        self.endpoint = endpoint
        self.port = port
        self.live: set[_Silent] = set()

    def protocol(self) -> asyncio.Protocol:
        return _Silent(self)

    def close_all(self) -> None:
        for conn in list(self.live):
            if conn.transport is not None:
                conn.transport.close()


class _Silent(asyncio.Protocol):
    def __init__(self, port: SilentPort) -> None:
        self.port = port
        self.transport: asyncio.Transport | None = None
        self.received = 0
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        lab = self.port.lab
        peer = transport.get_extra_info("peername") or ("0.0.0.0", 0)
        self.client = str(peer[0])
        self.sid = lab.store.allocate_session_id()
        self.started = lab.clock.now()
        self.port.live.add(self)
        hold = lab.tenant.lab.port_465_hold
        self.timer = asyncio.get_running_loop().call_later(hold, transport.abort)

    def data_received(self, data: bytes) -> None:
        self.received += len(data)  # a TLS ClientHello, usually; never answered

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.port.live.discard(self)
        lab = self.port.lab
        site = lab.tenant.site_for_source(self.client)
        lab.store.record_session_soon(
            SessionRecord(
                id=self.sid,
                endpoint=self.port.endpoint,
                port=self.port.port,
                client=self.client,
                public_ip=lab.tenant.public_ip_for(self.client),
                site=site.name if site else None,
                started_at=self.started,
                ended_at=lab.clock.now(),
                notes=(
                    "port_465_silent: smtp.office365.com does not serve implicit TLS; "
                    f"client sent {self.received} bytes, no reply",
                ),
                outcome=OUTCOME,
            )
        )
