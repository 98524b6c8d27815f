"""Benchmark: the whole scenario catalog's wall time (what `make catalog` runs).

Speed is part of the product: the full catalog should finish in a few
seconds on a 2-core machine. This measures it (and per-scenario times) so
the number lives here, never in a timed test. Run alone:

    .venv/bin/python -m benchmarks.catalog [--jobs N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence

from exolab.scenarios.loader import load_catalog
from exolab.scenarios.runner import RunOptions, run_catalog

TARGET_SECONDS = 10.0


def measure(jobs: int, rounds: int) -> tuple[list[float], list[tuple[float, str]], int, int]:
    items = load_catalog()
    walls: list[float] = []
    slowest: list[tuple[float, str]] = []
    failed = 0
    for _ in range(rounds):
        results, wall = run_catalog(items, RunOptions(jobs=jobs))
        walls.append(wall)
        failed = sum(not r.passed for r in results)
        slowest = sorted(((r.seconds, r.id) for r in results), reverse=True)[:5]
    return walls, slowest, len(items), failed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.catalog", description=__doc__)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    walls, slowest, count, failed = measure(args.jobs, args.rounds)
    best, median = min(walls), statistics.median(walls)
    print(f"scenario catalog: {count} scenarios, jobs={args.jobs}, {args.rounds} rounds")
    print(f"wall time best {best:.2f} s, median {median:.2f} s (target < {TARGET_SECONDS:.0f} s)")
    print("slowest: " + ", ".join(f"{sid} {sec:.2f}s" for sec, sid in slowest))
    verdict = "OK" if median < TARGET_SECONDS and not failed else "BELOW TARGET"
    print(f"{failed} failing scenarios; {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
