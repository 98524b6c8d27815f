"""What every lab-versus-bare-sink benchmark shares.

Each server runs in its own process (so the client here does not steal its
CPU); the same client drives both; rounds alternate sink and lab after a
warm-up, and the best run of each counts (no cold-start bias either way).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing as mp
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks.record import FIGURES, Figure

ServeFn = Callable[..., None]
"""Runs in the server process: ``fn(conn, data_dir, *args)`` sends (address, port), waits for stop."""

SessionFn = Callable[[int], Awaitable[None]]
"""One client session; the argument is the session's number (to rotate sources)."""


def message(sender: str, recipient: str, size: int) -> bytes:
    """A plain message of about ``size`` bytes, dot-safe, CRLF lines."""
    head = (
        f"From: Scanner <{sender}>\r\nTo: <{recipient}>\r\nSubject: Scan\r\n"
        "Message-ID: <bench@contoso.com>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
    ).encode()
    line = b"x" * 76 + b"\r\n"
    return head + line * max(1, size // len(line))


def quiet() -> None:
    """aiosmtpd logs every connection (and a deprecation per AUTH): not what is measured."""
    logging.getLogger("mail.log").setLevel(logging.ERROR)


def serve_until_stopped(conn: Connection, endpoint: tuple[str, int]) -> Awaitable[Any]:
    """Report where the server listens, then wait (off the loop) for the client's stop."""
    conn.send(endpoint)
    return asyncio.to_thread(conn.recv)


class Served(tuple[str, int]):
    """Where a server process listens, (address, port), its pid (to read its memory) and its
    data directory (where a lab writes the endpoints.json that `exolab` commands read)."""

    pid: int
    data_dir: Path


def memory_kib(pid: int) -> tuple[int, int]:
    """A process's resident set now and at its peak (VmRSS, VmHWM), in KiB (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


@contextlib.contextmanager
def server_process(label: str, serve: ServeFn, *args: Any) -> Iterator[Served]:
    """Start ``serve`` in its own process with a fresh data directory; yield where it listens."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    with tempfile.TemporaryDirectory(prefix=f"bench-{label}-") as data_dir:
        proc = ctx.Process(target=serve, args=(child, data_dir, *args))
        proc.start()
        try:
            while not parent.poll(1.0):
                if not proc.is_alive():
                    raise RuntimeError(f"the {label} server process died (exit {proc.exitcode})")
            address, port = parent.recv()
            served = Served((str(address), int(port)))
            served.pid = int(proc.pid or 0)
            served.data_dir = Path(data_dir)
            yield served
        finally:
            parent.send("stop")
            proc.join(30)
            if proc.is_alive():
                proc.kill()


async def expect(reader: asyncio.StreamReader, code: bytes) -> None:
    """Read one whole (possibly multi-line) reply and check its code."""
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("server closed")
        if line[3:4] != b"-":
            if not line.startswith(code):
                raise ConnectionError(line.decode("latin-1").strip())
            return


@dataclass
class Run:
    name: str
    sessions: int
    failures: int
    seconds: float

    @property
    def rate(self) -> float:
        return (self.sessions - self.failures) / self.seconds if self.seconds else 0.0


async def drive(name: str, session: SessionFn, sessions: int, concurrency: int) -> Run:
    """``sessions`` sessions, ``concurrency`` at a time; failures are counted, the first shown."""
    todo = iter(range(sessions))
    failures = 0
    errors: list[str] = []

    async def worker() -> None:
        nonlocal failures
        for number in todo:
            try:
                await asyncio.wait_for(session(number), 60)
            except Exception as exc:
                failures += 1
                errors.append(repr(exc))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    if errors:
        print(f"  {name}: {failures} failures, first: {errors[0]}")
    return Run(name, sessions, failures, time.perf_counter() - started)


def alternate(
    sink: SessionFn, lab: SessionFn, sessions: int, concurrency: int, rounds: int
) -> tuple[Run, Run]:
    """Warm both up, then alternate sink and lab ``rounds`` times; the best run of each.

    The lab's failures are summed over every round, so one bad round still shows.
    """
    warm = min(concurrency, 50)
    asyncio.run(drive("warm-up", sink, warm, warm))
    asyncio.run(drive("warm-up", lab, warm, warm))
    sinks: list[Run] = []
    labs: list[Run] = []
    for _ in range(rounds):
        sinks.append(asyncio.run(drive("sink", sink, sessions, concurrency)))
        labs.append(asyncio.run(drive("lab", lab, sessions, concurrency)))
    best_sink = max(sinks, key=lambda r: r.rate)
    best_lab = max(labs, key=lambda r: r.rate)
    failures = sum(r.failures for r in labs)
    return best_sink, Run(best_lab.name, best_lab.sessions, failures, best_lab.seconds)


def report(
    label: str,
    name: str,
    sink: Run,
    lab: Run,
    target: float,
    detail: str,
    case: str = "",
    base: str = "sink",
) -> bool:
    """Print (and note) one result; True when the lab reached ``target`` times the sink.

    ``base`` names what the lab is measured against (the capture case: the lab, capture off).

    A lab that failed any session is below target whatever its rate.
    """
    ratio = lab.rate / sink.rate if sink.rate else 0.0
    ok = ratio >= target and not lab.failures
    verdict = "ok" if ok else "below target"
    failed = f", {lab.failures} FAILED" if lab.failures else ""
    print(
        f"  {label}: {base} {sink.rate:7.1f} sessions/s | {name} {lab.rate:7.1f} sessions/s{failed} | "
        f"ratio {ratio:.2f}x (target >= {target}x) {verdict}  [{detail}]",
        flush=True,
    )
    FIGURES.note(
        Figure(
            case=f"{case} {label}".strip(),
            measured=f"{name} {lab.rate:.0f}/s vs {base} {sink.rate:.0f}/s{failed}",
            result=f"{ratio:.2f}x",
            target=f">= {target}x",
            ok=ok,
            detail=detail,
        )
    )
    return ok
