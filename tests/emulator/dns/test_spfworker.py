"""The SPF helper process: same answers as in-process checks, survives its own death."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from exolab.emulator.dns.spfworker import SpfWorker

Server = tuple[str, int]


@pytest.fixture
async def worker() -> AsyncIterator[SpfWorker]:
    w = SpfWorker()
    await w.start()
    yield w
    await w.stop()


async def test_helper_checks_over_the_lab_dns(worker: SpfWorker, dns_server: Server) -> None:
    office, branch = await asyncio.gather(
        worker.check(dns_server, "203.0.113.39", "scanner@contoso.com", "mfd", "contoso.com", 5),
        worker.check(dns_server, "198.51.100.20", "scanner@contoso.com", "mfd", "contoso.com", 5),
    )
    assert (office.spf.result, branch.spf.result) == ("pass", "fail")
    assert office.dmarc_record is not None and office.dmarc_record.startswith("v=DMARC1")
    many = await asyncio.gather(
        *(
            worker.check(dns_server, ip, "scanner@contoso.com", "mfd", None, 5)
            for ip in ("203.0.113.39", "198.51.100.20") * 20
        )
    )
    assert [m.spf.result for m in many] == ["pass", "fail"] * 20


async def test_a_dead_helper_fails_in_flight_checks_and_is_restarted(
    worker: SpfWorker, dns_server: Server
) -> None:
    proc = worker._proc
    assert proc is not None
    # a DNS "server" that never answers keeps the check in flight (a closed port would be
    # refused at once)
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.10.9.53", 0))
    try:
        pending = asyncio.ensure_future(
            worker.check(silent.getsockname(), "203.0.113.39", "a@contoso.com", "x", None, 3)
        )
        await asyncio.sleep(0.2)
        proc.kill()
        with pytest.raises(ConnectionError):
            await pending
    finally:
        silent.close()
    await proc.wait()
    again = await worker.check(dns_server, "203.0.113.39", "scanner@contoso.com", "m", None, 5)
    assert again.spf.result == "pass"
    assert worker._proc is not proc
