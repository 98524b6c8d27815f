"""Benchmark: the whole scenario catalog's wall time, as `exolab run --quiet` (`make catalog`).

Speed is part of the product: the full catalog should finish in a few
seconds on a 2-core machine. This runs the command as a user does (a fresh
process: imports, every lab, every device, its worker processes) and reads
the per-scenario times from its JSON report, so the number lives here, never
in a timed test. The CPU seconds (the command and its workers) say what the
wall time is made of: on a machine with C free cores the wall cannot go
below CPU / C. Run alone:

    .venv/bin/python -m benchmarks.catalog [--rounds R] [--jobs N] [--processes N]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.record import FIGURES, Figure

TARGET_SECONDS = 3.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


FIRST_SIXTY = Path(__file__).with_name("first_release_catalog.txt")
"""The 60 scenarios the catalog held when the target was set: the like-for-like figure."""


def first_sixty() -> list[str]:
    lines = FIRST_SIXTY.read_text("utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def one_run(
    jobs: int | None, processes: int | None = None, paths: Sequence[str] = ()
) -> tuple[float, float, list[tuple[float, str]], int]:
    """(wall s, CPU s, (seconds, id) of every scenario, failures) of one `exolab run --quiet`."""
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        report = Path(tmp) / "run.json"
        command = [sys.executable, "-m", "exolab.cli", "run", "--quiet", "--json", str(report)]
        command += list(paths)
        if jobs is not None:
            command += ["--jobs", str(jobs)]
        if processes is not None:
            command += ["--processes", str(processes)]
        cpu_before = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run(command, check=False, capture_output=True, text=True)
        wall = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
        if done.returncode not in (0, 1):  # 1: a scenario not as documented, counted below
            raise RuntimeError(f"exolab run failed ({done.returncode}): {done.stderr[-2000:]}")
        data = json.loads(report.read_text("utf-8"))
    scenarios = [(float(s["seconds"]), str(s["id"])) for s in data["scenarios"]]
    return wall, cpu, scenarios, int(data["total"]) - int(data["passed"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.catalog", description=__doc__)
    parser.add_argument("--jobs", type=int, default=None, help="as for exolab run (its default)")
    parser.add_argument(
        "--processes", type=int, default=None, help="as for exolab run (its default)"
    )
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    whole = _measure(args, (), "catalog")
    sixty = _measure(args, first_sixty(), "catalog as the target was set")
    return 0 if whole and sixty else 1


def _measure(args: argparse.Namespace, paths: Sequence[str], name: str) -> bool:
    """Run one catalog ``args.rounds`` times, print it and note its figure; True when on target."""
    runs = [one_run(args.jobs, args.processes, paths) for _ in range(args.rounds)]
    walls = [wall for wall, _, _, _ in runs]
    best = min(range(len(runs)), key=lambda i: walls[i])
    _, cpu, scenarios, failed = runs[best]
    seconds = [s for s, _ in scenarios]
    slowest = sorted(scenarios, reverse=True)[:5]
    ok = walls[best] <= TARGET_SECONDS and not failed
    verdict = "ok" if ok else "below target"
    print(f"{name}: {len(scenarios)} scenarios, `exolab run --quiet`, {args.rounds} rounds")
    print(
        f"  wall {walls[best]:.2f} s best, {statistics.median(walls):.2f} s median "
        f"(target <= {TARGET_SECONDS:g} s) {verdict}; {failed} not as documented"
    )
    print(
        f"  per scenario: mean {statistics.mean(seconds):.2f} s, median "
        f"{statistics.median(seconds):.2f} s, sum {sum(seconds):.1f} s (scenarios overlap)"
    )
    print(f"  CPU {cpu:.1f} s ({cpu / max(1, len(scenarios)):.3f} s a scenario, workers included)")
    print("  slowest: " + ", ".join(f"{sid} {sec:.2f} s" for sec, sid in slowest))
    FIGURES.note(
        Figure(
            case=f"{name}, {len(scenarios)} scenarios",
            measured=(
                f"per scenario mean {statistics.mean(seconds):.2f} s, "
                f"median {statistics.median(seconds):.2f} s, CPU {cpu:.1f} s in all; "
                f"{failed} not as documented"
            ),
            result=f"{walls[best]:.1f} s",
            target=f"<= {TARGET_SECONDS:g} s",
            ok=ok,
            detail=f"`exolab run --quiet` wall, best of {args.rounds}",
        )
    )
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
