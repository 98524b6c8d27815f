"""What every sub-command shares: the data-directory and lab-date flags, and the usage error."""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path

from exolab.emulator.clock import LAB_DATE_ENV, LabDateError, lab_date_from_env, parse_lab_date

DEFAULT_DATA_DIR = Path(os.environ.get("EXOLAB_DATA", "lab-data"))


class UsageError(Exception):
    """Bad flags or input files; main() prints it and exits 2."""


def add_data_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help=f"the lab's data directory (default: {DEFAULT_DATA_DIR}, or $EXOLAB_DATA)",
    )


def add_as_of_flag(parser: argparse.ArgumentParser, what: str = "the lab date") -> None:
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help=f"{what}, e.g. 2027-01-15 or 2027-01-15T09:00 "
        f"(default: ${LAB_DATE_ENV}, else the real current time)",
    )


def lab_date(args: argparse.Namespace) -> datetime | None:
    """--as-of, else $EXOLAB_AS_OF, else None (the real current time); bad text is a usage error."""
    try:
        if args.as_of is not None:
            return parse_lab_date(args.as_of)
        return lab_date_from_env(os.environ)
    except LabDateError as exc:
        raise UsageError(str(exc)) from None
