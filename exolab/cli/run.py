"""`exolab run`: run scenarios against fresh in-process labs and report.

Exit 0 when every outcome is the documented one, 1 when any differs (the
difference is printed: expected vs. got, with the reply line), 2 for a bad
scenario file or flag.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from exolab.cli.common import UsageError, add_progress_flag, show_progress

if TYPE_CHECKING:
    from exolab.scenarios.loader import ScenarioFile
    from exolab.scenarios.result import ScenarioResult


def default_jobs() -> int:
    return max(2, min(8, (os.cpu_count() or 2) * 2))


def default_processes() -> int:
    """One worker process per core: a lab's work is Python, which one process runs on one core."""
    return max(1, os.cpu_count() or 1)


def load_or_usage(paths: list[Path]) -> list[ScenarioFile]:
    from exolab.scenarios.loader import ScenarioError, load_catalog

    try:
        return load_catalog(paths)
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None


def write_reports(
    args: argparse.Namespace, results: list[ScenarioResult], wall: float, title: str
) -> None:
    from exolab.scenarios.reports import render_html, render_json, render_junit

    outputs: tuple[tuple[Path | None, Callable[[], str]], ...] = (
        (args.json, lambda: render_json(results, wall)),
        (args.junit, lambda: render_junit(results, wall)),
        (args.html, lambda: render_html(results, wall, args.lang, title)),
    )
    for path, render in outputs:
        if path is not None:
            try:
                path.write_text(render(), "utf-8")
            except OSError as exc:
                raise UsageError(f"{path}: cannot write the report ({exc.strerror})") from None
            print(f"wrote {path}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise UsageError("--jobs: expected a number of at least 1")
    if args.processes < 1:
        raise UsageError("--processes: expected a number of at least 1")
    items = load_or_usage(args.paths)
    if args.list:
        for item in items:
            name = f"{item.group}/{item.id}" if item.group else item.id
            print(f"{name}\t{item.scenario.title.get(args.lang)}")
        return 0
    # the run's machinery (labs, devices, reports) loads only for a run, not for --list
    from exolab.scenarios.reports import Progress, render_table
    from exolab.scenarios.runner import RunOptions, run_catalog

    progress = Progress(len(items), sys.stderr, quiet=args.quiet or not show_progress(args))
    options = RunOptions(
        jobs=args.jobs, processes=min(args.processes, args.jobs), keep_data=args.keep_data
    )
    results, wall = run_catalog(items, options, progress.update)
    progress.finish()
    table = render_table(results, wall, args.lang)
    if args.quiet:
        # the failures and the summary only
        table = table[table.index("\n\n") + 2 :] if "\n\n" in table else table
    print(table, end="")
    write_reports(args, results, wall, "exolab run")
    return 0 if all(r.passed for r in results) else 1


def add_report_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", type=Path, metavar="FILE", help="write a JSON report")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--html", type=Path, metavar="FILE", help="write one self-contained HTML")
    parser.add_argument("--lang", choices=("en", "ja"), default="en", help="report language")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run", help="run scenarios (default: the shipped catalog) and report"
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="scenario files or folders"
    )
    add_report_flags(parser)
    parser.add_argument("--quiet", action="store_true", help="print only failures and the total")
    parser.add_argument(
        "--jobs", type=int, default=default_jobs(), metavar="N", help="scenarios run at once"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=default_processes(),
        metavar="N",
        help="worker processes the scenarios are spread over (default: one per core; "
        "1 runs them in this process)",
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument(
        "--keep-data", type=Path, metavar="DIR", help="keep each lab's data under DIR/<id>"
    )
    add_progress_flag(parser)
    parser.set_defaults(handler=_run)
