"""SMTP AUTH client submission under load: the lab vs. a bare aiosmtpd STARTTLS+AUTH sink.

The same asyncio client drives both, in the same run: many concurrent
sessions of EHLO, STARTTLS, EHLO, AUTH LOGIN, MAIL, RCPT, DATA, QUIT. The lab
is smtp.office365.com with every rule and the durable SQLite commit
(WAL, synchronous=FULL) before each 250; the per-mailbox limits are raised so
the benchmark measures cost, not throttling (the rules still run). Each
server runs in its own process, the client in this one (benchmarks.harness).
Target: the lab reaches 1.0x the sink for 10 KB and for 1 MB messages (the lab
does more work and is still faster: its wire is leaner than aiosmtpd's).
Run: ``python -m benchmarks submission`` (or ``make bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ssl
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

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

TARGET = 1.0
USER, PASSWORD = "scanner@contoso.com", "Scan-2-Mail!"
RECIPIENT = "bob@contoso.com"
LIMITS = (
    # the benchmark's client pool connects from one address, above a real lab's per-source cap
    "Limits.MaxInboundConnectionPerSource=100000",
    "Limits.MaxConcurrentConnectionsPerMailbox=100000",
    "Limits.MessagesPerMinute=100000000",
    "Limits.RecipientsPerDay=100000000",
    "Mailbox[scanner@contoso.com].MaxSendSize=104857600",
)


# -- the servers (each in its own process) ---------------------------------------------


def serve_submission_lab(conn: Connection, data_dir: str) -> None:
    """The lab with only its submission front end (the fleet benchmark serves the same)."""
    quiet()

    async def main() -> None:
        from exolab.emulator.lab import PortPlan
        from exolab.emulator.server import Lab
        from exolab.emulator.smtp.submission import SubmissionService
        from exolab.emulator.tenant import load_default_tenant, parse_assignment

        tenant = load_default_tenant([parse_assignment(p) for p in LIMITS])
        lab = await Lab.start(
            tenant, data_dir, ports=PortPlan(ephemeral=True), services=[SubmissionService()]
        )
        await serve_until_stopped(conn, lab.endpoint("smtp.office365.com", 587))
        await lab.stop()

    asyncio.run(main())


def _serve_sink(conn: Connection, data_dir: str) -> None:
    quiet()

    async def main() -> None:
        from aiosmtpd.smtp import SMTP, AuthResult

        from exolab.emulator.tls import LabCA

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
        await serve_until_stopped(conn, ("127.10.0.99", server.sockets[0].getsockname()[1]))
        server.close()

    asyncio.run(main())


# -- the client (this process) -----------------------------------------------------------


def session_to(address: str, port: int, body: bytes) -> SessionFn:
    """One STARTTLS + AUTH LOGIN + message session against (address, port)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    dialogue = (
        (b"EHLO bench", b"250"),
        (b"AUTH LOGIN", b"334"),
        (base64.b64encode(USER.encode()), b"334"),
        (base64.b64encode(PASSWORD.encode()), b"235"),
        (f"MAIL FROM:<{USER}>".encode(), b"250"),
        (f"RCPT TO:<{RECIPIENT}>".encode(), b"250"),
        (b"DATA", b"354"),
    )

    async def one(_: int) -> None:
        reader, writer = await asyncio.open_connection(address, port, local_addr=("127.20.0.10", 0))
        try:
            await expect(reader, b"220")
            for command, code in ((b"EHLO bench", b"250"), (b"STARTTLS", b"220")):
                writer.write(command + b"\r\n")
                await expect(reader, code)
            await writer.start_tls(context)
            for command, code in dialogue:
                writer.write(command + b"\r\n")
                await expect(reader, code)
            writer.write(body + b".\r\n")
            await expect(reader, b"250")
            writer.write(b"QUIT\r\n")
            await expect(reader, b"221")
        finally:
            writer.close()

    return one


def case(label: str, sessions: int, concurrency: int, size: int, rounds: int) -> bool:
    body = message(USER, RECIPIENT, size)
    with (
        server_process("submission-sink", _serve_sink) as sink_at,
        server_process("submission-lab", serve_submission_lab) as lab_at,
    ):
        paired = alternate(
            session_to(*sink_at, body),
            session_to(*lab_at, body),
            sessions,
            concurrency,
            rounds,
            pids=(sink_at.pid, lab_at.pid),
        )
    detail = f"{sessions} sessions a round, {concurrency} concurrent"
    return report(label, "lab", paired, TARGET, detail, case="submission")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.submission")
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--large-sessions", type=int, default=60)
    parser.add_argument("--large-concurrency", type=int, default=8)
    parser.add_argument("--large-rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print("submission: STARTTLS + AUTH LOGIN + one message per session, lab vs bare aiosmtpd sink")
    small = case("10 KB", args.sessions, args.concurrency, 10 * 1024, args.rounds)
    large = case(
        "1 MB ", args.large_sessions, args.large_concurrency, 1024 * 1024, args.large_rounds
    )
    return 0 if small and large else 1


if __name__ == "__main__":
    raise SystemExit(main())
