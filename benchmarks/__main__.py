"""Run every benchmark case: ``python -m benchmarks [NAME ...]``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable

import benchmarks

FIRST = ("submission",)


def cases() -> dict[str, Callable[[list[str]], int]]:
    found: dict[str, Callable[[list[str]], int]] = {}
    names = [
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if not m.name.startswith("_")
    ]
    for name in sorted(names, key=lambda n: (n not in FIRST, n)):
        module = importlib.import_module(f"benchmarks.{name}")
        main = getattr(module, "main", None)
        if callable(main):
            found[name] = main
    return found


def run(argv: list[str]) -> int:
    available = cases()
    chosen = argv or list(available)
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
    return worst


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
