"""What every lab-versus-bare-sink benchmark shares.

Each server runs in its own process (so the client here does not steal its
CPU); the same client drives both; after a warm-up, rounds run sink and lab in
turn, and the figure is the median of each round's ratio (``Paired``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing as mp
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
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


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU a process has used, all its threads (Linux ``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    name: str
    sessions: int
    failures: int
    seconds: float
    server_cpu: float | None = None
    """CPU seconds the server process used during the run (all threads), when it was read."""

    @property
    def rate(self) -> float:
        return (self.sessions - self.failures) / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float | None:
        """The server's CPU per session, in milliseconds."""
        return None if self.server_cpu is None else 1000 * self.server_cpu / self.sessions


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


def _timed(name: str, session: SessionFn, sessions: int, concurrency: int, pid: int | None) -> Run:
    """One run, with the server's CPU read around it when its process is known."""
    if not pid:
        return asyncio.run(drive(name, session, sessions, concurrency))
    before = process_cpu_seconds(pid)
    run = asyncio.run(drive(name, session, sessions, concurrency))
    run.server_cpu = process_cpu_seconds(pid) - before
    return run


@dataclass
class Paired:
    """Rounds of the base server and the measured one, run in turn: round i of each is a pair.

    Other work on the machine changes its speed within minutes (by up to a third on
    the 2-core machine the figures are recorded on), so runs far apart in time are
    not compared: each round's ratio compares two runs that followed each other, and
    the figure is the median of those ratios (the range shows how much they moved).
    """

    base: list[Run]
    measured: list[Run]

    @property
    def ratios(self) -> list[float]:
        return [
            m.rate / b.rate if b.rate else 0.0
            for b, m in zip(self.base, self.measured, strict=True)
        ]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios) if self.ratios else 0.0

    @property
    def failures(self) -> int:
        """The measured server's failed sessions over every round, so one bad round still shows."""
        return sum(r.failures for r in self.measured)


def median_of(values: Sequence[float | None]) -> float | None:
    """The median of the values that were measured; None when none was."""
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def alternate(
    sink: SessionFn,
    lab: SessionFn,
    sessions: int,
    concurrency: int,
    rounds: int,
    pids: tuple[int | None, int | None] = (None, None),
) -> Paired:
    """Warm both up, then run sink and lab in turn ``rounds`` times, each round's first one
    changing (sink first, then lab first), so neither always runs on the other's heels.

    ``pids`` (the server processes) let each run read its server's CPU per session.
    """
    warm = min(concurrency, 50)
    asyncio.run(drive("warm-up", sink, warm, warm))
    asyncio.run(drive("warm-up", lab, warm, warm))
    sides = [("sink", sink, pids[0]), ("lab", lab, pids[1])]
    runs: dict[str, list[Run]] = {"sink": [], "lab": []}
    for number in range(rounds):
        for name, session, pid in sides if number % 2 == 0 else sides[::-1]:
            runs[name].append(_timed(name, session, sessions, concurrency, pid))
    return Paired(runs["sink"], runs["lab"])


def report(
    label: str,
    name: str,
    paired: Paired,
    target: float,
    detail: str,
    case: str = "",
    base: str = "sink",
) -> bool:
    """Print (and note) one result; True when the lab reached ``target`` times the sink.

    The figure is the median of the rounds' paired ratios (``Paired``); the rates
    shown are each side's median, and the server CPU per session each side's median
    where it was read. ``base`` names what the lab is measured against (the capture
    case: the lab, capture off). A lab that failed any session is below target
    whatever its rate.
    """
    ratio = paired.ratio
    failures = paired.failures
    ok = ratio >= target and not failures
    verdict = "ok" if ok else "below target"
    failed = f", {failures} FAILED" if failures else ""
    base_rate = statistics.median(r.rate for r in paired.base)
    rate = statistics.median(r.rate for r in paired.measured)
    cpu_base = median_of([r.cpu_ms for r in paired.base])
    cpu = median_of([r.cpu_ms for r in paired.measured])
    cpu_text = (
        f"; server CPU per session {name} {cpu:.2f} ms vs {base} {cpu_base:.2f} ms"
        if cpu is not None and cpu_base is not None
        else ""
    )
    spread = f"range {min(paired.ratios):.2f}-{max(paired.ratios):.2f}x" if paired.ratios else ""
    rounds = f"{len(paired.ratios)} rounds in turn, median of the paired ratios, {spread}"
    print(
        f"  {label}: {base} {base_rate:7.1f} sessions/s | {name} {rate:7.1f} sessions/s{failed} | "
        f"ratio {ratio:.2f}x (target >= {target}x) {verdict}  [{detail}; {rounds}{cpu_text}]",
        flush=True,
    )
    FIGURES.note(
        Figure(
            case=f"{case} {label}".strip(),
            measured=f"{name} {rate:.0f}/s vs {base} {base_rate:.0f}/s{failed}{cpu_text}",
            result=f"{ratio:.2f}x",
            target=f">= {target}x",
            ok=ok,
            detail=f"{detail}; {rounds}",
        )
    )
    return ok
