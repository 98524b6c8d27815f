"""What every sub-command shares: the data-directory flag and the usage error."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

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
