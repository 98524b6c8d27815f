"""Port 465 of smtp.office365.com: accept, say nothing, until the client gives up.

The real endpoint does not serve implicit TLS: packets are silently dropped
and the client sees a timeout, never a banner and never a close. On loopback
a SYN cannot be dropped, so the lab accepts and stays silent until the client
closes. ``Lab.Port465Hold`` only bounds how long a client that never gives up
is held (900 s, far above any device timeout, so a device always meets its
own timeout first, as against Microsoft). Held connections count towards the
lab's connection caps; one over a cap is dropped at once (reset), since an
answer is the one thing this port never gives. Each attempt is recorded as a
session.
"""

from __future__ import annotations

import asyncio

from exolab.emulator.lab import LabContext
from exolab.emulator.policy.limits import connection_allowed
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

    def __len__(self) -> int:
        return len(self.live)

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
        self.admitted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        lab = self.port.lab
        peer = transport.get_extra_info("peername") or ("0.0.0.0", 0)
        self.client = str(peer[0])
        counts = lab.connections
        if connection_allowed(counts.held_by(self.client), counts.total, lab.tenant.limits):
            counts.refused += 1
            transport.abort()
            return
        counts.opened(self.client)
        self.admitted = True
        self.sid = lab.store.allocate_session_id()
        self.started = lab.clock.now()
        self.port.live.add(self)
        hold = lab.tenant.lab.port_465_hold
        self.timer = asyncio.get_running_loop().call_later(hold, transport.abort)

    def data_received(self, data: bytes) -> None:
        self.received += len(data)  # a TLS ClientHello, usually; never answered

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.admitted:
            return  # over a cap: dropped unrecorded
        if self.timer is not None:
            self.timer.cancel()
        self.port.live.discard(self)
        lab = self.port.lab
        lab.connections.released(self.client)
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
