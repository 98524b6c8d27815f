"""What every sub-command shares: the data-directory and lab-date flags, the usage error,
the running lab, how to name this program in a command the user can copy, and the parser
class that lets a command build its flags only when it runs.

Every `exolab` command builds the parser of every command, so this module and each
command module import only what building a parser takes (the standard library, the lab
clock's names, the light client of a running lab). What a command needs to do its work
it imports in the functions that do it: `exolab run --list` never loads the admin
cmdlets, `exolab --version` never loads the tenant model.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from exolab.emulator.clock import LAB_DATE_ENV, LabDateError, lab_date_from_env, parse_lab_date
from exolab.labclient import LabClient

DATA_ENV = "EXOLAB_DATA"
DEFAULT_DATA_DIR = Path(os.environ.get(DATA_ENV, "lab-data"))


class UsageError(Exception):
    """Bad flags or input files; main() prints it and exits 2."""


class CommandParser(argparse.ArgumentParser):
    """A sub-command's parser; given ``arguments``, it adds its flags the first time it is used.

    A few commands' flags name values that live in modules that load slowly (the fault
    stages of the tenant model, the matrix's outcomes): those commands pass a function
    that adds their flags, and it runs when the command parses or shows its help, so
    no other command pays for those imports. The help a user sees is the same either way.
    """

    def __init__(
        self,
        *args: Any,
        arguments: Callable[[argparse.ArgumentParser], None] | None = None,
        **kwargs: Any,
    ) -> None:
        self._pending = arguments
        super().__init__(*args, **kwargs)

    def complete(self) -> CommandParser:
        """Add the flags given as ``arguments`` now (once); the parser itself."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending(self)
        return self

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self.complete()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self.complete()
        return super().format_usage()

    def format_help(self) -> str:
        self.complete()
        return super().format_help()


def add_data_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help=f"the lab's data directory (default: {DEFAULT_DATA_DIR}, or ${DATA_ENV})",
    )


def add_as_of_flag(parser: argparse.ArgumentParser, what: str = "the lab date") -> None:
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help=f"{what}, e.g. 2027-01-15 or 2027-01-15T09:00 "
        f"(default: ${LAB_DATE_ENV}, else the real current time)",
    )


def add_progress_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress",
        action="store_true",
        help="show progress on stderr even when it is not a terminal (a CI log)",
    )


def show_progress(args: argparse.Namespace) -> bool:
    """Progress is for a person watching: on a terminal, or when asked for with --progress."""
    return bool(args.progress) or sys.stderr.isatty()


def lab_date(args: argparse.Namespace) -> datetime | None:
    """--as-of, else $EXOLAB_AS_OF, else None (the real current time); bad text is a usage error."""
    try:
        if args.as_of is not None:
            return parse_lab_date(args.as_of)
        return lab_date_from_env(os.environ)
    except LabDateError as exc:
        raise UsageError(str(exc)) from None


def lab_client(data: Path) -> LabClient:
    """The lab running in ``data`` (its endpoints.json read once); errors reach main()."""
    return LabClient.open(data)


def invocation() -> str:
    """This program as the user can type it here, for commands we print for them to copy.

    ``exolab`` when the shell's PATH finds this very program; else the path of
    the script that runs now (``.venv/bin/exolab`` after ``make demo``),
    relative to the current directory; else ``PYTHON -m exolab.cli``.
    """
    script = Path(sys.argv[0])
    if script.name == "exolab":
        found = shutil.which("exolab")
        if found is not None and Path(found).resolve() == script.resolve():
            return "exolab"
        return _as_typed(script)
    return f"{_as_typed(Path(sys.executable))} -m exolab.cli"


def _as_typed(path: Path) -> str:
    """``path`` relative to the current directory when under it (./ when it has no slash)."""
    absolute = path.absolute()  # not resolve(): a venv's python is a symlink that must stay one
    try:
        text = str(absolute.relative_to(Path.cwd()))
    except ValueError:
        text = str(absolute)
    if os.sep not in text:
        text = f".{os.sep}{text}"
    return shlex.quote(text)
