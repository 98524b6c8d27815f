"""Every figure a benchmark run measured, and the record of a run in docs/.

Each case prints its lines as it goes and also notes one ``Figure`` per
measured figure here; ``python -m benchmarks --record`` (``make
bench-record``) then writes them, with the machine they were measured on,
to ``docs/reference/benchmarks.md``. The record is a measurement, so its
date is the wall clock's (not the lab clock's, which no benchmark reads).
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

RECORD_PATH = Path(__file__).resolve().parents[1] / "docs" / "reference" / "benchmarks.md"


@dataclass(frozen=True)
class Figure:
    """One measured figure: what, how much, against what target, and whether it is met."""

    case: str
    """Which case and size, e.g. ``submission 10 KB``."""
    measured: str
    """The raw numbers, e.g. ``lab 610 sessions/s, sink 590 sessions/s``."""
    result: str
    """The figure the target is about: a ratio (``1.03x``), seconds or MiB."""
    target: str
    """The target, written the way the result is (``>= 1.0x``, ``<= 3 s``)."""
    ok: bool
    detail: str = ""


class Figures:
    """The figures of one run, in the order they were measured."""

    def __init__(self) -> None:
        self.items: list[Figure] = []

    def note(self, figure: Figure) -> None:
        self.items.append(figure)


FIGURES = Figures()
"""The run's figures: one process runs one benchmark run, so one collector serves it."""


def machine() -> dict[str, str]:
    """The machine a run was measured on (CPU model, cores, Python, OS, date)."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "CPU": model,
        "cores": str(os.cpu_count() or "?"),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "OS": platform.platform(terse=True),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        # other work on the machine slows both sides of a ratio, but not always alike
        "load when recorded": " / ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1, 5, 15 min)",
    }


CASES = (
    "**submission**: STARTTLS, AUTH LOGIN, one message (10 KB, 1 MB), every rule and the "
    "durable commit (WAL, `synchronous=FULL`) before the 250, against a bare aiosmtpd "
    "STARTTLS+AUTH sink (`python -m benchmarks submission`).",
    "**capture cost**: the same sessions with `Lab.Capture` on, against the lab with it off.",
    "**catalog**: `exolab run --quiet` over the whole scenario catalog, as a user runs it "
    "(a fresh process: imports, one lab per scenario, every device). **catalog as the target "
    "was set**: the same over the 60 scenarios the catalog held when the 3 s target was set "
    "(`benchmarks/first_release_catalog.txt`), the like-for-like figure; the catalog has "
    "grown since, each new scenario adding its own labs and sessions.",
    "**direct send**: plaintext sessions from three sites, SPF over the lab DNS, DMARC, the "
    "verdict and the commit, against a bare aiosmtpd plain sink.",
    "**doctor**: `exolab doctor` reading and judging a generated 100 MB capture.",
    "**concurrent TLS devices** (`python -m benchmarks fleet`): 1,000 submission sessions "
    "held open at once over TLS, then each sends its 10 KB scan; the lab's resident memory "
    "is read while it holds them all.",
    "**exolab fleet** (`python -m benchmarks fleet_rate`): the real `exolab fleet --devices "
    "1000` (one process, a shipped profile, 10 KB scans, every device resolving the server "
    "through the lab DNS and verifying its certificate) against the lab's full submission "
    "rate, measured on the same lab by the bench's lean client; the figure is the fleet's "
    "delivered rate over the lab's.",
)
"""What each case measures, as the record explains it."""


def render(figures: list[Figure], host: dict[str, str], command: str) -> str:
    """The Markdown page of one run."""
    lines = [
        "# Benchmarks",
        "",
        "Speed goals are checked by the benchmarks, never by timed tests. This page is",
        f"written by `{command}` (`make bench-record`); `make bench` prints the same figures",
        "without writing it. Ratios compare the lab with a bare aiosmtpd sink driven by the",
        "same client in the same run, so they hold across machines better than the absolute",
        "rates, which move with the machine and its load. A server-against-sink ratio is the",
        "median of several rounds' ratios, each round running the two one after the other, so",
        "a change in the machine's speed between rounds does not tip it; its range is shown.",
        "Where the server CPU per session is given, it is read from `/proc` for each server",
        "process (every thread) around each run: the work each side did, whatever the load.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in host.items()),
        "",
        "## Cases",
        "",
        *(f"- {case}" for case in CASES),
        "",
        "## Figures",
        "",
        "| case | measured | result | target | verdict |",
        "|---|---|---|---|---|",
    ]
    for f in figures:
        verdict = "ok" if f.ok else "below target"
        measured = f"{f.measured} ({f.detail})" if f.detail else f.measured
        lines.append(f"| {f.case} | {measured} | {f.result} | {f.target} | {verdict} |")
    lines.append("")
    return "\n".join(lines)


def write(figures: list[Figure], path: Path = RECORD_PATH) -> Path:
    """Write the record of ``figures`` measured on this machine; the path written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(figures, machine(), "python -m benchmarks --record"))
    return path
