"""`exolab matrix`: every device profile against each set-up, as a table of outcomes.

``--profiles`` takes shipped profile names, a vendor's own profile files and
folders of them. ``--fail-on OUTCOME...`` makes the exit code a CI verdict:
1 when any cell's outcome is one of those, else 0. Exit 2: bad flags or a
bad profile file (named with its field).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from exolab.cli.common import UsageError
from exolab.cli.run import default_jobs

if TYPE_CHECKING:
    from exolab.scenarios.reports.matrix import Table


def _failing(table: Table, outcomes: frozenset[str]) -> list[str]:
    return [
        f"{name} / {sid}: {cell.outcome}"
        for name, row in table.items()
        for sid, cell in row.items()
        if cell.outcome in outcomes
    ]


def _run(args: argparse.Namespace) -> int:
    from exolab.scenarios.matrix import parse_outcomes, run_matrix
    from exolab.scenarios.reports.matrix import render_html, render_json, render_text

    try:
        fail_on = parse_outcomes(args.fail_on or ())
    except ValueError as exc:
        raise UsageError(f"--fail-on: {exc}") from None
    try:
        table, wall = run_matrix(args.profiles, jobs=args.jobs)
    except ValueError as exc:  # a bad profile file (ProfileError) or an unknown name
        raise UsageError(f"--profiles: {exc}") from None
    print(render_text(table, args.lang), end="")
    print(f"({len(table)} profiles, {wall:.2f}s)")
    outputs: tuple[tuple[Path | None, Callable[[], str]], ...] = (
        (args.json, lambda: render_json(table, wall)),
        (args.html, lambda: render_html(table, args.lang)),
    )
    for path, text in outputs:
        if path is not None:
            try:
                path.write_text(text(), "utf-8")
            except OSError as exc:
                raise UsageError(f"{path}: cannot write ({exc.strerror})") from None
    failing = _failing(table, fail_on)
    if failing:
        print(f"--fail-on: {len(failing)} cell(s): " + "; ".join(failing), file=sys.stderr)
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    subparsers.add_parser(
        "matrix",
        help="every device profile against each documented set-up",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        arguments=_arguments,
    )


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The flags: --fail-on's help lists the matrix's outcomes, which load with the matrix."""
    from exolab.scenarios.matrix import MATRIX_OUTCOMES

    parser.add_argument(
        "--profiles",
        nargs="+",
        metavar="NAME|FILE|DIR",
        help="shipped profile names, your own profile .toml files, or folders of them "
        "(default: every shipped profile)",
    )
    parser.add_argument("--html", type=Path, metavar="FILE", help="write the table as HTML")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the table as JSON")
    parser.add_argument(
        "--lang", choices=("en", "ja"), default="en", help="language of the headings"
    )
    parser.add_argument(
        "--jobs", type=int, default=default_jobs(), metavar="N", help="devices run at once"
    )
    parser.add_argument(
        "--fail-on",
        nargs="+",
        metavar="OUTCOME",
        help="exit 1 when any cell has one of these outcomes: " + ", ".join(MATRIX_OUTCOMES),
    )
    parser.set_defaults(handler=_run)
