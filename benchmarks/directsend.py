"""Direct send under load: the tenant MX (SPF over the lab DNS, verdict, durable commit) vs. a
bare aiosmtpd sink, driven by the same client in the same run.

Many concurrent plaintext sessions from several sites (office: spf=pass, branch:
spf=fail, home: dynamic) each send one small message to an internal recipient.
Every MX session does real SPF over the wire (no cache: an edit must show in
the next message), DMARC, the verdict, the header stamp and a SQLite commit
with synchronous=FULL before its 250. Target: the MX reaches 0.5x the sink.
Run: ``python -m benchmarks.directsend`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP

SOURCES = ("127.20.0.10", "127.20.0.20", "127.20.0.30")
RECIPIENT = "alice@contoso.com"
SENDER = "scanner@contoso.com"
TARGET = 0.5


def message(size: int) -> bytes:
    head = (
        f"From: Scanner <{SENDER}>\r\nTo: <{RECIPIENT}>\r\nSubject: Scan\r\n"
        "Message-ID: <bench@contoso.com>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
    ).encode()
    line = b"x" * 76 + b"\r\n"
    return head + line * max(1, size // len(line))


@dataclass
class Run:
    name: str
    sessions: int
    failures: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.sessions / self.seconds if self.seconds else 0.0


async def _expect(reader: asyncio.StreamReader, code: bytes) -> None:
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("server closed")
        if line[3:4] != b"-":
            if not line.startswith(code):
                raise ConnectionError(line.decode("latin-1").strip())
            return


async def one_session(address: str, port: int, source: str, body: bytes) -> None:
    """EHLO, MAIL, RCPT, DATA, QUIT in plaintext, from ``source``."""
    reader, writer = await asyncio.open_connection(address, port, local_addr=(source, 0))
    try:
        await _expect(reader, b"220")
        for command, code in (
            (b"EHLO mfd.contoso.local\r\n", b"250"),
            (f"MAIL FROM:<{SENDER}>\r\n".encode(), b"250"),
            (f"RCPT TO:<{RECIPIENT}>\r\n".encode(), b"250"),
            (b"DATA\r\n", b"354"),
        ):
            writer.write(command)
            await _expect(reader, code)
        writer.write(body + b".\r\n")
        await _expect(reader, b"250")
        writer.write(b"QUIT\r\n")
        await _expect(reader, b"221")
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def drive(
    name: str, address: str, port: int, sessions: int, concurrency: int, body: bytes
) -> Run:
    """``sessions`` sessions, ``concurrency`` at a time, rotating over the site sources."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(sessions):
        queue.put_nowait(i)
    failures = 0

    async def worker() -> None:
        nonlocal failures
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                await one_session(address, port, SOURCES[i % len(SOURCES)], body)
            except (OSError, ConnectionError):
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Run(name, sessions, failures, time.perf_counter() - started)


class _Sink:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


@contextlib.asynccontextmanager
async def bare_sink(address: str = "127.10.0.99") -> AsyncIterator[int]:
    """A bare aiosmtpd plain sink (hostname given: no getfqdn per connection)."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(_Sink(), hostname="sink.exolab.invalid"), address, 0
    )
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        await server.wait_closed()


@contextlib.asynccontextmanager
async def lab_mx(data_dir: Path) -> AsyncIterator[tuple[str, int]]:
    """The lab's DNS and MX on ephemeral ports, with a real store."""
    from emulator.clock import LabClock
    from emulator.dns import LabDns
    from emulator.lab import LabContext, PortPlan
    from emulator.smtp.mx import MxService
    from emulator.store import Store
    from emulator.tenant import load_default_tenant
    from emulator.tls import LabCA

    tenant = load_default_tenant()
    clock = LabClock()
    store = Store.open(data_dir, clock)
    lab = LabContext(tenant, clock, data_dir, LabCA(data_dir), PortPlan(ephemeral=True), store)
    dns_service, mx = LabDns(), MxService()
    await dns_service.start(lab)
    await mx.start(lab)
    try:
        host = tenant.tenant.mx_host
        entry = lab.endpoints.hosts[host]
        yield str(entry["address"]), int(entry["ports"]["25"])
    finally:
        await mx.stop()
        await dns_service.stop()
        store.close()


async def measure(sessions: int, concurrency: int, size: int, rounds: int = 2) -> tuple[Run, Run]:
    """Alternate sink and MX ``rounds`` times (warm-up first); the best run of each counts."""
    body = message(size)
    sinks: list[Run] = []
    mxs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="exolab-bench-") as tmp:
        async with bare_sink() as port, lab_mx(Path(tmp)) as (address, mx_port):
            await drive("warm-up", "127.10.0.99", port, concurrency, concurrency, body)
            await drive("warm-up", address, mx_port, concurrency, concurrency, body)
            for _ in range(rounds):
                sinks.append(
                    await drive(
                        "bare aiosmtpd sink", "127.10.0.99", port, sessions, concurrency, body
                    )
                )
                mxs.append(
                    await drive("direct send (MX)", address, mx_port, sessions, concurrency, body)
                )
    best = max(sinks, key=lambda r: r.rate), max(mxs, key=lambda r: r.rate)
    return best[0], Run(
        best[1].name, best[1].sessions, sum(r.failures for r in mxs), best[1].seconds
    )


def report(sink: Run, mx: Run) -> str:
    ratio = mx.rate / sink.rate if sink.rate else 0.0
    lines = [
        f"{run.name:<22} {run.sessions:>6} sessions {run.seconds:7.2f} s "
        f"{run.rate:8.1f} sessions/s  failures {run.failures}"
        for run in (sink, mx)
    ]
    verdict = "OK" if ratio >= TARGET and not mx.failures else "BELOW TARGET"
    lines.append(f"ratio MX / sink: {ratio:.2f}x (target {TARGET}x) {verdict}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.directsend", description=__doc__)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--size", type=int, default=10_240, help="message bytes (default 10 KB)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (best counts)")
    args = parser.parse_args(argv)
    sink, mx = asyncio.run(measure(args.sessions, args.concurrency, args.size, args.rounds))
    print("direct send, plaintext, SPF over the lab DNS + verdict + durable commit")
    print(report(sink, mx))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
