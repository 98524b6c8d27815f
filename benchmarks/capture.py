"""The cost of recording: the submission benchmark with ``Lab.Capture`` on vs. the same lab off.

The same client and sessions as ``benchmarks.submission`` (STARTTLS, AUTH
LOGIN, one 10 KB message); the "sink" here is the lab without capture, so
the ratio is what turning captures on costs. Target: 0.7x or better.
Run: ``python -m benchmarks capture``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from multiprocessing.connection import Connection

from benchmarks.harness import (
    alternate,
    message,
    quiet,
    report,
    serve_until_stopped,
    server_process,
)
from benchmarks.submission import LIMITS, RECIPIENT, USER, session_to

TARGET = 0.7


def _serve(conn: Connection, data_dir: str, capture: bool) -> None:
    quiet()

    async def main() -> None:
        from exolab.emulator.lab import PortPlan
        from exolab.emulator.server import Lab
        from exolab.emulator.smtp.submission import SubmissionService
        from exolab.emulator.tenant import load_default_tenant, parse_assignment

        pairs = list(LIMITS)
        pairs.append(f"Lab.Capture={'true' if capture else 'false'}")
        tenant = load_default_tenant([parse_assignment(p) for p in pairs])
        lab = await Lab.start(
            tenant, data_dir, ports=PortPlan(ephemeral=True), services=[SubmissionService()]
        )
        await serve_until_stopped(conn, lab.endpoint("smtp.office365.com", 587))
        await lab.stop()

    asyncio.run(main())


def _serve_plain(conn: Connection, data_dir: str) -> None:
    _serve(conn, data_dir, False)


def _serve_capturing(conn: Connection, data_dir: str) -> None:
    _serve(conn, data_dir, True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.capture")
    parser.add_argument("--sessions", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print("capture: the submission session with Lab.Capture on vs off")
    body = message(USER, RECIPIENT, 10 * 1024)
    with (
        server_process("capture-off", _serve_plain) as off_at,
        server_process("capture-on", _serve_capturing) as on_at,
    ):
        paired = alternate(
            session_to(*off_at, body),
            session_to(*on_at, body),
            args.sessions,
            args.concurrency,
            args.rounds,
            pids=(off_at.pid, on_at.pid),
        )
    detail = f"{args.sessions} sessions a round, {args.concurrency} concurrent"
    return (
        0
        if report(
            "10 KB", "capture on", paired, TARGET, detail, case="capture cost", base="capture off"
        )
        else 1
    )


if __name__ == "__main__":
    raise SystemExit(main())
