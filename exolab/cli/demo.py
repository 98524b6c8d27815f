"""`exolab demo` (what `make demo` runs): the whole catalog on the demo tenant, then next steps.

The next steps are commands to copy, so they name this program the way the
user can run it from here: ``exolab`` only when PATH finds this very one
(``make demo`` runs ``.venv/bin/exolab``, which a fresh shell does not find).
"""

from __future__ import annotations

import argparse
import sys

from exolab.cli.common import add_progress_flag, invocation, show_progress
from exolab.cli.run import default_jobs, load_or_usage

NEXT_STEPS = """\
What next
  Start the lab for a real or simulated device (it prints one ready line):
    {exolab} serve --data lab-data
  Send a scan from a simulated device (in another terminal):
    {exolab} send --profile starttls-modern --set server=smtp.office365.com \\
        --set username=scanner@contoso.com --set 'password=Scan-2-Mail!' \\
        --to alice@contoso.com --site office --data lab-data
  See what arrived and what the service decided:
    {exolab} messages --data lab-data
    {exolab} sessions --data lab-data
  Explain a scenario step by step (trainer mode), in English or Japanese:
    {exolab} explain tenant-disabled
    {exolab} explain unlisted-site --lang ja
  Every profile against every set-up (the firmware vendor's view):
    {exolab} matrix --html matrix.html
  One HTML report of the whole catalog with transcripts:
    {exolab} run --html report.html
"""


def next_steps() -> str:
    return NEXT_STEPS.format(exolab=invocation())


def _run(args: argparse.Namespace) -> int:
    if args.next_steps:
        print(next_steps(), end="")
        return 0
    from exolab.scenarios.reports import Progress, render_table
    from exolab.scenarios.runner import RunOptions, run_catalog

    items = load_or_usage([])
    print(f"exolab demo: running {len(items)} scenarios on the embedded tenant contoso.com")
    progress = Progress(len(items), sys.stderr, quiet=not show_progress(args))
    results, wall = run_catalog(items, RunOptions(jobs=args.jobs), progress.update)
    progress.finish()
    print(render_table(results, wall, args.lang), end="")
    print()
    print(next_steps(), end="")
    return 0 if all(r.passed for r in results) else 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("demo", help="run the whole catalog and show what to try next")
    parser.add_argument("--lang", choices=("en", "ja"), default="en", help="report language")
    parser.add_argument(
        "--jobs", type=int, default=default_jobs(), metavar="N", help="scenarios run at once"
    )
    parser.add_argument(
        "--next-steps", action="store_true", help="only print what to try next (run nothing)"
    )
    add_progress_flag(parser)
    parser.set_defaults(handler=_run)
