"""Direct send under load: the tenant MX (SPF over the lab DNS, verdict, durable commit) vs. a
bare aiosmtpd plain sink, driven by the same client in the same run.

Many concurrent plaintext sessions from several sites (office: spf=pass, branch:
spf=fail, home: a dynamic site) each send one message to an internal
recipient. Every MX session does real SPF over the wire (no result cache: an
edit must show in the next message), DMARC, the verdict, the header stamp
and a SQLite commit with synchronous=FULL before its 250. As in the
submission case, each server runs in its own process (the MX lab with its
SPF helper), the client in this one; sink and MX alternate for ``--rounds``
rounds and the best run of each counts. Target: the MX reaches 0.5x the sink.
Run: ``python -m benchmarks directsend`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing as mp
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Literal

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


# -- the servers (each in its own process) ---------------------------------------------


def _quiet() -> None:
    logging.getLogger("mail.log").setLevel(logging.ERROR)


def _serve_mx(conn: Connection, data_dir: str, spf: Literal["process", "thread"]) -> None:
    _quiet()

    async def main() -> None:
        from emulator.dns import LabDns
        from emulator.lab import PortPlan
        from emulator.server import Lab
        from emulator.smtp.mx import MxService
        from emulator.tenant import load_default_tenant

        tenant = load_default_tenant()
        lab = await Lab.start(
            tenant,
            data_dir,
            ports=PortPlan(ephemeral=True),
            services=[LabDns(), MxService(spf=spf)],
        )
        conn.send(lab.endpoint(tenant.tenant.mx_host, 25))
        await asyncio.to_thread(conn.recv)
        await lab.stop()

    asyncio.run(main())


def _serve_sink(conn: Connection, data_dir: str) -> None:
    _quiet()

    async def main() -> None:
        from aiosmtpd.smtp import SMTP

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                return "250 OK"

        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(Handler(), hostname="sink"), "127.10.0.99", 0
        )
        conn.send(("127.10.0.99", server.sockets[0].getsockname()[1]))
        await asyncio.to_thread(conn.recv)
        server.close()

    asyncio.run(main())


@contextlib.contextmanager
def server(target: str, spf: str = "process") -> Iterator[tuple[str, int]]:
    """Start the MX lab or the sink in its own process; yield its (address, port)."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    with tempfile.TemporaryDirectory(prefix=f"bench-directsend-{target}-") as data_dir:
        if target == "mx":
            proc = ctx.Process(target=_serve_mx, args=(child, data_dir, spf))
        else:
            proc = ctx.Process(target=_serve_sink, args=(child, data_dir))
        proc.start()
        try:
            while not parent.poll(1.0):
                if not proc.is_alive():
                    raise RuntimeError(f"the {target} server process died (exit {proc.exitcode})")
            address, port = parent.recv()
            yield str(address), int(port)
        finally:
            parent.send("stop")
            proc.join(30)
            if proc.is_alive():
                proc.kill()


# -- the client (this process) -----------------------------------------------------------


@dataclass
class Run:
    name: str
    sessions: int
    failures: int
    seconds: float

    @property
    def rate(self) -> float:
        return (self.sessions - self.failures) / self.seconds if self.seconds else 0.0


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
    todo = iter(range(sessions))
    failures = 0
    errors: list[str] = []

    async def worker() -> None:
        nonlocal failures
        for i in todo:
            try:
                source = SOURCES[i % len(SOURCES)]
                await asyncio.wait_for(one_session(address, port, source, body), 60)
            except Exception as exc:
                failures += 1
                errors.append(repr(exc))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    if errors:
        print(f"  {name}: {failures} failures, first: {errors[0]}")
    return Run(name, sessions, failures, time.perf_counter() - started)


def measure(
    sessions: int, concurrency: int, size: int, rounds: int, spf: str = "process"
) -> tuple[Run, Run]:
    """Both servers up; alternate sink and MX ``rounds`` times after a warm-up; best of each."""
    body = message(size)
    sinks: list[Run] = []
    mxs: list[Run] = []
    with server("sink") as sink_at, server("mx", spf) as mx_at:
        warm = min(concurrency, 50)
        asyncio.run(drive("warm-up", *sink_at, warm, warm, body))
        asyncio.run(drive("warm-up", *mx_at, warm, warm, body))
        for _ in range(rounds):
            sinks.append(asyncio.run(drive("sink", *sink_at, sessions, concurrency, body)))
            mxs.append(asyncio.run(drive("mx", *mx_at, sessions, concurrency, body)))
    best_sink = max(sinks, key=lambda r: r.rate)
    best_mx = max(mxs, key=lambda r: r.rate)
    return best_sink, Run(
        best_mx.name, best_mx.sessions, sum(r.failures for r in mxs), best_mx.seconds
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.directsend")
    parser.add_argument("--sessions", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--size", type=int, default=10 * 1024, help="message bytes (10 KB)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--spf",
        choices=("process", "thread"),
        default="process",
        help="where the MX runs pyspf: its helper process (default) or threads in the lab",
    )
    args = parser.parse_args(argv)
    print("directsend: plaintext sessions from 3 sites, SPF over the lab DNS, verdict, commit")
    sink, mx = measure(args.sessions, args.concurrency, args.size, args.rounds, args.spf)
    ratio = mx.rate / sink.rate if sink.rate else 0.0
    verdict = "ok" if ratio >= TARGET and not mx.failures else "BELOW TARGET"
    print(
        f"  10 KB: sink {sink.rate:7.1f} sessions/s | mx {mx.rate:7.1f} sessions/s | "
        f"ratio {ratio:.2f}x (target {TARGET}x) {verdict}  "
        f"[{args.sessions} sessions, {args.concurrency} concurrent, best of {args.rounds}]",
        flush=True,
    )
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    raise SystemExit(main())
