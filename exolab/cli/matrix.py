"""`exolab matrix`: every device profile against each set-up, as a table of outcomes."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from exolab.cli.common import UsageError
from exolab.cli.run import default_jobs
from exolab.scenarios.matrix import render_html, render_json, render_text, run_matrix


def _run(args: argparse.Namespace) -> int:
    try:
        table, wall = run_matrix(args.profiles, jobs=args.jobs)
    except ValueError as exc:
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
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "matrix", help="every device profile against each documented set-up"
    )
    parser.add_argument("--profiles", nargs="+", metavar="NAME", help="only these profiles")
    parser.add_argument("--html", type=Path, metavar="FILE")
    parser.add_argument("--json", type=Path, metavar="FILE")
    parser.add_argument(
        "--lang", choices=("en", "ja"), default="en", help="language of the headings"
    )
    parser.add_argument("--jobs", type=int, default=default_jobs(), metavar="N")
    parser.set_defaults(handler=_run)
