"""Run every benchmark case: ``python -m benchmarks [--record] [--strict] [NAME ...]``.

Every figure is printed with its ratio (or value) and its target; one below
target says so and the run still exits 0 (the machine's load moves the
numbers: CI reads the figures, it does not fail on them) unless ``--strict``.
``--record`` also writes the figures and the machine to
docs/reference/benchmarks.md (``make bench-record``).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable

import benchmarks
from benchmarks import record

FIRST = ("submission",)
HELPERS = ("harness", "record")


def cases() -> dict[str, Callable[[list[str]], int]]:
    found: dict[str, Callable[[list[str]], int]] = {}
    names = [
        m.name
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if not m.name.startswith("_") and m.name not in HELPERS
    ]
    for name in sorted(names, key=lambda n: (n not in FIRST, n)):
        module = importlib.import_module(f"benchmarks.{name}")
        main = getattr(module, "main", None)
        if callable(main):
            found[name] = main
    return found


def run(argv: list[str]) -> int:
    available = cases()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(available))
    parser.add_argument("--record", action="store_true", help=f"write {record.RECORD_PATH.name}")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure is below")
    args = parser.parse_args(argv)
    chosen = args.names or list(available)
    unknown = [n for n in chosen if n not in available]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(available)}",
            file=sys.stderr,
        )
        return 2
    worst = 0
    for name in chosen:
        print(f"== {name}", flush=True)
        worst = max(worst, available[name]([]))
    figures = record.FIGURES.items
    below = [f for f in figures if not f.ok]
    print(f"== {len(figures)} figures, {len(below)} below target")
    for f in figures:
        print(f"  {f.case}: {f.result} (target {f.target}) {'ok' if f.ok else 'below target'}")
    if args.record:
        print(f"recorded in {record.write(figures)}")
    return worst if args.strict else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
