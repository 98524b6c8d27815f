"""``python -m tests.torture``: every check against real ``exolab serve`` processes, one table.

Exit status 0 when nothing was lost, torn, split or injected, nothing
crashed and every reply line was the catalog's; 1 otherwise. ``--short``
runs the same checks with the budgets of the pytest version.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.torture.budget import FULL, SHORT, Budget
from tests.torture.durability import SETTINGS, durability
from tests.torture.figures import Figures, table
from tests.torture.fuzz import fuzz
from tests.torture.injection import injection
from tests.torture.served import ServedLab
from tests.torture.slowloris import slowloris
from tests.torture.smuggling import attempts, smuggling

CHECKS = ("durability", "smuggling", "injection", "fuzz", "slowloris")


def run(budget: Budget, seed: int, root: Path, only: set[str]) -> list[Figures]:
    rows: list[Figures] = []

    def timed(name: str, check: Callable[[], Figures]) -> None:
        if name not in only:
            return
        began = time.monotonic()
        figures = check()
        figures.notes.append(f"{time.monotonic() - began:.1f} s")
        rows.append(figures)
        print(f"torture: {name} done", file=sys.stderr, flush=True)

    if "durability" in only:
        lab = ServedLab(root / "durability" / "lab", *SETTINGS)
        lab.start()
        timed("durability", lambda: durability(lab, budget.kills, seed))
    with ServedLab(root / "hostile" / "lab", *SETTINGS) as lab:
        timed("smuggling", lambda: smuggling(lab, attempts(budget.cuts)))
        timed("injection", lambda: injection(lab))
        timed("fuzz", lambda: fuzz(lab, budget.fuzz_sessions, seed))
        timed("slowloris", lambda: slowloris(lab, budget.attackers, budget.slowloris_seconds))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.torture", description=__doc__)
    parser.add_argument("--short", action="store_true", help="the budgets of the pytest version")
    parser.add_argument("--seed", type=int, default=1, help="seeds kills and fuzz (default 1)")
    parser.add_argument("--only", action="append", choices=CHECKS, help="run only these checks")
    parser.add_argument("--keep", type=Path, help="keep the lab directories and logs here")
    args = parser.parse_args(argv)
    budget = SHORT if args.short else FULL
    only = set(args.only or CHECKS)
    if args.keep is not None:
        rows = run(budget, args.seed, args.keep, only)
    else:
        with tempfile.TemporaryDirectory(prefix="exolab-torture-") as tmp:
            rows = run(budget, args.seed, Path(tmp), only)
    print(table(rows))
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
