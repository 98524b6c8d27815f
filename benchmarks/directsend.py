"""Direct send under load: the tenant MX (SPF over the lab DNS, verdict, durable commit) vs. a
bare aiosmtpd plain sink, driven by the same client in the same run.

Many concurrent plaintext sessions from several sites (office: spf=pass, branch:
spf=fail, home: a dynamic site) each send one message to an internal
recipient. Every MX session does SPF and DMARC, the verdict, the header stamp
and a SQLite commit with synchronous=FULL before its 250. Two cases: one
scanner sender, as a site's printers send all day (SPF and DMARC are asked
over the lab DNS once per site and tenant version, then answered from the
MX's memo, ``emulator/dns/authmemo.py``), and a new sender every message
(every check over the wire, the cost of a first message). As in the
submission case, each server runs in its own process (the MX lab with its
SPF helper), the client in this one; sink and MX alternate for ``--rounds``
rounds in turn and the figure is the median of the rounds' ratios. Target: the MX reaches 0.7x the sink.
Run: ``python -m benchmarks directsend`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any, Literal

from benchmarks.harness import (
    SessionFn,
    alternate,
    expect,
    message,
    quiet,
    report,
    serve_until_stopped,
    server_process,
)

SOURCES = ("127.20.0.10", "127.20.0.20", "127.20.0.30")
RECIPIENT = "alice@contoso.com"
SENDER = "scanner@contoso.com"
TARGET = 0.7


# -- the servers (each in its own process) ---------------------------------------------


def _serve_mx(conn: Connection, data_dir: str, spf: Literal["process", "thread"]) -> None:
    quiet()

    async def main() -> None:
        from exolab.emulator.dns import LabDns
        from exolab.emulator.lab import PortPlan
        from exolab.emulator.server import Lab
        from exolab.emulator.smtp.mx import MxService
        from exolab.emulator.tenant import load_default_tenant, parse_assignment

        # the client pool connects from one address, above a real lab's per-source cap
        tenant = load_default_tenant(
            [parse_assignment("Limits.MaxInboundConnectionPerSource=100000")]
        )
        lab = await Lab.start(
            tenant,
            data_dir,
            ports=PortPlan(ephemeral=True),
            services=[LabDns(), MxService(spf=spf)],
        )
        await serve_until_stopped(conn, lab.endpoint(tenant.tenant.mx_host, 25))
        await lab.stop()

    asyncio.run(main())


def _serve_sink(conn: Connection, data_dir: str) -> None:
    quiet()

    async def main() -> None:
        from aiosmtpd.smtp import SMTP

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                return "250 OK"

        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(Handler(), hostname="sink"), "127.10.0.99", 0
        )
        await serve_until_stopped(conn, ("127.10.0.99", server.sockets[0].getsockname()[1]))
        server.close()

    asyncio.run(main())


# -- the client (this process) -----------------------------------------------------------


def session_to(address: str, port: int, body: bytes, fresh: bool = False) -> SessionFn:
    """EHLO, MAIL, RCPT, DATA, QUIT in plaintext, rotating over the site sources; ``fresh``
    gives every session a sender of its own (no SPF answer can be reused)."""
    dialogue = (
        (f"RCPT TO:<{RECIPIENT}>\r\n".encode(), b"250"),
        (b"DATA\r\n", b"354"),
    )

    async def one(number: int) -> None:
        source = SOURCES[number % len(SOURCES)]
        sender = f"scanner{number}@contoso.com" if fresh else SENDER
        hello = (
            (b"EHLO mfd.contoso.local\r\n", b"250"),
            (f"MAIL FROM:<{sender}>\r\n".encode(), b"250"),
        )
        reader, writer = await asyncio.open_connection(address, port, local_addr=(source, 0))
        try:
            await expect(reader, b"220")
            for command, code in (*hello, *dialogue):
                writer.write(command)
                await expect(reader, code)
            writer.write(body + b".\r\n")
            await expect(reader, b"250")
            writer.write(b"QUIT\r\n")
            await expect(reader, b"221")
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    return one


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.directsend")
    parser.add_argument("--sessions", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--size", type=int, default=10 * 1024, help="message bytes (10 KB)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--spf",
        choices=("process", "thread"),
        default="process",
        help="where the MX runs pyspf: its helper process (default) or threads in the lab",
    )
    args = parser.parse_args(argv)
    print("directsend: plaintext sessions from 3 sites, SPF over the lab DNS, verdict, commit")
    body = message(SENDER, RECIPIENT, args.size)
    spf: Literal["process", "thread"] = args.spf
    detail = f"{args.sessions} sessions a round, {args.concurrency} concurrent"
    ok = True
    with (
        server_process("directsend-sink", _serve_sink) as sink_at,
        server_process("directsend-mx", _serve_mx, spf) as mx_at,
    ):
        for label, fresh in (("10 KB", False), ("10 KB, a new sender each message", True)):
            paired = alternate(
                session_to(*sink_at, body, fresh),
                session_to(*mx_at, body, fresh),
                args.sessions,
                args.concurrency,
                args.rounds,  # no CPU figure: the MX's SPF helper is a process of its own
            )
            ok = report(label, "mx", paired, TARGET, detail, case="direct send") and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
