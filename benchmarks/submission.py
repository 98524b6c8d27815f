"""SMTP AUTH client submission under load: the lab vs. a bare aiosmtpd STARTTLS+AUTH sink.

The same asyncio client drives both, in the same run: many concurrent
sessions of EHLO, STARTTLS, EHLO, AUTH LOGIN, MAIL, RCPT, DATA, QUIT. The lab
is smtp.office365.com with every rule and the durable SQLite commit
(WAL, synchronous=FULL) before each 250; the per-mailbox limits are raised so
the benchmark measures cost, not throttling (the rules still run). Each
server runs in its own process, the client in this one. Target: the lab
reaches 0.8x the sink for 10 KB and for 1 MB messages.
Run: ``python -m benchmarks submission`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import multiprocessing as mp
import ssl
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

TARGET = 0.8
USER, PASSWORD = "scanner@contoso.com", "Scan-2-Mail!"
LIMITS = (
    "Limits.MaxConcurrentConnectionsPerMailbox=100000",
    "Limits.MessagesPerMinute=100000000",
    "Limits.RecipientsPerDay=100000000",
    "Mailbox[scanner@contoso.com].MaxSendSize=104857600",
)


def message(size: int) -> bytes:
    head = (
        f"From: Scanner <{USER}>\r\nTo: <bob@contoso.com>\r\nSubject: Scan\r\n"
        "Message-ID: <bench@mfp>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
    ).encode()
    line = b"x" * 76 + b"\r\n"
    return head + line * max(1, size // len(line))


# -- the servers (each in its own process) ---------------------------------------------


def _quiet() -> None:
    """aiosmtpd logs every connection (and a deprecation per AUTH): not what is measured."""
    logging.getLogger("mail.log").setLevel(logging.ERROR)


def _serve_lab(conn: Connection, data_dir: str) -> None:
    _quiet()

    async def main() -> None:
        from emulator.lab import PortPlan
        from emulator.server import Lab
        from emulator.smtp.submission import SubmissionService
        from emulator.tenant import load_default_tenant, parse_assignment

        tenant = load_default_tenant([parse_assignment(p) for p in LIMITS])
        lab = await Lab.start(
            tenant, data_dir, ports=PortPlan(ephemeral=True), services=[SubmissionService()]
        )
        conn.send(lab.endpoint("smtp.office365.com", 587))
        await asyncio.to_thread(conn.recv)
        await lab.stop()

    asyncio.run(main())


def _serve_sink(conn: Connection, data_dir: str) -> None:
    _quiet()

    async def main() -> None:
        from aiosmtpd.smtp import SMTP, AuthResult

        from emulator.tls import LabCA

        context = LabCA(Path(data_dir)).server_context(("sink",))

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                return "250 OK"

        def accept(*_: Any) -> AuthResult:
            return AuthResult(success=True)

        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(Handler(), hostname="sink", tls_context=context, authenticator=accept),
            "127.10.0.99",
            0,
        )
        conn.send(("127.10.0.99", server.sockets[0].getsockname()[1]))
        await asyncio.to_thread(conn.recv)
        server.close()

    asyncio.run(main())


# -- the client (this process) -----------------------------------------------------------


async def _reply(reader: asyncio.StreamReader) -> bytes:
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("server closed")
        if line[3:4] != b"-":
            return line


async def _cmd(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, text: bytes, want: bytes
) -> None:
    writer.write(text + b"\r\n")
    line = await _reply(reader)
    if not line.startswith(want):
        raise RuntimeError(f"{text!r} -> {line!r}")


async def one_session(address: str, port: int, context: ssl.SSLContext, body: bytes) -> None:
    reader, writer = await asyncio.open_connection(address, port, local_addr=("127.20.0.10", 0))
    try:
        await _reply(reader)
        await _cmd(reader, writer, b"EHLO bench", b"250")
        await _cmd(reader, writer, b"STARTTLS", b"220")
        await writer.start_tls(context)
        await _cmd(reader, writer, b"EHLO bench", b"250")
        await _cmd(reader, writer, b"AUTH LOGIN", b"334")
        await _cmd(reader, writer, base64.b64encode(USER.encode()), b"334")
        await _cmd(reader, writer, base64.b64encode(PASSWORD.encode()), b"235")
        await _cmd(reader, writer, f"MAIL FROM:<{USER}>".encode(), b"250")
        await _cmd(reader, writer, b"RCPT TO:<bob@contoso.com>", b"250")
        await _cmd(reader, writer, b"DATA", b"354")
        writer.write(body)
        await _cmd(reader, writer, b".", b"250")
        await _cmd(reader, writer, b"QUIT", b"221")
    finally:
        writer.close()


@dataclass
class Run:
    name: str
    sessions: int
    failures: int
    seconds: float

    @property
    def rate(self) -> float:
        return (self.sessions - self.failures) / self.seconds if self.seconds else 0.0


async def drive(
    name: str, address: str, port: int, sessions: int, concurrency: int, size: int
) -> Run:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    body = message(size)
    todo = iter(range(sessions))
    failures = 0
    errors: list[str] = []

    async def worker() -> None:
        nonlocal failures
        for _ in todo:
            try:
                await asyncio.wait_for(one_session(address, port, context, body), 60)
            except Exception as exc:
                failures += 1
                errors.append(repr(exc))

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run = Run(name, sessions, failures, time.perf_counter() - start)
    if errors:
        print(f"  {name}: {failures} failures, first: {errors[0]}")
    return run


def measure(target: str, sessions: int, concurrency: int, size: int, warmup: int) -> Run:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    with tempfile.TemporaryDirectory(prefix=f"bench-{target}-") as data_dir:
        proc = ctx.Process(
            target=_serve_lab if target == "lab" else _serve_sink, args=(child, data_dir)
        )
        proc.start()
        try:
            address, port = parent.recv()
            asyncio.run(drive(target, address, port, warmup, min(concurrency, warmup), size))
            return asyncio.run(drive(target, address, port, sessions, concurrency, size))
        finally:
            parent.send("stop")
            proc.join(30)
            if proc.is_alive():
                proc.kill()


def case(label: str, sessions: int, concurrency: int, size: int, rounds: int) -> bool:
    """Alternate sink and lab rounds and keep the best of each (no cold-start bias either way)."""
    sinks: list[Run] = []
    labs: list[Run] = []
    for _ in range(rounds):
        sinks.append(measure("sink", sessions, concurrency, size, warmup=20))
        labs.append(measure("lab", sessions, concurrency, size, warmup=20))
    sink = max(sinks, key=lambda r: r.rate)
    lab = max(labs, key=lambda r: r.rate)
    ratio = lab.rate / sink.rate if sink.rate else 0.0
    verdict = "ok" if ratio >= TARGET and not lab.failures else "BELOW TARGET"
    print(
        f"  {label}: sink {sink.rate:7.1f} sessions/s | lab {lab.rate:7.1f} sessions/s | "
        f"ratio {ratio:.2f}x (target {TARGET}x) {verdict}  "
        f"[{sessions} sessions, {concurrency} concurrent]",
        flush=True,
    )
    return verdict == "ok"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.submission")
    parser.add_argument("--sessions", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--large-sessions", type=int, default=120)
    parser.add_argument("--large-concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    print("submission: STARTTLS + AUTH LOGIN + one message per session, lab vs bare aiosmtpd sink")
    small = case("10 KB", args.sessions, args.concurrency, 10 * 1024, args.rounds)
    large = case("1 MB ", args.large_sessions, args.large_concurrency, 1024 * 1024, args.rounds)
    return 0 if small and large else 1


if __name__ == "__main__":
    raise SystemExit(main())
